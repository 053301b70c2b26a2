"""Who is calling: the bearer token (401) and whether it opens the account asked for (403)."""

from __future__ import annotations

from collections.abc import Sequence

from mockserver.errors import Forbidden, Unauthorized
from mockserver.model import State, Token


def authenticate(authorization: Sequence[str], state: State) -> Token:
    if not authorization:
        raise Unauthorized(
            "The Authorization header is missing; send 'Authorization: Bearer <token>'.", token_sent=False
        )
    if len(authorization) > 1:
        raise Unauthorized("Send exactly one Authorization header.", token_sent=False)
    scheme, _, credentials = authorization[0].strip().partition(" ")
    token_value = credentials.strip()
    if scheme.lower() != "bearer" or not token_value:
        raise Unauthorized(
            "The Authorization header must be 'Bearer <token>'.",
            token_sent=False,
        )
    token = state.tokens.get(token_value)
    if token is None:
        raise Unauthorized("The bearer token is not valid.", token_sent=True)
    if token.expired_at(state.clock.now()):
        raise Unauthorized("The bearer token has expired.", token_sent=True)
    return token


def authorize(token: Token, account_key: str) -> None:
    if token.account != account_key:
        raise Forbidden(account_key)
