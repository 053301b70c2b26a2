"""CONTRACT.md, 'Cross-version invariants': v1 and v2 tell the same story of the same agent."""

from __future__ import annotations

from typing import Any

from contracts import expect
from contracts.checks.data import FULL, Item, v1_item, v2_items
from contracts.context import Context
from contracts.failures import NotExercised, Violation
from contracts.registry import requires_v1, requires_v2, rule

SECTION = "Cross-version invariants"


@rule(
    "v1_item_appears_in_v2",
    "v1's item is in v2 (size=100) with the same guid and start; hasEnded == (duration is not null)",
    SECTION,
)
@requires_v2
@requires_v1
def v1_item_appears_in_v2(context: Context) -> None:
    for agent in context.target.agents:
        chosen, exchange = v1_item(context, agent)
        channels, _ = v2_items(context, agent)
        if chosen is None:
            continue
        same = [c for c in channels if c.guid == chosen.get("guid") and c.raw.get("start") == chosen.get("start")]
        if not same and _beyond_the_first_hundred(channels, chosen):
            continue
        if not any(c.active != chosen.get("hasEnded") for c in same):
            shown = [(c.guid, c.raw.get("start"), c.duration) for c in same] or "no item with that guid and start"
            raise Violation(
                f"a v2 item with guid {chosen.get('guid')}, start {chosen.get('start')} and a matching duration",
                f"{chosen}; v2: {shown}",
                exchange,
            )


def _beyond_the_first_hundred(channels: list[Item], chosen: dict[str, Any]) -> bool:
    """v2 shows at most 100 channels, the latest started; an older v1 item cannot be seen there.

    CONTRACT.md says v1's item appears in v2 at size=100; for an agent with more than 100
    channels that cannot hold when v1's item started before the 100th, so it is not judged.
    """
    return len(channels) == FULL and str(chosen.get("start", "")) < str(channels[-1].raw.get("start", ""))


@rule("v1_is_active_when_v2_shows_an_active_channel", "If v2 shows an active channel, v1's item is active", SECTION)
@requires_v2
@requires_v1
def v1_active_when_any_active(context: Context) -> None:
    for agent in context.target.agents:
        chosen, exchange = v1_item(context, agent)
        channels, _ = v2_items(context, agent)
        active = [c for c in channels if c.active]
        if active and (chosen is None or chosen.get("hasEnded") is not False):
            raise Violation(f"an active item (v2 shows {len(active)} active channels)", expect.shown(chosen), exchange)


@rule(
    "v1_prefers_phone_among_active",
    "If v2 shows two or more active channels, one a Phone, v1's item is a Phone channel",
    SECTION,
)
@requires_v2
@requires_v1
def v1_prefers_phone(context: Context) -> None:
    exercised = False
    for agent in context.target.agents:
        channels, _ = v2_items(context, agent)
        active = [c for c in channels if c.active]
        if len(active) < 2 or not any(c.type == "Phone" for c in active):
            continue
        exercised = True
        chosen, exchange = v1_item(context, agent)
        phones = [
            c
            for c in active
            if c.type == "Phone"
            and chosen
            and c.guid == chosen.get("guid")
            and c.raw.get("start") == chosen.get("start")
        ]
        if not phones and not (chosen and _beyond_the_first_hundred(channels, chosen)):
            raise Violation("the active Phone channel", expect.shown(chosen), exchange)
    if not exercised:
        raise NotExercised("no agent has two or more active channels one of which is Phone")


@rule("v1_empty_exactly_when_v2_empty", "v1 answers an empty list exactly when v2 does", SECTION)
@requires_v2
@requires_v1
def v1_empty_iff_v2_empty(context: Context) -> None:
    for agent in context.target.agents:
        chosen, exchange = v1_item(context, agent)
        channels, _ = v2_items(context, agent)
        if (chosen is None) != (not channels):
            raise Violation(
                f"{'an empty' if not channels else 'a non-empty'} list, as v2 answers", expect.shown(chosen), exchange
            )
