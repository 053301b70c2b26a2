"""Each served version's answer as the spec shapes it: which item fields, from where, which selection.

Read once per spec, never per request. For each version `N` the spec declares, the item schema is
`paths.<operation>.get.responses.200.content['application/json;version=N'].schema
.properties.interactions.items`:

- a field the mock knows (`type start guid hasEnded duration direction channelGuid`) is rendered
  from the state; the spec's schema for it must accept every value the mock renders, or the
  version is refused at start (`SpecShapeError`, naming the field, the spec's type and what the
  mock renders);
- any other field (an *extra*) comes from the data: a channel's own value, else its interaction's
  (fixtures and control changes accept extras the spec declares, checked against its schema),
  else the field schema's `example`, else its `default`, else it is left out when optional, else
  it is generated from the schema (type, format, enum) and the banner says so.

Known fields are written in one canonical order (`type start guid hasEnded duration direction
channelGuid`, which is each built-in version's order), extras after them in the schema's order.

Selection: version 1 answers the latest channel alone (CONTRACT.md's version-1 rules); every other
version answers a list with version 2's rules (size, type, activeLiveFirst, order). A media type
may say which with the extension `x-selection: latest` or `x-selection: list`.

A version shaped exactly as built in (version 1's three fields, version 2's six, their own
selection) is answered from the agent's prepared bytes (mockserver.api.answers), so the default
spec's answers do not change by a byte nor cost more.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from mockserver.api.answers import AgentAnswers
from mockserver.api.query import V2Query
from mockserver.api.representation import dumps, media_type, rfc3339
from mockserver.api.selection import AgentChannel
from mockserver.model import Agent
from mockserver.spec import (
    OPERATION_ID,
    MediaTypeSpec,
    SpecDocument,
    SpecError,
    declared_versions,
    normalise_media_type,
)

LATEST, LIST = "latest", "list"
SELECTION_EXTENSION = "x-selection"
KNOWN_FIELDS = ("type", "start", "guid", "hasEnded", "duration", "direction", "channelGuid")
BUILT_IN_FIELDS = {
    1: ("start", "guid", "hasEnded"),
    2: ("type", "start", "guid", "duration", "direction", "channelGuid"),
}
_EXAMPLE_GUID = "015b212c-1487-46ba-bbb7-d78d6b1412a5"

_RENDERERS: dict[str, Callable[[AgentChannel], Any]] = {
    "type": lambda item: item.type,
    "start": lambda item: rfc3339(item.channel.start),
    "guid": lambda item: item.interaction.guid,
    "hasEnded": lambda item: not item.active,
    "duration": lambda item: item.duration,
    "direction": lambda item: item.interaction.direction,
    "channelGuid": lambda item: item.channel.channel_guid,
}
_RENDERS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "type": ("the strings Phone, Chat and Email", ("Phone", "Chat", "Email")),
    "start": ("RFC 3339 date-time strings in UTC (2017-03-30T22:40:15Z)", ("2017-03-30T22:40:15Z",)),
    "guid": ("UUID strings", (_EXAMPLE_GUID,)),
    "hasEnded": ("booleans", (True, False)),
    "duration": ("whole seconds (integers from 0), null while the channel is connected", (0, 972, None)),
    "direction": ("the strings Inbound, Outbound and Internal", ("Inbound", "Outbound", "Internal")),
    "channelGuid": ("UUID strings", (_EXAMPLE_GUID,)),
}
"""What the mock writes for each known field, in words and as samples the spec's schema must accept."""
_ABSENT: Any = object()


class SpecShapeError(SpecError):
    """A representation the mock cannot serve as the spec shapes it; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    known: bool
    fallback: Any = _ABSENT
    """Written when the data has no value: the schema's example or default, or a generated value.
    _ABSENT: left out."""

    def value(self, item: AgentChannel) -> Any:
        if self.known:
            value = _RENDERERS[self.name](item)
        else:
            value = item.channel.extra.get(self.name, item.interaction.extra.get(self.name, _ABSENT))
        if value is _ABSENT or (value is None and self.name == "direction"):
            return self.fallback  # a direction the data does not know counts as none given
        return value


@dataclass(frozen=True)
class Shape:
    """One version's answer: its media type, its selection and its item's fields."""

    version: int
    selection: str
    fields: tuple[FieldPlan, ...]
    built_in: bool
    """Shaped exactly as built in: answered from the agent's prepared bytes."""
    generated: tuple[str, ...] = ()
    """Required fields with no example nor default, written with values made from their schema."""

    @property
    def media_type(self) -> str:
        return media_type(self.version)

    @property
    def lists(self) -> bool:
        return self.selection == LIST

    def item(self, item: AgentChannel) -> dict[str, Any]:
        rendered = {}
        for plan in self.fields:
            value = plan.value(item)
            if value is not _ABSENT:
                rendered[plan.name] = value
        return rendered

    def body(self, agent: Agent, query: V2Query | None) -> bytes:
        answers: AgentAnswers = agent.answers
        if self.built_in:
            if query is None:
                return answers.v1_body
            return answers.v2_body(type=query.type, active_live_first=query.active_live_first, size=query.size)
        if query is None:
            latest = answers.latest_channel_guid
            chosen: Iterable[str] = () if latest is None else (latest,)
        else:
            chosen = answers.v2_channel_guids(
                type=query.type, active_live_first=query.active_live_first, size=query.size
            )
        kept = answers.shaped.get(id(self))
        if kept is None or kept[0] is not self:
            kept = answers.shaped[id(self)] = (self, {})
        rendered = kept[1]
        items = []
        for guid in chosen:
            item = rendered.get(guid)
            if item is None:
                item = rendered[guid] = dumps(self.item(_agent_channel(agent, guid)))
            items.append(item)
        return b'{"interactions":[' + b",".join(items) + b"]}"


def _agent_channel(agent: Agent, channel_guid: str) -> AgentChannel:
    answers: AgentAnswers = agent.answers
    index, position = answers.channel_at[channel_guid]
    interaction = agent.interactions[index]
    return AgentChannel(interaction, interaction.channels[position])


@dataclass(frozen=True)
class Representations:
    """The served versions' shapes, by version."""

    shapes: Mapping[int, Shape]

    @property
    def versions(self) -> frozenset[int]:
        return frozenset(self.shapes)

    def lists(self, version: int) -> bool:
        return self.shapes[version].lists

    def body(self, agent: Agent, version: int, query: V2Query | None) -> bytes:
        return self.shapes[version].body(agent, query)

    @property
    def generated(self) -> dict[int, tuple[str, ...]]:
        return {version: shape.generated for version, shape in sorted(self.shapes.items()) if shape.generated}

    @classmethod
    def built_in(cls, versions: Iterable[int]) -> Representations:
        """Versions 1 and 2 as built in, whatever the spec says: for servers built without a spec
        (the selftest's faulty servers)."""
        return cls({v: Shape(v, default_selection(v), (), built_in=True) for v in versions})

    @classmethod
    def from_spec(cls, spec: SpecDocument, versions: Iterable[int]) -> Representations:
        """Each version's shape, or SpecShapeError naming every field the mock cannot render as the spec says."""
        shapes: dict[int, Shape] = {}
        problems: list[str] = []
        for version in sorted(versions):
            try:
                shapes[version] = shape_of(spec, version)
            except SpecShapeError as error:
                problems.append(str(error))
        if problems:
            raise SpecShapeError("; ".join(problems))
        return cls(shapes)


def default_selection(version: int) -> str:
    return LATEST if version == 1 else LIST


def shape_of(spec: SpecDocument, version: int) -> Shape:
    media = _media(spec, version)
    selection = media.raw.get(SELECTION_EXTENSION, default_selection(version))
    where = f"{spec.source}: version {version}"
    if selection not in (LATEST, LIST):
        raise SpecShapeError(f"{where}: {SELECTION_EXTENSION} must be {LATEST} or {LIST}, got {selection!r}")
    item = item_schema(spec, version)
    properties: Mapping[str, Any] = item.get("properties") or {}
    if not properties:
        names = BUILT_IN_FIELDS.get(version, BUILT_IN_FIELDS[2])
        return Shape(
            version, selection, tuple(FieldPlan(n, True) for n in names), _is_built_in(version, selection, names)
        )
    required = set(item.get("required") or ())
    problems: list[str] = []
    plans: list[FieldPlan] = []
    generated: list[str] = []
    for name in [*(n for n in KNOWN_FIELDS if n in properties), *(n for n in properties if n not in KNOWN_FIELDS)]:
        schema = properties[name] if isinstance(properties[name], Mapping) else {}
        try:
            if name in KNOWN_FIELDS:
                plans.append(_known_plan(name, schema, required))
            else:
                plan, made = _extra_plan(name, schema, name in required)
                plans.append(plan)
                if made:
                    generated.append(name)
        except SpecShapeError as error:
            problems.append(f"{where}, field {name!r}: {error}")
    if problems:
        raise SpecShapeError("; ".join(problems))
    names = tuple(plan.name for plan in plans)
    built_in = _is_built_in(version, selection, names) and all(p.fallback is _ABSENT for p in plans)
    return Shape(version, selection, tuple(plans), built_in, tuple(generated))


def _is_built_in(version: int, selection: str, names: Sequence[str]) -> bool:
    return (
        version in BUILT_IN_FIELDS
        and selection == default_selection(version)
        and set(names) == set(BUILT_IN_FIELDS[version])
    )


def _media(spec: SpecDocument, version: int) -> MediaTypeSpec:
    operation = spec.operation(OPERATION_ID)
    response = operation.responses.get("200")
    media = None if response is None else response.content.get(normalise_media_type(media_type(version)))
    if media is None:
        raise SpecShapeError(f"{spec.source} declares no 200 answer in {media_type(version)}")
    return media


def item_schema(spec: SpecDocument, version: int) -> Mapping[str, Any]:
    """The schema of one item of `interactions` in version `version`'s 200 ({} when the spec gives none)."""
    schema = _media(spec, version).schema
    interactions = ((schema.get("properties") or {}).get("interactions") or {}) if isinstance(schema, Mapping) else {}
    items = interactions.get("items") if isinstance(interactions, Mapping) else None
    return _flattened(items) if isinstance(items, Mapping) else {}


def _flattened(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """An item written as `allOf` (a shared base and a version's additions) as one schema: the members'
    properties (later ones win) and required fields together."""
    members = schema.get("allOf")
    if not isinstance(members, list):
        return schema
    properties: dict[str, Any] = {}
    required: list[str] = []
    for member in [*(m for m in members if isinstance(m, Mapping)), {k: v for k, v in schema.items() if k != "allOf"}]:
        flat = _flattened(member)
        properties.update(flat.get("properties") or {})
        required += [name for name in flat.get("required") or () if name not in required]
    return {**{k: v for k, v in schema.items() if k != "allOf"}, "properties": properties, "required": required}


def _known_plan(name: str, schema: Mapping[str, Any], required: set[str]) -> FieldPlan:
    words, samples = _RENDERS[name]
    validator = _validator(schema)
    refused = [sample for sample in samples if not validator.is_valid(sample)]
    if refused:
        raise SpecShapeError(
            f"the spec says {_described(schema)}, but the mock renders {words} "
            f"({', '.join(json.dumps(s) for s in refused)} would not conform)"
        )
    if name == "direction" and name in required:
        # The data may not know an interaction's direction: the example, default or a generated one stands in.
        return FieldPlan(name, True, _fallback(name, schema, required=True)[0])
    return FieldPlan(name, True)


def _extra_plan(name: str, schema: Mapping[str, Any], required: bool) -> tuple[FieldPlan, bool]:
    fallback, generated = _fallback(name, schema, required=required)
    return FieldPlan(name, False, fallback), generated


def _fallback(name: str, schema: Mapping[str, Any], *, required: bool) -> tuple[Any, bool]:
    """The example, else the default, else (required) a value generated from the schema, else _ABSENT."""
    validator = _validator(schema)
    for key in ("example", "default"):
        if key in schema:
            value = schema[key]
            if not validator.is_valid(value):
                message = next(iter(validator.iter_errors(value))).message
                raise SpecShapeError(f"its {key} {json.dumps(value, default=str)} does not conform: {message}")
            return value, False
    if not required:
        return _ABSENT, False
    value = generate(schema, name)
    if value is _ABSENT or not validator.is_valid(value):
        raise SpecShapeError(
            f"it is required, and the mock cannot make a value of {_described(schema)} by itself: "
            "give it an example in the spec (or a value in the fixtures)"
        )
    return value, True


def generate(schema: Mapping[str, Any], name: str) -> Any:
    """A value of `schema`, the same on every run (a UUID is derived from the field's name), or _ABSENT."""
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return _ABSENT
        made = {
            "date-time": "2017-03-30T22:40:15Z",
            "date": "2017-03-30",
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"latest-interactions:{name}")),
            "email": "agent@example.invalid",
            "uri": "https://example.invalid/",
            "hostname": "example.invalid",
            "ipv4": "192.0.2.1",
        }.get(str(schema.get("format")), name)
        minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
        made = made.ljust(minimum, "x")
        return made if maximum is None or len(made) <= int(maximum) else made[: int(maximum)]
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        value = low + 1 if schema.get("exclusiveMinimum") else low
        if "maximum" in schema and value > schema["maximum"]:
            value = schema["maximum"]
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "array":
        items = schema.get("items") or {}
        one = generate(items, name) if isinstance(items, Mapping) else _ABSENT
        count = int(schema.get("minItems", 0))
        return _ABSENT if count and one is _ABSENT else [one] * count
    if kind == "object" or "properties" in schema:
        made_object = {}
        for key in schema.get("required") or ():
            value = generate((schema.get("properties") or {}).get(key) or {}, key)
            if value is _ABSENT:
                return _ABSENT
            made_object[key] = value
        return made_object
    return _ABSENT


def _described(schema: Mapping[str, Any]) -> str:
    words = [str(schema.get("type", "any type"))]
    if "format" in schema:
        words.append(f"format {schema['format']}")
    if "enum" in schema:
        words.append(f"enum {json.dumps(schema['enum'], default=str)}")
    if "pattern" in schema:
        words.append(f"pattern {schema['pattern']!r}")
    if schema.get("nullable"):
        words.append("nullable")
    return "type " + ", ".join(words)


@cache
def _validator_of(schema_text: str) -> OAS30Validator:
    return OAS30Validator(json.loads(schema_text), format_checker=oas30_format_checker)


def _validator(schema: Mapping[str, Any]) -> OAS30Validator:
    return _validator_of(json.dumps(schema, sort_keys=True, default=str))


# -- extra fields in the data --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraField:
    """A field the spec declares on an item that the mock does not know: fixtures and control changes may
    give it on an interaction or a channel, checked against every version's schema for it."""

    name: str
    schemas: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)

    def problem(self, value: Any) -> str | None:
        """Why `value` does not fit this field in some version, or None."""
        for version, schema in sorted(self.schemas.items()):
            validator = _validator(schema)
            if not validator.is_valid(value):
                message = next(iter(validator.iter_errors(value))).message
                return f"does not conform to the spec's schema for {self.name!r} in version {version}: {message}"
        return None


NO_EXTRA_FIELDS: Mapping[str, ExtraField] = MappingProxyType({})
"""A spec whose items declare only the fields the mock knows (the project's own)."""


def extra_values(
    raw: Mapping[str, Any], extras: Mapping[str, ExtraField]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The extra fields `raw` gives, and the problems of those that do not fit: (field, why)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, value in raw.items():
        extra = extras.get(str(name))
        if extra is None:
            continue
        problem = extra.problem(value)
        if problem is None:
            values[extra.name] = value
        else:
            problems.append((extra.name, problem))
    return values, problems


def extra_fields(spec: SpecDocument) -> dict[str, ExtraField]:
    """Every extra field some version's item declares, by name."""
    found: dict[str, dict[int, Mapping[str, Any]]] = {}
    for version in declared_versions(spec):
        for name, schema in (item_schema(spec, version).get("properties") or {}).items():
            if name not in KNOWN_FIELDS:
                found.setdefault(name, {})[version] = schema if isinstance(schema, Mapping) else {}
    return {name: ExtraField(name, schemas) for name, schemas in found.items()}
