"""Output a person reads: the rules of one exchange say how many exchanges they judged, one broken
answer is one violation, messages quote values as the wire carried them, not as Python shows them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from contracts.checks.order import Attempt
from contracts.cli import main
from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread
from mockserver.state.faults import drop_connection
from tests.contracts.conftest import check_args

Asgi = Callable[..., Any]


def test_rules_of_one_exchange_say_how_many_they_judged(mock: RunningMock, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(check_args(mock.base_url)) == 0
    out = capsys.readouterr().out
    judged = re.search(r"no_server_errors\s+passed\s+\(judged (\d+) exchanges of the run", out)
    assert judged and int(judged[1]) > 50
    assert not re.search(r"passed\s+\(0 requests", out.split("no_server_errors")[1])


def dropping_basic_credentials(app: Asgi) -> Asgi:
    """A server that cuts the connection when credentials of another scheme arrive."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "http" and headers.get(b"authorization", b"").startswith(b"Basic"):
            await drop_connection(send)
        await app(scope, receive, send)

    return wrapped


def test_one_dropped_connection_is_one_violation(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(Settings())
    with start_in_thread(app, log_level="critical", wrapped=dropping_basic_credentials(app)) as running:
        assert main(check_args(running.base_url)) == 1
    out = capsys.readouterr().out
    failed = re.findall(r"^=== (\w+):", out, re.M)
    assert failed == ["missing_credentials_are_401"]
    assert re.search(r"no_server_errors\s+passed", out)


@pytest.mark.parametrize(
    ("attempt", "shown"),
    [
        (Attempt("missing", "v1", False, True), "no token, Accept version 1, a known agent"),
        (
            Attempt("unknown", "v2", True, False),
            "an unknown token, Accept version 2, an invalid v2 parameter, an unknown agent",
        ),
        (
            Attempt("foreign", "unacceptable", False, True),
            "a token of another account, an unacceptable Accept, a known agent",
        ),
    ],
)
def test_an_attempt_reads_as_words(attempt: Attempt, shown: str) -> None:
    assert str(attempt) == shown


def test_a_missing_header_is_named_not_shown_as_none() -> None:
    from contracts.expect import header_shown, shown
    from contracts.failures import Exchange

    exchange = Exchange("GET", "http://h/v0", (), (), 200, {"allow": "GET"})
    assert header_shown(exchange, "Vary") == "no Vary header"
    assert header_shown(exchange, "Allow") == "Allow: GET"
    assert shown({"start": "x", "hasEnded": False}) == '{"start": "x", "hasEnded": false}'
