"""The judge fetches its own tokens (contracts/tokens.py, `contracts check --token-url`), and judges the
token endpoint it was pointed at (contracts/checks/token_endpoint.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread

ACCOUNT = "a1b2c3d4e5"
SECRET, FOREIGN_SECRET = "secret-a1b2c3d4e5", "secret-f6g7h8i9j0"


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings(port=0))) as running:
        yield running


def fetching(mock: RunningMock, *extra: str) -> list[str]:
    return [
        "check",
        "--base-url",
        mock.base_url,
        "--account",
        ACCOUNT,
        "--agent",
        "agent-7",
        "--token-url",
        f"{mock.url}/Auth/connect/token",
        "--client-id",
        "client-a1b2c3d4e5",
        "--max-examples",
        "5",
        *extra,
    ]


def test_the_judge_fetches_both_tokens_and_shows_neither_secret(
    mock: RunningMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LATEST_INTERACTIONS_CLIENT_SECRET", SECRET)
    (tmp_path / "foreign").write_text(FOREIGN_SECRET + "\n")
    args = fetching(
        mock, "--foreign-client-id", "client-f6g7h8i9j0", "--foreign-client-secret-file", str(tmp_path / "foreign")
    )
    assert main(args) == 0
    out = capsys.readouterr()
    assert "0 failed" in out.out
    assert "token_endpoint_answers_a_bearer_token" in out.out and "foreign_token_is_403" in out.out
    text = out.out + out.err
    assert SECRET not in text and FOREIGN_SECRET not in text
    issued = [t.token for t in mock.app.backend.held().tokens.values() if t.client is not None]
    assert issued and not any(token in text for token in issued)


def test_a_refused_client_cannot_be_judged_and_says_so(
    mock: RunningMock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LATEST_INTERACTIONS_CLIENT_SECRET", "wrong")
    assert main(fetching(mock)) == 2
    err = capsys.readouterr().err
    assert "invalid_client" in err and "wrong" not in err.replace("invalid_client", "")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--token", "valid-token"], "not both"),
        (["--client-secret-env", "NO_SUCH_VARIABLE_HERE"], "$NO_SUCH_VARIABLE_HERE"),
    ],
)
def test_usage_errors_name_what_is_wrong(
    mock: RunningMock, extra: list[str], words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LATEST_INTERACTIONS_CLIENT_SECRET", SECRET)
    with pytest.raises(SystemExit) as exited:
        main(fetching(mock, *extra))
    assert exited.value.code == 2 and words in capsys.readouterr().err


def test_a_client_id_needs_a_token_url(mock: RunningMock, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--base-url", mock.base_url, "--account", ACCOUNT, "--agent", "agent-7", "--client-id", "x"]
    with pytest.raises(SystemExit):
        main(args)
    assert "--token-url" in capsys.readouterr().err


def test_a_token_endpoint_without_no_store_is_caught(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(Settings(port=0))

    async def storing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope.get("path") == "/Auth/connect/token":
                message = {**message, "headers": [h for h in message["headers"] if h[0].lower() != b"cache-control"]}
            await send(message)

        await app(scope, receive, sending)

    monkeypatch.setenv("LATEST_INTERACTIONS_CLIENT_SECRET", SECRET)
    with start_in_thread(app, wrapped=storing) as running:
        assert main(fetching(running, "--rule", "token_endpoint_answers_a_bearer_token")) == 1
    assert "no-store" in capsys.readouterr().out
