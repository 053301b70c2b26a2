"""Where a document comes from: a file, or `REV:PATH` read from git (`main:openapi.yaml`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mockserver.spec import SpecDocument, SpecError


def load_source(source: str) -> SpecDocument:
    """A spec document from a path or `REV:PATH`; SpecError names the source and why it failed."""
    path = Path(source)
    if path.exists() or ":" not in source:
        return SpecDocument.load(path)
    revision, _, inside = source.partition(":")
    try:
        shown = subprocess.run(["git", "show", f"{revision}:{inside}"], capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SpecError(f"{source}: cannot run git: {error}") from None
    if shown.returncode != 0:
        why = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpecError(f"{source}: git cannot show it: {why[-1] if why else 'unknown error'}")
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{source}: not UTF-8 text") from None
    return SpecDocument.parse(text, source=source)
