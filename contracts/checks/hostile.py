"""CONTRACT.md, 'Errors' and 'Checks happen in this order', under hostile input: no 5xx for any
client input however malformed, and a bad token is a 401 whatever else is wrong.

Every input is sent twice: with the valid token (any answer below 500 conforms: a careful server may
answer 400 or 404 to a 10,000-character id, 200 or 400 to a malformed q-value) and with an unknown
token (a 401, since the token is checked first; for an input the HTTP layer itself may refuse before
any check runs, too long a URI or header, its 400, 413, 414 or 431 conforms too).
Bounded so that a default run stays fast; `--hostile` sends more and larger ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from contracts import expect
from contracts.checks.auth import unauthorized
from contracts.context import Context
from contracts.failures import Exchange, Violation
from contracts.open_points import reroutes
from contracts.registry import rule
from contracts.target import V1, V2, Target

UNKNOWN_TOKEN = "hostile-unknown-token-0f3a"
PROTOCOL_REFUSALS = (400, 413, 414, 431)
"""What an HTTP layer may answer before the application's checks run, to input too large for it."""
OVERSIZED = 8_000
"""Characters past which a common HTTP layer may refuse a request line or a header (nginx's 8k
buffers): below it, every input reaches the application and its check order."""


@dataclass(frozen=True)
class Hostile:
    name: str
    """What the input is, as a report names it."""
    path: tuple[str, str] | None = None
    """(account key, agent id) as sent: already percent-encoded, however oddly."""
    query: str = ""
    """The query string as sent."""
    accept: tuple[str, ...] = (V1,)
    """The Accept lines."""
    headers: tuple[tuple[str, str], ...] = ()
    authorizations: int = 1
    """How many Authorization lines carry the token."""
    oversized: bool = False
    """Large enough that an HTTP layer may refuse it before the application sees it."""
    reroutes: bool = False
    """Decoded, it is another path (an encoded slash, encoded dots): a server routing on the decoded
    path answers it 404 as a path it does not serve, before any check; its 401 conforms as well."""

    def url(self, target: Target) -> str:
        account, agent = self.path or (target.account, target.agents[0])
        query = f"?{self.query}" if self.query else ""
        return f"{target.base_url}/{account}/agents/{agent}/latestInteractions{query}"


def hostile_inputs(target: Target) -> Iterator[Hostile]:
    scale = 4 if target.hostile else 1
    account, agent = target.account, target.agents[0]
    odd_ids = {
        "a long agent id": "a" * (2_500 * scale),
        "a non-ASCII agent id": "%C3%A9quipe-%E2%98%83-%F0%9F%93%9E",
        "an agent id holding an encoded slash": "agent%2F7",
        "an agent id that is an encoded slash": "%2F",
        "an agent id holding NUL": "agent%00",
        "an agent id that is NUL": "%00",
        "an agent id that is a space": "%20",
        "an agent id that is encoded dots": "%2e%2e",
        "an agent id of invalid UTF-8": "%FF%FE",
        "an agent id of control characters": "%01%02%1B",
        "an agent id in another case": agent.swapcase().replace("/", "%2F"),
    }
    for name, odd in odd_ids.items():
        yield Hostile(name, path=(account, odd), oversized=len(odd) > OVERSIZED, reroutes=reroutes(unquote(odd)))
    odd_accounts = {
        "a long account key": "k" * (2_500 * scale),
        "a non-ASCII account key": "%C3%A9quipe",
        "an account key holding an encoded slash": f"{account}%2F",
        "an account key of invalid UTF-8": "%FF",
        "an account key in another case": account.swapcase(),
    }
    for name, odd in odd_accounts.items():
        yield Hostile(name, path=(odd, agent), oversized=len(odd) > OVERSIZED, reroutes=reroutes(unquote(odd)))
    yield Hostile("two Authorization headers", authorizations=2)
    accept = ", ".join(["text/html;q=0.1"] * (300 * scale)) + f", {V1}"
    yield Hostile("a long Accept header", accept=(accept,), oversized=len(accept) > OVERSIZED)
    padding = "p" * 6_000 * scale
    yield Hostile("a long extra header", headers=(("X-Padding", padding),), oversized=len(padding) > OVERSIZED)
    yield Hostile("twenty Accept headers", accept=tuple(["text/html"] * 19 + [V1]))
    for q in ("abc", "1.5", "-1", "", "0.0001", "1e0"):
        yield Hostile(f"a malformed q-value (q={q})", accept=(f"{V1};q={q}",))
    yield Hostile("an Accept with an unterminated quote", accept=('application/json;version="1',))
    yield Hostile("an Accept of punctuation only", accept=(";;,,/=;q=",))
    for query, name in [
        ("size=%FF%FE", "invalid UTF-8 in a parameter"),
        ("%FF=1", "invalid UTF-8 in a parameter name"),
        ("size=1e3", "an exponent for size"),
        ("size=" + "9" * 400, "a 400-digit size"),
        ("size=-0", "a negative zero size"),
        ("type=%00", "NUL as the type"),
        ("activeLiveFirst=%E2%9C%93", "a non-ASCII activeLiveFirst"),
        ("size=1&size=2&type=Chat&type=Phone", "repeated parameters"),
        ("=&&=1&size", "empty parameter names and values"),
        ("&".join(f"p{i}=1" for i in range(1_500 * scale)), "thousands of query parameters"),
    ]:
        yield Hostile(name, query=query, accept=(V2,), oversized=len(query) > OVERSIZED)


@rule(
    "hostile_input_is_answered_below_500",
    "Malformed ids, keys, headers, q-values and parameters: an answer below 500, never a dropped connection",
    "Errors",
)
def hostile_input_is_answered_below_500(context: Context) -> None:
    for hostile in hostile_inputs(context.target):
        answer = _send(context, hostile, context.target.token)
        if answer.status >= 500:
            raise Violation(f"an answer below 500 to {hostile.name}", answer.summary(), answer)


@rule(
    "a_bad_token_is_401_whatever_else_is_wrong",
    "An unknown token with malformed ids, headers or parameters: 401, the first of the checks",
    "Checks happen in this order",
)
def a_bad_token_is_401_whatever_else_is_wrong(context: Context) -> None:
    for hostile in hostile_inputs(context.target):
        answer = _send(context, hostile, UNKNOWN_TOKEN)
        if hostile.oversized and answer.status in PROTOCOL_REFUSALS:
            continue  # the HTTP layer refused it before any check ran
        if hostile.reroutes and answer.status == 404:
            expect.error(answer, 404, f"{hostile.name} is a path the server does not serve")
            continue
        # Several Authorization lines: whether a token "was sent" (error="invalid_token") is open.
        unauthorized(answer, f"an unknown token, with {hostile.name}", token_sent=hostile.authorizations == 1)


def _send(context: Context, hostile: Hostile, token: str) -> Exchange:
    headers = [("Authorization", f"Bearer {token}")] * (hostile.authorizations - 1)
    first, *more = hostile.accept
    headers += [("Accept", line) for line in more] + list(hostile.headers)
    return context.request(token=token, accept=first, extra_headers=headers, raw_url=hostile.url(context.target))
