"""The README stays a short front door whose every link resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)#]+)(#[^)]*)?\)")


def test_it_is_short() -> None:
    assert len(README.splitlines()) <= 200


def test_every_relative_link_resolves() -> None:
    targets = [m[1] for m in LINK.finditer(README) if not m[1].startswith(("http://", "https://"))]
    assert targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing


def test_it_holds_the_two_commands() -> None:
    assert "pip install -e '.[test]' && .venv/bin/mockserver run" in README
    assert "pip install -e '.[test]' && .venv/bin/pytest" in README


def test_the_contract_is_a_page_of_the_project() -> None:
    assert "](docs/contract.md)" in README
    assert (ROOT / "docs" / "contract.md").read_text().startswith("# The behaviour contract")
