"""The control plane's OpenAPI document, as the tests check answers against it."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator

from mockserver.control.document import CONTROL_PLANE_DOCUMENT

DOCUMENT: dict[str, Any] = json.loads(CONTROL_PLANE_DOCUMENT)


def _resolve(node: Any) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = DOCUMENT
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    return node


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in DOCUMENT["paths"]:
        pattern = re.sub(r"\\\{(\w+)\\\}", "[^/]+", re.escape(template))
        if template.endswith("{token}"):
            pattern = pattern.removesuffix("[^/]+") + ".+"
        found.append((re.compile(f"^{pattern}$"), template))
    return found


def problems(method: str, path: str, status: int, body: bytes) -> list[str]:
    """What in an answer the document does not allow (empty: it conforms)."""
    template = next((t for pattern, t in _templates() if pattern.match(path)), None)
    operation = None if template is None else DOCUMENT["paths"][template].get(method.lower())
    if operation is None:
        # A path or a method the plane does not have: a 404 or a 405, with a message.
        expected = 404 if template is None else 405
        if status != expected:
            return [f"{method} {path} is not in the document, answered {status} (not {expected})"]
        return _refusal_problems(body)
    response = operation["responses"].get(str(status))
    if response is None:
        return [f"{method} {template} answered {status}, not documented ({', '.join(operation['responses'])})"]
    response = _resolve(response)
    schema = (response.get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return []
    try:
        value = json.loads(body)
    except ValueError:
        return [f"{method} {template} {status}: the body is not JSON"]
    return [error.message for error in OAS30Validator(schema).iter_errors(value)]


def _refusal_problems(body: bytes) -> list[str]:
    schema = DOCUMENT["components"]["schemas"]["Refusal"]
    try:
        value = json.loads(body)
    except ValueError:
        return ["the refusal's body is not JSON"]
    return [error.message for error in OAS30Validator(schema).iter_errors(value)]
