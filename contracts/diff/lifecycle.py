"""Lifecycle of representations and operations: `deprecated` with `x-sunset`, and `x-stability-level`.

- A breaking change to a `beta` representation (or operation) is a warning; to `draft` or `alpha`,
  information: its clients were told it may change.
- Removing a deprecated representation after its `x-sunset` date is information, before it an
  error (`response-media-type-removed-before-sunset`); deprecated without a sunset, a warning.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from contracts.diff.changes import ERROR, INFO, WARNING, Change
from mockserver.spec import MediaTypeSpec, OperationSpec

LOWERED = {"draft": INFO, "alpha": INFO, "beta": WARNING}
REMOVALS = ("response-media-type-removed", "response-media-type-resolution-changed")


def adjusted(change: Change, old: OperationSpec, new: OperationSpec, today: date) -> Change:
    representation = _representation(old, change.media_types) or _representation(new, change.media_types)
    if change.id in REMOVALS and representation is not None and representation.deprecated:
        return _removal_of_deprecated(change, representation, today)
    stability = (representation.stability if representation else None) or old.stability
    if stability in LOWERED:
        return change.at_most(
            LOWERED[stability], f"{stability} representation" if representation else f"{stability} operation"
        )
    return change


def _removal_of_deprecated(change: Change, representation: MediaTypeSpec, today: date) -> Change:
    sunset = _date(representation.sunset)
    if sunset is None:
        return change.at_most(WARNING, "it was deprecated, with no x-sunset")
    if sunset <= today:
        suffix = "-after-sunset" if change.id == "response-media-type-removed" else ""
        return replace(
            change, id=change.id + suffix, level=INFO, message=f"{change.message} (deprecated, sunset {sunset} passed)"
        )
    suffix = "-before-sunset" if change.id == "response-media-type-removed" else ""
    return replace(
        change, id=change.id + suffix, level=ERROR, message=f"{change.message} (deprecated, but its sunset is {sunset})"
    )


def _representation(operation: OperationSpec, media_types: tuple[str, ...]) -> MediaTypeSpec | None:
    if len(media_types) != 1:
        return None
    for response in operation.responses.values():
        found = response.content.get(media_types[0])
        if found is not None:
            return found
    return None


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
