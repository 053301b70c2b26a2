"""Answers edited in place by a change equal answers rendered from scratch, after any sequence of changes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.api.answers import AgentAnswers
from mockserver.model import INTERACTION_TYPES, Agent, Channel, Interaction
from tests.mockserver.api.test_selection import EPOCH, agents

SELECTIONS = [(type_, first) for type_ in ("All", *INTERACTION_TYPES) for first in (False, True)]


def bodies(answers: AgentAnswers) -> list[bytes]:
    return [answers.v1_body] + [answers.v2_body(type=t, active_live_first=f, size=100) for t, f in SELECTIONS]


# A step: start a channel in a new interaction, add one to an existing interaction, or end an active one.
steps = st.lists(
    st.tuples(
        st.sampled_from(["start", "add", "end"]),
        st.integers(0, 50),
        st.sampled_from(INTERACTION_TYPES),
        st.integers(0, 8),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(agents(), steps)
def test_changes_in_place_equal_a_rebuild(agent: Agent, plan: list[tuple[str, int, str, int]]) -> None:
    interactions = list(agent.interactions)
    answers = AgentAnswers.build(interactions)
    for number, (kind, pick, type_, seconds) in enumerate(plan):
        at = EPOCH + timedelta(seconds=seconds)
        fresh = str(uuid.UUID(int=2**100 + number))
        if kind == "start" or (kind == "add" and not interactions):
            channel = Channel(fresh, at, None)
            started = Interaction(fresh, type_, None, (channel,))
            interactions.append(started)
            answers = answers.with_channel_started(started, channel, len(interactions) - 1)
        elif kind == "add":
            index = pick % len(interactions)
            channel = Channel(fresh, at, None)
            grown = replace(interactions[index], channels=(*interactions[index].channels, channel))
            interactions[index] = grown
            answers = answers.with_channel_started(grown, channel, index)
        else:
            active = [(i, c) for i, inter in enumerate(interactions) for c in inter.channels if c.end is None]
            if not active:
                continue
            index, channel = active[pick % len(active)]
            ended = replace(channel, end=max(at, channel.start))
            before = interactions[index]
            changed = replace(before, channels=tuple(ended if c is channel else c for c in before.channels))
            interactions[index] = changed
            answers = answers.with_channel_ended(changed, ended)
        rebuilt = AgentAnswers.build(interactions)
        assert bodies(answers) == bodies(rebuilt)
        assert (answers.interaction_at, answers.channel_at) == (rebuilt.interaction_at, rebuilt.channel_at)
    assert answers.latest_moment == AgentAnswers.build(interactions).latest_moment
