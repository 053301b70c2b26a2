"""The relay is transparent: bytes direct and through the proxy are the same, for every kind of
answer the mock gives (injected faults and a dropped connection included), and for a raw upstream
with odd framing (a custom reason, duplicate headers in mixed case, gzip, chunks)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from contracts.proxy.server import ProxySettings, RunningProxy, start_proxy_in_thread
from mockserver.running import RunningMock
from tests.contracts.proxy.conftest import exchange, read_answer, without

PATH = "/v0/a1b2c3d4e5/agents/{agent}/latestInteractions"
V1, V2 = "application/json;version=1", "application/json;version=2"


def request(method: str, target: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


CASES = {
    "v1": request("GET", PATH.format(agent="agent-7"), "Authorization: Bearer valid-token", f"Accept: {V1}"),
    "v2 size=10": request(
        "GET", PATH.format(agent="1234") + "?size=10", "Authorization: Bearer valid-token", f"Accept: {V2}"
    ),
    "401 no token": request("GET", PATH.format(agent="agent-7"), f"Accept: {V1}"),
    "401 unknown token": request("GET", PATH.format(agent="agent-7"), "Authorization: Bearer nope", f"Accept: {V1}"),
    "403": request("GET", PATH.format(agent="agent-7"), "Authorization: Bearer other-account-token", f"Accept: {V1}"),
    "406": request("GET", PATH.format(agent="agent-7"), "Authorization: Bearer valid-token", "Accept: text/html"),
    "400": request(
        "GET", PATH.format(agent="agent-7") + "?size=0", "Authorization: Bearer valid-token", f"Accept: {V2}"
    ),
    "404": request("GET", PATH.format(agent="nobody"), "Authorization: Bearer valid-token", f"Accept: {V1}"),
    "405": request("POST", PATH.format(agent="agent-7"), "Authorization: Bearer valid-token", body=b"{}"),
    "unknown path": request("GET", "/v0/a1b2c3d4e5/agents/recentinteraction", "Authorization: Bearer valid-token"),
    "duplicate headers": request(
        "GET", PATH.format(agent="agent-7"), "authorization: Bearer valid-token", "ACCEPT: text/html", f"Accept: {V2}"
    ),
    "admin": request("GET", "/__admin/faults"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_answers_are_the_same_bytes_direct_and_through_the_proxy(
    mock: RunningMock, proxy: RunningProxy, case: str
) -> None:
    direct = exchange(urlsplit(mock.url).port or 0, CASES[case])
    relayed = exchange(proxy.port, CASES[case])
    assert direct.startswith(b"HTTP/1.1 ")
    assert without(relayed, b"date") == without(direct, b"date")


def test_head_is_relayed_without_a_body(mock: RunningMock, proxy: RunningProxy) -> None:
    head = request("HEAD", PATH.format(agent="agent-7"), "Authorization: Bearer valid-token", f"Accept: {V1}")
    direct = exchange(urlsplit(mock.url).port or 0, head, head_request=True)
    relayed = exchange(proxy.port, head, head_request=True)
    assert without(relayed, b"date") == without(direct, b"date")
    assert b"content-length" in relayed.lower()


@pytest.mark.parametrize(
    "fault", [{"kind": "status", "status": 503, "count": 1}, {"kind": "delay", "delay_ms": 30, "count": 1}]
)
def test_injected_faults_reach_the_client_as_the_mock_sent_them(
    mock: RunningMock, proxy: RunningProxy, fault: dict[str, object]
) -> None:
    admin = f"{mock.url}/__admin/faults"
    answers = []
    for port in (urlsplit(mock.url).port or 0, proxy.port):
        httpx.post(admin, json=fault).raise_for_status()
        answers.append(exchange(port, CASES["v1"]))
    httpx.delete(admin)
    # Each injection is a new fault with its own id (X-Mock-Fault); all else is the same.
    assert without(answers[1], b"date", b"x-mock-fault") == without(answers[0], b"date", b"x-mock-fault")


def test_a_dropped_connection_stays_dropped(mock: RunningMock, proxy: RunningProxy) -> None:
    admin = f"{mock.url}/__admin/faults"
    answers = []
    for port in (urlsplit(mock.url).port or 0, proxy.port):
        httpx.post(admin, json={"kind": "drop", "count": 1}).raise_for_status()
        answers.append(exchange(port, CASES["v1"]))  # the mock promises 1024 bytes and closes
    httpx.delete(admin)
    assert without(answers[1], b"date") == without(answers[0], b"date")
    assert answers[1].endswith(b"\r\n\r\n")  # a head, then nothing: the connection was cut
    report = proxy.report()
    assert report["upstream_errors"] == 1
    assert report["counts"].get("no_server_errors") == 1  # a dropped connection is reported


def test_keep_alive_carries_several_exchanges_on_one_connection(proxy: RunningProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as connection:
        for case in ("v1", "404", "v2 size=10"):
            connection.sendall(CASES[case])
            assert read_answer(connection).startswith(b"HTTP/1.1 ")
    assert proxy.report()["exchanges"] == 3


def test_an_unreachable_upstream_is_a_502_with_a_message_and_is_reported() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with start_proxy_in_thread(ProxySettings(upstream=f"http://127.0.0.1:{port}/v0", port=0)) as running:
        answer = httpx.get(f"{running.url}{PATH.format(agent='agent-7')}", headers={"Authorization": "Bearer t"})
        assert answer.status_code == 502
        assert "cannot be reached" in answer.json()["message"]
        assert running.report()["upstream_errors"] == 1


# -- a raw upstream: what it received, and what the client gets back ---------------------------------

ODD_ANSWER_BODY = gzip.compress(b'{"interactions":[]}')
ODD_ANSWER = (
    b"HTTP/1.1 200 Totally Fine\r\n"
    b"X-Dup: a\r\n"
    b"Content-Type: application/json;version=1\r\n"
    b"x-dup: b\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Vary: Accept\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    + b"%x\r\n" % 5
    + ODD_ANSWER_BODY[:5]
    + b"\r\n"
    + b"%x\r\n" % (len(ODD_ANSWER_BODY) - 5)
    + ODD_ANSWER_BODY[5:]
    + b"\r\n"
    + b"0\r\n\r\n"
)


@contextmanager
def served_in_a_thread(
    answer: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> Iterator[int]:
    """A raw upstream on its own event loop in a thread: its port, until the block ends."""
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(answer, "127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def raw_upstream() -> Iterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        body = b""
        if b"chunked" in head.lower():
            while not body.endswith(b"0\r\n\r\n"):
                body += await reader.read(65536)
        received.append(head + body)
        writer.write(ODD_ANSWER)
        await writer.drain()
        writer.close()

    with served_in_a_thread(answer) as port:
        yield port, received


def test_odd_framing_crosses_unchanged_both_ways(raw_upstream: tuple[int, list[bytes]]) -> None:
    port, received = raw_upstream
    sent = (
        b"PUT /v0/a1b2c3d4e5/agents/agent-7/latestInteractions?b=2&a=1 HTTP/1.1\r\n"
        b"Host: example.invalid\r\n"
        b"X-Order: 1\r\n"
        b"authorization: Bearer valid-token\r\n"
        b"x-order: 2\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"
    )
    with start_proxy_in_thread(ProxySettings(upstream=f"http://127.0.0.1:{port}/v0", port=0)) as running:
        answer = exchange(running.port, sent)
        report = running.report()
    assert received == [sent]
    assert answer == ODD_ANSWER
    assert report["exchanges"] == 1


def test_hop_by_hop_fields_are_the_only_ones_not_forwarded(raw_upstream: tuple[int, list[bytes]]) -> None:
    port, received = raw_upstream
    sent = (
        b"GET /v0/x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\n"
        b"Keep-Alive: timeout=5\r\nX-Kept: yes\r\n\r\n"
    )
    with start_proxy_in_thread(ProxySettings(upstream=f"http://127.0.0.1:{port}/v0", port=0)) as running:
        exchange(running.port, sent)
    assert received == [b"GET /v0/x HTTP/1.1\r\nHost: h\r\nX-Kept: yes\r\n\r\n"]


# -- connections: pipelining, half-closing, an upstream that closes when idle, a large answer ----------


def test_pipelined_requests_are_answered_in_order(proxy: RunningProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as connection:
        connection.sendall(CASES["v1"] + CASES["404"] + CASES["v2 size=10"])
        stream = connection.makefile("rb")  # one buffer: answers that arrive together are all kept
        statuses = []
        for _ in range(3):
            status_line = stream.readline()
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            stream.read(length)
            statuses.append(status_line.split(b" ", 2)[1])
    assert statuses == [b"200", b"404", b"200"]


def test_a_client_that_half_closes_still_gets_its_answer(proxy: RunningProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as connection:
        connection.sendall(CASES["v1"])
        connection.shutdown(socket.SHUT_WR)
        answer = read_answer(connection)
        assert answer.startswith(b"HTTP/1.1 200") and b'"interactions"' in answer
        assert connection.recv(1) == b""  # then the connection ends


@pytest.fixture
def closing_upstream() -> Iterator[tuple[int, list[int]]]:
    """An upstream that answers one request per connection and closes it, without saying so in a header;
    and, asked for /large, answers 5 MB."""
    connections: list[int] = []
    large = b"x" * (5 * 1024 * 1024)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        head = await reader.readuntil(b"\r\n\r\n")
        body = large if b" /v0/large " in head else b"{}"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    with served_in_a_thread(answer) as port:
        yield port, connections


def test_an_upstream_that_closed_while_idle_is_connected_again(closing_upstream: tuple[int, list[int]]) -> None:
    port, connections = closing_upstream
    with (
        start_proxy_in_thread(ProxySettings(upstream=f"http://127.0.0.1:{port}/v0", port=0)) as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=10) as connection,
    ):
        for _ in range(3):
            connection.sendall(request("GET", "/v0/x"))
            assert read_answer(connection) == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
            time.sleep(0.05)  # the upstream's close arrives while the client's connection is idle
    assert len(connections) == 3


def test_a_large_answer_crosses_whole(closing_upstream: tuple[int, list[int]]) -> None:
    port, _ = closing_upstream
    with start_proxy_in_thread(ProxySettings(upstream=f"http://127.0.0.1:{port}/v0", port=0)) as running:
        answer = exchange(running.port, request("GET", "/v0/large"))
    assert len(answer.partition(b"\r\n\r\n")[2]) == 5 * 1024 * 1024
