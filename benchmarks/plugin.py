"""What the pytest plugin costs per test, against a baseline measured in the same run.

    .venv/bin/python benchmarks/plugin.py [--tests 300]

Runs generated suites of N tests in fresh pytest processes: empty tests (the baseline), tests
taking `mock_state` (the shared mock reset to its fixtures), the same making one request, and
tests taking `mock_server_factory` to start a dedicated mock each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (module prelude, one test's body)
SUITES = {
    "baseline: empty tests": ("", "def test_{n}():\n    pass\n"),
    "mock_state": ("", "def test_{n}(mock_state):\n    pass\n"),
    "mock_state + one request": (
        # one client for the suite: making an httpx client costs milliseconds (its TLS context)
        "import httpx\nHTTP = httpx.Client()\nHEADERS = {'Authorization': 'Bearer valid-token', 'Accept': 'application/json;version=1'}\n",
        "def test_{n}(mock_state):\n    assert HTTP.get(mock_state.endpoint('a1b2c3d4e5', 'agent-7'), headers=HEADERS).status_code == 200\n",
    ),
    "mock_server_factory (a dedicated mock per test)": (
        "",
        "def test_{n}(mock_server_factory):\n    mock_server_factory()\n",
    ),
}


def run_suite(prelude: str, body: str, tests: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test_generated.py"
        path.write_text(prelude + "\n".join(body.format(n=n) for n in range(tests)))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
            check=True,
            capture_output=True,
            cwd=folder,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=300)
    args = parser.parse_args()
    print(f"# pytest plugin cost, suites of {args.tests} tests\n")
    print("| suite | wall time s | per test ms | extra per test vs baseline ms | ratio to baseline |")
    print("|---|---|---|---|---|")
    baseline = None
    for label, (prelude, body) in SUITES.items():
        seconds = run_suite(prelude, body, args.tests)
        baseline = baseline or seconds
        extra = (seconds - baseline) / args.tests * 1000
        print(
            f"| {label} | {seconds:.2f} | {seconds / args.tests * 1000:.2f} | {extra:.2f} | {seconds / baseline:.2f}x |"
        )


if __name__ == "__main__":
    main()
