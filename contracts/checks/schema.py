"""Schemathesis's own checks of the spec (schema, status codes, content types, headers, negative data, auth).

Two pitfalls of generic runs are avoided: each version is run against a copy of the spec whose 200
holds only that version's media type (Schemathesis ignores media-type parameters when it picks a
schema), and requests carry the version's Accept header (its default `*/*` is rightly refused).
Negative data is only sent under version 2: version 1 must ignore the v2 parameters.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.context import Context
from contracts.failures import Exchange, Violation
from contracts.open_points import is_open_value
from contracts.registry import requires_v1, requires_v2, rule
from mockserver.spec import version_view

SECTION = "openapi.yaml (Schemathesis)"
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _run(context: Context, version: int, mode: GenerationMode, checks: list[Any]) -> None:
    schema = schemathesis.openapi.from_dict(version_view(context.target.spec, version))
    (path,) = schema.raw_schema["paths"]
    operation = schema[path]["GET"]
    target = context.target
    strategy = operation.as_strategy(
        generation_mode=mode,
        path_parameters={"accountKey": target.account, "agentId": target.agents[0]},
        headers={"Authorization": f"Bearer {target.token}", "Accept": f"application/json;version={version}"},
    )

    def check(case: Any) -> None:
        if mode is GenerationMode.NEGATIVE and any(
            is_open_value(name, str(value)) for name, value in (case.query or {}).items()
        ):
            return  # refusing or accepting it are both correct: nothing to judge
        context.requests += 1
        response = case.call(base_url=target.base_url, timeout=10)
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            failure = group.exceptions[0]
            exchange = Exchange(
                "GET",
                target.url(target.agents[0]),
                tuple((k, str(v)) for k, v in (case.query or {}).items()),
                tuple((k, str(v)) for k, v in response.request.headers.items()),
                response.status_code,
                {k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()},
                response.content,
            )
            raise Violation(f"[{failure.title}] {failure.message}", exchange.summary(), exchange) from None

    context.explore(strategy, check)


@rule(
    "schemathesis_v1_conformance",
    "Schemathesis: v1 answers conform to the spec (schema, status, content type, headers)",
    SECTION,
)
@requires_v1
def schemathesis_v1(context: Context) -> None:
    _run(context, 1, GenerationMode.POSITIVE, [*POSITIVE_CHECKS, ignored_auth])


@rule(
    "schemathesis_v2_conformance",
    "Schemathesis: v2 answers conform to the spec (schema, status, content type, headers)",
    SECTION,
)
@requires_v2
def schemathesis_v2(context: Context) -> None:
    _run(context, 2, GenerationMode.POSITIVE, [*POSITIVE_CHECKS, ignored_auth])


@rule("schemathesis_v2_negative_data_rejected", "Schemathesis: invalid v2 parameters are rejected with a 4xx", SECTION)
@requires_v2
def schemathesis_v2_negative(context: Context) -> None:
    _run(context, 2, GenerationMode.NEGATIVE, [not_a_server_error, negative_data_rejection])
