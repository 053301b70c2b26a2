"""Which channels an answer shows, in which order: the contract's ordering rules as pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from mockserver.model import Agent, Channel, Interaction

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


def select_v2(ordered: Sequence[S], *, type: str, active_live_first: bool, size: int) -> list[S]:
    """Filter by type, then (optionally) active Phone first, then cut to size.

    `ordered` must already be in v2 order; the grouping is stable, so each group keeps that order.
    """
    kept = [item for item in ordered if type == "All" or item.type == type]
    if active_live_first:
        kept = [item for item in kept if item.is_active_phone] + [item for item in kept if not item.is_active_phone]
    return kept[:size]
