"""The HTTP server under `mockserver run`: granian by default, uvicorn on request.

Granian serves the mock faster than uvicorn on this workload (benchmarks/README.md measures both
beside a raw ASGI app in one run), so `mockserver run` uses it. It runs embedded, on this process's
event loop and on the socket the CLI bound itself: `--port 0` then learns its port before anything
serves, and the app object built here (the fixtures already loaded) is the one served. uvicorn
stays where the mock runs in a thread of another program (the pytest plugin, the tests), which
granian does not offer, and behind `--http-server uvicorn`.

Either way SIGTERM or SIGINT stops accepting, finishes the answers in flight and exits 0: a
container runtime or a CI service would report a death by signal as a crash. A second SIGINT
forces the exit.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import socket
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

LISTEN_BACKLOG = 2048


def serve(app: Any, sock: socket.socket, http_server: str) -> None:
    """Serve the ASGI `app` on the bound, listening `sock` until SIGTERM or SIGINT."""
    if http_server == "granian":
        _serve_on_granian(app, sock)
    else:
        GracefulServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")).run(sockets=[sock])


def serve_workers(factory: str, workers: int, sock: socket.socket, http_server: str) -> None:
    """`--workers N`: N processes sharing the listening `sock`, each building its app by calling
    `factory` ("module:function"); the server's supervisor restarts a worker that dies and stops them
    all on SIGTERM or SIGINT."""
    if http_server == "uvicorn":
        config = uvicorn.Config(
            factory, factory=True, workers=workers, log_level="warning", access_log=False, lifespan="on"
        )
        Multiprocess(config, sockets=[sock]).run()
        return
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server.mp import MPServer

    class OnBoundSocket(MPServer):
        def _init_shared_socket(self) -> None:
            self._ssp, self._shd, self._sfd = None, _holder_of(sock), sock.fileno()  # type: ignore[assignment]
            self._sso = sock

    host, port = sock.getsockname()[:2]
    OnBoundSocket(
        factory,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        loop=Loops.uvloop,
        websockets=False,
        log_level=LogLevels.warning,
    ).serve()


def _serve_on_granian(app: Any, sock: socket.socket) -> None:
    import uvloop

    uvloop.run(_granian_until_stopped(app, sock))


async def _granian_until_stopped(app: Any, sock: socket.socket) -> None:
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    class OnBoundSocket(Server):
        def _init_shared_socket(self) -> None:
            self._ssp, self._shd, self._sfd = None, _holder_of(sock), sock.fileno()  # type: ignore[assignment]

    logging.getLogger("_granian").addFilter(_QuietStart())
    host, port = sock.getsockname()[:2]
    server = OnBoundSocket(
        app, address=host, port=port, interface=Interfaces.ASGI, websockets=False, log_level=LogLevels.warning
    )
    loop = asyncio.get_running_loop()
    signals_seen: list[int] = []

    def on_signal(signum: int) -> None:
        if signals_seen and signum == signal.SIGINT:
            os._exit(130)
        signals_seen.append(signum)
        server.stop()  # type: ignore[no-untyped-call]

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    await server.serve()


def _holder_of(sock: socket.socket) -> Any:
    """Granian's handle on a listening socket: granian would bind its own from host and port, and
    `--port 0` could not learn which port that was before it serves."""
    from granian._granian import SocketHolder

    return SocketHolder(sock.fileno(), False, LISTEN_BACKLOG)  # type: ignore[call-arg]  # as granian unpickles it


class _QuietStart(logging.Filter):
    """Granian announces its embedded mode as experimental at every start; the mock's test suites run
    on it (tests/conftest.py), so the warning would only teach users to ignore warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "experimental" not in record.getMessage()


class GracefulServer(uvicorn.Server):
    """uvicorn records the signal and raises it again once it has shut down, so the process would die
    of it (exit 143 on SIGTERM, a KeyboardInterrupt on SIGINT); this one exits 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        _stop(self, sig, frame)


def _stop(server: uvicorn.Server, sig: int, frame: FrameType | None) -> None:
    if server.should_exit and sig == signal.SIGINT:
        server.force_exit = True
    else:
        server.should_exit = True


def exit_cleanly_on_signals() -> None:
    """In a uvicorn worker of the supervisor, whose server already handles signals (this runs while it
    loads the app): hand them to GracefulServer's handler for that same server."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        handler = signal.getsignal(signum)
        server = getattr(handler, "__self__", None)
        if isinstance(server, uvicorn.Server):
            signal.signal(signum, functools.partial(_stop, server))
