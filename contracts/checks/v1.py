"""CONTRACT.md, 'Version 1': one item, the first of the agent's channels under v1's order."""

from __future__ import annotations

from contracts import expect
from contracts.checks.data import Item, v1_item, v2_items
from contracts.context import Context
from contracts.failures import Violation
from contracts.registry import requires_v1, requires_v2, rule
from contracts.strategies import any_v2_values
from contracts.target import V1

SECTION = "Version 1"


@rule("v1_answers_one_item_of_three_keys", "v1 answers 0 or 1 item {start, guid, hasEnded}", SECTION)
@requires_v1
def v1_answers_one_item(context: Context) -> None:
    for agent in context.target.agents:
        item, exchange = v1_item(context, agent)
        if item is not None and set(item) != {"start", "guid", "hasEnded"}:
            raise Violation("an item with exactly start, guid, hasEnded", expect.shown(item), exchange)


@rule("v1_ignores_v2_parameters", "size, type and activeLiveFirst are ignored under v1, whatever their value", SECTION)
@requires_v1
def v1_ignores_v2_parameters(context: Context) -> None:
    agent = context.target.agents[0]
    plain, _ = v1_item(context, agent)

    def check(query: list[tuple[str, str]]) -> None:
        answer = context.request(agent, accept=V1, params=query)
        found = context.ok_items(answer, 1)
        if found != ([] if plain is None else [plain]):
            raise Violation(f"the same answer as without parameters ({plain})", answer.summary(), answer)

    context.explore(any_v2_values, check)


@rule(
    "v1_item_is_first_in_contract_order",
    "v1's item: active before ended, active Phone first, then InteractionStateChangedAt descending, then channelGuid",
    SECTION,
)
@requires_v2
@requires_v1
def v1_item_is_first_in_contract_order(context: Context) -> None:
    for agent in context.target.agents:
        chosen, v1_exchange = v1_item(context, agent)
        channels, v2_exchange = v2_items(context, agent)
        if chosen is None or not channels:
            continue
        matches = [
            c
            for c in channels
            if c.guid == chosen.get("guid")
            and c.raw.get("start") == chosen.get("start")
            and c.active != chosen.get("hasEnded")
        ]
        if not matches:
            continue  # v1_item_appears_in_v2 reports this
        best_class = min(c.v1_class for c in channels)
        candidates = [c for c in matches if c.v1_class == best_class]
        if not candidates:
            winner = next(c for c in channels if c.v1_class == best_class)
            raise Violation(
                f"the {_describe(best_class)} channel {winner.channel_guid} (guid {winner.guid})",
                expect.shown(chosen),
                v1_exchange,
            )
        rivals = [c for c in channels if c.v1_class == best_class]
        verdicts = [_judged_against(candidate, rivals) for candidate in candidates]
        impossible = [v for v in verdicts if isinstance(v, Violation)]
        if len(impossible) == len(verdicts):
            raise Violation(impossible[0].expected, f"{chosen} (v2 items: {v2_exchange.full_url})", v1_exchange)
        doubts = [v for v in verdicts if isinstance(v, str)]
        if None not in verdicts and doubts:
            context.doubt(doubts[0])


def _judged_against(candidate: Item, rivals: list[Item]) -> Violation | str | None:
    """Can `candidate` be first among `rivals` of its class? None: yes. A Violation: on no correct
    server. A doubt (str): only if the server keeps fractions of seconds the API does not show."""
    for rival in rivals:
        if rival.changed_low >= candidate.changed_high:
            return Violation(f"channel {rival.channel_guid} (guid {rival.guid}), whose state changed later", "")
    for rival in rivals:
        later = rival.changed_shown > candidate.changed_shown
        tie_lost = rival.changed_shown == candidate.changed_shown and rival.channel_guid < candidate.channel_guid
        if later or tie_lost:
            return (
                f"v1 chose channel {candidate.channel_guid} over {rival.channel_guid}, whose state changed "
                f"{'later' if later else 'in the same second with a lower channelGuid'} as shown; right only if "
                "the server keeps fractions of seconds (--expect-state judges it exactly)"
            )
    return None


def _describe(v1_class: tuple[bool, bool]) -> str:
    return {(False, False): "active Phone", (False, True): "active", (True, False): "ended"}[v1_class]
