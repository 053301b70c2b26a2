"""What a command costs before it does anything: `contracts --help` and `contracts diff` of the
project's spec against itself, each against a bare interpreter start measured in the same run.

    .venv/bin/python benchmarks/cli_startup.py [--runs 15]

`diff` is measured twice: with the validator's verdict remembered (what a pre-commit hook or a CI
job meets from its second run on) and with nothing remembered (LATEST_INTERACTIONS_NO_SPEC_CACHE=1).
Medians of wall time; the ratio is the command's median over the bare start's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = [sys.executable, "-m", "contracts"]
COMMANDS = {
    "python -c pass (baseline)": ([sys.executable, "-c", "pass"], {}),
    "contracts --help": ([*CONTRACTS, "--help"], {}),
    "contracts diff (verdict remembered)": ([*CONTRACTS, "diff", "openapi.yaml", "openapi.yaml"], {}),
    "contracts diff (nothing remembered)": (
        [*CONTRACTS, "diff", "openapi.yaml", "openapi.yaml"],
        {"LATEST_INTERACTIONS_NO_SPEC_CACHE": "1"},
    ),
}


def timed(command: list[str], extra_env: dict[str, str]) -> float:
    env = {**os.environ, **extra_env}
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for command, env in COMMANDS.values():
        timed(command, env)  # warm the page cache and remember the verdict once
    medians = {}
    for _ in range(args.runs):
        for name, (command, env) in COMMANDS.items():
            medians.setdefault(name, []).append(timed(command, env))
    baseline = statistics.median(medians["python -c pass (baseline)"])
    print(f"{'command':<40} {'median':>9} {'x bare start':>13}")
    for name, times in medians.items():
        median = statistics.median(times)
        print(f"{name:<40} {median:>8.3f}s {median / baseline:>12.1f}x")


if __name__ == "__main__":
    main()
