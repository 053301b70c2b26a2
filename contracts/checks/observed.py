"""Rules judged on every answer of the run: no 5xx, nothing the spec forbids, errors as {"message"}.

They run last, over all the exchanges the other rules made.
"""

from __future__ import annotations

from contracts.checks import expect
from contracts.context import Context
from contracts.failures import NotExercised, Violation
from contracts.registry import rule
from contracts.spec_conformance import SpecResponses

SPEC = SpecResponses.load()


def _seen(context: Context) -> None:
    if not context.seen:
        raise NotExercised("no request was made")


@rule("no_server_errors", "No 5xx and no dropped connection, for any input", "Errors")
def no_server_errors(context: Context) -> None:
    _seen(context)
    for exchange in context.seen:
        if exchange.error or exchange.status >= 500:
            raise Violation("an answer below 500", exchange.summary(), exchange)


@rule(
    "responses_match_the_spec",
    "Every answer has a documented status, media type, headers and body schema",
    "openapi.yaml",
)
def responses_match_the_spec(context: Context) -> None:
    _seen(context)
    for exchange in context.seen:
        if exchange.error:
            continue
        problems = SPEC.problems(
            exchange.status,
            exchange.headers,
            exchange.body,
            method=exchange.method if exchange.method == "HEAD" else "GET",
        )
        if problems:
            raise Violation("an answer the spec allows", "; ".join(problems), exchange)


@rule(
    "error_bodies_are_json_messages",
    'Every error body is {"message": "..."} with Content-Type: application/json',
    "Errors",
)
def error_bodies_are_json_messages(context: Context) -> None:
    _seen(context)
    for exchange in context.seen:
        if 400 <= exchange.status < 500:
            expect.error(exchange, exchange.status)
