"""A transparent HTTP/1.1 relay: each request reaches the upstream as the client sent it, each answer
reaches the client as the upstream sent it, byte for byte (status line and reason, headers with
their order, case and duplicates, body and its framing, Content-Encoding), keep-alive included.

Only the hop-by-hop fields are the relay's own (RFC 9110 section 7.6.1): `Connection`, the fields it
names, `Keep-Alive`, `Proxy-Connection`, `TE` and `Upgrade` are not forwarded; the message framing
(`Transfer-Encoding: chunked` or `Content-Length`) is passed on as it came, chunk by chunk. Nothing is
added. An upstream that cannot be reached gets a 502 `{"message"}`; one that drops the connection
has the client's connection dropped too. Each completed exchange goes to `observe`, after the answer
has been written, so judging never delays an answer.

Written on asyncio protocols, not streams: bytes are parsed where they arrive and written on in one
call per arrival, with no coroutine, future or reader buffer per exchange (the streams version cost
about a third more CPU per exchange; benchmarks/proxy.py). Each side pauses the other's reading when
its own writes back up, so a slow client or upstream never makes the proxy buffer without bound.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
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
Local = Callable[[Message], tuple[int, bytes, bytes] | None]
"""Answers the proxy's own paths (`/__proxy/report`): (status, content type, body), or None."""


class Relay:
    """What each client connection of the proxy relays to: the upstream, the observer, the proxy's own paths."""

    def __init__(self, upstream_host: str, upstream_port: int, observe: Observer, local: Local) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.observe = observe
        self.local = local

    def protocol(self) -> asyncio.Protocol:
        """A protocol for one client connection (`loop.create_server(relay.protocol, ...)`)."""
        return _Client(self)


class _Body:
    """A message body as it crosses: how many of the bytes at hand belong to it, and when it ends.
    The bytes are forwarded as they came (chunk framing included); the payload is kept for judging."""

    def __init__(self, message: Message, *, length: int | None, chunked: bool, until_close: bool) -> None:
        self.message = message
        self.remaining = length or 0
        self.chunked, self.until_close = chunked, until_close
        self.stage = "size" if chunked else "data"
        self.done = not chunked and not until_close and not self.remaining

    def feed(self, data: bytearray) -> int:
        """How many bytes of `data` (from its start) are this body's; `done` once it has ended."""
        if self.until_close:
            _keep(self.message, data)
            return len(data)
        if not self.chunked:
            taken = min(self.remaining, len(data))
            _keep(self.message, data[:taken])
            self.remaining -= taken
            self.done = not self.remaining
            return taken
        at = 0
        while not self.done:
            if self.stage == "data":
                taken = min(self.remaining, len(data) - at)
                if self.remaining > 2:  # the chunk's bytes, then its CRLF (not kept)
                    _keep(self.message, data[at : at + min(taken, self.remaining - 2)])
                self.remaining -= taken
                at += taken
                if self.remaining:
                    return at
                self.stage = "size"
                continue
            end = data.find(b"\r\n", at)
            if end < 0:
                if len(data) - at > MAX_HEAD:
                    raise ValueError("a chunk size or trailer line too long")
                return at
            line = bytes(data[at:end])
            at = end + 2
            if self.stage == "trailer":
                self.done = not line
                continue
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size:
                self.stage, self.remaining = "data", size + 2
            else:
                self.stage = "trailer"
        return at


def _body_of(message: Message, *, response_to: Message | None = None) -> _Body:
    """How `message`'s body is framed (RFC 9112 section 6): chunked, a length, or (an answer only) until close."""
    if response_to is not None:
        status = _status(message)
        if response_to.first_line.startswith(b"HEAD ") or status in (204, 304) or 100 <= status < 200:
            return _Body(message, length=0, chunked=False, until_close=False)
    if b"chunked" in b",".join(message.header(b"transfer-encoding")).lower():
        return _Body(message, length=None, chunked=True, until_close=False)
    lengths = message.header(b"content-length")
    if lengths:
        if not (lengths[0].strip().isascii() and lengths[0].strip().isdigit()):
            raise ValueError("an invalid Content-Length")
        return _Body(message, length=int(lengths[0]), chunked=False, until_close=False)
    return _Body(message, length=0, chunked=False, until_close=response_to is not None)


class _Client(asyncio.Protocol):
    """One client connection: requests in, each relayed to the upstream connection it owns, one at a time."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upstream: _Upstream | None = None
        self.connecting = False
        self.request: Message | None = None
        self.body: _Body | None = None
        self.sink = False
        """The request's body is read and dropped (a local path, an unreachable upstream)."""
        self.closing = False
        self.ended = False
        """The client sent its last byte (half-closed): its connection ends once the answer in flight is sent."""

    # -- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            self._advance()
        except ValueError:
            self._close()

    def eof_received(self) -> bool | None:
        self.ended = True
        if self.request is None or (self.body is not None and not self.body.done):
            self._close()  # nothing more will come: an idle connection ends, a cut request is dropped
        return True  # half-open: the answer in flight still reaches the client

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        if self.upstream is not None:
            self.upstream.close()

    def pause_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    # -- the exchange ---------------------------------------------------------------------------------

    def _advance(self) -> None:
        """Parse and forward what the buffer holds, as far as the exchange in flight allows."""
        while not self.closing:
            if self.request is None:
                if not self._read_head():
                    return
                continue
            if self.connecting:
                return
            body = self.body
            assert body is not None
            if not body.done:
                if not self.buffer:
                    return
                taken = body.feed(self.buffer)
                if not self.sink and self.upstream is not None:
                    self.upstream.write(bytes(self.buffer[:taken]))
                del self.buffer[:taken]
                if not body.done:
                    return
            if self.sink:
                self._next()
                continue
            self._pause()  # the request is whole: read no further until its answer is through
            return

    def _read_head(self) -> bool:
        while self.buffer.startswith(b"\r\n"):
            del self.buffer[:2]  # RFC 9112: empty lines before a request line are ignored
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                raise ValueError("a request head too long")
            return False
        request = _parse_head(bytes(self.buffer[:end]))
        del self.buffer[: end + 4]
        self.request, self.body = request, _body_of(request)
        own = self.relay.local(request)
        if own is not None:
            self._answer_here(_simple_response(*own))
            return True
        if self.upstream is None:
            self.connecting = True
            self._pause()
            asyncio.get_running_loop().create_task(self._connect(request))
            return True
        self.upstream.send(request)
        return True

    async def _connect(self, request: Message) -> None:
        relay = self.relay
        loop = asyncio.get_running_loop()
        try:
            _, upstream = await loop.create_connection(
                lambda: _Upstream(self), relay.upstream_host, relay.upstream_port
            )
        except OSError as error:
            why = f"the upstream {relay.upstream_host}:{relay.upstream_port} cannot be reached: {error}"
            self.connecting = False
            self._answer_here(_simple_response(502, b"application/json", json.dumps({"message": why}).encode()))
            relay.observe(Relayed(request, None, why))
            self._resume()
            self._advance_safely()
            return
        if self.closing:
            upstream.close()
            return
        self.upstream, self.connecting = upstream, False
        upstream.send(request)
        self._resume()
        self._advance_safely()

    def _answer_here(self, answer: bytes) -> None:
        """The proxy answers itself: the request's body is read and dropped, then the next one is read."""
        self.sink = True
        if self.transport is not None:
            self.transport.write(answer)

    def _advance_safely(self) -> None:
        try:
            self._advance()
        except ValueError:
            self._close()

    def _next(self) -> None:
        self.request, self.body, self.sink = None, None, False

    def answered(self, response: Message, *, close: bool) -> None:
        """The upstream's answer reached the client whole."""
        request = self.request
        assert request is not None
        self.relay.observe(Relayed(request, response))
        if close or self.ended or _wants_close(request) or _wants_close(response):
            self._close()
            return
        self._next()
        self._resume()
        self._advance_safely()

    def dropped(self, response: Message | None) -> None:
        """The upstream closed the connection before its answer was whole: so is the client's."""
        request = self.request
        if request is not None:
            why = (
                "the upstream closed the connection without answering"
                if response is None
                else "the upstream closed the connection mid-answer"
            )
            if response is not None:
                response.truncated = True
            self.relay.observe(Relayed(request, response, why))
        self._close()

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.closing:
            self.transport.write(data)

    def _pause(self) -> None:
        if self.transport is not None and not self.closing:
            self.transport.pause_reading()

    def _resume(self) -> None:
        if self.transport is not None and not self.closing:
            self.transport.resume_reading()

    def _close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()
        if self.upstream is not None:
            self.upstream.close()


class _Upstream(asyncio.Protocol):
    """The upstream connection of one client connection: requests out, answers back, as they come."""

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.response: Message | None = None
        self.body: _Body | None = None
        self.request: Message | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, request: Message) -> None:
        self.request, self.response, self.body = request, None, None
        if self.closed:
            self.client.dropped(None)
            return
        self.write(_head_bytes(request))

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            self._advance()
        except ValueError:
            self.client.dropped(self.response)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.client.closing:
            return
        if self.request is None:
            if self.client.upstream is self:
                self.client.upstream = None  # closed while idle (its keep-alive ended): the next request reconnects
            return
        body = self.body
        if body is not None and body.until_close:
            self.client.answered(body.message, close=True)
        else:
            self.client.dropped(self.response)

    def pause_writing(self) -> None:
        self.client._pause()

    def resume_writing(self) -> None:
        self.client._resume()

    def pause_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _advance(self) -> None:
        out: list[bytes] = []
        while self.request is not None:
            if self.response is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buffer) > MAX_HEAD:
                        raise ValueError("an answer head too long")
                    break
                response = _parse_head(bytes(self.buffer[:end]))
                del self.buffer[: end + 4]
                out.append(_head_bytes(response))
                status = _status(response)
                if 100 <= status < 200 and status != 101:
                    continue  # an interim answer (100 Continue): the final one follows
                self.response, self.body = response, _body_of(response, response_to=self.request)
            body = self.body
            assert body is not None and self.response is not None
            if not body.done and self.buffer:
                taken = body.feed(self.buffer)
                out.append(bytes(self.buffer[:taken]))
                del self.buffer[:taken]
            if not body.done:
                break
            response, self.request, self.response, self.body = self.response, None, None, None
            self.client.write(b"".join(out))
            out = []
            self.client.answered(response, close=False)
        if out:
            self.client.write(b"".join(out))


def _parse_head(raw: bytes) -> Message:
    lines = raw.split(b"\r\n")
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError("a header line without ':'")
        headers.append((name, value.strip(b" \t")))
    return Message(lines[0], headers)


def _head_bytes(message: Message) -> bytes:
    named = {v.strip().lower() for value in message.header(b"connection") for v in value.split(b",")}
    dropped = HOP_BY_HOP | named if named else HOP_BY_HOP
    lines = [message.first_line]
    lines += [name + b": " + value for name, value in message.headers if name.lower() not in dropped]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _keep(message: Message, chunk: bytes | bytearray) -> None:
    room = KEPT_BODY - len(message.body)
    if room > 0:
        message.body += chunk[:room]


def _status(response: Message) -> int:
    parts = response.first_line.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isascii() and parts[1].isdigit() else 0


def _wants_close(message: Message) -> bool:
    tokens = {v.strip().lower() for value in message.header(b"connection") for v in value.split(b",")}
    return b"close" in tokens or message.first_line.endswith(b"HTTP/1.0") or message.first_line.startswith(b"HTTP/1.0")


def _simple_response(status: int, content_type: bytes, body: bytes) -> bytes:
    reasons = {200: b"OK", 404: b"Not Found", 502: b"Bad Gateway"}
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n"
        % (status, reasons.get(status, b"Status"), content_type, len(body))
        + body
    )
