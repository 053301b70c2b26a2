"""Schemathesis 4, as its users run it, on the control plane's served document: every check, positive and
negative data, every phase (examples, coverage, fuzzing, stateful), against a mock on its own command
line, without and with an admin token (with one, the document requires it, so every operation is also
tried without it and must answer 401). Bounded (5 examples an operation, a fixed seed).

One check is left out, `positive_data_acceptance` (ST202, "valid data rejected"): the documents' rules
that a schema cannot say (a channel's start after the mock's clock, a scenario event naming a channel
no earlier event started, a delay's min above its max, a clock move past what a playing scenario may
fire at once) are refused with a 400 or 409 naming the field, which Schemathesis counts against them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.mockserver.test_cli import running

SCHEMATHESIS = Path(sys.executable).parent / "st"
ADMIN_TOKEN = "fuzzing-admin-token"


@pytest.mark.parametrize("token", [None, ADMIN_TOKEN], ids=["open", "with an admin token"])
def test_schemathesis_finds_nothing_on_the_served_document(token: str | None) -> None:
    options = ["--admin-token", token] if token else []
    with running(*options) as (root, _, _process):
        command = [
            str(SCHEMATHESIS),
            "run",
            f"{root}/__admin/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--mode",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            "5",
            "--seed",
            "1",
            "--request-timeout",
            "10",
            "--no-color",
            *(["--header", f"Authorization: Bearer {token}"] if token else []),
        ]
        ran = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
    assert "Stateful" in ran.stdout and "Coverage" in ran.stdout
