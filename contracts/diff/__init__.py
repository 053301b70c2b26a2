"""`contracts diff OLD NEW`: which change breaks which clients, representation by representation.

report = diff(SpecDocument.load("old.yaml"), SpecDocument.load("new.yaml"))
report.changes      # [Change(id, level, media_types, old, new, message), ...]
report.resolution   # [Resolution(accept, old, new), ...]: what each Accept value selects
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from contracts.diff.changes import ERROR, INFO, LEVELS, RANK, WARNING, Change, Resolution
from contracts.diff.documents import diff_documents, diff_operation
from contracts.diff.lifecycle import adjusted
from contracts.diff.negotiation import representations, resolution_changes, resolutions
from mockserver.spec import SpecDocument

__all__ = ["ERROR", "INFO", "LEVELS", "WARNING", "Change", "DiffReport", "Resolution", "diff"]


@dataclass(frozen=True)
class DiffReport:
    changes: list[Change]
    resolution: list[Resolution]

    def at_or_above(self, level: str) -> list[Change]:
        return [c for c in self.changes if RANK[c.level] >= RANK[level]]

    def as_dict(self) -> dict[str, object]:
        return {"changes": [c.as_dict() for c in self.changes], "resolution": [r.as_dict() for r in self.resolution]}


def diff(old: SpecDocument, new: SpecDocument, *, today: date | None = None) -> DiffReport:
    today = today or datetime.now(UTC).date()
    changes = list(diff_documents(old, new))
    found: list[Resolution] = []
    for key in sorted(old.operations.keys() & new.operations.keys()):
        before, after = old.operations[key], new.operations[key]
        operation_resolutions = resolutions(before, after)
        # Only operations with a choice of representation tell anything by their resolutions.
        if len(set(representations(before)) | set(representations(after))) > 1:
            found += operation_resolutions
        for change in [*diff_operation(before, after), *resolution_changes(before, after, operation_resolutions)]:
            changes.append(adjusted(change, before, after, today))
    return DiffReport(changes, found)
