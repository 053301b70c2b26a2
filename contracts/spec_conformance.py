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

from openapi_schema_validator import OAS30Validator

from mockserver.resources import SPEC_PATH
from mockserver.spec import OPERATION_ID, ResponseSpec, SpecDocument, load_document, normalise_media_type

__all__ = ["SpecResponses", "normalise_media_type"]


@dataclass(frozen=True)
class SpecResponses:
    """The response definitions of the operation, read from the one spec model (mockserver.spec)."""

    spec: SpecDocument
    operation_id: str = OPERATION_ID

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> SpecResponses:
        return cls(load_document(path))

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    @property
    def path_template(self) -> str:
        return self.spec.operation(self.operation_id).path

    @cached_property
    def responses(self) -> dict[str, ResponseSpec]:
        return self.spec.operation(self.operation_id).responses

    def media_types(self, status: int) -> dict[str, dict[str, Any]]:
        """Declared media types of a status, keyed by normalised media type, each with its resolved schema."""
        response = self.responses.get(str(status))
        return {} if response is None else {name: media.schema for name, media in response.content.items()}

    @cached_property
    def _validators(self) -> dict[tuple[int, str], OAS30Validator]:
        return {}

    def _validator(self, status: int, media_type: str) -> OAS30Validator:
        """Built once per status and media type: building one costs more than validating a body."""
        key = (status, media_type)
        if key not in self._validators:
            self._validators[key] = OAS30Validator(self.media_types(status)[media_type])
        return self._validators[key]

    def problems(self, status: int, headers: Mapping[str, str], body: bytes, *, method: str = "GET") -> list[str]:
        """Every way this response departs from the spec; empty when it conforms."""
        response = self.responses.get(str(status))
        if response is None:
            return [f"status {status} is not documented (documented: {', '.join(sorted(self.responses))})"]
        found: list[str] = []
        lowered = {name.lower(): value for name, value in headers.items()}
        for key, header in response.headers.items():
            value = lowered.get(key)
            if value is None:
                if header.required:
                    found.append(f"{status}: required header {header.name} is missing")
                continue
            pattern = header.schema.get("pattern")
            if pattern and not _search(pattern, value):
                found.append(f"{status}: header {header.name}: {value!r} does not match {pattern!r}")
        declared = self.media_types(status)
        if not declared:
            return found
        content_type = lowered.get("content-type")
        if content_type is None:
            return [*found, f"{status}: no Content-Type (documented: {', '.join(declared)})"]
        media_type = normalise_media_type(content_type)
        if media_type not in declared:
            without_charset = normalise_media_type(content_type, drop=("charset",))
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
        validator = self._validator(status, media_type)
        for error in sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path)):
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(body)"
            found.append(f"{status} {media_type}: {where}: {error.message}")
        return found


def _search(pattern: str, value: str) -> bool:
    flags = 0
    if pattern.startswith("(?i)"):
        pattern, flags = pattern[4:], re.IGNORECASE
    return re.search(pattern, value, flags) is not None
