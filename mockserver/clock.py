"""Time as a dependency: the state carries its clock, so freezing time is a state change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


def in_utc(moment: datetime) -> datetime:
    """Times are kept to the microsecond, as a real service keeping milliseconds would: order and
    durations use them, and only what an answer shows is cut to whole seconds."""
    return moment.astimezone(UTC)


class Clock(Protocol):
    @property
    def frozen_at(self) -> datetime | None: ...

    def now(self) -> datetime: ...


class SystemClock:
    frozen_at: datetime | None = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    def __init__(self, moment: datetime) -> None:
        self._moment = in_utc(moment)

    @property
    def frozen_at(self) -> datetime:
        return self._moment

    def now(self) -> datetime:
        return self._moment

    def __repr__(self) -> str:
        return f"FrozenClock({self._moment.isoformat()})"
