"""A proxy in front of the session's mock, and raw HTTP/1.1 over sockets to compare bytes."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from contracts.proxy.server import ProxySettings, RunningProxy, start_proxy_in_thread
from mockserver.running import RunningMock


@pytest.fixture
def proxy(mock: RunningMock) -> Iterator[RunningProxy]:
    with start_proxy_in_thread(ProxySettings(upstream=mock.base_url, port=0)) as running:
        yield running


def read_answer(connection: socket.socket, *, head_request: bool = False) -> bytes:
    """One whole answer (head and body by its framing), or what came before the connection closed."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    lower = head.lower()
    if head_request or b" 204 " in head.split(b"\r\n")[0] or b" 304 " in head.split(b"\r\n")[0]:
        return head + b"\r\n\r\n"
    if b"\r\ncontent-length:" in lower:
        length = int(lower.split(b"\r\ncontent-length:")[1].split(b"\r\n")[0])
        while len(rest) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest
    if b"chunked" in lower:
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest
    while chunk := connection.recv(65536):
        rest += chunk
    return head + b"\r\n\r\n" + rest


def exchange(port: int, request: bytes, *, head_request: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        return read_answer(connection, head_request=head_request)


def without(answer: bytes, *names: bytes) -> bytes:
    """The answer without the named header fields (the Date of two answers differs by a second)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if line.split(b":")[0].strip().lower() not in names]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
