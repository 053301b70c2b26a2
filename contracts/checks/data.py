"""Reading an agent's answers as the checks need them: v2 items with what can be known of each channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts import expect
from contracts.context import Context
from contracts.failures import Exchange, Violation

FULL = 100


@dataclass(frozen=True)
class Item:
    """A v2 item; `changed_low/high` bound InteractionStateChangedAt (high exclusive).

    A server may keep fractions of seconds: the real start is in [start, start + 1) and the real
    duration in [duration, duration + 1), so an end is known within two seconds, a start within one.
    `changed_shown` is the time read as if the server kept whole seconds.
    """

    raw: dict[str, Any]
    start: datetime
    duration: int | None

    @property
    def active(self) -> bool:
        return self.duration is None

    @property
    def type(self) -> str:
        return str(self.raw.get("type"))

    @property
    def guid(self) -> str:
        return str(self.raw.get("guid"))

    @property
    def channel_guid(self) -> str:
        return str(self.raw.get("channelGuid"))

    @property
    def changed_shown(self) -> float:
        return self.start.timestamp() + (self.duration or 0)

    @property
    def changed_low(self) -> float:
        return self.changed_shown

    @property
    def changed_high(self) -> float:
        return self.changed_shown + (1 if self.active else 2)

    @property
    def v1_class(self) -> tuple[bool, bool]:
        """Active before ended; among active, Phone first."""
        return (not self.active, self.active and self.type != "Phone")


def parse_time(value: Any, exchange: Exchange) -> datetime:
    try:
        if not isinstance(value, str) or not value.endswith("Z"):
            raise ValueError
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise Violation("start as RFC 3339 UTC with Z and whole seconds", expect.shown(value), exchange) from None


def items(context: Context, exchange: Exchange) -> list[Item]:
    parsed = []
    for raw in context.ok_items(exchange, 2):
        duration = raw.get("duration")
        if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool) or duration < 0):
            raise Violation("duration a whole number of seconds >= 0, or null", expect.shown(duration), exchange)
        parsed.append(Item(raw, parse_time(raw.get("start"), exchange), duration))
    return parsed


def v2_items(context: Context, agent: str, **params: str) -> tuple[list[Item], Exchange]:
    query = {"size": str(FULL), **params}
    exchange = context.v2(agent, query)
    return items(context, exchange), exchange


def v1_item(context: Context, agent: str) -> tuple[dict[str, Any] | None, Exchange]:
    exchange = context.v1(agent)
    found = context.ok_items(exchange, 1)
    if len(found) > 1:
        raise Violation("0 or 1 item", f"{len(found)} items", exchange)
    return (found[0] if found else None), exchange
