"""Every shell example of the tutorials runs as written: the blocks of a page, in order, in one shell.

A page is run in a fresh directory holding a copy of `openapi.yaml` and `fixtures/` (as a reader's
checkout does), with this environment's `bin/` first on PATH, and ports 8080 and 8090 replaced by free
ones. A block preceded by `<!-- not run: why -->` is skipped, and must say why.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.md"))
BLOCK = re.compile(r"(?P<marker><!-- not run: (?P<why>[^>]*)-->\s*\n)?```sh\n(?P<body>.*?)```", re.S)


def blocks(page: Path) -> list[tuple[str, str | None]]:
    """(body, why not run) of each shell block of a page."""
    return [(m["body"], m["why"]) for m in BLOCK.finditer(page.read_text())]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_every_tutorial_has_shell_examples() -> None:
    assert TUTORIALS
    for page in TUTORIALS:
        assert blocks(page), page.name


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_blocks_not_run_say_why(page: Path) -> None:
    for _, why in blocks(page):
        assert why is None or why.strip(), f"{page.name}: a block marked not run must say why"


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_the_tutorial_runs(page: Path, tmp_path: Path) -> None:
    script = "\n".join(body for body, why in blocks(page) if why is None)
    for port in ("8080", "8090"):
        script = script.replace(port, str(free_port()))
    shutil.copy(ROOT / "openapi.yaml", tmp_path / "openapi.yaml")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=180)
    finally:
        # Whatever the page started and did not stop (a failed run leaves its mock behind).
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    assert process.returncode == 0, f"{page.name} failed:\n{output[-4000:]}"
