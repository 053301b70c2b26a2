"""No input of any shape makes the mock answer 5xx: the control plane and the public endpoint, fuzzed.

Raw sockets carry what an HTTP client library refuses to send (NUL and control characters in
headers, invalid UTF-8); each answer must be a 4xx or a 200 and leave the state as it was.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.running import RunningMock
from tests.conftest import V2, path

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def raw_status(mock: RunningMock, request: bytes) -> int:
    """Send bytes as they are and read the status of the answer (0: the connection was closed)."""
    parts = urlsplit(mock.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                return 0
            received += chunk
    return int(received.split(b" ", 2)[1])


def nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth


ADMIN_BODIES = st.one_of(
    st.builds(nested, st.integers(33, 20_000), st.sampled_from(["array", "object"])),
    st.integers(101, 6_000).map(lambda n: '{"now": ' + "9" * n + ', "tokens": [], "accounts": []}'),
    st.integers(101, 6_000).map(lambda n: '{"seconds": ' + "9" * n + "}"),
    st.integers(101, 6_000).map(lambda n: '{"kind": "status", "status": 503, "count": ' + "9" * n + "}"),
    st.text(max_size=200),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=30,
    ).map(json.dumps),
)
ADMIN_ENDPOINTS = [
    ("PUT", "/__admin/state"),
    ("POST", "/__admin/accounts/a1b2c3d4e5/agents"),
    ("POST", "/__admin/accounts/a1b2c3d4e5/agents/agent-idle/interactions"),
    ("POST", "/__admin/tokens"),
    ("PUT", "/__admin/clock"),
    ("POST", "/__admin/clock/advance"),
    ("POST", "/__admin/faults"),
]


@pytest.mark.parametrize(("method", "endpoint"), ADMIN_ENDPOINTS)
def test_hostile_admin_bodies_are_refused_and_change_nothing(client: httpx.Client, method: str, endpoint: str) -> None:
    before = client.get("/__admin/state").json()

    @FUZZ
    @given(ADMIN_BODIES)
    def check(body: str) -> None:
        response = client.request(method, endpoint, content=body.encode("utf-8", "surrogatepass"))
        assert response.status_code < 500, (body[:80], response.text[:200])
        if response.status_code >= 400:
            assert isinstance(response.json()["message"], str)
        else:  # a body that happened to be a valid change: undo it for the next example
            client.post("/__admin/reset").raise_for_status()
            client.put("/__admin/state", json=before).raise_for_status()

    check()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (nested(10_000, "array"), "nested deeper than 32 levels"),
        (nested(10_000, "object"), "nested deeper than 32 levels"),
        ('{"now": ' + "9" * 5_000 + ', "tokens": [], "accounts": []}', "longer than 100 digits"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_a_refused_state_document_names_the_limit(client: httpx.Client, body: str | bytes, words: str) -> None:
    before = client.get("/__admin/state").json()
    response = client.put("/__admin/state", content=body)
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert client.get("/__admin/state").json() == before


def test_a_clock_moved_out_of_the_calendar_is_a_400(client: httpx.Client) -> None:
    response = client.post("/__admin/clock/advance", json={"seconds": 10**50})
    assert response.status_code == 400 and "seconds" in response.json()["message"]


# What an HTTP client library sends; the raw-socket tests below send the rest.
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
).map(str.strip)


@FUZZ
@given(
    accept=st.one_of(HEADER_TEXT, st.just("a" * 10_000), st.just("application/json;version=2;" * 500)),
    authorization=st.one_of(HEADER_TEXT, st.just("Bearer " + "x" * 10_000)),
    query=st.one_of(
        st.lists(st.tuples(st.sampled_from(["size", "type", "activeLiveFirst", "x"]), HEADER_TEXT), max_size=6),
        st.integers(1_000, 3_000).map(lambda n: [("size", "1")] * n),
        st.integers(1_000, 6_000).map(lambda n: [("size", "9" * n)]),
    ),
)
def test_hostile_public_requests_are_answered_below_500(
    mock: RunningMock, accept: str, authorization: str, query: list[tuple[str, str]]
) -> None:
    with httpx.Client(base_url=mock.url, timeout=10) as session:
        response = session.get(
            path("agent-7"),
            params=query,
            headers=[(b"Accept", accept.encode("latin-1")), (b"Authorization", authorization.encode("latin-1"))],
        )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "header",
    [
        b"Accept: application/json;version=2\x00\r\nAuthorization: Bearer valid-token",
        b"Accept: \x01\x02\x7f\xff\xfe\r\nAuthorization: Bearer valid-token",
        b"Accept: " + V2.encode() + b"\r\nAuthorization: Bearer valid\x00token",
        b"Accept: " + V2.encode() + b"\r\nAuthorization: Bearer \xff\xfe\xfd",
        b"Accept: " + V2.encode() + b"\r\nAuthorization: Bearer valid-token\r\nX-Long: " + b"y" * 10_240,
    ],
)
def test_control_characters_and_invalid_utf8_in_headers_are_not_5xx(mock: RunningMock, header: bytes) -> None:
    request = b"GET " + path("agent-7").encode() + b"?size=%FF%00 HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n"
    assert 0 < raw_status(mock, request) < 500


def test_invalid_utf8_in_the_path_and_query_is_not_5xx(mock: RunningMock) -> None:
    request = (
        b"GET /v0/a1b2c3d4e5/agents/%FF%FE/latestInteractions?type=%C3%28&size=%80 HTTP/1.1\r\n"
        b"Host: x\r\nAuthorization: Bearer valid-token\r\nAccept: " + V2.encode() + b"\r\n\r\n"
    )
    assert 0 < raw_status(mock, request) < 500
