"""Time as a dependency: the system clock, a frozen one, and one running faster (--speed)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

from mockserver.clock import AcceleratedClock, FrozenClock, SystemClock


def test_a_frozen_clock_stays_where_it_was_put_in_utc() -> None:
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    clock = FrozenClock(moment)
    assert clock.now() == clock.frozen_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time.sleep(0.01)
    assert clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_system_clock_is_real_time_and_not_frozen() -> None:
    clock = SystemClock()
    assert clock.frozen_at is None and clock.speed == 1.0
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 1


def test_an_accelerated_clock_starts_at_its_anchor_and_runs_speed_times_faster() -> None:
    anchor = datetime.now(UTC)
    clock = AcceleratedClock(100.0, anchor)
    first = clock.now()
    time.sleep(0.05)
    second = clock.now()
    assert clock.frozen_at is None
    assert abs((first - anchor).total_seconds()) < 1
    assert 4 <= (second - first).total_seconds() < 60  # 0.05 s real at 100x, with room for a slow machine
    assert second.tzinfo is UTC
