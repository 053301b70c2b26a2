"""Schema changes, told apart by direction: what a server sends (a response) breaks clients when it
widens; what a client sends (a request, a parameter) breaks them when it narrows.

A response enum that grows breaks clients; a request enum that shrinks breaks them. The ids are
oasdiff's where one exists (`response-property-enum-value-added`, `request-parameter-max-decreased`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from contracts.diff.changes import ERROR, INFO, WARNING, Change, json_path

REQUEST, RESPONSE = "request", "response"

# (keyword, id word): for a response, the upper bound growing or the lower one shrinking breaks clients.
_UPPER = (
    ("maximum", "max"),
    ("maxLength", "max-length"),
    ("maxItems", "max-items"),
    ("maxProperties", "max-properties"),
)
_LOWER = (
    ("minimum", "min"),
    ("minLength", "min-length"),
    ("minItems", "min-items"),
    ("minProperties", "min-properties"),
)


@dataclass(frozen=True)
class Where:
    old: tuple[str | int, ...]
    new: tuple[str | int, ...]
    direction: str
    prefix: str
    """The id's first words: response-property, request-property, request-parameter, response-header."""
    subject: str
    """What the sentence names: "property 'interactions[].start'", "parameter 'size'"."""
    media_types: tuple[str, ...] = ()

    def into(self, step: tuple[str | int, ...], subject: str) -> Where:
        return replace(self, old=self.old + step, new=self.new + step, subject=subject)

    def change(self, id_suffix: str, level: str, message: str, *, old: bool = True, new: bool = True) -> Change:
        return Change(
            f"{self.prefix}-{id_suffix}",
            level,
            self.media_types,
            json_path(*self.old) if old else None,
            json_path(*self.new) if new else None,
            message,
        )


def diff_schema(old: Any, new: Any, where: Where) -> Iterator[Change]:
    if not isinstance(old, dict) or not isinstance(new, dict) or old == new:
        return
    response = where.direction == RESPONSE
    breaking_if = {True: ERROR, False: INFO}

    old_type, new_type = _types(old), _types(new)
    if old_type != new_type and old_type and new_type:
        yield where.change(
            "type-changed", ERROR, f"{where.subject}: type {'|'.join(old_type)} became {'|'.join(new_type)}"
        )
        return
    old_format, new_format = old.get("format"), new.get("format")
    if old_format != new_format:
        # A client parses what the format promises (a date-time): a response format changed breaks it,
        # one dropped may; a request format added or changed refuses values the old one accepted.
        if old_format is None:
            level = INFO if response else ERROR
        elif new_format is None:
            level = WARNING if response else INFO
        else:
            level = ERROR
        yield where.change(
            "format-changed",
            level,
            f"{where.subject}: format {old_format or '(none)'} became {new_format or '(none)'}",
        )

    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum != new_enum:
        before = set(map(_key, old_enum)) if isinstance(old_enum, list) else None
        after = set(map(_key, new_enum)) if isinstance(new_enum, list) else None
        added = sorted(after - before) if before is not None and after is not None else []
        removed = sorted(before - after) if before is not None and after is not None else []
        if before is not None and after is None:
            yield where.change(
                "enum-removed", breaking_if[response], f"{where.subject}: no longer limited to {sorted(before)}"
            )
        if before is None and after is not None:
            yield where.change(
                "enum-added", breaking_if[not response], f"{where.subject}: now limited to {sorted(after)}"
            )
        if added:
            yield where.change(
                "enum-value-added", breaking_if[response], f"{where.subject}: new value(s) {', '.join(added)}"
            )
        if removed:
            yield where.change(
                "enum-value-removed",
                breaking_if[not response],
                f"{where.subject}: value(s) {', '.join(removed)} removed",
            )

    if bool(old.get("nullable")) != bool(new.get("nullable")):
        nullable = bool(new.get("nullable"))
        level = breaking_if[response == nullable]
        yield where.change(
            "became-nullable" if nullable else "became-not-nullable",
            level,
            f"{where.subject}: {'may now be null' if nullable else 'may no longer be null'}",
        )

    for keyword, word in _UPPER:
        yield from _bound(old.get(keyword), new.get(keyword), word, upper=True, where=where, keyword=keyword)
    for keyword, word in _LOWER:
        yield from _bound(old.get(keyword), new.get(keyword), word, upper=False, where=where, keyword=keyword)

    old_pattern, new_pattern = old.get("pattern"), new.get("pattern")
    if old_pattern != new_pattern:
        if old_pattern is None:
            # In a request, a new pattern refuses values the old document accepted, as a new minLength does.
            yield where.change(
                "pattern-added", INFO if response else ERROR, f"{where.subject}: pattern {new_pattern!r} added"
            )
        elif new_pattern is None:
            yield where.change(
                "pattern-removed", WARNING if response else INFO, f"{where.subject}: pattern {old_pattern!r} removed"
            )
        else:
            yield where.change(
                "pattern-changed", WARNING, f"{where.subject}: pattern {old_pattern!r} became {new_pattern!r}"
            )

    if "default" in old or "default" in new:
        if old.get("default") != new.get("default"):
            # A client that omits the parameter now gets another answer (ten items where it read one).
            yield where.change(
                "default-value-changed",
                INFO if response else ERROR,
                f"{where.subject}: default {old.get('default')!r} became {new.get('default')!r}",
            )

    yield from _properties(old, new, where)
    yield from _additional_properties(old, new, where)

    if "items" in old or "items" in new:
        yield from diff_schema(
            old.get("items", {}), new.get("items", {}), where.into(("items",), f"{where.subject} items")
        )

    for keyword in ("allOf", "oneOf", "anyOf", "not"):
        if _key(old.get(keyword)) != _key(new.get(keyword)):
            yield where.change(f"{keyword.lower()}-changed", WARNING, f"{where.subject}: its {keyword} changed")


def _bound(old: Any, new: Any, word: str, *, upper: bool, where: Where, keyword: str) -> Iterator[Change]:
    before, after = _number(old, upper), _number(new, upper)
    if old == new or before is None or after is None or before == after:
        return
    grew = after > before
    # A response bound that widens (upper up, lower down) lets the server send what clients refuse;
    # a request bound that narrows refuses what clients send.
    widened = grew if upper else not grew
    level = ERROR if widened == (where.direction == RESPONSE) else INFO
    yield where.change(
        f"{word}-{'increased' if grew else 'decreased'}",
        level,
        f"{where.subject}: {keyword} {_shown(old)} became {_shown(new)}",
    )


def _number(value: Any, upper: bool) -> float | None:
    if value is None:
        return math.inf if upper else -math.inf
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _shown(value: Any) -> str:
    return "(none)" if value is None else str(value)


def _properties(old: dict[str, Any], new: dict[str, Any], where: Where) -> Iterator[Change]:
    response = where.direction == RESPONSE
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
    closed = old.get("additionalProperties") is False
    for name in old_props.keys() | new_props.keys():
        step = ("properties", name)
        subject = f"property '{_dotted(where, name)}'"
        inner = replace(where.into(step, subject), prefix=_property_prefix(where))
        if name not in new_props:
            level = ERROR if response else WARNING
            yield inner.change("removed", level, f"{subject} removed", new=False)
        elif name not in old_props:
            required = name in new_required
            if response:
                # Clients validating a closed object (additionalProperties: false) refuse a new key.
                level = WARNING if closed else INFO
                id_suffix = "required-property-added" if required else "optional-property-added"
                yield Change(
                    f"response-{id_suffix}",
                    level,
                    where.media_types,
                    None,
                    json_path(*inner.new),
                    f"{subject} added{' (the old schema allowed no other property)' if closed else ''}",
                )
            else:
                yield Change(
                    "new-required-request-property" if required else "new-optional-request-property",
                    ERROR if required else INFO,
                    where.media_types,
                    None,
                    json_path(*inner.new),
                    f"{subject} added{', required' if required else ''}",
                )
        else:
            if name in old_required and name not in new_required:
                yield inner.change("became-optional", ERROR if response else INFO, f"{subject} became optional")
            elif name not in old_required and name in new_required:
                yield inner.change("became-required", INFO if response else ERROR, f"{subject} became required")
            yield from diff_schema(old_props[name], new_props[name], inner)


def _additional_properties(old: dict[str, Any], new: dict[str, Any], where: Where) -> Iterator[Change]:
    before, after = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if before == after:
        return
    response = where.direction == RESPONSE
    inner = where.into(("additionalProperties",), where.subject)
    if after is False and before is not False:
        yield inner.change(
            "additional-properties-disallowed",
            INFO if response else ERROR,
            f"{where.subject}: no other property allowed",
        )
    elif before is False and after is not False:
        yield inner.change(
            "additional-properties-allowed", WARNING if response else INFO, f"{where.subject}: other properties allowed"
        )
    elif isinstance(before, dict) and isinstance(after, dict):
        yield from diff_schema(before, after, replace(inner, subject=f"{where.subject} additional properties"))


def _property_prefix(where: Where) -> str:
    if where.prefix.startswith("request-parameter") or where.prefix.startswith("response-header"):
        return where.prefix
    return f"{where.direction}-property"


def _dotted(where: Where, name: str) -> str:
    path: list[str] = []
    for index, part in enumerate(where.new):
        if part == "properties" and index + 1 < len(where.new):
            path.append(str(where.new[index + 1]))
        elif part == "items" and path:
            path[-1] += "[]"
    return ".".join([*path, name])


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    value = schema.get("type")
    if value is None:
        return ()
    return tuple(sorted(value)) if isinstance(value, list) else (str(value),)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
