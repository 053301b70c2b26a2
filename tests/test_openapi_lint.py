"""Both OpenAPI documents (the public API's and the control plane's) are lint-clean in Spectral and in
Redocly, with the rulesets in .ci/openapi-lint (each rule turned off there says why)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = ROOT / ".ci" / "openapi-lint"
DOCUMENTS = [str(ROOT / "openapi.yaml"), str(ROOT / "mockserver" / "control" / "openapi.yaml")]

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def installed() -> Path:
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=LINT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return LINT / "node_modules" / ".bin"


def test_spectral_finds_nothing(installed: Path) -> None:
    linted = subprocess.run(
        [str(installed / "spectral"), "lint", "--ruleset", ".spectral.yaml", "--fail-severity", "hint", *DOCUMENTS],
        cwd=LINT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert linted.returncode == 0, linted.stdout[-4000:] + linted.stderr[-2000:]
    assert "No results" in linted.stdout


def test_redocly_finds_nothing(installed: Path) -> None:
    linted = subprocess.run(
        [str(installed / "redocly"), "lint", "--config", "redocly.yaml", *DOCUMENTS],
        cwd=LINT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = linted.stdout + linted.stderr
    assert linted.returncode == 0, output[-4000:]
    assert "warning" not in output.lower(), output[-4000:]
