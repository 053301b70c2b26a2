"""The one interface of a backend: state, journal and faults, as the app and the control plane use them.

A public request is admitted once: the backend gives the state to answer from and the faults that
apply, and journals the request with what it was answered, all against one state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mockserver.api.request import PublicRequest
from mockserver.model import State
from mockserver.responses import Response
from mockserver.state.changes import Change, Created
from mockserver.state.faults import Decision

Answer = Callable[[State], Response]
"""How the app answers a request from a state: pure, so a backend may call it again on a newer state."""
MakeChange = Callable[[State], Change]
StateHook = Callable[[], None]
"""Called after a new state is installed (the command line freezes the collector there)."""


@dataclass(frozen=True, slots=True)
class Admission:
    response: Response | None
    """The answer, or None when an injected fault fails the request (`decision` says how)."""
    decision: Decision


class SharedRecord(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def document(self) -> Any: ...

    @property
    def origin(self) -> datetime: ...

    @property
    def paused_at(self) -> datetime | None: ...

    @property
    def fired(self) -> int: ...

    @property
    def failures(self) -> list[dict[str, Any]]: ...


class SharedScenario(Protocol):
    """Where a fleet keeps its scenario (mockserver.backends.redis.scenario.FleetScenario)."""

    async def read(self) -> SharedRecord | None: ...

    async def start(self, document: Any, origin: datetime, *, unless_playing: bool = False) -> bool: ...

    async def update(self, record_id: str, changes: Mapping[str, datetime | None]) -> bool: ...

    async def stop(self) -> None: ...


EventFailed = Callable[[str], dict[str, Any]]
"""What a scenario records of an event whose change could not apply, given the refusal's message."""


class Backend(Protocol):
    @property
    def journal_limit(self) -> int: ...

    def held(self) -> State:
        """The state this process serves from now, without asking anyone."""
        ...

    async def admit(self, request: PublicRequest, answer: Answer) -> Admission: ...

    async def current(self) -> State:
        """The latest state, after every change acknowledged so far."""
        ...

    async def change(self, make: MakeChange) -> Created:
        """Apply the change `make` gives for the latest state; a refused change raises ControlError."""
        ...

    async def replace(self, state: State) -> State: ...

    async def reset(self) -> State:
        """Back to the startup state, journal and faults cleared, at once."""
        ...

    async def journal(self, after: int | None = None, last: int | None = None) -> list[dict[str, Any]]:
        """Every entry kept (with `after`, those after that id; with `last`, the newest `last` of those),
        oldest first, as the journal shows it (the control plane explains and filters)."""
        ...

    async def clear_journal(self) -> int: ...

    async def fire(
        self, scenario_id: str | None, fired: int, events: Sequence[Sequence[Change]], failed: Sequence[EventFailed]
    ) -> int:
        """Scenario events `fired`, `fired + 1`... (each given as its changes), committed in order: an
        event's first change that cannot apply ends that event there (`failed[i](message)` is what the
        scenario records of it). How many were fired: in one process all of them, in one transition; on a
        fleet each commits with the fleet's count of fired events of the record `scenario_id`, so the
        fleet applies each event once, and fewer are fired when the scenario moved on meanwhile (an event
        fired elsewhere, the scenario replaced or stopped)."""
        ...

    def shared_scenario(self) -> SharedScenario | None:
        """Where a fleet keeps the scenario every worker plays; None in one process (the player holds it)."""
        ...

    async def add_fault(self, body: Any) -> dict[str, Any]: ...

    async def faults(self) -> list[dict[str, Any]]: ...

    async def remove_fault(self, fault_id: int) -> None: ...

    async def clear_faults(self) -> int: ...

    async def health(self) -> dict[str, Any]:
        """`state_version` (the state's version this worker serves) and `store` (what keeps the state, and
        whether it answers), within a fraction of a second whatever the store does."""
        ...

    async def start(self) -> None:
        """At start-up, in the server's event loop (a fleet's worker begins to follow the store)."""
        ...

    async def close(self) -> None: ...
