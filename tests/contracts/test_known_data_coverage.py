"""Known-data mode covers what it was given: every account, agent and token of the document is
visited, not only the --agent ids, and the document's tokens stand in for those not given."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml

from contracts.cli import main
from mockserver import Settings, create_app
from mockserver.resources import DEFAULT_FIXTURES
from mockserver.running import RunningMock, start_in_thread

DOCUMENT = yaml.safe_load(DEFAULT_FIXTURES.read_text())
EVERY_AGENT = {(a["key"], g["id"]) for a in DOCUMENT["accounts"] for g in a["agents"]}


@pytest.fixture
def fresh() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings())) as running:
        yield running


def visited(mock: RunningMock) -> set[tuple[str, str]]:
    entries = httpx.get(mock.url + "/__admin/journal").json()["requests"]
    return {(e["account"], e["agent"]) for e in entries if e["status"] == 200}


def test_every_agent_of_the_document_is_visited(fresh: RunningMock, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--base-url", fresh.base_url, "--token", "valid-token", "--account", "a1b2c3d4e5"]
    args += ["--agent", "agent-7", "--expect-state", str(DEFAULT_FIXTURES), "--rule", "known_data_v1_item_is_exact"]
    assert main(args) == 0
    capsys.readouterr()
    with_token = {pair for pair in EVERY_AGENT if pair[0] == "a1b2c3d4e5"}
    assert len(with_token) > 1
    assert with_token <= visited(fresh)


def test_the_documents_tokens_stand_in_for_those_not_given(
    fresh: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--base-url", fresh.base_url, "--expect-state", str(DEFAULT_FIXTURES)]) == 0
    out = capsys.readouterr().out
    assert "account a1b2c3d4e5" in out
    for rule in (
        "foreign_token_is_403",
        "expired_token_is_401_invalid_token",
        "known_data_tokens_open_their_account_only",
    ):
        assert (
            f"{rule:<52} passed" in out
            or f"{rule} " in out
            and "not exercised" not in out.split(rule)[1].split("\n")[0]
        )


def test_without_a_document_the_token_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--base-url", "http://127.0.0.1:1/v0", "--agent", "a"])
    assert exited.value.code == 2
    assert "give --token, --account (or --expect-state" in capsys.readouterr().err
