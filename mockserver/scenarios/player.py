"""Playing a scenario on the mock's clock: event N happens at `start + at` of the mock's time.

The times are the grid: a call that starts at 5 s starts at `start + 5 s` however time moves, real,
accelerated (`--speed`) or stepped (a frozen clock moved by `POST /__admin/clock/advance`), so a
scenario ends in the same state every way. Events happen in order, each through the same change a
control call makes; one that cannot apply (its agent was removed by a `PUT /__admin/state`, say) is
recorded with why, and the rest play on.

While the clock runs, a background task wakes when the next event is due. A frozen clock fires
nothing by itself: whoever moves it (`clock/advance`, `PUT /__admin/clock`) calls `catch_up`, which
applies every event now due before the call is answered.

On a fleet (`--store`) the scenario lives in the store (mockserver/backends/redis/scenario.py): every
worker plays from that record, and an event fires with the fleet's count of fired events in one
commit, so it happens once whichever worker is first, and the others go on if that one dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mockserver.api.representation import precise_rfc3339
from mockserver.api.shapes import NO_EXTRA_FIELDS, ExtraField
from mockserver.backends.base import Backend
from mockserver.errors import ControlError
from mockserver.scenarios.document import Event, Scenario, build_scenario
from mockserver.scenarios.simulation import SimulationSettings, simulate
from mockserver.state.changes import Change

KEPT_FAILURES = 100
"""The last events that could not apply, kept to show (a simulation runs for days)."""
LONGEST_SLEEP = 0.5
"""The background task looks again at least this often (seconds): the clock may have been moved."""


@dataclass
class Playing:
    name: str
    events: Iterator[Event]
    """In the order they happen; endless for a simulation."""
    total: int | None
    """How many events there are; None for a simulation."""
    length: float | None
    origin: datetime
    """The mock's time of second 0: events happen at origin + at (moved by pauses and seeks)."""
    upcoming: Event | None = None
    fired: int = 0
    paused_at: datetime | None = None
    failures: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=KEPT_FAILURES))

    @classmethod
    def of(cls, scenario: Scenario, origin: datetime) -> Playing:
        events = iter(scenario.events)
        return cls(scenario.name, events, len(scenario.events), scenario.length, origin, next(events, None))

    @classmethod
    def endless(cls, name: str, events: Iterator[Event], origin: datetime) -> Playing:
        return cls(name, events, None, None, origin, next(events, None))

    def due(self, event: Event) -> datetime:
        return self.origin + timedelta(seconds=event.at)

    def position(self, now: datetime) -> float:
        return ((self.paused_at or now) - self.origin).total_seconds()

    def advance(self) -> None:
        self.fired += 1
        self.upcoming = next(self.events, None)


class ScenarioPlayer:
    def __init__(self, backend: Backend, extras: Mapping[str, ExtraField] = NO_EXTRA_FIELDS) -> None:
        self.backend = backend
        self.shared = backend.shared_scenario()
        """On a fleet: the scenario's record in the store, which this worker follows."""
        self.extras = extras
        """The served spec's extra item fields, which a fleet's scenario document may give."""
        self.playing: Playing | None = None
        self._record_id: str | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- what the control plane asks -----------------------------------------------------------

    async def play(self, scenario: Scenario, *, unless_playing: bool = False) -> dict[str, Any]:
        """Start `scenario` now (replacing any other); events due at once (at 0) happen before this returns.
        On a fleet, `unless_playing` (a worker started with --scenario) joins the fleet's record when it
        holds the same document: the workers of a fleet, started one by one, play it once."""
        if self.shared is not None:
            async with self._lock:
                await self.shared.start(scenario.document, await self._now(), unless_playing=unless_playing)
                await self._sync()
                await self._fire_due(await self._now())
            self._wake.set()
            return await self.status()
        return await self._start(lambda now: Playing.of(scenario, now))

    async def simulate(self, settings: SimulationSettings, *, unless_playing: bool = False) -> dict[str, Any]:
        """Start a simulation now, its agents joining every account of the state (replacing any scenario).
        On a fleet, `unless_playing` as for `play`."""
        accounts = list((await self.backend.current()).accounts)
        if self.shared is not None:
            document = {"simulation": dataclasses.asdict(settings), "accounts": accounts}
            async with self._lock:
                await self.shared.start(document, await self._now(), unless_playing=unless_playing)
                await self._sync()
                await self._fire_due(await self._now())
            self._wake.set()
            return await self.status()
        return await self._start(lambda now: _simulation(settings, accounts, now))

    async def _start(self, make: Callable[[datetime], Playing]) -> dict[str, Any]:
        async with self._lock:
            now = await self._now()
            self.playing = make(now)
            await self._fire_due(now)
        self._wake.set()
        return await self.status()

    async def status(self) -> dict[str, Any]:
        await self._sync()
        playing = self._loaded()
        now = await self._now()
        upcoming = playing.upcoming
        if upcoming is None:
            status = "finished"
        elif playing.paused_at is not None:
            status = "paused"
        else:
            status = "playing"
        return {
            "name": playing.name,
            "status": status,
            "started_at": precise_rfc3339(playing.origin),
            "position_seconds": round(playing.position(now), 6),
            "length_seconds": playing.length,
            "events": playing.total,
            "fired": playing.fired,
            "next": None
            if upcoming is None
            else {"at": upcoming.at, "due": precise_rfc3339(playing.due(upcoming)), "event": upcoming.describe()},
            "failures": list(playing.failures),
        }

    async def pause(self) -> dict[str, Any]:
        async with self._lock:
            await self._sync()
            playing = self._loaded()
            if playing.paused_at is None:
                await self._moved(playing, paused_at=await self._now())
        return await self.status()

    async def resume(self) -> dict[str, Any]:
        async with self._lock:
            await self._sync()
            playing = self._loaded()
            if playing.paused_at is not None:
                now = await self._now()
                await self._moved(playing, origin=playing.origin + (now - playing.paused_at), paused_at=None)
        self._wake.set()
        return await self.status()

    async def _moved(self, playing: Playing, **changes: datetime | None) -> None:
        """Set `origin` or `paused_at`, on the fleet's record too."""
        if self.shared is not None:
            assert self._record_id is not None
            if not await self.shared.update(self._record_id, changes):
                raise ControlError(
                    409, "The scenario was replaced or stopped meanwhile (by another call); GET it again."
                )
        for name, value in changes.items():
            setattr(playing, name, value)

    async def seek(self, position: float) -> dict[str, Any]:
        """Jump forward to `position` seconds: the events skipped over happen now, at their own times
        on the grid (as if the scenario had been playing). Backward is refused: what happened stays."""
        async with self._lock:
            await self._sync()
            playing = self._loaded()
            now = await self._now()
            current = playing.position(now)
            if position < current:
                raise ControlError(
                    409,
                    f"Cannot seek back to {position} s from {current:.3f} s: events that happened stay. "
                    "POST /__admin/reset, then PUT the scenario again and seek forward.",
                )
            await self._moved(playing, origin=(playing.paused_at or now) - timedelta(seconds=position))
            await self._fire_due(playing.paused_at or now, ignore_pause=True)
        self._wake.set()
        return await self.status()

    async def stop(self) -> dict[str, Any]:
        async with self._lock:
            status = await self.status()
            if self.shared is not None:
                await self.shared.stop()
            self.playing = None
            return status

    def forget(self) -> None:
        """The state was replaced or reset: the scenario's names no longer mean anything there."""
        self.playing = None

    async def forget_everywhere(self) -> None:
        """`forget`, for the whole fleet when there is one."""
        self.forget()
        if self.shared is not None:
            await self.shared.stop()

    async def catch_up(self) -> None:
        """Apply every event due on the mock's clock now (a control call moved it)."""
        if self.playing is None and self.shared is None:
            return
        async with self._lock:
            await self._sync()
            await self._fire_due(await self._now())

    # -- the background task ---------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="scenario-player")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            wait = LONGEST_SLEEP
            try:
                if self.playing is not None or self.shared is not None:
                    await self.catch_up()
                    wait = await self._seconds_to_next()
            except Exception:  # noqa: BLE001 - the store may be out of reach for a while; keep playing after
                wait = LONGEST_SLEEP
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.001, min(wait, LONGEST_SLEEP)))

    async def _seconds_to_next(self) -> float:
        playing = self.playing
        if playing is None or playing.paused_at is not None or playing.upcoming is None:
            return LONGEST_SLEEP
        state = await self.backend.current()
        if state.clock.frozen_at is not None:
            return LONGEST_SLEEP
        until = (playing.due(playing.upcoming) - state.clock.now()).total_seconds()
        return until / getattr(state.clock, "speed", 1.0)

    # -- firing ----------------------------------------------------------------------------------

    async def _now(self) -> datetime:
        return (await self.backend.current()).clock.now()

    async def _sync(self) -> None:
        """On a fleet, the store's record is the truth: follow it (a new scenario, events fired elsewhere,
        a pause, a seek, a stop)."""
        if self.shared is None:
            return
        record = await self.shared.read()
        if record is None:
            self.playing, self._record_id = None, None
            return
        if self.playing is None or self._record_id != record.id or self.playing.fired > record.fired:
            self.playing, self._record_id = _playing_of(record.document, record.origin, self.extras), record.id
        playing = self.playing
        playing.origin, playing.paused_at = record.origin, record.paused_at
        while playing.fired < record.fired and playing.upcoming is not None:
            playing.advance()
        playing.failures = deque(record.failures, maxlen=KEPT_FAILURES)

    def _loaded(self) -> Playing:
        if self.playing is None:
            raise ControlError(404, "No scenario is loaded; PUT one to /__admin/scenario.")
        return self.playing

    async def _fire_due(self, now: datetime, *, ignore_pause: bool = False) -> None:
        playing = self.playing
        if playing is None or (playing.paused_at is not None and not ignore_pause):
            return
        while playing.upcoming is not None and playing.due(playing.upcoming) <= now:
            event = playing.upcoming
            if self.shared is not None:
                if not await self._fire_once(playing, event):
                    await self._sync()  # fired elsewhere, or the scenario replaced: follow the record
                    if self.playing is not playing:
                        return
                continue
            index = playing.fired

            def failed(message: str, index: int = index, event: Event = event) -> dict[str, Any]:
                failure = {"index": index, "at": event.at, "event": event.describe(), "message": message}
                playing.failures.append(failure)
                return failure

            await self.backend.fire(None, index, changes_of(event, playing.due(event)), failed)
            playing.advance()

    async def _fire_once(self, playing: Playing, event: Event) -> bool:
        """Fire `event` for the whole fleet; False when the record moved on before it could."""
        assert self._record_id is not None
        index = playing.fired

        def failed(message: str) -> dict[str, Any]:
            return {"index": index, "at": event.at, "event": event.describe(), "message": message}

        if not await self.backend.fire(self._record_id, index, changes_of(event, playing.due(event)), failed):
            return False
        if playing.fired == index:  # a status read meanwhile may have followed the record past it already
            playing.advance()
        return True


def _simulation(settings: SimulationSettings, accounts: list[str], origin: datetime) -> Playing:
    name = f"simulation (seed {settings.seed}, {settings.agents} agents per account)"
    return Playing.endless(name, simulate(settings, accounts), origin)


def _playing_of(document: Any, origin: datetime, extras: Mapping[str, ExtraField]) -> Playing:
    """What a fleet's record plays: a scenario document, or a simulation's settings and accounts (its
    events generated again on any worker, the same for the same seed)."""
    if isinstance(document, dict) and "simulation" in document:
        return _simulation(SimulationSettings(**document["simulation"]), list(document["accounts"]), origin)
    return Playing.of(build_scenario(document, "the fleet's scenario", extras), origin)


def changes_of(event: Event, when: datetime) -> list[Change]:
    """The control changes an event makes, at its time on the grid."""
    at = precise_rfc3339(when)
    where = {"account": event.account, "agent": event.agent}
    fields = event.fields
    if event.action in ("start", "add_channel"):
        # The same fields a control call gives: the channel's, its time, and the spec's extra fields if any.
        channel = {
            **where,
            "guid": fields["guid"],
            "channelGuid": fields["channelGuid"],
            "at": at,
            "now": at,
            **({"extra": fields["extra"]} if "extra" in fields else {}),
        }
        if event.action == "add_channel":
            return [Change("add_channel", channel)]
        return [Change("start_interaction", {**channel, "type": fields["type"], "direction": fields["direction"]})]
    if event.action in ("end_channel", "end"):
        return [
            Change("end_channel", {**where, "channelGuid": channel, "at": at, "now": at})
            for channel in fields["channelGuids"]
        ]
    if event.action == "add_agent":
        return [Change("add_agent", {"account": event.account, "id": event.name})]
    if event.action == "add_token":
        expires = fields["expires"]
        expiry = None if expires is None else precise_rfc3339(when + timedelta(seconds=expires - event.at))
        return [Change("add_token", {"account": event.account, "token": event.name, "expires": expiry})]
    if event.action == "revoke_token":
        return [Change("revoke_token", {"token": event.name})]
    if event.action == "forget":
        before = when - timedelta(seconds=event.at - fields["before"])
        return [Change("forget_ended", {**where, "before": precise_rfc3339(before)})]
    raise AssertionError(f"unknown action {event.action}")
