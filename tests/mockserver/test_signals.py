"""SIGTERM and SIGINT (a container runtime, systemd, a CI service, Ctrl-C): the mock finishes the
answers in flight, closes its store and exits 0, in one process and in each worker of a fleet."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from mockserver.app import prepare_store
from mockserver.settings import Settings
from tests.conftest import V1, auth, path
from tests.fleet import RedisServer
from tests.mockserver.test_cli import running

SERVERS = pytest.mark.parametrize("http_server", ["granian", "uvicorn"])


@SERVERS
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_mock_exits_0(signum: signal.Signals, http_server: str) -> None:
    with running("--http-server", http_server) as (root, _, process):
        httpx.get(root + "/__admin/state").raise_for_status()
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()


@SERVERS
def test_an_answer_in_flight_is_finished_before_the_exit(http_server: str) -> None:
    with running("--http-server", http_server) as (root, _, process):
        httpx.post(root + "/__admin/faults", json={"kind": "delay", "delay_ms": 1500}).raise_for_status()
        answers: list[httpx.Response] = []
        slow = threading.Thread(
            target=lambda: answers.append(
                httpx.get(root + path("agent-7"), headers={**auth(), "Accept": V1}, timeout=10)
            )
        )
        slow.start()
        time.sleep(0.5)  # the request is in, waiting out its delay
        process.send_signal(signal.SIGTERM)
        slow.join(timeout=10)
        assert process.wait(timeout=10) == 0
    assert [a.status_code for a in answers] == [200]
    assert answers[0].json()["interactions"][0]["hasEnded"] is False


WORKER = """
import os, sys, uvicorn
from mockserver.cli import SETTINGS_VARIABLE, encode_settings
from mockserver.settings import Settings
os.environ[SETTINGS_VARIABLE] = encode_settings(Settings(store=sys.argv[1], store_prefix=sys.argv[2]))
config = uvicorn.Config("mockserver.cli:worker_app", factory=True, port=0, log_level="warning", lifespan="on")
server = uvicorn.Server(config)  # as uvicorn's supervisor runs each worker: a plain uvicorn server
print("starting", flush=True)
server.run()
"""


def test_a_fleet_worker_exits_0(redis_server: RedisServer) -> None:
    prefix = "signals:"
    prepare_store(Settings(store=redis_server.url, store_prefix=prefix, replace_store=True))
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, redis_server.url, prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "starting"
    # The app is loaded (the worker's signal handling is set while it loads): on two cores shared with
    # the rest of the suite (a container build among it), loading can take seconds.
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors


@SERVERS
def test_workers_on_one_socket_all_serve_and_exit_0(redis_server: RedisServer, http_server: str) -> None:
    store = ["--store", redis_server.url, "--store-prefix", f"signals-{http_server}:", "--replace-store"]
    with running(*store, "--workers", "2", "--http-server", http_server) as (root, _, process):
        workers = set()
        deadline = time.monotonic() + 20
        while len(workers) < 2 and time.monotonic() < deadline:
            # a new connection each time: the kernel spreads them over the workers sharing the socket
            workers.add(httpx.get(root + "/__admin/health", headers={"Connection": "close"}).json()["worker"])
        assert len(workers) == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()
