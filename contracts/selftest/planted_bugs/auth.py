"""Faults of who may call: tokens, schemes, expiry, accounts (CONTRACT.md: check 1 and 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from contracts.selftest.planted_bugs.base import planted_bug, with_headers
from mockserver.api.auth import parse_authorization
from mockserver.api.operation import LatestInteractions
from mockserver.errors import ApiError, Unauthorized
from mockserver.model import Agent, State, Token
from mockserver.responses import Response


@planted_bug("auth", "expired tokens are still accepted", "expired_token_is_401_invalid_token")
class ExpiredTokenAccepted(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        far_future = replace(state, clock=_Frozen(datetime(1970, 1, 1, tzinfo=UTC)))
        return super().authenticate(authorization, far_future)


class _Frozen:
    def __init__(self, moment: datetime) -> None:
        self.frozen_at = moment

    def now(self) -> datetime:
        return self.frozen_at


@planted_bug(
    "auth", "a token of another account opens any account", "foreign_token_is_403", "checks_run_in_contract_order"
)
class ForeignTokenNotChecked(LatestInteractions):
    def authorize(self, token: Token, account_key: str) -> None:
        return None


@planted_bug(
    "headers", "401 answers carry no WWW-Authenticate", "missing_credentials_are_401", "responses_match_the_spec"
)
class NoWwwAuthenticate(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        return with_headers(super().respond(*args, **kwargs), lambda h: h.pop("WWW-Authenticate", None))


@planted_bug(
    "auth", 'an invalid token gets a challenge without error="invalid_token"', "unknown_token_is_401_invalid_token"
)
class InvalidTokenWithoutErrorCode(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            raise Unauthorized(error.message, token_sent=False) from None


@planted_bug("auth", "tokens are compared case-insensitively", "unknown_token_is_401_invalid_token")
class TokenCaseInsensitive(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        presented = parse_authorization(authorization[0]).bearer_token if authorization else None
        for known in state.tokens:
            if presented is not None and known.lower() == presented.lower():
                return super().authenticate([f"Bearer {known}"], state)
        return super().authenticate(authorization, state)


@planted_bug("auth", "account keys are compared case-insensitively", "account_keys_compare_exactly")
class AccountKeyCaseInsensitive(LatestInteractions):
    def authorize(self, token: Token, account_key: str) -> None:
        super().authorize(token, token.account if token.account.lower() == account_key.lower() else account_key)

    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        key = next((k for k in state.accounts if k.lower() == account_key.lower()), account_key)
        return super().find_agent(state, key, agent_id)


class _AcceptsShape(LatestInteractions):
    """A fault in reading Authorization: `token_of` finds a token where the contract sees none."""

    def token_of(self, header: str) -> str | None:
        raise NotImplementedError

    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        token = self.token_of(authorization[0]) if len(authorization) == 1 else None
        if token is not None and token in state.tokens:
            return super().authenticate([f"Bearer {token}"], state)
        return super().authenticate(authorization, state)


@planted_bug("auth", "a bare token without the Bearer scheme is accepted", "missing_credentials_are_401")
class BareTokenAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header.strip()


@planted_bug("auth", "any scheme is accepted with a valid token (Basic <token>)", "missing_credentials_are_401")
class AnySchemeAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header.partition(" ")[2].strip() or None


@planted_bug("auth", "'Bearer<token>' without the space is accepted", "missing_credentials_are_401")
class SchemeWithoutSpaceAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header[6:] if header.startswith("Bearer") and not header.startswith("Bearer ") else None


@planted_bug(
    "auth", "a token is matched by prefix (a truncated token opens the account)", "unknown_token_is_401_invalid_token"
)
class TokenPrefixAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        presented = header.partition(" ")[2].strip()
        known = self.state_source().tokens
        return next((t for t in known if presented and t.startswith(presented)), None)


@planted_bug("auth", "an expired token is answered 403 instead of 401", "expired_token_is_401_invalid_token")
class ExpiredTokenIs403(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            if "expired" in error.message:
                raise ApiError(403, "The bearer token has expired.") from None
            raise


@planted_bug("auth", "an unknown token is answered 403 instead of 401", "unknown_token_is_401_invalid_token")
class UnknownTokenIs403(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            if "not valid" in error.message:
                raise ApiError(403, "Access denied.") from None
            raise


@planted_bug("auth", "a request without credentials is challenged with Basic", "missing_credentials_are_401")
class BasicChallenge(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            raise ApiError(401, error.message, {"WWW-Authenticate": 'Basic realm="api"'}) from None
