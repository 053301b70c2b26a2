"""What `contracts proxy` costs in front of the mock: throughput and latency, direct and proxied.

    .venv/bin/python benchmarks/proxy.py [--runs 3] [--seconds 5]

The mock and the proxy run pinned to CPU 0 (the server side), wrk loads from CPU 1 over loopback
with 32 connections, median of the runs. Direct is wrk -> mock; proxied is wrk -> proxy -> mock,
every exchange judged. The baseline is the direct figure of the same run (targets: at most 1 ms
added at p50, at least 0.5x the direct throughput).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from serve import cpu_split

PYTHON = sys.executable
MOCK_PORT, PROXY_PORT = 18090, 18091
PATHS = {
    "v1": ("/v0/a1b2c3d4e5/agents/agent-7/latestInteractions", "application/json;version=1"),
    "v2 size=100": ("/v0/a1b2c3d4e5/agents/1234/latestInteractions?size=100", "application/json;version=2"),
    "distinct: v1/v2 alternating, size 1-100, a parameter counting up": ("", ""),
}
DISTINCT = Path(__file__).with_name("distinct_requests.lua")


def wrk(port: int, path: str, accept: str, seconds: int) -> tuple[float, float, float]:
    command = [
        "taskset", "-c", "1", "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency",
        "-H", "Authorization: Bearer valid-token", "-H", f"Accept: {accept}", f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    if not path:  # every request distinct: the script writes them
        command = [*command[:8], "-s", str(DISTINCT), f"http://127.0.0.1:{port}/"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rate, _latency(output, "50%"), _latency(output, "99%")


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def exchanges_judged(port: int) -> int:
    return int(httpx.get(f"http://127.0.0.1:{port}/__proxy/report", timeout=10).json()["exchanges"])


@contextmanager
def started(command: list[str], port: int, cpu: str = "0") -> Iterator[int]:
    process = subprocess.Popen(
        ["taskset", "-c", cpu, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command} did not start") from None
                time.sleep(0.1)
        yield process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def median(samples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(s[i] for s in samples) for i in range(3))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--proxy-cpu", default="0", help="CPU of the proxy: 0 (with the mock, default) or 1 (with wrk)")
    args = parser.parse_args()
    mock = [PYTHON, "-m", "mockserver", "run", "--port", str(MOCK_PORT)]
    proxy = [
        PYTHON,
        "-m",
        "contracts.cli",
        "proxy",
        "--upstream",
        f"http://127.0.0.1:{MOCK_PORT}/v0",
        "--port",
        str(PROXY_PORT),
    ]
    print(
        f"# proxy benchmark: {args.runs} x {args.seconds}s, 32 connections, mock on CPU 0, proxy on CPU {args.proxy_cpu}, wrk on CPU 1"
    )
    print(
        "| request | direct req/s | proxied req/s | ratio | direct p50 ms | proxied p50 ms | added p50 ms | proxied p99 ms "
        "| proxy CPU µs per exchange (user + system) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with started(mock, MOCK_PORT):
        for name, (path, accept) in PATHS.items():
            direct = median([wrk(MOCK_PORT, path, accept, args.seconds) for _ in range(args.runs)])
            with started(proxy, PROXY_PORT, args.proxy_cpu) as proxy_pid:
                cpu_before, seen_before = cpu_split(proxy_pid), exchanges_judged(PROXY_PORT)
                proxied = median([wrk(PROXY_PORT, path, accept, args.seconds) for _ in range(args.runs)])
                cpu_after, exchanges = cpu_split(proxy_pid), max(1, exchanges_judged(PROXY_PORT) - seen_before)
                user, system = (
                    (after - before) / exchanges * 1e6 for after, before in zip(cpu_after, cpu_before, strict=True)
                )
            print(
                f"| {name} | {direct[0]:,.0f} | {proxied[0]:,.0f} | {proxied[0] / direct[0]:.2f}x | {direct[1]:.2f} | "
                f"{proxied[1]:.2f} | {proxied[1] - direct[1]:.2f} | {proxied[2]:.2f} | {user + system:.0f} "
                f"({user:.0f} + {system:.0f}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
