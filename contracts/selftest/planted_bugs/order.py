"""Faults of the check order: a later check answered before an earlier one."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.selftest.planted_bugs.base import Asked, CheckedEarly, planted_bug
from mockserver.api.auth import parse_authorization
from mockserver.api.operation import LatestInteractions
from mockserver.errors import AgentNotFound, NotAcceptable
from mockserver.model import State


@planted_bug(
    "check order",
    "the agent is looked up before the account is authorized (404 leaks existence)",
    "foreign_token_is_403",
    "checks_run_in_contract_order",
)
class NotFoundBeforeForbidden(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authenticate(asked.authorization, state)
        if not any(asked.agent in account.agents for account in state.accounts.values()):
            raise AgentNotFound()


@planted_bug("check order", "query parameters are validated before the Accept header", "checks_run_in_contract_order")
class ValidationBeforeNegotiation(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authorize(self.authenticate(asked.authorization, state), asked.account)
        if 2 in self.versions:
            self.parse_query(asked.query)


@planted_bug(
    "check order",
    "the token's account is compared before its validity (an expired token of another account: 403)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class ForbiddenBeforeUnauthorized(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        presented = parse_authorization(asked.authorization[0]).bearer_token if asked.authorization else None
        known = state.tokens.get(presented) if presented is not None else None
        if known is not None and known.account != asked.account:
            self.authorize(known, asked.account)


@planted_bug(
    "check order",
    "Accept is checked before the token (no token and text/html: 406)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotAcceptableBeforeUnauthorized(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.negotiate(asked.accept)


@planted_bug(
    "check order",
    "v2 parameters are validated before the token (an unknown token and size=0: 400)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class BadParameterBeforeUnauthorized(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        if _negotiated(self, asked.accept) == 2:
            self.parse_query(asked.query)


@planted_bug(
    "check order",
    "the agent is looked up before the token (an unknown token and agent: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
    "checks_run_in_contract_order",
)
class NotFoundBeforeUnauthorized(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        if state.agent(asked.account, asked.agent) is None:
            raise AgentNotFound()


@planted_bug(
    "check order",
    "Accept is checked before the account (another account's token and text/html: 406)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotAcceptableBeforeForbidden(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authenticate(asked.authorization, state)
        self.negotiate(asked.accept)


@planted_bug(
    "check order",
    "v2 parameters are validated before the account (another account's token and size=0: 400)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class BadParameterBeforeForbidden(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authenticate(asked.authorization, state)
        if _negotiated(self, asked.accept) == 2:
            self.parse_query(asked.query)


@planted_bug(
    "check order",
    "the agent is looked up before Accept (an unknown agent and text/html: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
    "checks_run_in_contract_order",
)
class NotFoundBeforeNotAcceptable(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authorize(self.authenticate(asked.authorization, state), asked.account)
        self.find_agent(state, asked.account, asked.agent)


@planted_bug(
    "check order",
    "the agent is looked up before the v2 parameters (an unknown agent and size=0: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotFoundBeforeBadParameter(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authorize(self.authenticate(asked.authorization, state), asked.account)
        self.negotiate(asked.accept)
        self.find_agent(state, asked.account, asked.agent)


def _negotiated(endpoint: LatestInteractions, accept: Sequence[str]) -> int | None:
    try:
        return endpoint.negotiate(accept)
    except NotAcceptable:
        return None
