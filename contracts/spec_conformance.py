"""Does a response say only what openapi.yaml allows? Status, exact media type, headers, body schema.

Generic tools ignore media-type parameters when they pick the response schema, so a correct
version-2 answer gets checked against version 1. Here the schema is chosen by the full media type
the response declares (`application/json;version=2`), compared as the contract says: type and
parameter names case-insensitive, spaces around `;` ignored, quoted values unquoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from mockserver.resources import SPEC_PATH


def normalise_media_type(value: str, *, drop: tuple[str, ...] = ()) -> str:
    """'Application/JSON; Version="2"' -> 'application/json;version=2'; parameters in `drop` left out."""
    pieces = [piece.strip() for piece in value.split(";")]
    params = []
    for piece in pieces[1:]:
        if not piece:
            continue
        name, _, raw = piece.partition("=")
        if name.strip().lower() in drop:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        params.append(f"{name.strip().lower()}={raw}")
    return ";".join([pieces[0].lower(), *params])


@dataclass(frozen=True)
class SpecResponses:
    """The response definitions of the one operation of a spec document."""

    document: dict[str, Any]
    path_template: str
    method: str = "get"

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> SpecResponses:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        (path_template,) = document["paths"]
        return cls(document, path_template)

    @cached_property
    def responses(self) -> dict[str, Any]:
        operation = self.document["paths"][self.path_template][self.method]
        return {status: self._resolve(response) for status, response in operation["responses"].items()}

    def media_types(self, status: int) -> dict[str, dict[str, Any]]:
        """Declared media types of a status, keyed by normalised media type, each with its resolved schema."""
        response = self.responses.get(str(status), {})
        return {
            normalise_media_type(name): self._inline(content.get("schema", {}))
            for name, content in response.get("content", {}).items()
        }

    def problems(self, status: int, headers: Mapping[str, str], body: bytes, *, method: str = "GET") -> list[str]:
        """Every way this response departs from the spec; empty when it conforms."""
        response = self.responses.get(str(status))
        if response is None:
            return [f"status {status} is not documented (documented: {', '.join(sorted(self.responses))})"]
        found: list[str] = []
        lowered = {name.lower(): value for name, value in headers.items()}
        for name, header in response.get("headers", {}).items():
            header = self._resolve(header)
            value = lowered.get(name.lower())
            if value is None:
                if header.get("required"):
                    found.append(f"{status}: required header {name} is missing")
                continue
            pattern = header.get("schema", {}).get("pattern")
            if pattern and not _search(pattern, value):
                found.append(f"{status}: header {name}: {value!r} does not match {pattern!r}")
        declared = self.media_types(status)
        if not declared:
            return found
        content_type = lowered.get("content-type")
        if content_type is None:
            return [*found, f"{status}: no Content-Type (documented: {', '.join(declared)})"]
        media_type = normalise_media_type(content_type)
        if media_type not in declared:
            without_charset = ";".join(p for p in media_type.split(";") if not p.startswith("charset="))
            if without_charset not in declared:
                return [
                    *found,
                    f"{status}: Content-Type {content_type!r} is not documented (documented: {', '.join(declared)})",
                ]
            media_type = without_charset
        if method == "HEAD":
            return found
        try:
            payload = json.loads(body)
        except ValueError:
            return [*found, f"{status}: body is not JSON: {body[:80]!r}"]
        validator = OAS30Validator(declared[media_type])
        for error in sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path)):
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(body)"
            found.append(f"{status} {media_type}: {where}: {error.message}")
        return found

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _inline(self, node: Any) -> Any:
        if isinstance(node, dict):
            node = self._resolve(node)
            return {key: self._inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self._inline(item) for item in node]
        return node


def _search(pattern: str, value: str) -> bool:
    flags = 0
    if pattern.startswith("(?i)"):
        pattern, flags = pattern[4:], re.IGNORECASE
    return re.search(pattern, value, flags) is not None
