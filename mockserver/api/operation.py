"""The public operation: the contract's checks in order, then the answer.

state   = the one state the backend admitted the request against
401/403 = auth.authenticate, auth.authorize (and auth.require_scope, when the state requires one)
406     = negotiation.choose_version
400     = query rules, versions that list (2 and later) only
404     = the agent in that account
200     = bodies prepared once per state
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from mockserver.api.auth import authenticate, authorize, require_scope
from mockserver.api.negotiation import choose_version
from mockserver.api.query import QueryRules, V2Query
from mockserver.api.request import PublicRequest
from mockserver.api.shapes import Representations
from mockserver.errors import AgentNotFound, ApiError
from mockserver.model import Agent, State, Token
from mockserver.responses import Response

VARY = {"Vary": "Accept"}
ALLOWED_METHODS = ("GET", "HEAD")
"""The methods the operation answers (HEAD as GET without a body); any other is a 405 with Allow."""


@dataclass(frozen=True)
class LatestInteractions:
    state_source: Callable[[], State]
    """The state held now (the backend's), for a faulty server of the selftest that reads it itself."""
    versions: frozenset[int]
    rules: QueryRules
    representations: Representations = field(default=None)  # type: ignore[assignment]
    """How each version's answer is shaped (from the spec); by default versions 1 and 2 as built in."""

    def __post_init__(self) -> None:
        if self.representations is None:
            object.__setattr__(self, "representations", Representations.built_in(self.versions))

    def respond(self, state: State, request: PublicRequest) -> Response:
        try:
            return self._answer(state, request)
        except ApiError as error:
            return error.to_response(VARY)

    def _answer(self, state: State, request: PublicRequest) -> Response:
        assert request.account is not None and request.agent is not None
        token = self.authenticate(request.authorization, state)
        self.authorize(token, request.account)
        if state.required_scope is not None:  # none by default: no call on the request path
            require_scope(token, state.required_scope)
        version = self.negotiate(request.accept)
        listing = self.representations.lists(version)
        list_query = self.parse_query(parse_query(request.query_string)) if listing else None
        agent = self.find_agent(state, request.account, request.agent)
        return self.render(agent, version, list_query)

    # Each step is a method so that a deliberately faulty server (contracts.selftest) can
    # replace exactly one of them; the order above is the contract's.

    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        return authenticate(authorization, state)

    def authorize(self, token: Token, account_key: str) -> None:
        authorize(token, account_key)

    def negotiate(self, accept: Sequence[str]) -> int:
        return choose_version(accept, self.versions)

    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return self.rules.parse(query)

    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent = state.agent(account_key, agent_id)
        if agent is None:
            raise AgentNotFound()
        return agent

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        """`query` is None for a version with version 1's selection (the latest channel alone)."""
        shape = self.representations.shapes[version]
        return Response(200, {"Content-Type": shape.media_type, **VARY}, shape.body(agent, query))


def parse_query(raw: bytes) -> dict[str, list[str]]:
    return parse_qs(raw.decode("latin-1"), keep_blank_values=True) if raw else {}
