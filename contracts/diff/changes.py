"""A change between two documents is data: a stable id, a level, the representations it affects,
where it is in each document and one plain sentence. Rendering is `render.py`'s job."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)
RANK = {ERROR: 3, WARNING: 2, INFO: 1}


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    media_types: tuple[str, ...]
    """The full media types of the representations affected; empty when every client is."""
    old: str | None
    """JSON path in the old document, or None when the thing is new."""
    new: str | None
    message: str

    def at_most(self, level: str, why: str) -> Change:
        """The same change, its level lowered to `level` (never raised), the reason said."""
        if RANK[self.level] <= RANK[level]:
            return self
        return replace(self, level=level, message=f"{self.message} ({why})")

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "level": self.level,
            "media_types": list(self.media_types),
            "old": self.old,
            "new": self.new,
            "message": self.message,
        }


@dataclass(frozen=True)
class Resolution:
    """What one Accept value selects in each document: a media type, or None for a 406."""

    accept: str | None
    old: str | None
    new: str | None

    def as_dict(self) -> dict[str, object]:
        return {"accept": self.accept, "old": self.old or "406", "new": self.new or "406"}


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_path(*parts: str | int) -> str:
    """'$' followed by each part: `.name` for identifiers, `['key']` otherwise, `[0]` for indexes."""
    rendered = ["$"]
    for part in parts:
        if isinstance(part, int):
            rendered.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            rendered.append(f".{part}")
        else:
            rendered.append("['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(rendered)
