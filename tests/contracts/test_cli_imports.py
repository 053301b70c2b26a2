"""Light imports: the diff, the spec model and `--help` load no web server, Redis client, HTTP
client, Hypothesis or Schemathesis (their cost is measured by benchmarks/cli_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("connexion", "uvicorn", "starlette", "redis", "hypothesis", "schemathesis", "httpx")

PROBE = """
import contextlib, io, json, sys
{body}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def loaded_by(body: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("import mockserver.spec", id="import mockserver.spec"),
        pytest.param("import mockserver, contracts", id="import both packages"),
        pytest.param(
            "from contracts.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['diff', 'openapi.yaml', 'openapi.yaml'])",
            id="contracts diff",
        ),
        pytest.param(
            "from contracts.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])",
            id="contracts --help",
        ),
    ],
)
def test_loads_nothing_heavy(body: str) -> None:
    assert loaded_by(body).isdisjoint(HEAVY), sorted(loaded_by(body) & set(HEAVY))


def test_the_probe_sees_a_heavy_import() -> None:
    """The probe itself works: importing the mock's app does load the web server."""
    assert {"connexion", "starlette"} <= loaded_by("import mockserver.app")
