"""Run the mock in a background thread of this process: for tests and the pytest plugin."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import uvicorn

from mockserver.app import MockServer


@dataclass
class RunningMock:
    """A mock listening on `url` (no path); `stop()` shuts it down and frees the port."""

    app: MockServer
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API's base URL, ending in the path version (e.g. http://127.0.0.1:8080/v0)."""
        return self.url + self.app.served.base_path

    def stop(self, *, wait: bool = True) -> None:
        """Shut down; uvicorn notices within 0.1 s. `wait=False` returns at once (the port is
        freed a moment later), which keeps per-test mocks cheap."""
        self._server.should_exit = True
        if wait:
            self._thread.join(timeout=10)

    def __enter__(self) -> RunningMock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_in_thread(
    app: MockServer,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    timeout: float = 10.0,
    log_level: str = "warning",
    wrapped: Callable[..., Awaitable[None]] | None = None,
) -> RunningMock:
    """Serve `app` (or `wrapped`, an ASGI app in front of it) from a thread until `stop()`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    config = uvicorn.Config(wrapped or app, log_level=log_level, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="latest-interactions-mock"
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock did not start")
        time.sleep(0.005)
    return RunningMock(app, host, sock.getsockname()[1], server, thread)
