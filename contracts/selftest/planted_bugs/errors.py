"""Faults of error answers: bodies, messages, and 5xx on client input."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from contracts.selftest.planted_bugs.base import planted_bug, with_headers
from mockserver.api.operation import LatestInteractions
from mockserver.api.query import V2Query
from mockserver.api.representation import dumps
from mockserver.errors import AgentNotFound, ApiError
from mockserver.model import Agent, State
from mockserver.responses import Response


@planted_bug("errors", "agent ids are compared case-insensitively", "unknown_agent_is_404_with_the_pages_body")
class AgentIdCaseInsensitive(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        account = state.accounts.get(account_key)
        known = next((a for a in (account.agents if account else {}) if a.lower() == agent_id.lower()), agent_id)
        return super().find_agent(state, account_key, known)


@planted_bug(
    "error bodies",
    "an empty type gets a generic message instead of the page's",
    "v2_empty_type_is_the_pages_400",
    "v2_invalid_parameters_are_400_naming_them",
)
class V2EmptyTypeOtherMessage(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        if query.get("type") == [""]:
            raise ApiError(400, "Invalid query parameter 'type': must not be empty.")
        return super().parse_query(query)


@planted_bug(
    "error bodies",
    "errors are application/problem+json",
    "error_bodies_are_json_messages",
    "missing_credentials_are_401",
    "responses_match_the_spec",
)
class ProblemJsonErrors(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status < 400:
            return answer
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Error",
                "status": answer.status,
                "detail": json.loads(answer.body)["message"],
            }
        ).encode()
        return replace(
            with_headers(answer, lambda h: h.update({"Content-Type": "application/problem+json"})), body=body
        )


@planted_bug(
    "error bodies",
    "an unknown agent's 404 has another message",
    "unknown_agent_is_404_with_the_pages_body",
    "responses_match_the_spec",
)
class NotFoundMessageDiffers(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent = state.agent(account_key, agent_id)
        if agent is None:
            raise ApiError(404, f"Agent {agent_id} not found.")
        return agent


@planted_bug(
    "errors",
    "a non-numeric size crashes the server (500)",
    "no_server_errors",
    "v2_invalid_parameters_are_400_naming_them",
)
class ServerErrorOnNonNumericSize(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        int((query.get("size") or ["1"])[0])  # the unhandled ValueError becomes the framework's 500
        return super().parse_query(query)


@planted_bug(
    "error bodies",
    "the 404 body is plain text",
    "unknown_agent_is_404_with_the_pages_body",
    "error_bodies_are_json_messages",
)
class NotFoundPlainText(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status != 404:
            return answer
        return Response(404, {"Content-Type": "text/plain", "Vary": "Accept"}, b"Not Found")


@planted_bug("error bodies", "the 404 body has a second key (code)", "unknown_agent_is_404_with_the_pages_body")
class NotFoundBodyExtraKey(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status != 404:
            return answer
        return replace(answer, body=dumps({"message": AgentNotFound.MESSAGE, "code": 404}))


@planted_bug(
    "error bodies", "a 401 has an empty message", "missing_credentials_are_401", "error_bodies_are_json_messages"
)
class EmptyUnauthorizedMessage(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        return replace(answer, body=b'{"message":""}') if answer.status == 401 else answer
