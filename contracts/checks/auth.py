"""CONTRACT.md, check 1 and 2: who may call (401, 403)."""

from __future__ import annotations

from contracts.checks import expect
from contracts.context import Context
from contracts.failures import Violation
from contracts.registry import requires_expired_token, requires_foreign_token, rule
from contracts.strategies import credential_free_authorizations, unknown_tokens

SECTION = "Checks happen in this order (401, 403)"


def _challenge(context: Context, exchange_header: str | None, *, token_sent: bool) -> bool:
    value = (exchange_header or "").strip()
    if not value.lower().startswith("bearer"):
        return False
    return 'error="invalid_token"' in value if token_sent else True


@rule(
    "missing_credentials_are_401",
    "No Authorization, or not 'Bearer <token>': 401 with WWW-Authenticate: Bearer",
    SECTION,
)
def missing_credentials_are_401(context: Context) -> None:
    exchange = context.v1(context.target.agents[0], token=None)
    expect.error(exchange, 401, "no Authorization header")
    if not _challenge(context, exchange.header("www-authenticate"), token_sent=False):
        raise Violation(
            "WWW-Authenticate: Bearer",
            exchange.summary() + f" WWW-Authenticate={exchange.header('www-authenticate')!r}",
            exchange,
        )

    def check(authorization: str) -> None:
        answer = context.v1(context.target.agents[0], authorization=authorization)
        expect.error(answer, 401, "the Authorization header is not 'Bearer <token>'")
        if not _challenge(context, answer.header("www-authenticate"), token_sent=False):
            raise Violation(
                "WWW-Authenticate: Bearer", f"WWW-Authenticate={answer.header('www-authenticate')!r}", answer
            )

    context.explore(credential_free_authorizations, check, examples=10)


@rule(
    "unknown_token_is_401_invalid_token",
    'An unknown token: 401 with WWW-Authenticate: Bearer error="invalid_token"',
    SECTION,
)
def unknown_token_is_401(context: Context) -> None:
    def check(token: str) -> None:
        answer = context.v1(context.target.agents[0], token=token)
        expect.error(answer, 401, "the token is unknown")
        if not _challenge(context, answer.header("www-authenticate"), token_sent=True):
            raise Violation(
                'WWW-Authenticate: Bearer error="invalid_token"',
                f"WWW-Authenticate={answer.header('www-authenticate')!r}",
                answer,
            )

    context.explore(unknown_tokens, check, examples=min(context.max_examples, 20))


@rule("expired_token_is_401_invalid_token", 'An expired token: 401 with error="invalid_token"', SECTION)
@requires_expired_token
def expired_token_is_401(context: Context) -> None:
    for agent in context.target.agents:
        answer = context.v1(agent, token=context.target.expired_token)
        expect.error(answer, 401, "the token has expired")
        if not _challenge(context, answer.header("www-authenticate"), token_sent=True):
            raise Violation(
                'WWW-Authenticate: Bearer error="invalid_token"',
                f"WWW-Authenticate={answer.header('www-authenticate')!r}",
                answer,
            )


@rule("foreign_token_is_403", "A valid token of another account: 403, whatever the agent", SECTION)
@requires_foreign_token
def foreign_token_is_403(context: Context) -> None:
    for agent in [*context.target.agents, "no-such-agent-zz"]:
        expect.error(context.v1(agent, token=context.target.foreign_token), 403, "the token belongs to another account")


@rule("valid_token_is_accepted", "The valid token opens the account: 200 for each agent", SECTION)
def valid_token_is_accepted(context: Context) -> None:
    for agent in context.target.agents:
        expect.version_served(context.v1(agent), 1)
