"""The negotiation diff: what each of a fixed list of Accept values resolves to in each document.

The representations are the media types each document declares on an operation's success
responses; `contracts.accept.resolve` applies CONTRACT.md's rules to them. A value that resolved to
a representation and no longer does (or resolves to another) breaks the clients of the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from contracts.accept import resolve
from contracts.diff.changes import ERROR, INFO, Change, Resolution, json_path
from mockserver.spec import OperationSpec


def representations(operation: OperationSpec) -> list[str]:
    declared: dict[str, None] = {}
    for status, response in sorted(operation.responses.items()):
        if status.startswith("2"):
            declared.update(dict.fromkeys(response.content))
    return list(declared)


def accept_values(old: list[str], new: list[str]) -> list[str | None]:
    """None (no Accept), wildcards, the bare type, each declared representation, an undeclared
    version, q-lists, ties, and case, space and quote variants."""
    declared = list(dict.fromkeys([*old, *new]))
    values: list[str | None] = [None, "*/*", "application/*", "application/json"]
    values += declared
    versions = sorted({int(m[1]) for d in declared if (m := re.search(r";version=([0-9]+)$", d))})
    if versions:
        values.append(f"application/json;version={versions[-1] + 1}")
    versioned = [d for d in declared if ";version=" in d]
    if len(versioned) >= 2:
        low, high = versioned[0], versioned[-1]
        values += [f"{low}, {high}", f"{low};q=0.5, {high}", f"{low}, {high};q=0.5", f"{high};q=0, {low};q=0.1"]
    for media_type in declared[:2]:
        kind, _, parameters = media_type.partition(";")
        name, _, value = parameters.partition("=")
        if name:
            values.append(f"{kind.upper()};{name.upper()}={value}")
            values.append(f"{kind} ; {name}={value}")
            values.append(f'{kind};{name}="{value}"')
    return list(dict.fromkeys(values))


def resolutions(old: OperationSpec, new: OperationSpec) -> list[Resolution]:
    return list(_resolutions(tuple(representations(old)), tuple(representations(new))))


@cache
def _resolutions(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[Resolution, ...]:
    # Operations of one API share their representations: computed once per pair of lists.
    found = []
    for accept in accept_values(list(before), list(after)):
        header = [] if accept is None else [accept]
        found.append(Resolution(accept, resolve(header, before), resolve(header, after)))
    return tuple(found)


def resolution_changes(old: OperationSpec, new: OperationSpec, found: list[Resolution]) -> Iterator[Change]:
    """One change per way the resolution moved (what was selected, what is now), listing every
    Accept value that moved that way: removing version 1 is one error, not one per spelling of it."""
    at = json_path("paths", old.path, old.method, "responses")
    added = set(representations(new)) - set(representations(old))
    moved: dict[tuple[str | None, str | None], list[str]] = {}
    for resolution in found:
        if resolution.old != resolution.new:
            shown = "no Accept header" if resolution.accept is None else resolution.accept
            moved.setdefault((resolution.old, resolution.new), []).append(shown)
    for (old_choice, new_choice), accepts in moved.items():
        before, after = old_choice or "406", new_choice or "406"
        one = len(accepts) == 1
        subject = ("Accept " if one else "Accept values ") + "; ".join(
            a if a == "no Accept header" else f"`{a}`" for a in accepts
        )
        selects, answered = ("selects", "is answered") if one else ("select", "are answered")
        if old_choice is None:
            yield Change(
                "response-media-type-resolution-added",
                INFO,
                (after,),
                at,
                at,
                f"{subject} used to be answered 406 and now {selects} {after}",
            )
        elif new_choice in added:
            # The client named the new representation (with the highest q, or tied): it asked for it.
            yield Change(
                "response-media-type-resolution-to-added",
                INFO,
                (after,),
                at,
                at,
                f"{subject} selected {before} and now {selects} {after}, a new representation the client names",
            )
        else:
            now = f"{answered} 406" if new_choice is None else f"{selects} {after}"
            yield Change(
                "response-media-type-resolution-changed",
                ERROR,
                (before,),
                at,
                at,
                f"{subject} selected {before} and now {now}",
            )
