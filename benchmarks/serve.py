"""Serving benchmark: the mock against a bare Starlette baseline, in the same run.

    bash benchmarks/run                    # or: .venv/bin/python benchmarks/serve.py --runs 5

Each server runs alone, pinned to CPU 0; wrk loads it from CPU 1 over loopback with 32
connections for a bounded time. Figures are medians over the runs; each is also given as a ratio
to the baseline answering the same bytes, since absolute numbers drift on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 18080
ACCOUNT = "a1b2c3d4e5"
SERVER_CPU, LOAD_CPU = "0", "1"


@dataclass(frozen=True)
class Scenario:
    name: str
    agent: str
    accept: str | None
    token: str | None = "valid-token"
    query: str = ""

    @property
    def path(self) -> str:
        return f"/v0/{ACCOUNT}/agents/{self.agent}/latestInteractions" + (f"?{self.query}" if self.query else "")

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.accept:
            headers["Accept"] = self.accept
        return headers


V1 = "application/json;version=1"
V2 = "application/json;version=2"
CONTRACT_SCENARIOS = [
    Scenario("v1", "agent-7", V1),
    Scenario("v2 size=100", "1234", V2, query="size=100"),
    Scenario("401", "agent-7", V1, token="no-such-token"),
    Scenario("406", "agent-7", "*/*"),
]
HISTORY_SCENARIOS = [
    Scenario("v1, 10 channels", "short-history", V1),
    Scenario("v1, 100,000 channels", "long-history", V1),
    Scenario("v2 size=1, 10 channels", "short-history", V2, query="size=1"),
    Scenario("v2 size=1, 100,000 channels", "long-history", V2, query="size=1"),
]


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process so far: system time holds the kernel's loopback TCP
    work, which a sending process pays for its receiver too."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def wrk_with_cpu(url: str, seconds: int, pid: int) -> tuple[float, float]:
    """One wrk run at 32 connections (CPU 1) on `url` as agent-7's v1 request: requests per second, and
    the CPU µs process `pid` spent per request (its own cost, whatever shares the load's core)."""
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c32", f"-d{seconds}s"]
    command += ["-H", "Authorization: Bearer valid-token", "-H", f"Accept: {V1}", url]
    before = cpu_seconds(pid)
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    spent = cpu_seconds(pid) - before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rate, spent / (rate * seconds) * 1e6


def wrk(scenario: Scenario, seconds: int) -> Load:
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in scenario.headers().items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{scenario.path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return Load(rate, _latency(output, "50%"), _latency(output, "99%"))


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


@contextmanager
def server(
    command: list[str], env: dict[str, str] | None = None, cpus: str = SERVER_CPU, port: int = PORT
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` started on `cpus`, once it answers HTTP on `port`; stopped with SIGINT after the block."""
    process = subprocess.Popen(
        ["taskset", "-c", cpus, *command],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server did not start: {process.stderr.read().decode() if process.stderr else ''}"
                    ) from None
                time.sleep(0.1)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def mock(fixtures: Path) -> list[str]:
    return [PYTHON, "-m", "mockserver", "run", "--port", str(PORT), "--fixtures", str(fixtures)]


def baseline() -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        "--app-dir",
        str(ROOT / "benchmarks"),
        "baseline_app:app",
        "--port",
        str(PORT),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def rss_mib(process: subprocess.Popen[bytes]) -> float:
    # taskset execs the server in place, so the pid is the server's
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def median_load(scenario: Scenario, runs: int, seconds: int) -> Load:
    loads = [wrk(scenario, seconds) for _ in range(runs)]
    return Load(
        statistics.median(load.requests_per_second for load in loads),
        statistics.median(load.p50_ms for load in loads),
        statistics.median(load.p99_ms for load in loads),
    )


def history_fixtures(path: Path, channels: int) -> dict[str, object]:
    def interactions(count: int, prefix: int) -> list[dict[str, object]]:
        return [
            {
                "guid": str(uuid.UUID(int=prefix << 64 | n)),
                "type": ("Phone", "Chat", "Email")[n % 3],
                "channels": [
                    {
                        "channelGuid": str(uuid.UUID(int=prefix << 80 | n)),
                        "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_500_000_000 + n * 60)),
                        "end": None
                        if n == count - 1
                        else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_500_000_000 + n * 60 + 30)),
                    }
                ],
            }
            for n in range(count)
        ]

    document = {
        "tokens": [{"token": "valid-token", "account": ACCOUNT}],
        "accounts": [
            {
                "key": ACCOUNT,
                "agents": [
                    {"id": "short-history", "interactions": interactions(10, 1)},
                    {"id": "long-history", "interactions": interactions(channels, 2)},
                ],
            }
        ],
    }
    path.write_text(json.dumps(document))
    return document


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per figure; the median is reported (default 3)")
    parser.add_argument("--seconds", type=int, default=5, help="duration of one wrk run (default 5)")
    parser.add_argument("--channels", type=int, default=100_000, help="channels of the long-history agent")
    args = parser.parse_args()
    default_fixtures = ROOT / "fixtures" / "default.yaml"
    work = Path(tempfile.mkdtemp(prefix="mock-bench-"))

    print(
        f"# Serving benchmark: {args.runs} runs x {args.seconds}s per figure, 32 connections, server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}\n"
    )
    print("| request | baseline req/s | mock req/s | ratio | mock p50 ms | mock p99 ms | baseline p99 ms |")
    print("|---|---|---|---|---|---|---|")
    with server(mock(default_fixtures)) as process:
        recorded = {}
        for scenario in CONTRACT_SCENARIOS:
            answer = httpx.get(f"http://127.0.0.1:{PORT}{scenario.path}", headers=scenario.headers())
            recorded[scenario.name] = {
                "status": answer.status_code,
                "body": answer.text,
                "headers": {
                    k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "vary", "www-authenticate")
                },
            }
        mock_loads = {s.name: median_load(s, args.runs, args.seconds) for s in CONTRACT_SCENARIOS}
        memory = rss_mib(process)
    for scenario in CONTRACT_SCENARIOS:
        response_file = work / f"{scenario.name.replace(' ', '_')}.json"
        response_file.write_text(json.dumps(recorded[scenario.name]))
        with server(baseline(), env={"BASELINE_RESPONSE": str(response_file)}):
            base = median_load(scenario, args.runs, args.seconds)
        got = mock_loads[scenario.name]
        print(
            f"| {scenario.name} | {base.requests_per_second:,.0f} | {got.requests_per_second:,.0f} | {got.requests_per_second / base.requests_per_second:.2f}x | {got.p50_ms:.2f} | {got.p99_ms:.2f} | {base.p99_ms:.2f} |"
        )

    print(f"\nMemory of the mock on the default fixtures, after the load: {memory:.0f} MiB RSS")

    history = work / "history.json"
    document = history_fixtures(history, args.channels)
    started = time.perf_counter()
    with server(mock(history)):
        startup = time.perf_counter() - started
        body = history.read_bytes()
        started = time.perf_counter()
        httpx.put(f"http://127.0.0.1:{PORT}/__admin/state", content=body, timeout=120).raise_for_status()
        put_seconds = time.perf_counter() - started
        print(
            f"\nA fixture document of {args.channels:,} channels ({len(body) / 2**20:.1f} MiB): start to first answer {startup:.2f} s, PUT /__admin/state {put_seconds:.2f} s"
        )
        print("\n| request | req/s | ratio to 10 channels | p50 ms | p99 ms |")
        print("|---|---|---|---|---|")
        loads = {s.name: median_load(s, args.runs, args.seconds) for s in HISTORY_SCENARIOS}
        for short, long in zip(HISTORY_SCENARIOS[::2], HISTORY_SCENARIOS[1::2], strict=True):
            for scenario, load in ((short, loads[short.name]), (long, loads[long.name])):
                ratio = load.requests_per_second / loads[short.name].requests_per_second
                print(
                    f"| {scenario.name} | {load.requests_per_second:,.0f} | {ratio:.2f}x | {load.p50_ms:.2f} | {load.p99_ms:.2f} |"
                )
    del document
    return 0


if __name__ == "__main__":
    sys.exit(main())
