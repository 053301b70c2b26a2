"""Soak: mixed public traffic, control changes and faults for a bounded time, on one process and on a
fleet (two workers on one Redis); what grows is measured at the start and at the end.

    .venv/bin/python benchmarks/soak.py --minutes 60            # the documented run (one hour each)
    .venv/bin/python benchmarks/soak.py --minutes 5 --mode one  # a shorter look

Load, from this process on loopback: 8 threads asking the public route (v1 and v2, valid and refused
requests), one thread of control changes (a call started, a channel added, ended; a token added and
revoked; the clock frozen and released) and one injecting and clearing faults. Measured at the start
(after one minute of warm-up) and at the end: the mock's resident memory and open file descriptors
(summed over its processes), the journal's length (bounded by its limit), and on a fleet the change
lag (from a change's answer on one worker to the other worker showing it). The figures are ratios of
the end to the start: a leak shows as a ratio that grows with the run's length.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MOCK = [sys.executable, "-m", "mockserver"]
ACCOUNT = "a1b2c3d4e5"
AGENTS = ("agent-7", "1234", "agent-idle", "agent-ended")
ACCEPTS = ("application/json;version=1", "application/json;version=2", "*/*")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def _process(command: list[str], health: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(health)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def _redis() -> Iterator[str]:
    port, directory = _free_port(), tempfile.mkdtemp()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def _tree(pid: int) -> list[int]:
    found, pending = [pid], [pid]
    while pending:
        parent = pending.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().split(") ")[1].split()[1]) == parent:
                        found.append(int(entry.name))
                        pending.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
    return found


def _resources(pids: list[int]) -> tuple[float, int]:
    """(resident MiB, open file descriptors), summed over the processes."""
    rss, fds = 0, 0
    for pid in pids:
        for pid_of in _tree(pid):
            try:
                fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid_of}/status").read_text().splitlines())
                rss += int(fields["VmRSS"].split()[0])
                fds += len(os.listdir(f"/proc/{pid_of}/fd"))
            except (OSError, KeyError):
                continue
    return rss / 1024, fds


class Load:
    def __init__(self, urls: list[str]) -> None:
        self.urls, self.stop, self.counts = urls, threading.Event(), {"public": 0, "control": 0, "faults": 0}

    def public(self, seed: int) -> None:
        chooser = random.Random(seed)
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                url = chooser.choice(self.urls)
                agent, accept = chooser.choice(AGENTS), chooser.choice(ACCEPTS)
                token = chooser.choice(("valid-token", "valid-token", "nope"))
                client.get(
                    f"{url}/v0/{ACCOUNT}/agents/{agent}/latestInteractions",
                    params={"size": chooser.randint(1, 20)} if "2" in accept else None,
                    headers={"Authorization": f"Bearer {token}", "Accept": accept},
                )
                self.counts["public"] += 1

    def control(self) -> None:
        with httpx.Client(base_url=self.urls[0] + "/__admin", timeout=10) as admin:
            while not self.stop.is_set():
                call = admin.post(f"/accounts/{ACCOUNT}/agents/agent-idle/interactions", json={"type": "Chat"}).json()
                admin.post(f"/accounts/{ACCOUNT}/agents/agent-idle/interactions/{call['guid']}/channels", json={})
                for channel in call["channels"]:
                    admin.post(f"/accounts/{ACCOUNT}/agents/agent-idle/channels/{channel['channelGuid']}/end", json={})
                token = admin.post("/tokens", json={"account": ACCOUNT}).json()["token"]
                admin.delete(f"/tokens/{token}")
                self.counts["control"] += 5
                time.sleep(0.05)

    def faults(self) -> None:
        with httpx.Client(base_url=self.urls[-1] + "/__admin", timeout=10) as admin:
            while not self.stop.is_set():
                admin.post("/faults", json={"kind": "status", "status": 503, "count": 3})
                admin.post("/faults", json={"kind": "delay", "delay_ms": 5, "count": 3})
                time.sleep(0.5)
                admin.delete("/faults")
                self.counts["faults"] += 3

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.public, args=(n,), daemon=True) for n in range(8)]
        threads += [
            threading.Thread(target=self.control, daemon=True),
            threading.Thread(target=self.faults, daemon=True),
        ]
        for thread in threads:
            thread.start()
        return threads


def _lag(urls: list[str]) -> float:
    """Seconds from a change's answer on the first worker to the last worker showing it."""
    if len(urls) < 2:
        return 0.0
    made = httpx.post(f"{urls[0]}/__admin/tokens", json={"account": ACCOUNT}, timeout=10)
    answered, token = time.perf_counter(), made.json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": ACCEPTS[0]}
    while httpx.get(f"{urls[-1]}/v0/{ACCOUNT}/agents/agent-7/latestInteractions", headers=headers).status_code != 200:
        time.sleep(0.001)
    return time.perf_counter() - answered


def _measure(pids: list[int], urls: list[str]) -> dict[str, float]:
    rss, fds = _resources(pids)
    journal = len(httpx.get(f"{urls[0]}/__admin/journal", timeout=30).json()["requests"])
    return {"rss_mib": rss, "fds": float(fds), "journal": float(journal), "lag_ms": _lag(urls) * 1000}


def soak(mode: str, seconds: float) -> dict[str, dict[str, float]]:
    with contextlib.nullcontext(None) if mode == "one" else _redis() as store:
        ports = [_free_port()] if mode == "one" else [_free_port(), _free_port()]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        extra = [] if store is None else ["--store", store, "--store-prefix", f"soak-{os.getpid()}:"]
        with _stack(ports, extra) as pids:
            load = Load(urls)
            load.start()
            time.sleep(min(60.0, seconds / 4))  # warm-up
            start = _measure(pids, urls)
            time.sleep(seconds)
            end = _measure(pids, urls)
            load.stop.set()
            time.sleep(1)
            return {"start": start, "end": end, "counts": {k: float(v) for k, v in load.counts.items()}}


@contextmanager
def _stack(ports: list[int], extra: list[str]) -> Iterator[list[int]]:
    with _process(
        [*MOCK, "run", "--port", str(ports[0]), *extra], f"http://127.0.0.1:{ports[0]}/__admin/health"
    ) as first:
        if len(ports) == 1:
            yield [first.pid]
            return
        second_command = [*MOCK, "run", "--port", str(ports[1]), *extra]
        with _process(second_command, f"http://127.0.0.1:{ports[1]}/__admin/health") as second:
            yield [first.pid, second.pid]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--mode", choices=("one", "fleet", "both"), default="both")
    args = parser.parse_args()
    modes = ("one", "fleet") if args.mode == "both" else (args.mode,)
    print(f"# soak: {args.minutes:g} minutes each (after a warm-up), mixed traffic on loopback")
    print("| mock | measure | start | end | end / start |")
    print("|---|---|---|---|---|")
    for mode in modes:
        result = soak(mode, args.minutes * 60)
        for measure in ("rss_mib", "fds", "journal", "lag_ms"):
            if mode == "one" and measure == "lag_ms":
                continue
            start, end = result["start"][measure], result["end"][measure]
            ratio = f"{end / start:.2f}x" if start else "n/a"
            print(f"| {mode} | {measure} | {start:.1f} | {end:.1f} | {ratio} |", flush=True)
        counts = result["counts"]
        print(
            f"| {mode} | requests | public {counts['public']:.0f}, control {counts['control']:.0f}, faults {counts['faults']:.0f} | | |"
        )


if __name__ == "__main__":
    main()
