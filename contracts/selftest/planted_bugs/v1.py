"""Faults of version 1: which item, and how it is written."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from contracts.selftest.planted_bugs.base import Asked, CheckedEarly, V1Choice, planted_bug
from mockserver.api.operation import LatestInteractions
from mockserver.api.query import V2Query
from mockserver.api.representation import dumps
from mockserver.api.selection import AgentChannel, order_v2
from mockserver.errors import AgentNotFound
from mockserver.model import Agent, State
from mockserver.responses import Response


@planted_bug(
    "v1 choice",
    "an agent without interactions is answered 404",
    "valid_token_is_accepted",
    "v1_empty_exactly_when_v2_empty",
)
class IdleAgentNotFound(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent = super().find_agent(state, account_key, agent_id)
        if not agent.interactions:
            raise AgentNotFound()
        return agent


@planted_bug(
    "v1 choice",
    "v1 answers the most recently started channel, active or not",
    "v1_item_is_first_in_contract_order",
    "v1_is_active_when_v2_shows_an_active_channel",
    "v1_prefers_phone_among_active",
)
class V1LatestStartWins(V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        ordered = order_v2(channels)
        return ordered[0] if ordered else None


@planted_bug(
    "v1 choice",
    "v1 ignores the Phone priority among active channels",
    "v1_prefers_phone_among_active",
    "v1_item_is_first_in_contract_order",
)
class V1IgnoresPhonePriority(V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        return min(
            channels,
            key=lambda c: (not c.active, -c.state_changed_at.timestamp(), c.channel.channel_guid),
            default=None,
        )


@planted_bug("v1 choice", "v1 orders ended channels by start instead of end", "v1_item_is_first_in_contract_order")
class V1OrdersEndedByStart(V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        return min(
            channels,
            key=lambda c: (
                not c.active,
                c.active and c.type != "Phone",
                -c.channel.start.timestamp(),
                c.channel.channel_guid,
            ),
            default=None,
        )


@planted_bug("v1 choice", "v1 validates the version-2 parameters (400 for size=0)", "v1_ignores_v2_parameters")
class V1ValidatesV2Parameters(CheckedEarly):
    def early(self, state: State, asked: Asked) -> None:
        self.authorize(self.authenticate(asked.authorization, state), asked.account)
        self.negotiate(asked.accept)
        self.parse_query(asked.query)


class _V1Item(LatestInteractions):
    """A fault in v1's item: `reshape` changes the one item the contract's choice gives."""

    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        answer = super().render(agent, version, query)
        if version == 2:
            return answer
        body = json.loads(answer.body)
        body["interactions"] = [self.reshape(item) for item in body["interactions"]]
        return replace(answer, body=dumps(body))


@planted_bug("v1 choice", "v1's item carries a fourth key (type)", "v1_answers_one_item_of_three_keys")
class V1ItemExtraKey(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "type": "Phone"}


@planted_bug("v1 choice", "v1's hasEnded is inverted", "v1_item_appears_in_v2")
class V1HasEndedInverted(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "hasEnded": not item["hasEnded"]}


@planted_bug("v1 choice", "v1's start keeps milliseconds (2017-03-30T22:40:15.123Z)", "responses_match_the_spec")
class V1StartWithMilliseconds(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "start": item["start"].replace("Z", ".123Z")}


@planted_bug("v1 choice", "v1 answers an empty list when no channel is active", "v1_empty_exactly_when_v2_empty")
class V1EmptyWhenNothingActive(V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        active = [c for c in channels if c.active]
        return min(
            active,
            key=lambda c: (c.type != "Phone", -c.channel.start.timestamp(), c.channel.channel_guid),
            default=None,
        )


@planted_bug(
    "v1 choice",
    "v1 breaks ties of InteractionStateChangedAt by channelGuid descending",
    "known_data_v1_item_is_exact",
    known_data=True,
)
class V1TiesDescending(V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        ordered = sorted(channels, key=lambda c: c.channel.channel_guid, reverse=True)
        ordered.sort(key=lambda c: (not c.active, c.active and c.type != "Phone", -c.state_changed_at.timestamp()))
        return ordered[0] if ordered else None
