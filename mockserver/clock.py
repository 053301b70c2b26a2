"""Time as a dependency: the state carries its clock, so freezing time is a state change."""

from __future__ import annotations

import time
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
    speed = 1.0

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


class AcceleratedClock:
    """Time running `speed` times faster than the system's from `anchor` on (`mockserver run --speed`):
    a scenario or a simulation lives its day in a tenth of it, and the times the mock shows stay those
    of that day."""

    frozen_at: datetime | None = None

    def __init__(self, speed: float, anchor: datetime | None = None) -> None:
        self.speed = speed
        self._anchor = (in_utc(anchor) if anchor is not None else datetime.now(UTC)).timestamp()

    def now(self) -> datetime:
        # Read on every request (the journal, token expiry): plain floats, not datetime arithmetic.
        return datetime.fromtimestamp(self._anchor + (time.time() - self._anchor) * self.speed, UTC)

    def __repr__(self) -> str:
        return f"AcceleratedClock({self.speed}, {datetime.fromtimestamp(self._anchor, UTC).isoformat()})"
