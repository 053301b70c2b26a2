"""CONTRACT.md, 'Endpoint' and 'Errors': unknown agents, other methods."""

from __future__ import annotations

from contracts import expect
from contracts.context import Context
from contracts.failures import Violation
from contracts.registry import rule
from contracts.strategies import unknown_ids
from contracts.target import V1, V2

NOT_FOUND = "The requested resource was not found."


@rule(
    "unknown_agent_is_404_with_the_pages_body",
    'Unknown agent: 404 {"message": "The requested resource was not found."}',
    "Checks happen in this order (404)",
)
def unknown_agent_is_404(context: Context) -> None:
    accept = V2 if context.target.serves_v2 else V1

    def check(agent: str) -> None:
        if agent in context.target.agents:
            return
        expect.error(context.request(agent, accept=accept), 404, "the agent is unknown", message=NOT_FOUND)

    context.explore(unknown_ids, check, examples=min(context.max_examples, 15))
    _agent_ids_compare_exactly(context, accept)


def _agent_ids_compare_exactly(context: Context, accept: str) -> None:
    """An agent id in another case names no agent, unless the server really has that agent too:
    an identical non-empty answer is taken as the same agent found by a sloppy comparison."""
    for agent in context.target.agents:
        for variant in {agent.upper(), agent.swapcase()} - {agent, *context.target.agents}:
            answer = context.request(variant, accept=accept)
            if answer.status == 404:
                continue
            original = context.request(agent, accept=accept)
            if (
                answer.status == 200
                and answer.body == original.body
                and context.ok_items(answer, 1 if accept == V1 else 2)
            ):
                raise Violation(
                    f"404 for {expect.shown(variant)}: ids compare exactly",
                    f"the answer of {expect.shown(agent)}",
                    answer,
                )


OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE")
"""Every method but GET and HEAD (which the contract allows), and one no standard names."""


@rule(
    "other_methods_are_405_with_allow",
    'Any other method on the path (OPTIONS and an unknown one too): 405 with Allow: GET and a {"message"} body',
    "Endpoint",
)
def other_methods_are_405(context: Context) -> None:
    for method in OTHER_METHODS:
        answer = context.request(context.target.agents[0], method=method)
        expect.error(answer, 405, f"{method} is not allowed")
        allowed = {m.strip().upper() for m in (answer.header("allow") or "").split(",")}
        if "GET" not in allowed or method in allowed:
            raise Violation("Allow: GET", expect.header_shown(answer, "Allow"), answer)
