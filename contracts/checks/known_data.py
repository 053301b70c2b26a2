"""Known-data mode (`--expect-state`): every answer compared with what CONTRACT.md implies for the data.

The plain rules judge properties that hold whatever the data; these judge the exact answers, so
they also settle what no outside view can: tie-breaks of items shown with the same second, and
durations rounded instead of floored.
"""

from __future__ import annotations

from typing import Any

from contracts import expect
from contracts.context import Context
from contracts.failures import NotExercised, Violation
from contracts.oracle import KnownData
from contracts.registry import requires_known_data, requires_v2, rule
from contracts.strategies import TYPES

SECTION = "Known data (--expect-state)"
SIZES = (1, 2, 3, 100)


def _known(context: Context) -> KnownData:
    known = context.target.known_data
    assert known is not None  # requires_known_data
    missing = [a for a in context.target.agents if known.channels(context.target.account, a) is None]
    if len(missing) == len(context.target.agents):
        raise NotExercised(f"no --agent is in account {expect.shown(context.target.account)} of {known.source}")
    return known


def _agents(context: Context, known: KnownData) -> list[str]:
    return [a for a in context.target.agents if known.channels(context.target.account, a) is not None]


@rule("known_data_v1_item_is_exact", "v1 answers exactly the item the contract's order picks from the data", SECTION)
@requires_known_data
def known_data_v1_item_is_exact(context: Context) -> None:
    known = _known(context)
    for agent in _agents(context, known):
        answer = context.v1(agent)
        received = _normalised(context.ok_items(answer, 1))
        expected = known.v1_items(context.target.account, agent)
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
    for agent in _agents(context, known):
        for type_ in TYPES:
            for first in (False, True):
                for size in SIZES:
                    params = {"size": str(size), "type": type_, "activeLiveFirst": str(first).lower()}
                    answer = context.v2(agent, params)
                    received = _normalised(context.ok_items(answer, 2))
                    expected = known.v2_items(
                        context.target.account, agent, type=type_, active_live_first=first, size=size
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
    for agent in _agents(context, known):
        answer = context.v2(agent, {"size": "100"})
        expected = {
            item["channelGuid"]: item["duration"] for item in known.v2_items(context.target.account, agent, size=100)
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
