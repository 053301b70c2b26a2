"""CONTRACT.md, check 1 and 2: who may call (401, 403)."""

from __future__ import annotations

import re

from contracts import expect
from contracts.context import Context
from contracts.failures import Exchange, Violation
from contracts.registry import requires_expired_token, requires_foreign_token, rule
from contracts.strategies import credential_free_authorizations, unknown_tokens

SECTION = "Checks happen in this order (401, 403)"


# RFC 9110: an auth-param value is a token or a quoted-string, and other params (realm) may come first.
_INVALID_TOKEN = re.compile(r'(^|[\s,])error\s*=\s*("invalid_token"|invalid_token)(\s*,|\s*$)', re.IGNORECASE)


def unauthorized(answer: Exchange, why: str, *, token_sent: bool) -> None:
    """401 {"message"} with WWW-Authenticate: Bearer, and error="invalid_token" when a token was sent."""
    expect.error(answer, 401, why)
    challenge = (answer.header("www-authenticate") or "").strip()
    wanted = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    bearer = challenge.lower().startswith("bearer") and challenge[6:7] in ("", " ")
    if not bearer or (token_sent and not _INVALID_TOKEN.search(challenge[6:])):
        raise Violation(f"WWW-Authenticate: {wanted}", expect.header_shown(answer, "WWW-Authenticate"), answer)


@rule(
    "missing_credentials_are_401",
    "No Authorization, or not 'Bearer <token>': 401 with WWW-Authenticate: Bearer",
    SECTION,
)
def missing_credentials_are_401(context: Context) -> None:
    unauthorized(context.v1(context.target.agents[0], token=None), "no Authorization header", token_sent=False)

    def check(authorization: str) -> None:
        answer = context.v1(context.target.agents[0], authorization=authorization)
        unauthorized(answer, f"{expect.shown(authorization)} is not 'Bearer <token>'", token_sent=False)

    # The valid token itself in every shape that is not 'Bearer <token>'. Whether a server answers
    # these with error="invalid_token" or none is its choice; the scheme's case is RFC 9110's
    # (case-insensitive) or the contract's literal 'Bearer', so 'bearer <token>' is not judged.
    token = context.target.token
    shapes = [token, f"Basic {token}", f"Token {token}", f"Bearer{token}", "Bearer", f"{token} Bearer"]
    context.explore(credential_free_authorizations, check, examples=10, must_try=shapes)


@rule(
    "a_token_outside_authorization_is_no_credential",
    "A valid token in the query, a cookie or another header, with no Authorization: 401",
    SECTION,
)
def a_token_outside_authorization_is_no_credential(context: Context) -> None:
    agent, token = context.target.agents[0], context.target.token
    for params, headers, where in [
        ([("access_token", token)], [], "?access_token="),
        ([("token", token)], [], "?token="),
        ([], [("Cookie", f"access_token={token}")], "a cookie"),
        ([], [("X-Api-Key", token)], "X-Api-Key"),
        ([], [("X-Auth-Token", token)], "X-Auth-Token"),
        ([], [("Proxy-Authorization", f"Bearer {token}")], "Proxy-Authorization"),
    ]:
        answer = context.v1(agent, token=None, params=params, extra_headers=headers)
        unauthorized(answer, f"the token in {where} with no Authorization header", token_sent=False)


@rule(
    "unknown_token_is_401_invalid_token",
    'An unknown token: 401 with WWW-Authenticate: Bearer error="invalid_token"',
    SECTION,
)
def unknown_token_is_401(context: Context) -> None:
    def check(token: str) -> None:
        unauthorized(context.v1(context.target.agents[0], token=token), "the token is unknown", token_sent=True)

    near_misses = _near_misses(
        context.target.token, exclude={context.target.foreign_token, context.target.expired_token}
    )
    context.explore(unknown_tokens, check, examples=min(context.max_examples, 20), must_try=near_misses)


def _near_misses(token: str, exclude: set[str | None]) -> list[str]:
    """Tokens a sloppy comparison would take for the valid one: case, prefix, extension."""
    candidates = [token.upper(), token.lower(), token.swapcase(), token[:-1], token + "x", "x" + token]
    return [c for c in dict.fromkeys(candidates) if c and c != token and c not in exclude]


@rule("expired_token_is_401_invalid_token", 'An expired token: 401 with error="invalid_token"', SECTION)
@requires_expired_token
def expired_token_is_401(context: Context) -> None:
    for agent in context.target.agents:
        unauthorized(context.v1(agent, token=context.target.expired_token), "the token has expired", token_sent=True)


@rule(
    "account_keys_compare_exactly",
    "The token's account key in another case (or with a suffix) is another account: 403",
    SECTION,
)
def account_keys_compare_exactly(context: Context) -> None:
    key = context.target.account
    variants = [v for v in dict.fromkeys([key.upper(), key.lower(), key.swapcase(), key + "x"]) if v != key]
    for variant in variants:
        expect.error(
            context.v1(context.target.agents[0], account=variant),
            403,
            f"{expect.shown(variant)} is not {expect.shown(key)}",
        )


@rule("foreign_token_is_403", "A valid token of another account: 403, whatever the agent", SECTION)
@requires_foreign_token
def foreign_token_is_403(context: Context) -> None:
    for agent in [*context.target.agents, "no-such-agent-zz"]:
        expect.error(context.v1(agent, token=context.target.foreign_token), 403, "the token belongs to another account")


@rule("valid_token_is_accepted", "The valid token opens the account: 200 for each agent", SECTION)
def valid_token_is_accepted(context: Context) -> None:
    for agent in context.target.agents:
        expect.version_served(context.request(agent), context.target.first_version)
