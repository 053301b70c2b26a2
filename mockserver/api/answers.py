"""An agent's answers, rendered when the agent changes, so a request only picks and joins bytes.

Every channel is rendered once, into lists kept in version-2 order (all of them, each type's, the
active phones'). A request costs a slice and a join, whatever the length of the agent's history.
A control change that starts or ends one channel edits those lists where the channel sits
(a binary search and a copy of pointers) instead of sorting and rendering the history again.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from mockserver.api.representation import dumps, v1_item, v2_item_json
from mockserver.api.selection import AgentChannel, V2Listing, latest_v1, order_v2, v1_order_key, v2_order_key
from mockserver.model import Agent, Channel, Interaction

_OPEN = b'{"interactions":['
_CLOSE = b"]}"
_KEY = attrgetter("key")


@dataclass(frozen=True, slots=True)
class RenderedItem:
    key: tuple[float, str]
    """The channel's place in version-2 order."""
    type: str
    is_active_phone: bool
    body: bytes

    @classmethod
    def of(cls, item: AgentChannel) -> RenderedItem:
        return cls(v2_order_key(item), item.type, item.is_active_phone, v2_item_json(item))


class AgentAnswers:
    """Immutable: the `with_...` methods return a new one and leave this one to requests in flight."""

    __slots__ = (
        "_listing",
        "_active",
        "_latest_ended",
        "v1_body",
        "latest_channel_guid",
        "latest_moment",
        "interaction_at",
        "channel_at",
        "shaped",
    )

    def __init__(
        self,
        listing: V2Listing[RenderedItem],
        active: tuple[AgentChannel, ...],
        latest_ended: AgentChannel | None,
        latest_moment: datetime | None,
        interaction_at: dict[str, int],
        channel_at: dict[str, tuple[int, int]],
    ) -> None:
        self._listing = listing
        self._active, self._latest_ended = active, latest_ended
        self.latest_moment = latest_moment
        self.interaction_at = interaction_at
        """Where each interaction sits in the agent's tuple, by guid: a change finds it at once."""
        self.channel_at = channel_at
        """Where each channel sits, by channelGuid: (interaction index, position in its channels)."""
        latest = min(active, key=v1_order_key) if active else latest_ended
        self.v1_body = dumps({"interactions": [] if latest is None else [v1_item(latest)]})
        self.latest_channel_guid = None if latest is None else latest.channel.channel_guid
        """The channel version 1 answers (for representations the spec shapes otherwise)."""
        self.shaped: dict[int, tuple[object, dict[str, bytes]]] = {}
        """Items rendered for a representation the spec shapes otherwise, by id of its shape (kept with
        the shape, so that a reused id is not mistaken for it): filled as requests ask, and dropped
        with these answers when the agent changes."""

    @classmethod
    def build(cls, interactions: Sequence[Interaction]) -> AgentAnswers:
        channels = [AgentChannel(i, c) for i in interactions for c in i.channels]
        ordered = [RenderedItem.of(item) for item in order_v2(channels)]
        moments = [moment for item in channels for moment in (item.channel.start, item.channel.end) if moment]
        return cls(
            V2Listing.of(ordered),
            tuple(item for item in channels if item.active),
            latest_v1(item for item in channels if not item.active),
            max(moments, default=None),
            {interaction.guid: index for index, interaction in enumerate(interactions)},
            {
                channel.channel_guid: (index, position)
                for index, interaction in enumerate(interactions)
                for position, channel in enumerate(interaction.channels)
            },
        )

    def with_channel_started(self, interaction: Interaction, channel: Channel, index: int) -> AgentAnswers:
        """`channel` is new and active, the last of `interaction`, which sits at `index` (a new
        interaction: the agent's last)."""
        started = AgentChannel(interaction, channel)
        rendered = RenderedItem.of(started)
        listing = self._listing
        return AgentAnswers(
            V2Listing(
                _inserted(listing.all, rendered),
                {**listing.by_type, started.type: _inserted(listing.by_type[started.type], rendered)},
                _inserted(listing.active_phones, rendered) if rendered.is_active_phone else listing.active_phones,
            ),
            (*self._active, started),
            self._latest_ended,
            _later(self.latest_moment, channel.start),
            self.interaction_at
            if interaction.guid in self.interaction_at
            else {**self.interaction_at, interaction.guid: index},
            {**self.channel_at, channel.channel_guid: (index, len(interaction.channels) - 1)},
        )

    def with_channel_ended(self, interaction: Interaction, channel: Channel) -> AgentAnswers:
        """`channel` is the ended version of an active channel; `interaction` already holds it."""
        ended = AgentChannel(interaction, channel)
        rendered = RenderedItem.of(ended)
        assert channel.end is not None
        latest_ended = ended if self._latest_ended is None else min(self._latest_ended, ended, key=v1_order_key)
        listing = self._listing
        return AgentAnswers(
            V2Listing(
                _replaced(listing.all, rendered),
                {**listing.by_type, ended.type: _replaced(listing.by_type[ended.type], rendered)},
                [item for item in listing.active_phones if item.key != rendered.key],
            ),
            tuple(item for item in self._active if item.channel.channel_guid != channel.channel_guid),
            latest_ended,
            _later(self.latest_moment, channel.end),
            self.interaction_at,
            self.channel_at,
        )

    def v2_body(self, *, type: str, active_live_first: bool, size: int) -> bytes:
        chosen = self._listing.select(type=type, active_live_first=active_live_first, size=size)
        return _OPEN + b",".join([item.body for item in chosen]) + _CLOSE

    def v2_channel_guids(self, *, type: str, active_live_first: bool, size: int) -> list[str]:
        """The channels a version-2 answer lists, in its order (for representations the spec shapes otherwise)."""
        chosen = self._listing.select(type=type, active_live_first=active_live_first, size=size)
        return [item.key[1] for item in chosen]


def answers_of(agent: Agent) -> AgentAnswers:
    """The agent's rendered answers, typed (the model keeps them opaque)."""
    answers: AgentAnswers = agent.answers
    return answers


def prepare_agent(agent_id: str, interactions: Sequence[Interaction]) -> Agent:
    interactions = tuple(interactions)
    return Agent(agent_id, interactions, AgentAnswers.build(interactions))


def _inserted(items: Sequence[RenderedItem], item: RenderedItem) -> list[RenderedItem]:
    copy = list(items)
    copy.insert(bisect_left(copy, item.key, key=_KEY), item)
    return copy


def _replaced(items: Sequence[RenderedItem], item: RenderedItem) -> list[RenderedItem]:
    index = bisect_left(items, item.key, key=_KEY)
    if index == len(items) or items[index].key != item.key:
        raise LookupError(f"channel {item.key[1]} is not among the agent's answers")
    copy = list(items)
    copy[index] = item
    return copy


def _later(moment: datetime | None, other: datetime) -> datetime:
    return other if moment is None or other > moment else moment
