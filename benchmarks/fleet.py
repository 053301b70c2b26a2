"""Fleet benchmark: the mock on Redis against the mock in-process, and the HTTP servers under it.

    bash benchmarks/run-fleet            # or: .venv/bin/python benchmarks/fleet.py --runs 3

One run, one machine, every figure beside its baseline:
- throughput and latency of agent-7's v1 answer at 32 connections (wrk on CPU 1) for: a raw ASGI
  app answering fixed bytes on uvicorn and on granian (the limit of Python here), the mock
  in-process on uvicorn and on granian, the mock on the store with 1 worker (CPU 0) and 2 workers
  (CPUs 0 and 1, sharing CPU 1 with wrk and Redis);
- the time a control change takes to reach every worker of a 2-worker fleet, on a state of 10
  channels and on one of 100,000 (one agent holding them all): the control call at one worker, then
  the first answer of the other worker that shows it, both from the moment the call was sent.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from serve import (
    ACCOUNT,
    LOAD_CPU,
    PORT,
    PYTHON,
    ROOT,
    SERVER_CPU,
    V1,
    V2,
    Load,
    Scenario,
    history_fixtures,
    median_load,
    server,
)

from mockserver.cli import SETTINGS_VARIABLE, encode_settings
from mockserver.settings import Settings

REDIS_PORT = 16390
SCENARIO = Scenario("v1", "agent-7", V1)
ADMIN = f"/__admin/accounts/{ACCOUNT}/agents"


@contextmanager
def redis_server(cpus: str) -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="bench-redis-")
    process = subprocess.Popen(
        ["taskset", "-c", cpus, "redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{REDIS_PORT}/0"
    finally:
        process.terminate()
        process.wait(10)


def uvicorn_raw() -> list[str]:
    return [PYTHON, "-m", "uvicorn", "--app-dir", str(ROOT / "benchmarks"), "raw_asgi:app", "--port", str(PORT)] + [
        "--log-level",
        "warning",
        "--no-access-log",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]


def granian(target: str, *, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "granian", "--interface", "asgi", "--port", str(PORT), "--log-level", "warning"]
    command += ["--no-access-log", "--working-dir", str(ROOT / "benchmarks"), "--loop", "uvloop"]
    return [*command, *(["--factory"] if factory else []), target]


def mock(*extra: str) -> list[str]:
    return [PYTHON, "-m", "mockserver", "run", "--port", str(PORT), *extra]


def measure(name: str, command: list[str], runs: int, seconds: int, **options: object) -> tuple[str, Load]:
    with server(command, **options):  # type: ignore[arg-type]
        assert httpx.get(f"http://127.0.0.1:{PORT}{SCENARIO.path}", headers=SCENARIO.headers()).status_code == 200
        return name, median_load(SCENARIO, runs, seconds)


def throughput(runs: int, seconds: int) -> None:
    settings_env = {SETTINGS_VARIABLE: encode_settings(Settings(port=PORT))}
    results = [
        measure("raw ASGI app, fixed bytes, uvicorn (httptools, uvloop)", uvicorn_raw(), runs, seconds),
        measure("raw ASGI app, fixed bytes, granian", granian("raw_asgi:app"), runs, seconds),
        measure("mockserver run (granian, embedded: the default)", mock(), runs, seconds),
        measure("mockserver run --http-server uvicorn", mock("--http-server", "uvicorn"), runs, seconds),
        measure(
            "the mock under granian's own CLI (its worker process)",
            granian("mockserver.cli:worker_app", factory=True),
            runs,
            seconds,
            env=settings_env,
        ),
    ]
    with redis_server(LOAD_CPU) as store:
        prefix = f"bench-{uuid.uuid4().hex[:8]}:"
        before = redis_cost(prefix)
        results.append(
            measure("mock on Redis, 1 worker", mock("--store", store, "--store-prefix", prefix), runs, seconds)
        )
        after = redis_cost(prefix)
        redis_us = (after[0] - before[0]) / (after[1] - before[1]) * 1e6
        results.append(
            measure(
                "mock on Redis, 2 workers",
                mock("--store", store, "--store-prefix", prefix, "--workers", "2"),
                runs,
                seconds,
                cpus=f"{SERVER_CPU},{LOAD_CPU}",
            )
        )
    raw = results[0][1].requests_per_second
    in_process = results[2][1].requests_per_second
    print("| server | req/s | ratio to raw ASGI on uvicorn | ratio to `mockserver run` | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for name, load in results:
        rate = load.requests_per_second
        print(
            f"| {name} | {rate:,.0f} | {rate / raw:.2f}x | {rate / in_process:.2f}x | {load.p50_ms:.2f} | {load.p99_ms:.2f} |"
        )
    print(
        f"\nRedis's own CPU per admitted request (1 worker): {redis_us:.1f} µs, so one Redis core admits at most "
        f"{1e6 / redis_us:,.0f} requests/s for the whole fleet."
    )


def redis_cost(prefix: str) -> tuple[float, int]:
    """Redis's CPU seconds so far, and the requests it admitted under `prefix`."""
    info = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "info", "cpu"], capture_output=True, text=True).stdout
    cpu = sum(
        float(line.split(":")[1]) for line in info.splitlines() if line.startswith(("used_cpu_sys:", "used_cpu_user:"))
    )
    admitted = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "get", prefix + "journal_id"], capture_output=True, text=True
    ).stdout.strip()
    return cpu, int(admitted or 0)


def propagation(channels: int, changes: int) -> tuple[float, float]:
    """Median ms, from sending a control call to worker A: until A answered it, and until worker B
    first answers with the change."""
    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    fixtures = work / "history.json"
    history_fixtures(fixtures, channels)
    with redis_server("0,1") as store:
        prefix = f"bench-{uuid.uuid4().hex[:8]}:"
        ports = [PORT + 1, PORT + 2]
        processes = [
            subprocess.Popen(
                mock("--store", store, "--store-prefix", prefix, "--fixtures", str(fixtures), "--port", str(port)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in ports
        ]
        try:
            first, second = (httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) for port in ports)
            for client in (first, second):
                _wait(client)
            answered, reached = [], []
            agent = "long-history"
            headers = {"Authorization": "Bearer valid-token", "Accept": V2}
            for _ in range(changes):
                sent = time.perf_counter()
                started = first.post(f"{ADMIN}/{agent}/interactions", json={"type": "Phone"})
                answered.append(time.perf_counter() - sent)
                guid = started.json()["guid"]
                while True:
                    body = second.get(f"/v0/{ACCOUNT}/agents/{agent}/latestInteractions?size=1", headers=headers).json()
                    if body["interactions"] and body["interactions"][0]["guid"] == guid:
                        break
                reached.append(time.perf_counter() - sent)
            return statistics.median(answered) * 1000, statistics.median(reached) * 1000
        finally:
            for process in processes:
                process.terminate()
                process.wait(20)


def _wait(client: httpx.Client) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            client.get("/__admin/clock")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per figure; the median is reported (default 3)")
    parser.add_argument("--seconds", type=int, default=5, help="duration of one wrk run (default 5)")
    parser.add_argument("--changes", type=int, default=30, help="control changes timed per state (default 30)")
    parser.add_argument("--channels", type=int, default=100_000, help="channels of the large state")
    args = parser.parse_args()
    print(f"# Fleet benchmark: {args.runs} runs x {args.seconds}s per figure, 32 connections, wrk on CPU {LOAD_CPU}\n")
    throughput(args.runs, args.seconds)
    print("\n| state | control call answered (median ms) | change served by the other worker (median ms) |")
    print("|---|---|---|")
    for channels in (10, args.channels):
        answered, reached = propagation(channels, args.changes)
        print(f"| {channels:,} channels | {answered:.1f} | {reached:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
