"""Time as a dependency: the state carries its clock, so freezing time is a state change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


def whole_seconds(moment: datetime) -> datetime:
    """The API knows whole seconds only; truncating once on the way in keeps order and output agreed."""
    return moment.astimezone(UTC).replace(microsecond=0)


class Clock(Protocol):
    @property
    def frozen_at(self) -> datetime | None: ...

    def now(self) -> datetime: ...


class SystemClock:
    frozen_at: datetime | None = None

    def now(self) -> datetime:
        return whole_seconds(datetime.now(UTC))

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    def __init__(self, moment: datetime) -> None:
        self._moment = whole_seconds(moment)

    @property
    def frozen_at(self) -> datetime:
        return self._moment

    def now(self) -> datetime:
        return self._moment

    def __repr__(self) -> str:
        return f"FrozenClock({self._moment.isoformat()})"
