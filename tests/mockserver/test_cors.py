"""CORS on request: off by default (OPTIONS is the contract's 405); with --cors, a browser page on an
allowed origin can call the public path and the control plane."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread
from tests.conftest import V1, auth, path

APP = "http://localhost:3000"


@pytest.fixture(scope="module")
def with_cors() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings(cors=(APP,)))) as running:
        yield running


def preflight(url: str, origin: str = APP, method: str = "GET") -> httpx.Response:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, accept",
    }
    return httpx.options(url, headers=headers)


def test_off_by_default_a_preflight_is_the_contracts_405(mock: RunningMock) -> None:
    answer = preflight(mock.url + path("agent-7"))
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD"
    assert "access-control-allow-origin" not in answer.headers
    plain = httpx.get(mock.url + path("agent-7"), headers={**auth(), "Accept": V1, "Origin": APP})
    assert "access-control-allow-origin" not in plain.headers


def test_a_preflight_from_an_allowed_origin_is_answered(with_cors: RunningMock) -> None:
    answer = preflight(with_cors.url + path("agent-7"))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"
    assert answer.headers["access-control-allow-headers"] == "authorization, accept"


def test_the_answer_carries_the_cors_headers(with_cors: RunningMock) -> None:
    answer = httpx.get(with_cors.url + path("agent-7"), headers={**auth(), "Accept": V1, "Origin": APP})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert "WWW-Authenticate" in answer.headers["access-control-expose-headers"]
    assert answer.headers["vary"] == "Accept, Origin"
    assert answer.json()["interactions"]


def test_the_control_plane_allows_its_methods(with_cors: RunningMock) -> None:
    answer = preflight(with_cors.url + "/__admin/faults", method="POST")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-methods"] == "GET, POST, PUT, DELETE"


def test_another_origin_gets_what_it_would_without_cors(with_cors: RunningMock) -> None:
    answer = preflight(with_cors.url + path("agent-7"), origin="http://evil.example")
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers


def test_any_origin() -> None:
    with start_in_thread(create_app(Settings(cors=("*",)))) as running:
        answer = preflight(running.url + path("agent-7"), origin="http://anywhere.example")
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("text", "words"), [("", "needs '*'"), ("localhost:3000", "scheme://host")])
def test_bad_origins_are_refused(text: str, words: str) -> None:
    from mockserver.cors import parse_origins

    with pytest.raises(ValueError, match=words):
        parse_origins(text)
