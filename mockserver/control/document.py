"""The control plane's OpenAPI document as served at /__admin/openapi.json: `control/openapi.yaml` with the
fixture and scenario documents' JSON Schemas (`fixtures/fixture.schema.json`, `fixtures/scenario.schema.json`)
embedded where it names them (`x-json-schema`), so a generated client types a state or a scenario exactly
as the mock checks it, and the two schemas keep one home each.

JSON Schema 2020-12 becomes OpenAPI 3.0's dialect on the way: `$defs` move to `components/schemas`
(prefixed by the document's name), `oneOf: [X, {type: null}]` becomes X written out in place with
`nullable` (and null in its enum), and a property's `true` becomes `{}`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from mockserver.resources import FIXTURE_SCHEMA, SCENARIO_SCHEMA

SOURCE = Path(__file__).parent / "openapi.yaml"
EMBEDDED = {"fixture.schema.json": ("Fixture", FIXTURE_SCHEMA), "scenario.schema.json": ("Scenario", SCENARIO_SCHEMA)}
_DROPPED = ("$schema", "$id", "$defs")


def served_document(*, token_required: bool = False) -> dict[str, Any]:
    """The document; `token_required` (the mock runs with an admin token) makes the admin token the one
    security requirement, so a fuzzer tries every operation without it too and expects the 401. Without
    a token, the plane is open and says so."""
    document: dict[str, Any] = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    document["security"] = [{"adminToken": []}] if token_required else [{}]
    schemas = document["components"]["schemas"]
    for name, schema in list(schemas.items()):
        embedded = schema.get("x-json-schema") if isinstance(schema, dict) else None
        if embedded is None:
            continue
        prefix, path = EMBEDDED[embedded]
        source = json.loads(path.read_text(encoding="utf-8"))
        defined = source.get("$defs", {})
        for key, definition in defined.items():
            schemas[f"{prefix}_{key}"] = _openapi(definition, prefix, defined)
        root = _openapi({k: v for k, v in source.items() if k not in _DROPPED}, prefix, defined)
        schemas[name] = {**root, "description": schema.get("description", root.get("description", ""))}
    return document


def _openapi(node: Any, prefix: str, defined: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_openapi(item, prefix, defined) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": str(node["$ref"]).replace("#/$defs/", f"#/components/schemas/{prefix}_")}
    choices = node.get("oneOf")
    if isinstance(choices, list) and {"type": "null"} in choices:
        # OpenAPI 3.0 validators apply `nullable` to a schema's own type only (not through allOf or a
        # $ref), so the one other choice is written out in place, nullable.
        (other,) = [choice for choice in choices if choice != {"type": "null"}]
        if "$ref" in other:
            other = defined[str(other["$ref"]).removeprefix("#/$defs/")]
        rest = {k: v for k, v in node.items() if k != "oneOf"}
        nullable = {**_openapi(rest, prefix, defined), **_openapi(other, prefix, defined), "nullable": True}
        if "enum" in nullable:  # an enum holds every value allowed, null too (OpenAPI 3.0.3, 4.7.25)
            nullable["enum"] = [*nullable["enum"], None]
        return nullable
    converted = {key: _openapi(value, prefix, defined) for key, value in node.items() if key not in _DROPPED}
    if isinstance(converted.get("properties"), dict):
        # JSON Schema's `true` (anything, declared elsewhere) has no OpenAPI 3.0 form but `{}`.
        converted["properties"] = {k: {} if v is True else v for k, v in converted["properties"].items()}
    if converted.get("type") == "null":
        raise ValueError("a schema of type null outside oneOf has no OpenAPI 3.0 form")
    return converted


CONTROL_PLANE_DOCUMENT = json.dumps(served_document()).encode()
"""Served at /__admin/openapi.json by a mock without an admin token (built once, at import)."""
GUARDED_CONTROL_PLANE_DOCUMENT = json.dumps(served_document(token_required=True)).encode()
"""Served by a mock with an admin token."""
