"""What a simulation costs serving: the mock simulating 1,000 agents per account at ten times real
speed against the same mock without a simulation, in one run.

    .venv/bin/python benchmarks/simulation.py [--runs 3] [--seconds 5] [--agents 1000] [--speed 10]

Each `mockserver run` on CPU 0, wrk on CPU 1 (32 connections, agent-7's v1 answer); the two mocks
are measured in turns and the medians compared (goal: within 5%). Two figures each way: throughput,
and the mock's CPU time per request (which includes applying the simulation's events).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from serve import server, wrk_with_cpu

PORT = 18096
URL = f"http://127.0.0.1:{PORT}"
TARGET = f"{URL}/v0/a1b2c3d4e5/agents/agent-7/latestInteractions"


@contextmanager
def mock(*extra: str) -> Iterator[int]:
    with server([sys.executable, "-m", "mockserver", "run", "--port", str(PORT), *extra], port=PORT) as process:
        yield process.pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--speed", type=float, default=10)
    args = parser.parse_args()
    plain: list[tuple[float, float]] = []
    simulating: list[tuple[float, float]] = []
    fired: list[int] = []
    for _ in range(args.runs):
        with mock() as pid:
            wrk_with_cpu(TARGET, 1, pid)
            plain.append(wrk_with_cpu(TARGET, args.seconds, pid))
        with mock("--simulate", "--agents", str(args.agents), "--speed", f"{args.speed:g}") as pid:
            wrk_with_cpu(TARGET, 1, pid)
            before = httpx.get(URL + "/__admin/scenario").json()["fired"]
            simulating.append(wrk_with_cpu(TARGET, args.seconds, pid))
            fired.append(httpx.get(URL + "/__admin/scenario").json()["fired"] - before)
    rate0, cpu0 = (statistics.median(r[i] for r in plain) for i in (0, 1))
    rate1, cpu1 = (statistics.median(r[i] for r in simulating) for i in (0, 1))
    print(
        f"# simulation benchmark: {args.runs} x {args.seconds}s each way, {args.agents} agents per account at {args.speed:g}x\n"
    )
    print("| mock | req/s (median) | ratio | CPU µs per request (median) | ratio |")
    print("|---|---|---|---|---|")
    print(f"| without a simulation | {rate0:,.0f} | 1.00x | {cpu0:.1f} | 1.00x |")
    print(f"| simulating | {rate1:,.0f} | {rate1 / rate0:.2f}x | {cpu1:.1f} | {cpu1 / cpu0:.2f}x |")
    print(f"\nevents applied per second while measured: {statistics.median(fired) / args.seconds:,.0f}")


if __name__ == "__main__":
    main()
