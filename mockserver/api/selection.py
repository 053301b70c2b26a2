"""Which channels an answer shows, in which order: the contract's ordering rules as pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Generic, Protocol, TypeVar

from mockserver.model import INTERACTION_TYPES, Agent, Channel, Interaction

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class AgentChannel:
    """One channel of an agent with the interaction it belongs to: one v2 item."""

    interaction: Interaction
    channel: Channel

    @property
    def type(self) -> str:
        return self.interaction.type

    @property
    def active(self) -> bool:
        return self.channel.end is None

    @property
    def is_active_phone(self) -> bool:
        return self.active and self.interaction.type == "Phone"

    @property
    def state_changed_at(self) -> datetime:
        """InteractionStateChangedAt: the end once ended, else the start."""
        return self.channel.end or self.channel.start

    @property
    def duration(self) -> int | None:
        end = self.channel.end
        return None if end is None else (end - self.channel.start) // _SECOND


def agent_channels(agent: Agent) -> list[AgentChannel]:
    return [AgentChannel(i, c) for i in agent.interactions for c in i.channels]


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def v1_order_key(item: AgentChannel) -> tuple[bool, bool, float, str]:
    """Active before ended; among active, Phone first; then InteractionStateChangedAt descending."""
    return (
        not item.active,
        item.active and item.type != "Phone",
        -_epoch(item.state_changed_at),
        item.channel.channel_guid,
    )


def v2_order_key(item: AgentChannel) -> tuple[float, str]:
    """Channel start descending, ties by channelGuid ascending."""
    return (-_epoch(item.channel.start), item.channel.channel_guid)


def latest_v1(channels: Iterable[AgentChannel]) -> AgentChannel | None:
    return min(channels, key=v1_order_key, default=None)


def order_v2(channels: Iterable[AgentChannel]) -> list[AgentChannel]:
    return sorted(channels, key=v2_order_key)


class Selectable(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def is_active_phone(self) -> bool: ...


S = TypeVar("S", bound=Selectable)


@dataclass(frozen=True, slots=True)
class V2Listing(Generic[S]):
    """An agent's channels in version-2 order, kept whole, by type and as the active phones: the
    one place where a version-2 answer is cut (filter, active live first, size).

    The mock keeps one of rendered items per agent, edited as channels start and end; the
    selftest's faulty servers build one from channels and bend what they pass to it.
    """

    all: Sequence[S]
    by_type: Mapping[str, Sequence[S]]
    active_phones: Sequence[S]

    @classmethod
    def of(cls, ordered: Sequence[S]) -> V2Listing[S]:
        """`ordered` must already be in v2 order; every group keeps that order."""
        return cls(
            ordered,
            {type_: [item for item in ordered if item.type == type_] for type_ in INTERACTION_TYPES},
            [item for item in ordered if item.is_active_phone],
        )

    def select(self, *, type: str, active_live_first: bool, size: int) -> Sequence[S]:
        """Filter by type, then (optionally) active Phone channels first, then cut to size."""
        pool = self.all if type == "All" else self.by_type.get(type, ())
        if active_live_first and type in ("All", "Phone") and self.active_phones:
            first = list(self.active_phones[:size])
            return first + list(islice((item for item in pool if not item.is_active_phone), size - len(first)))
        return pool[:size]
