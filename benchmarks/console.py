"""What the live console costs the mock: serving with the console open (its journal following live,
its state read every two seconds) against serving without it, in one run.

Two figures each way: throughput, and the mock's CPU time per request served (its own cost, which
does not depend on how the load generator and the browser share their core).

    .venv/bin/python benchmarks/console.py [--runs 3] [--seconds 5]

`mockserver run` on CPU 0; wrk (32 connections, agent-7's v1 answer) and Chromium (headless, the
console open on agent-7) on CPU 1, so the browser's own rendering does not take the mock's core.
Runs alternate without and with the console; the medians are compared (goal: within 5%).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from serve import server, wrk_with_cpu

PORT = 18095
URL = f"http://127.0.0.1:{PORT}"
TARGET = f"{URL}/v0/a1b2c3d4e5/agents/agent-7/latestInteractions"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    # Chromium and every process it starts on CPU 1: a wrapper, since its children inherit the affinity.
    pinned = Path(tempfile.mkdtemp()) / "chromium-on-cpu-1"
    pinned.write_text('#!/bin/sh\nexec taskset -c 1 /usr/bin/chromium "$@"\n')
    pinned.chmod(0o755)

    mockserver = [sys.executable, "-m", "mockserver", "run", "--port", str(PORT)]
    with server(mockserver, port=PORT) as mock:
        wrk_with_cpu(
            TARGET, 2, mock.pid
        )  # warm up; the journal is full (1,000 entries) from here on, as in a long session
        without, with_console = [], []
        with sync_playwright() as playwright:
            for _ in range(args.runs):
                without.append(wrk_with_cpu(TARGET, args.seconds, mock.pid))
                context = playwright.chromium.launch_persistent_context(
                    tempfile.mkdtemp(), executable_path=str(pinned), args=CHROMIUM_ARGS, headless=True
                )
                page = context.new_page()
                page.goto(URL + "/__admin/ui/")
                page.click("button[data-agent='agent-7']")
                page.wait_for_selector("#journal tr")
                with_console.append(wrk_with_cpu(TARGET, args.seconds, mock.pid))
                context.close()
        base_rate, console_rate = (statistics.median(r[0] for r in runs) for runs in (without, with_console))
        base_cpu, console_cpu = (statistics.median(r[1] for r in runs) for runs in (without, with_console))
        print(
            f"# console benchmark: {args.runs} x {args.seconds}s each way, wrk and Chromium on CPU 1, the mock on CPU 0\n"
        )
        print("| serving | req/s (median) | ratio | mock CPU µs per request (median) | ratio |")
        print("|---|---|---|---|---|")
        print(f"| without the console | {base_rate:,.0f} | 1.00x | {base_cpu:.1f} | 1.00x |")
        print(
            f"| with the console open, its journal following live | {console_rate:,.0f} | {console_rate / base_rate:.2f}x "
            f"| {console_cpu:.1f} | {console_cpu / base_cpu:.2f}x |"
        )


if __name__ == "__main__":
    main()
