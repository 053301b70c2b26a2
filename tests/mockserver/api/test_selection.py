"""Ordering rules as properties: the prepared answers agree with a literal reading of the contract."""

from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.api.answers import prepare_agent
from mockserver.api.selection import AgentChannel, agent_channels, latest_v1
from mockserver.model import Agent, Channel, Interaction

EPOCH = datetime(2017, 3, 30, tzinfo=UTC)

# Few distinct seconds and guids, so that ties are common.
moments = st.integers(min_value=0, max_value=6).map(lambda s: EPOCH + timedelta(seconds=s))
guids = st.integers(min_value=0, max_value=2**16).map(lambda n: str(uuid.UUID(int=n * 7919 % 2**128)))


@st.composite
def channels(draw: st.DrawFn) -> Channel:
    start = draw(moments)
    ended = draw(st.booleans())
    end = start + timedelta(seconds=draw(st.integers(0, 5))) if ended else None
    return Channel(draw(guids), start, end)


@st.composite
def agents(draw: st.DrawFn) -> Agent:
    interactions = draw(
        st.lists(
            st.builds(
                Interaction,
                guid=guids,
                type=st.sampled_from(["Phone", "Chat", "Email"]),
                direction=st.sampled_from([None, "Inbound", "Outbound", "Internal"]),
                channels=st.lists(channels(), min_size=1, max_size=3).map(tuple),
            ),
            max_size=6,
        )
    )
    # interaction guids and channelGuids are unique per agent, as the fixture loader insists
    seen: set[str] = set()
    seen_interactions: set[str] = set()
    unique = []
    for interaction in interactions:
        if interaction.guid in seen_interactions:
            continue
        kept = tuple(c for c in interaction.channels if not (c.channel_guid in seen or seen.add(c.channel_guid)))
        if kept:
            seen_interactions.add(interaction.guid)
            unique.append(Interaction(interaction.guid, interaction.type, interaction.direction, kept))
    return prepare_agent("a", unique)


def contract_v1_precedes(a: AgentChannel, b: AgentChannel) -> int:
    """The contract's v1 order written as a comparison, rule by rule."""
    if a.active != b.active:
        return -1 if a.active else 1
    if a.active and (a.type == "Phone") != (b.type == "Phone"):
        return -1 if a.type == "Phone" else 1
    changed_a = a.channel.end or a.channel.start
    changed_b = b.channel.end or b.channel.start
    if changed_a != changed_b:
        return -1 if changed_a > changed_b else 1
    return -1 if a.channel.channel_guid < b.channel.channel_guid else 1


def contract_v2(agent: Agent, type_: str, active_live_first: bool, size: int) -> list[str]:
    items = [i for i in agent_channels(agent) if type_ == "All" or i.type == type_]
    items.sort(key=lambda i: i.channel.channel_guid)
    items.sort(key=lambda i: i.channel.start, reverse=True)
    if active_live_first:
        items.sort(key=lambda i: not (i.active and i.type == "Phone"))
    return [i.channel.channel_guid for i in items[:size]]


@settings(max_examples=300)
@given(agents())
def test_v1_item_is_first_under_the_contract_order(agent: Agent) -> None:
    items = agent_channels(agent)
    expected = sorted(items, key=functools.cmp_to_key(contract_v1_precedes))
    chosen = latest_v1(items)
    if not items:
        assert chosen is None
    else:
        assert chosen == expected[0]


@settings(max_examples=300)
@given(agents(), st.sampled_from(["All", "Phone", "Chat", "Email"]), st.booleans(), st.integers(1, 100))
def test_v2_body_matches_the_contract(agent: Agent, type_: str, active_live_first: bool, size: int) -> None:
    body = json.loads(agent.answers.v2_body(type=type_, active_live_first=active_live_first, size=size))
    assert [i["channelGuid"] for i in body["interactions"]] == contract_v2(agent, type_, active_live_first, size)


@settings(max_examples=200)
@given(agents())
def test_v1_and_v2_agree(agent: Agent) -> None:
    prepared = agent.answers
    v1 = json.loads(prepared.v1_body)["interactions"]
    v2 = json.loads(prepared.v2_body(type="All", active_live_first=False, size=100))["interactions"]
    assert (v1 == []) == (v2 == [])
    if v1:
        (item,) = v1
        twins = [i for i in v2 if i["guid"] == item["guid"] and i["start"] == item["start"]]
        assert (
            any(i["duration"] is not None for i in twins)
            if item["hasEnded"]
            else any(i["duration"] is None for i in twins)
        )
        active = [i for i in v2 if i["duration"] is None]
        if active:
            assert not item["hasEnded"]
        if len(active) >= 2 and any(i["type"] == "Phone" for i in active):
            assert any(i["type"] == "Phone" and i["guid"] == item["guid"] for i in active)


def test_duration_is_the_floor_of_whole_seconds() -> None:
    start = EPOCH
    channel = Channel("c", start, start + timedelta(seconds=972, microseconds=999_999))
    item = AgentChannel(Interaction("g", "Phone", None, (channel,)), channel)
    assert item.duration == 972
