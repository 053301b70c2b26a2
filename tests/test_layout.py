"""The layout the architecture page describes: which layer imports which, and every file the docs and
the docstrings name exists (a renamed module leaves no stale name behind)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mockserver", "contracts")
FILE_NAME = re.compile(
    r"(?<![\w./-])((?:mockserver|contracts|tests|fixtures|benchmarks|examples|docs|deploy|\.ci)/[\w./-]*\w)"
)
MODULE_NAME = re.compile(r"(?<![\w./-])((?:mockserver|contracts)(?:\.[a-z_]+)+)")


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        # The state core is below the planes; the backends keep state, they do not speak HTTP for it.
        ("mockserver/backends", "mockserver.control"),
        ("mockserver/state", "mockserver.control"),
        ("mockserver/state", "mockserver.backends"),
        ("mockserver/state", "mockserver.scenarios"),
        # The model is the bottom of the imports.
        ("mockserver/model.py", "mockserver.api"),
        ("mockserver/api", "mockserver.control"),
        ("mockserver/api", "mockserver.backends"),
    ],
)
def test_a_layer_imports_nothing_above_it(layer: str, forbidden: str) -> None:
    where = ROOT / layer
    paths = [where] if where.is_file() else sorted(where.rglob("*.py"))
    offending = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        for name in _imports(path)
        if name == forbidden or name.startswith(forbidden + ".")
    }
    assert not offending, sorted(offending)


def _named_in(text: str) -> set[str]:
    named = {match.rstrip(".") for match in FILE_NAME.findall(text)}
    for dotted in MODULE_NAME.findall(text):
        # A module, or a name in one (`contracts.accept.resolve`, a logger `mockserver.fleet`).
        module = dotted.replace(".", "/")
        named.add(module if _exists(module) else module.rsplit("/", 1)[0])
    return named


def _exists(name: str) -> bool:
    path = ROOT / name
    if any(char in name for char in "*{}<>"):
        return True
    return path.exists() or path.with_suffix(".py").exists() or (path.parent / (path.name + ".py")).exists()


def _documents() -> Iterator[Path]:
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))
    yield from _sources()


def test_every_file_the_docs_and_docstrings_name_exists() -> None:
    missing = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in _documents()
        for name in _named_in(path.read_text(encoding="utf-8"))
        if not _exists(name)
    )
    assert not missing, missing
