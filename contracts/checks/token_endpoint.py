"""CONTRACT.md, 'Getting a token': the token endpoint the judge fetched its token from (`--token-url`),
judged where it can be without breaking anything (one more grant, one refused)."""

from __future__ import annotations

import httpx

from contracts.context import Context
from contracts.failures import Violation
from contracts.registry import precondition, rule

SECTION = "Getting a token"
requires_token_url = precondition(
    lambda c: None if c.target.token_url and c.target.grant else "no --token-url and --client-id given"
)


@rule(
    "token_endpoint_answers_a_bearer_token",
    'A grant answers {"access_token", "token_type": "bearer", "expires_in"} with Cache-Control: no-store',
    SECTION,
)
@requires_token_url
def token_endpoint_answers_a_bearer_token(context: Context) -> None:
    grant = context.target.grant
    assert grant is not None
    body = grant.body if isinstance(grant.body, dict) else {}
    token_type, expires_in = body.get("token_type"), body.get("expires_in")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":  # RFC 6749 7.1: case-insensitive
        raise Violation('"token_type": "bearer"', f"token_type {token_type!r}")
    if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
        raise Violation('"expires_in": a positive whole number of seconds', f"expires_in {expires_in!r}")
    directives = [d.strip().lower() for d in grant.headers.get("cache-control", "").split(",")]
    if "no-store" not in directives:
        raise Violation(
            "Cache-Control: no-store (RFC 6749 5.1)", f"Cache-Control {grant.headers.get('cache-control')!r}"
        )


@rule(
    "token_endpoint_refuses_a_wrong_secret",
    "A client with a wrong secret is refused invalid_client (401, or 400 without HTTP Basic: RFC 6749 5.2)",
    SECTION,
)
@requires_token_url
def token_endpoint_refuses_a_wrong_secret(context: Context) -> None:
    url = context.target.token_url
    assert url is not None
    form = {"grant_type": "client_credentials", "client_id": "latest-interactions-judge", "client_secret": "wrong"}
    context.requests += 1
    try:
        answer = context.client.post(url, data=form)
    except httpx.HTTPError as failure:
        raise Violation("an answer from the token endpoint", type(failure).__name__) from None
    try:
        body = answer.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if answer.status_code not in (400, 401) or error != "invalid_client":
        raise Violation('401 (or 400) {"error": "invalid_client"}', f"{answer.status_code} {answer.text[:200]}")
