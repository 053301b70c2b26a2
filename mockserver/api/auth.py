"""Who is calling: the bearer token (401) and whether it opens the account asked for (403).

`parse_authorization` is the one reader of an `Authorization` value; the journal and the control
plane's admin token use it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockserver.errors import Forbidden, InsufficientScope, Unauthorized
from mockserver.model import State, Token


@dataclass(frozen=True, slots=True)
class Credentials:
    scheme: str
    """As sent ('' for an empty header)."""
    bearer_token: str | None
    """The token of `Bearer <token>` (scheme in any case); None for another scheme or no token."""


def parse_authorization(value: str) -> Credentials:
    scheme, _, credentials = value.strip().partition(" ")
    token = credentials.strip()
    return Credentials(scheme, token if scheme.lower() == "bearer" and token else None)


def authenticate(authorization: Sequence[str], state: State) -> Token:
    if not authorization:
        raise Unauthorized(
            "The Authorization header is missing; send 'Authorization: Bearer <token>'.", token_sent=False
        )
    if len(authorization) > 1:
        raise Unauthorized("Send exactly one Authorization header.", token_sent=False)
    presented = parse_authorization(authorization[0]).bearer_token
    if presented is None:
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.", token_sent=False)
    token = state.tokens.get(presented)
    if token is None:
        raise Unauthorized("The bearer token is not valid.", token_sent=True)
    if token.expired_at(state.clock.now()):
        raise Unauthorized("The bearer token has expired.", token_sent=True)
    return token


def require_scope(token: Token, scope: str | None) -> None:
    """Step 2 too: a token the token endpoint issued without the scope the operation requires (a
    setting of the state; none by default, as the page names none) is a 403 insufficient_scope."""
    if scope is not None and not token.has_scope(scope):
        raise InsufficientScope(scope)


def authorize(token: Token, account_key: str) -> None:
    if token.account != account_key:
        raise Forbidden(account_key)
