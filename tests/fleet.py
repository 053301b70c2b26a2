"""A real Redis and a fleet of mock processes on it, for the tests of the shared store.

CI (.ci/run) starts one redis-server and names it in LATEST_INTERACTIONS_TEST_REDIS; elsewhere
the tests start their own when `redis-server` is installed, and skip the fleet's tests otherwise
(never under CI=true: there they fail). Each fleet keeps its keys under a prefix of its own, so
fleets of parallel test workers share one Redis without meeting.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import httpx
import pytest
import redis

REDIS_VARIABLE = "LATEST_INTERACTIONS_TEST_REDIS"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    url: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def start_again(self) -> None:
        """Start an empty Redis on the same port (only for one this process started)."""
        self.process = _spawn_redis(self.port)


def _spawn_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed: .ci/run installs it (Debian package redis-server)")
        pytest.skip("redis-server is not installed: the fleet's tests need a real Redis")
    directory = tempfile.mkdtemp(prefix="mock-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {port}") from None
            time.sleep(0.02)


@contextmanager
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, stopped by its PID afterwards."""
    port = free_port()
    server = RedisServer(f"redis://127.0.0.1:{port}/0", port, _spawn_redis(port))
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def shared_redis() -> Iterator[RedisServer]:
    url = os.environ.get(REDIS_VARIABLE)
    if url:
        yield RedisServer(url, int(re.search(r":(\d+)", url.split("//", 1)[1]).group(1)))  # type: ignore[union-attr]
    else:
        with private_redis() as server:
            yield server


class RoundRobin(httpx.BaseTransport):
    """Sends each request to the next worker in turn: requests spread over the whole fleet."""

    def __init__(self, ports: Sequence[int]) -> None:
        self._ports = itertools.cycle(ports)
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(port=next(self._ports))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class Fleet:
    """Mock processes on one store, each on a port of its own, as two hosts behind a balancer are."""

    store: str | None
    """None: each process keeps its own state (one process is then `mockserver run` as a user runs it)."""
    prefix: str
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    errors: list[IO[str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def transport(self) -> RoundRobin:
        return RoundRobin(self.ports)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, transport=self.transport(), timeout=10, **kwargs)  # type: ignore[arg-type]

    def start_worker(self, *extra: str) -> None:
        command = [sys.executable, "-m", "mockserver", "run", "--port", "0"]
        if self.store is not None:
            command += ["--store", self.store, "--store-prefix", self.prefix]
        command += extra
        # stderr to a file: a pipe nobody reads could fill and stall the worker.
        errors = tempfile.TemporaryFile("w+")
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        self.processes.append(process)
        self.errors.append(errors)
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", banner)
        if not found:
            self.stop()
            errors.seek(0)
            raise RuntimeError(f"a fleet worker did not start: {banner}{errors.read()}")
        self.ports.append(int(found.group(1)))

    def stderr(self) -> str:
        text = []
        for errors in self.errors:
            errors.seek(0)
            text.append(errors.read())
        return "".join(text)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in self.processes:
            if process.stdout is not None:
                process.stdout.close()
        for errors in self.errors:
            errors.close()


@contextmanager
def running_fleet(store: str | None, workers: int = 2, *extra: str) -> Iterator[Fleet]:
    fleet = Fleet(store, f"test-{uuid.uuid4().hex[:12]}:")
    try:
        for _ in range(workers):
            fleet.start_worker(*extra)
        yield fleet
    finally:
        fleet.stop()


class StallingProxy:
    """A TCP relay between the workers and Redis that can stop forwarding (packets dropped, as a full
    network buffer or a partition does): connections stay open and are accepted, nothing goes through
    until `resume()`, which sends what waited."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self._flowing = threading.Event()
        self._flowing.set()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stalling-proxy")
        self._thread.start()
        self._started.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._flowing.set()
        asyncio.run_coroutine_threadsafe(self._shut(), self._loop).result(10)
        self._thread.join(10)
        assert not self._thread.is_alive()

    async def _shut(self) -> None:
        self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()
        asyncio.get_running_loop().call_soon(self._loop.stop)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", self.port))
        self._started.set()
        self._loop.run_forever()
        self._loop.close()

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                while not self._flowing.is_set():
                    await asyncio.sleep(0.01)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
