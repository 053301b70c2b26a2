"""A transparent HTTP/1.1 relay: each request reaches the upstream as the client sent it, each answer
reaches the client as the upstream sent it, byte for byte (status line and reason, headers with
their order, case and duplicates, body and its framing, Content-Encoding), keep-alive included.

Only the hop-by-hop fields are the relay's own (RFC 9110 section 7.6.1): `Connection`, the fields it
names, `Keep-Alive`, `Proxy-Connection`, `TE` and `Upgrade` are not forwarded; the message framing
(`Transfer-Encoding: chunked` or `Content-Length`) is passed on as it came, chunk by chunk. Nothing is
added. An upstream that cannot be reached gets a 502 `{"message"}`; one that drops the connection
has the client's connection dropped too. Each completed exchange goes to `observe`, after the answer
has been written, so judging never delays an answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_HEAD = 1024 * 1024
KEPT_BODY = 4 * 1024 * 1024
"""The most of a body kept for judging; the client always gets all of it."""
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"upgrade", b"proxy-authenticate"}


@dataclass
class Message:
    """One request or answer as it crossed: its first line, its raw header fields, its body."""

    first_line: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    _by_name: dict[bytes, list[bytes]] | None = field(default=None, init=False, repr=False, compare=False)

    def header(self, name: bytes) -> list[bytes]:
        """The values of a field (`name` lower-case), in order; indexed once: the relay and the judge
        ask a message for several fields."""
        if self._by_name is None:
            self._by_name = {}
            for key, value in self.headers:
                self._by_name.setdefault(key.lower(), []).append(value)
        return self._by_name.get(name, [])


@dataclass
class Relayed:
    """A completed (or broken) exchange, for the observer."""

    request: Message
    response: Message | None
    error: str | None = None
    """Why there is no (whole) answer: the upstream unreachable, or the connection dropped."""


Observer = Callable[[Relayed], None]
Local = Callable[[Message], Awaitable[tuple[int, bytes, bytes] | None]]
"""Answers the proxy's own paths (`/__proxy/report`): (status, content type, body), or None."""


class Relay:
    def __init__(self, upstream_host: str, upstream_port: int, observe: Observer, local: Local) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.observe = observe
        self.local = local

    async def serve_client(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                request = await _read_head(client_reader)
                if request is None:
                    return
                own = await self.local(request)
                if own is not None:
                    await _skip_body(client_reader, request)
                    client_writer.write(_simple_response(*own))
                    await client_writer.drain()
                    continue
                if upstream is None:
                    try:
                        upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
                    except OSError as error:
                        await _skip_body(client_reader, request)
                        why = f"the upstream {self.upstream_host}:{self.upstream_port} cannot be reached: {error}"
                        client_writer.write(
                            _simple_response(502, b"application/json", json.dumps({"message": why}).encode())
                        )
                        await client_writer.drain()
                        self.observe(Relayed(request, None, why))
                        continue
                up_reader, up_writer = upstream
                closing = _wants_close(request)
                up_writer.write(_head_bytes(request))
                await _copy_body(client_reader, up_writer, request, kept=request)
                await up_writer.drain()
                response = await self._relay_answer(request, up_reader, client_writer)
                if response is None:
                    self.observe(Relayed(request, None, "the upstream closed the connection without answering"))
                    return  # a dropped connection stays a dropped connection
                if response.truncated:
                    self.observe(Relayed(request, response, "the upstream closed the connection mid-answer"))
                    return
                self.observe(Relayed(request, response))
                if closing or _wants_close(response) or _until_close(request, response):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return
        finally:
            if upstream is not None:
                upstream[1].close()
            client_writer.close()

    async def _relay_answer(
        self, request: Message, up_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> Message | None:
        while True:
            response = await _read_head(up_reader)
            if response is None:
                return None
            status = _status(response)
            if 100 <= status < 200 and status != 101:
                client_writer.write(_head_bytes(response))
                continue  # an interim answer (100 Continue): the final one follows
            break
        head = _head_bytes(response)
        if request.first_line.startswith(b"HEAD ") or status in (204, 304) or 100 <= status < 200:
            client_writer.write(head)
            await client_writer.drain()
            return response
        lengths = response.header(b"content-length")
        if len(lengths) == 1 and lengths[0].isdigit() and int(lengths[0]) <= KEPT_BODY:
            # The common case in one write: head and body together.
            try:
                body = await up_reader.readexactly(int(lengths[0]))
            except asyncio.IncompleteReadError as partial:
                client_writer.write(head + partial.partial)
                response.body += partial.partial
                response.truncated = True
                await client_writer.drain()
                return response
            client_writer.write(head + body)
            response.body += body
            await client_writer.drain()
            return response
        client_writer.write(head)
        try:
            await _copy_body(up_reader, client_writer, response, kept=response, until_close=True)
        except (asyncio.IncompleteReadError, ConnectionError):
            response.truncated = True
            await client_writer.drain()
            return response
        await client_writer.drain()
        return response


async def _read_head(reader: asyncio.StreamReader) -> Message | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as partial:
        if partial.partial.strip():
            raise
        return None
    lines = raw[:-4].split(b"\r\n")
    while lines and not lines[0]:
        lines.pop(0)  # RFC 9112: empty lines before a request line are ignored
    if not lines:
        return None
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError("a header line without ':'")
        headers.append((name, value.strip(b" \t")))
    return Message(lines[0], headers)


def _head_bytes(message: Message) -> bytes:
    named = {v.strip().lower() for value in message.header(b"connection") for v in value.split(b",")}
    dropped = HOP_BY_HOP | named
    lines = [message.first_line]
    lines += [name + b": " + value for name, value in message.headers if name.lower() not in dropped]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _copy_body(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    message: Message,
    *,
    kept: Message,
    until_close: bool = False,
) -> None:
    encodings = b",".join(message.header(b"transfer-encoding")).lower()
    if b"chunked" in encodings:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            writer.write(size_line)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = await reader.readuntil(b"\r\n")
                    writer.write(trailer)
                    if trailer == b"\r\n":
                        return
            chunk = await reader.readexactly(size + 2)
            writer.write(chunk)
            _keep(kept, chunk[:-2])
            await writer.drain()
    lengths = message.header(b"content-length")
    if lengths:
        remaining = int(lengths[0])
        while remaining > 0:
            chunk = await reader.read(min(remaining, 65536))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", remaining)
            writer.write(chunk)
            _keep(kept, chunk)
            remaining -= len(chunk)
        return
    if until_close:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            _keep(kept, chunk)
            await writer.drain()


def _keep(message: Message, chunk: bytes) -> None:
    room = KEPT_BODY - len(message.body)
    if room > 0:
        message.body += chunk[:room]


async def _skip_body(reader: asyncio.StreamReader, request: Message) -> None:
    class _Sink:
        def write(self, data: bytes) -> None:
            return None

        async def drain(self) -> None:
            return None

    await _copy_body(reader, _Sink(), request, kept=Message(b"", []))  # type: ignore[arg-type]


def _status(response: Message) -> int:
    parts = response.first_line.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _wants_close(message: Message) -> bool:
    tokens = {v.strip().lower() for value in message.header(b"connection") for v in value.split(b",")}
    return b"close" in tokens or message.first_line.endswith(b"HTTP/1.0") or message.first_line.startswith(b"HTTP/1.0")


def _until_close(request: Message, response: Message) -> bool:
    """An answer with neither length nor chunks ends when the connection does."""
    if request.first_line.startswith(b"HEAD ") or _status(response) in (204, 304):
        return False
    return (
        not response.header(b"content-length")
        and b"chunked" not in b",".join(response.header(b"transfer-encoding")).lower()
    )


def _simple_response(status: int, content_type: bytes, body: bytes) -> bytes:
    reasons = {200: b"OK", 404: b"Not Found", 502: b"Bad Gateway"}
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n"
        % (status, reasons.get(status, b"Status"), content_type, len(body))
        + body
    )
