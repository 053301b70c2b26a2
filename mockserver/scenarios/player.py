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
MAX_EVENTS_PER_MOVE = 50_000
"""The most events one move of the clock (or one seek) may fire at once: a bound honest for every
scenario and simulation, since what a move costs is the events it fires (about 2 s at this bound for a
simulation of 10,000 agents per account, here), not the seconds it spans. A move past it is refused
(409, naming the bound and how far the clock may go); an endless simulation over a century fires
billions of events, and no clock move may hold the mock that long."""
SLICE_EVENTS = 500
"""Events fired per transition; between slices other requests are served (health, the public route)."""


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
    _ahead: list[Event] = field(default_factory=list, repr=False)
    """Events read from `events` ahead of `upcoming` (counted before a move, not fired yet)."""
    _next: int = field(default=0, repr=False)
    """Where in `_ahead` the event after `upcoming` is."""

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
        if self._next < len(self._ahead):
            self.upcoming = self._ahead[self._next]
            self._next += 1
            if self._next == len(self._ahead):
                self._ahead.clear()
                self._next = 0
        else:
            self.upcoming = next(self.events, None)

    def due_by(self, position: float, limit: int) -> list[Event]:
        """The events from `upcoming` on at `position` seconds into the scenario or before, at most `limit`
        of them: read ahead and kept, not fired."""
        if self.upcoming is None or self.upcoming.at > position:
            return []
        found = [self.upcoming]
        while len(found) < limit:
            event = self._after_upcoming(len(found) - 1)
            if event is None or event.at > position:
                break
            found.append(event)
        return found

    def skip_to(self, fired: int) -> None:
        """Follow a fleet's record: the events before `fired` were fired elsewhere."""
        while self.fired < fired and self.upcoming is not None:
            self.advance()

    def read_ahead(self, position: float, count: int) -> bool:
        """Read events ahead until `count` are held after `upcoming` or one is past `position`: False once
        there is nothing more to read for it. Cheap to call again with a larger `count`."""
        if self.upcoming is None or self.upcoming.at > position:
            return False
        held = len(self._ahead) - self._next
        if held and self._ahead[-1].at > position:
            return False
        event = self._after_upcoming(count - 1)
        return event is not None and event.at <= position

    def _after_upcoming(self, index: int) -> Event | None:
        wanted = self._next + index
        while wanted >= len(self._ahead):
            event = next(self.events, None)
            if event is None:
                return None
            self._ahead.append(event)
        return self._ahead[wanted]


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
            # A simulation of 10,000 agents per account draws every agent's first work before its first
            # event (about a second): in a thread, so health and the public route are answered meanwhile.
            self.playing = await asyncio.to_thread(make, now)
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
            await _read_ahead(playing, position)
            _refuse_past_bound(playing, position, current, "Field 'seconds'")
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
            # Generating a large simulation's first events is CPU work: off the event loop (see _start).
            playing = await asyncio.to_thread(_playing_of, record.document, record.origin, self.extras)
            self.playing, self._record_id = playing, record.id
        playing = self.playing
        playing.origin, playing.paused_at = record.origin, record.paused_at
        if playing.fired < record.fired:
            await asyncio.to_thread(playing.skip_to, record.fired)
        playing.failures = deque(record.failures, maxlen=KEPT_FAILURES)

    def _loaded(self) -> Playing:
        if self.playing is None:
            raise ControlError(404, "No scenario is loaded; PUT one to /__admin/scenario.")
        return self.playing

    async def check_move(self, until: datetime, what: str) -> None:
        """Refuse (400) a move of the clock to `until` that would fire more than MAX_EVENTS_PER_MOVE events;
        `what` names what asked for it (`Field 'seconds'`...). Nothing has changed when it refuses."""
        async with self._lock:
            await self._sync()
            playing = self.playing
            if playing is None or playing.paused_at is not None:
                return
            now = await self._now()
            await _read_ahead(playing, playing.position(until))
            _refuse_past_bound(playing, playing.position(until), playing.position(now), what)

    async def _fire_due(self, now: datetime, *, ignore_pause: bool = False) -> None:
        playing = self.playing
        if playing is None or (playing.paused_at is not None and not ignore_pause):
            return
        while True:
            due = playing.due_by((now - playing.origin).total_seconds(), SLICE_EVENTS)
            if not due:
                return
            index = playing.fired
            failed = [self._failure_recorder(playing, index + offset, event) for offset, event in enumerate(due)]
            events = [changes_of(event, playing.due(event)) for event in due]
            fired = await self.backend.fire(self._record_id if self.shared else None, index, events, failed)
            if playing.fired == index:  # a status read meanwhile may have followed the record past them already
                for _ in range(fired):
                    playing.advance()
            if fired < len(due):
                await self._sync()  # fired elsewhere, or the scenario replaced: follow the record
                if self.playing is not playing:
                    return
            await asyncio.sleep(0)  # between slices, the other requests are served

    def _failure_recorder(self, playing: Playing, index: int, event: Event) -> Callable[[str], dict[str, Any]]:
        """What the scenario records of an event that could not apply: on a fleet the store's record keeps it."""

        def failed(message: str) -> dict[str, Any]:
            failure = {"index": index, "at": event.at, "event": event.describe(), "message": message}
            if self.shared is None:
                playing.failures.append(failure)
            return failure

        return failed


async def _read_ahead(playing: Playing, position: float) -> None:
    """The events due by `position` read ahead (up to one past the bound) in a thread: generating 50,000
    simulated events takes about a second, during which the other requests are answered."""
    await asyncio.to_thread(playing.read_ahead, position, MAX_EVENTS_PER_MOVE + 1)


def _refuse_past_bound(playing: Playing, target: float, current: float, what: str) -> None:
    """A 400 when reaching `target` seconds into `playing` from `current` fires more than MAX_EVENTS_PER_MOVE."""
    due = playing.due_by(target, MAX_EVENTS_PER_MOVE + 1)
    if len(due) <= MAX_EVENTS_PER_MOVE:
        return
    reachable = max(0.0, due[MAX_EVENTS_PER_MOVE - 1].at - current)
    # 409, not 400: the request is well formed; what refuses it is the scenario playing now (pause it,
    # and the same move is accepted).
    raise ControlError(
        409,
        f"{what}: the move would fire more than {MAX_EVENTS_PER_MOVE} events of {playing.name!r} at once (the most "
        f"one move may fire); {reachable:.0f} seconds is as far as it may go now. Move in steps, or pause or stop it first.",
    )


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
