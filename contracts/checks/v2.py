"""CONTRACT.md, 'Version 2': filter, order, size, activeLiveFirst, durations, and invalid parameters."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from hypothesis import strategies as st

from contracts import expect
from contracts.checks.data import FULL, Item, items, v2_items
from contracts.context import Context
from contracts.failures import Exchange, NotExercised, Violation
from contracts.registry import requires_v2, rule
from contracts.strategies import INVALID_VALUES, TYPES, InvalidQuery, invalid_v2_queries, valid_v2_queries
from contracts.target import V2

SECTION = "Version 2"
TYPE_REQUIRED = "The InteractionType field is required."


def _guids(items: list[Item]) -> list[str]:
    return [i.channel_guid for i in items]


@rule(
    "v2_order_is_start_descending_then_channel_guid",
    "v2 items: channel start descending, ties by channelGuid ascending",
    SECTION,
)
@requires_v2
def v2_order(context: Context) -> None:
    for agent in context.target.agents:
        for type_ in TYPES:
            channels, exchange = v2_items(context, agent, type=type_)
            for before, after in zip(channels, channels[1:], strict=False):
                if before.start < after.start:
                    raise Violation(
                        f"{after.channel_guid} (start {after.raw.get('start')}) before {before.channel_guid} "
                        f"(start {before.raw.get('start')})",
                        "the opposite order",
                        exchange,
                    )
                if before.start == after.start and before.channel_guid.lower() > after.channel_guid.lower():
                    # The same second shown: a real tie broken the wrong way, or a server keeping
                    # fractions of seconds ordering by them. Only known data can tell.
                    context.doubt(
                        f"{before.channel_guid} before {after.channel_guid}, both shown starting at "
                        f"{before.raw.get('start')}: right only if the server keeps fractions of seconds "
                        "(--expect-state judges it exactly)"
                    )


@rule("v2_channel_guids_are_unique", "A channelGuid appears at most once in a response", SECTION)
@requires_v2
def v2_unique(context: Context) -> None:
    for agent in context.target.agents:
        channels, exchange = v2_items(context, agent)
        guids = _guids(channels)
        duplicated = sorted({g for g in guids if guids.count(g) > 1})
        if duplicated:
            raise Violation("each channelGuid once", f"repeated: {', '.join(duplicated)}", exchange)


@rule(
    "v2_type_filter_applies_before_size",
    "type=T answers exactly the T items of type=All, in the same order, cut to size",
    SECTION,
)
@requires_v2
def v2_type_filter(context: Context) -> None:
    for agent in context.target.agents:
        everything, _ = v2_items(context, agent)
        for type_ in ("Phone", "Chat", "Email"):
            for size in (1, 2, FULL):
                filtered, exchange = v2_items(context, agent, type=type_, size=str(size))
                expected = [i for i in everything if i.type == type_][:size]
                if len(everything) == FULL:  # All was cut: later T items may be missing from it
                    filtered_seen = filtered[: len(expected)]
                else:
                    filtered_seen = filtered
                if _guids(filtered_seen) != _guids(expected) or any(i.type != type_ for i in filtered):
                    raise Violation(
                        f"the {type_} channels of type=All, cut to {size}: {_guids(expected)}",
                        str(_guids(filtered)),
                        exchange,
                    )


@dataclass(frozen=True)
class SizeDraw:
    size: int
    type: str
    active_live_first: str


@rule("v2_size_cuts_a_prefix", "size=k answers at most k items, the first k of size=100", SECTION)
@requires_v2
def v2_size_prefix(context: Context) -> None:
    agent_lists: dict[tuple[str, str, str], list[str]] = {}

    def full(agent: str, type_: str, first: str) -> list[str]:
        key = (agent, type_, first)
        if key not in agent_lists:
            agent_lists[key] = _guids(v2_items(context, agent, type=type_, activeLiveFirst=first)[0])
        return agent_lists[key]

    draws = st.tuples(
        st.sampled_from(context.target.agents),
        st.builds(
            SizeDraw,
            size=st.integers(1, FULL),
            type=st.sampled_from(TYPES),
            active_live_first=st.sampled_from(["true", "false"]),
        ),
    )

    def check(drawn: tuple[str, SizeDraw]) -> None:
        agent, draw = drawn
        params = {"size": str(draw.size), "type": draw.type, "activeLiveFirst": draw.active_live_first}
        cut, exchange = v2_items(context, agent, **params)
        expected = full(agent, draw.type, draw.active_live_first)[: draw.size]
        if _guids(cut) != expected:
            raise Violation(f"the first {draw.size} items of size=100: {expected}", str(_guids(cut)), exchange)

    context.explore(draws, check)


@rule(
    "v2_defaults_are_size_1_all_not_live_first", "Without parameters: size=1, type=All, activeLiveFirst=false", SECTION
)
@requires_v2
def v2_defaults(context: Context) -> None:
    for agent in context.target.agents:
        plain = context.v2(agent)
        explicit = context.v2(agent, {"size": "1", "type": "All", "activeLiveFirst": "false"})
        if context.ok_items(plain, 2) != context.ok_items(explicit, 2):
            raise Violation(
                f"the answer of size=1&type=All&activeLiveFirst=false ({explicit.summary()})", plain.summary(), plain
            )


@rule(
    "v2_active_live_first_puts_active_phones_first",
    "activeLiveFirst=true: active Phone channels first, then the rest, each in v2 order",
    SECTION,
)
@requires_v2
def v2_active_live_first(context: Context) -> None:
    exercised = False
    for agent in context.target.agents:
        for type_ in ("All", "Phone"):
            plain, _ = v2_items(context, agent, type=type_)
            live_first, exchange = v2_items(context, agent, type=type_, activeLiveFirst="true")
            if any(i.active and i.type == "Phone" for i in plain):
                exercised = True
            live = [i for i in live_first if i.active and i.type == "Phone"]
            if _guids(live_first[: len(live)]) != _guids(live):
                raise Violation(
                    "active Phone channels before every other",
                    str([(i.type, i.duration) for i in live_first]),
                    exchange,
                )
            if len(plain) < FULL:
                expected = [i for i in plain if i.active and i.type == "Phone"] + [
                    i for i in plain if not (i.active and i.type == "Phone")
                ]
                if _guids(live_first) != _guids(expected):
                    raise Violation(f"{_guids(expected)}", str(_guids(live_first)), exchange)
    if not exercised:
        raise NotExercised("no agent has an active Phone channel")


@rule(
    "v2_ended_durations_do_not_change", "duration is fixed once a channel has ended and null while connected", SECTION
)
@requires_v2
def v2_durations_fixed(context: Context) -> None:
    # Compared with the earliest full list of the run; a wait only when the run has been too short
    # for a counting duration to move (never more than a second).
    earliest = {agent: _earliest_full_list(context, agent) for agent in context.target.agents}
    first_seen = min((e.at for e in earliest.values() if e is not None), default=time.time())
    time.sleep(max(0.0, min(1.0, first_seen + 1.05 - time.time())))
    for agent in context.target.agents:
        first = earliest[agent]
        before_items = items(context, first) if first is not None else v2_items(context, agent)[0]
        if first is None:
            time.sleep(1.05)
        later, exchange = v2_items(context, agent)
        before = {i.channel_guid: i.duration for i in before_items}
        for item in later:
            if item.duration is not None and before.get(item.channel_guid) not in (None, item.duration):
                raise Violation(
                    f"duration {before[item.channel_guid]} of channel {item.channel_guid}, as earlier",
                    str(item.duration),
                    exchange,
                )


def _earliest_full_list(context: Context, agent: str) -> Exchange | None:
    url = context.target.url(agent)
    for exchange in context.seen:
        if (
            exchange.url == url
            and exchange.status == 200
            and exchange.params == (("size", str(FULL)),)
            and dict(exchange.request_headers).get("Accept") == V2
            and dict(exchange.request_headers).get("Authorization") == f"Bearer {context.target.token}"
        ):
            return exchange
    return None


@rule(
    "v2_durations_fit_in_the_time_elapsed",
    "An ended channel's duration is at most the time elapsed since its start (whole seconds, not milliseconds)",
    SECTION,
)
@requires_v2
def v2_durations_fit_in_the_time_elapsed(context: Context) -> None:
    exercised = False
    for agent in context.target.agents:
        channels, exchange = v2_items(context, agent)
        now = max(exchange.at, _server_date(exchange)) + CLOCK_SLACK
        for item in channels:
            if item.duration is None:
                continue
            start = item.start.timestamp()
            if start > now:
                context.doubt(f"channel {item.channel_guid} starts after the judge's clock: the server's clock differs")
                continue
            exercised = True
            if start + item.duration > now:
                raise Violation(
                    f"channel {item.channel_guid} (start {item.raw.get('start')}) to have lasted at most the "
                    f"{int(now - start)} s elapsed since",
                    f"duration {item.duration}",
                    exchange,
                )
    if not exercised and not context.doubts:
        raise NotExercised("no agent has an ended channel")


CLOCK_SLACK = 5.0
"""Seconds of clock difference between judge and server tolerated before a duration is too long."""


def _server_date(exchange: Exchange) -> float:
    try:
        return parsedate_to_datetime(exchange.header("date") or "").timestamp()
    except (TypeError, ValueError):
        return 0.0


@rule(
    "v2_invalid_parameters_are_400_naming_them",
    "An invalid size, type or activeLiveFirst: 400 whose message names it",
    SECTION,
)
@requires_v2
def v2_invalid_parameters(context: Context) -> None:
    def check(query: InvalidQuery) -> None:
        answer = context.v2(context.target.agents[0], query.pairs)
        if query.parameter == "type" and query.value == "":
            expect.error(answer, 400, "type is given but empty", message=TYPE_REQUIRED)
            return
        message = expect.error(answer, 400, f"{query.parameter}={expect.shown(query.value)} is invalid")
        if query.parameter.lower() not in message.lower():
            raise Violation(f"a message naming {query.parameter}", expect.shown(message), answer)

    every_value_once = [InvalidQuery(name, value, ()) for name, values in INVALID_VALUES.items() for value in values]
    context.explore(invalid_v2_queries(), check, must_try=every_value_once)


@rule(
    "v2_empty_type_is_the_pages_400",
    'type given but empty: 400 {"message": "The InteractionType field is required."}',
    SECTION,
)
@requires_v2
def v2_empty_type(context: Context) -> None:
    expect.error(context.v2(context.target.agents[0], {"type": ""}), 400, "type is empty", message=TYPE_REQUIRED)


@rule(
    "v2_valid_parameters_are_accepted",
    "Valid size, type, activeLiveFirst (and unknown parameters): 200 with at most size items",
    SECTION,
)
@requires_v2
def v2_valid_parameters(context: Context) -> None:
    def check(query: list[tuple[str, str]]) -> None:
        answer = context.v2(context.target.agents[0], query)
        expect.version_served(answer, 2)
        size = int(dict(query).get("size", "1"))
        found = context.ok_items(answer, 2)
        if len(found) > size:
            raise Violation(f"at most {size} items", f"{len(found)} items", answer)
        wanted = dict(query).get("type", "All")
        if wanted != "All" and any(i.get("type") != wanted for i in found):
            raise Violation(f"only {wanted} items", str([i.get("type") for i in found]), answer)

    context.explore(valid_v2_queries(), check)
