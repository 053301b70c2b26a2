"""Known-data mode (`--expect-state`): every answer compared with what CONTRACT.md implies for the data.

The plain rules judge properties that hold whatever the data; these judge the exact answers, so
they also settle what no outside view can: tie-breaks of items shown with the same second, and
durations rounded instead of floored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts import expect
from contracts.checks.auth import unauthorized
from contracts.context import Context
from contracts.failures import NotExercised, Violation
from contracts.oracle import KnownData
from contracts.registry import requires_known_data, requires_v1, requires_v2, rule
from contracts.strategies import TYPES

SECTION = "Known data (--expect-state)"
SIZES = (1, 2, 3, 100)


V1_BUDGET = 500
"""Agents whose v1 item and durations are compared (the document's first ones, in its order)."""
V2_BUDGET = 40
"""Agents whose every v2 list (4 types x 2 x 4 sizes: 32 requests each) is compared."""
TOKEN_BUDGET = 100
"""Tokens of the document that are each tried on their account."""


@dataclass(frozen=True)
class Visit:
    account: str
    agent: str
    token: str
    """A token that opens the account: the one given for it, else one the document holds."""


def _known(context: Context) -> KnownData:
    known = context.target.known_data
    assert known is not None  # requires_known_data
    return known


def _visits(context: Context, known: KnownData, budget: int) -> list[Visit]:
    """Every agent of the document, not only the --agent ids, each with a token of its account;
    an account no valid token of the run or the document opens is left out (said when nothing is left)."""
    visits = []
    for account in known.accounts():
        token = context.target.token if account == context.target.account else known.valid_token(account)
        if token is None:
            continue
        visits += [Visit(account, agent, token) for agent in known.agents_of(account)]
    if not visits:
        raise NotExercised(f"no account of {known.source} is opened by --token or a valid token it holds")
    return visits[:budget]


@rule("known_data_v1_item_is_exact", "v1 answers exactly the item the contract's order picks from the data", SECTION)
@requires_known_data
@requires_v1
def known_data_v1_item_is_exact(context: Context) -> None:
    known = _known(context)
    for visit in _visits(context, known, V1_BUDGET):
        answer = context.v1(visit.agent, account=visit.account, token=visit.token)
        received = _normalised(context.ok_items(answer, 1))
        expected = known.v1_items(visit.account, visit.agent)
        if received != expected:
            raise Violation(str(expected), str(received), answer)


@rule(
    "known_data_v2_lists_are_exact",
    "v2 answers exactly the channels, order and fields the contract implies, for every type, size, activeLiveFirst",
    SECTION,
)
@requires_known_data
@requires_v2
def known_data_v2_lists_are_exact(context: Context) -> None:
    known = _known(context)
    for visit in _visits(context, known, V2_BUDGET):
        for type_ in TYPES:
            for first in (False, True):
                for size in SIZES:
                    params = {"size": str(size), "type": type_, "activeLiveFirst": str(first).lower()}
                    answer = context.v2(visit.agent, params, account=visit.account, token=visit.token)
                    received = _normalised(context.ok_items(answer, 2))
                    expected = known.v2_items(
                        visit.account, visit.agent, type=type_, active_live_first=first, size=size
                    )
                    _compare_lists(expected, received, answer)


@rule(
    "known_data_durations_are_floored",
    "Each ended channel's duration is floor(end - start) in seconds; null while connected",
    SECTION,
)
@requires_known_data
@requires_v2
def known_data_durations_are_floored(context: Context) -> None:
    known = _known(context)
    for visit in _visits(context, known, V1_BUDGET):
        answer = context.v2(visit.agent, {"size": "100"}, account=visit.account, token=visit.token)
        expected = {
            item["channelGuid"]: item["duration"] for item in known.v2_items(visit.account, visit.agent, size=100)
        }
        for item in _normalised(context.ok_items(answer, 2)):
            guid = item.get("channelGuid")
            if guid in expected and item.get("duration") != expected[guid]:
                raise Violation(
                    f"duration {expected[guid]} for channel {guid}",
                    f"duration {expect.shown(item.get('duration'))}",
                    answer,
                )


def _compare_lists(expected: list[dict[str, Any]], received: list[dict[str, Any]], answer: Any) -> None:
    expected_guids = [i["channelGuid"] for i in expected]
    received_guids = [i.get("channelGuid") for i in received]
    if received_guids != expected_guids:
        raise Violation(f"channels {expected_guids}", str(received_guids), answer)
    for wanted, got in zip(expected, received, strict=True):
        # direction may be absent (the page calls it nice to have); present, it must be right.
        comparable = {k: v for k, v in got.items() if not (k == "direction" and "direction" not in wanted)}
        if "direction" in wanted and "direction" not in got:
            comparable["direction"] = wanted["direction"]
        if comparable != wanted:
            raise Violation(str(wanted), str(got), answer)


def _normalised(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """UUIDs compare case-insensitively (RFC 9562); nothing else is normalised."""
    return [
        {k: v.lower() if k in ("guid", "channelGuid") and isinstance(v, str) else v for k, v in item.items()}
        for item in items
    ]


@rule(
    "known_data_tokens_open_their_account_only",
    "Every token of the document: a valid one opens its account (200) and no other (403), an expired one is a 401",
    SECTION,
)
@requires_known_data
def known_data_tokens_open_their_account_only(context: Context) -> None:
    known = _known(context)
    at = known.moment()
    judged = 0
    for token in known.tokens[:TOKEN_BUDGET]:
        own = known.agents_of(token.account)
        others = [a for a in known.accounts() if a != token.account and known.agents_of(a)]
        if not token.valid_at(at):
            if own:
                answer = context.request(own[0], account=token.account, token=token.token)
                unauthorized(answer, "the token has expired", token_sent=True)
                judged += 1
            continue
        if own:
            answer = context.request(own[0], account=token.account, token=token.token)
            expect.status(answer, 200, "the token opens its account")
            judged += 1
        if others:
            foreign = context.request(known.agents_of(others[0])[0], account=others[0], token=token.token)
            expect.error(foreign, 403, f"the token belongs to account {expect.shown(token.account)}")
            judged += 1
    if not judged:
        raise NotExercised(f"{known.source} holds no token of an account with agents")
