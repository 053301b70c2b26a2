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
    at = json_path("paths", old.path, old.method, "responses")
    for resolution in found:
        if resolution.old == resolution.new:
            continue
        shown = "no Accept header" if resolution.accept is None else f"Accept: {resolution.accept}"
        before, after = resolution.old or "406", resolution.new or "406"
        if resolution.old is None:
            yield Change(
                "response-media-type-resolution-added",
                INFO,
                (after,),
                at,
                at,
                f"{shown} used to be answered 406 and now selects {after}",
            )
        else:
            yield Change(
                "response-media-type-resolution-changed",
                ERROR,
                (before,),
                at,
                at,
                f"{shown} selected {before} and now {'is answered 406' if resolution.new is None else f'selects {after}'}",
            )
