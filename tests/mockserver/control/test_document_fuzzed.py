"""Schemathesis against a throwaway mock, from the control plane's document, positive and negative
data: no 5xx, and no answer off the document (status, content type, schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread
from tests.control_plane_document import DOCUMENT

SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = [
    (path, method.upper())
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in ("get", "put", "post", "delete")
]
NEGATABLE = {
    (path, method)
    for path, method in OPERATIONS
    if "requestBody" in DOCUMENT["paths"][path][method.lower()]
    or any(p.get("in") == "query" for p in DOCUMENT["paths"][path][method.lower()].get("parameters", []))
}
"""Operations with a body or query parameters to make invalid (the others have nothing to negate)."""
CASES = [(path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS] + [
    (path, method, GenerationMode.NEGATIVE) for path, method in OPERATIONS if (path, method) in NEGATABLE
]


@pytest.fixture(scope="module")
def throwaway() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings())) as running:
        yield running


@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=[f"{m} {p} {g.value}" for p, m, g in CASES])
def test_fuzzed(throwaway: RunningMock, path: str, method: str, mode: GenerationMode) -> None:
    operation = SCHEMA[path][method]

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=throwaway.url, timeout=10)
        # Negative data is refused with a 4xx the document lists; every answer must be on the document.
        case.validate_response(response, checks=CHECKS)

    run()
