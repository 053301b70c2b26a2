"""Does a response say only what openapi.yaml allows? Status, exact media type, headers, body schema.

Generic tools ignore media-type parameters when they pick the response schema, so a correct
version-2 answer gets checked against version 1. Here the schema is chosen by the full media type
the response declares (`application/json;version=2`), compared as the contract says: type and
parameter names case-insensitive, spaces around `;` ignored, quoted values unquoted.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from openapi_schema_validator import OAS30Validator

from contracts.json_body import NOT_JSON, parse_json
from mockserver.spec import OPERATION_ID, ResponseSpec, SpecDocument, normalise_media_type

__all__ = ["SpecResponses", "normalise_media_type"]

REMEMBERED_VERDICTS = 1024


@dataclass(frozen=True)
class SpecResponses:
    """The response definitions of the operation, read from the one spec model (mockserver.spec)."""

    spec: SpecDocument
    operation_id: str = OPERATION_ID

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

    @cached_property
    def _verdicts(self) -> OrderedDict[tuple[int, str, bytes], tuple[str, ...]]:
        return OrderedDict()

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
        return [*found, *self._body_problems(status, media_type, body)]

    def _body_problems(self, status: int, media_type: str, body: bytes) -> tuple[str, ...]:
        """Remembered for the last bodies seen: validating one is most of judging an answer, and live
        traffic sends the same answer to many requests (benchmarks/proxy_judging.py)."""
        key = (status, media_type, body)
        known = self._verdicts.get(key)
        if known is not None:
            self._verdicts.move_to_end(key)
            return known
        payload = parse_json(body)
        if payload is NOT_JSON:
            verdict: tuple[str, ...] = (f"{status}: body is not JSON: {body[:80]!r}",)
        else:
            errors = sorted(
                self._validator(status, media_type).iter_errors(payload), key=lambda e: list(e.absolute_path)
            )
            verdict = tuple(
                f"{status} {media_type}: {_where(error.absolute_path)}: {error.message}" for error in errors
            )
        self._verdicts[key] = verdict
        if len(self._verdicts) > REMEMBERED_VERDICTS:
            self._verdicts.popitem(last=False)
        return verdict


def _where(path: Iterable[object]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "(body)"


def _search(pattern: str, value: str) -> bool:
    flags = 0
    if pattern.startswith("(?i)"):
        pattern, flags = pattern[4:], re.IGNORECASE
    return re.search(pattern, value, flags) is not None
