"""The TypeScript client in examples/node, tested by its own node:test suite against the mock: `npm ci`
from the committed lockfile, types generated from both OpenAPI documents and checked by tsc, then the
suite (it starts `mockserver run --port 0 --ready-file`, drives the control plane, stops it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (.ci/run installs it)")
def test_the_node_client_suite_passes_against_the_mock() -> None:
    environment = {**os.environ, "MOCKSERVER": str(Path(sys.executable).with_name("mockserver"))}
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "test"]):
        finished = subprocess.run(
            command, cwd=NODE_EXAMPLE, env=environment, capture_output=True, text=True, timeout=300
        )
        assert finished.returncode == 0, f"{' '.join(command)}:\n{finished.stdout[-4000:]}\n{finished.stderr[-4000:]}"
    assert "# fail 0" in finished.stdout and "# pass 5" in finished.stdout, finished.stdout[-2000:]
