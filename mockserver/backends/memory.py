"""The embedded backend: state, journal and faults in this process (one worker, no store)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from mockserver.api.request import PublicRequest
from mockserver.backends.base import Admission, Answer, EventFailed, MakeChange, SharedScenario, StateHook
from mockserver.backends.state_store import StateStore
from mockserver.model import State
from mockserver.state.changes import Change, Created, apply, apply_batch
from mockserver.state.faults import Decision, FaultInjector
from mockserver.state.journal import Journal

_NO_FAULT = Decision()


class InProcessBackend:
    def __init__(self, initial: State, *, journal_limit: int, on_state: StateHook | None = None) -> None:
        self.store = StateStore(initial)
        self.journal_log = Journal(journal_limit)
        self.fault_injector = FaultInjector()
        self._on_state = on_state
        self._reset_lock = threading.Lock()
        self._version = 0
        self._installed()

    @property
    def journal_limit(self) -> int:
        return self.journal_log.limit

    def held(self) -> State:
        return self.store.current()

    async def admit(self, request: PublicRequest, answer: Answer) -> Admission:
        state = self.store.current()
        account, agent = request.account, request.agent
        decision = self.fault_injector.decide(account, agent) if account and agent else _NO_FAULT
        response = None if decision.fails else answer(state)
        status = None if decision.drop else decision.status or (response.status if response else None)
        self.journal_log.record(state, request, status, decision.kind)
        return Admission(response, decision)

    async def current(self) -> State:
        return self.store.current()

    async def change(self, make: MakeChange) -> Created:
        created: Created = {}

        def run(state: State) -> State:
            new_state, result = apply(state, make(state))
            created.update(result)
            return new_state

        self.store.update(run)
        self._installed()
        return created

    async def replace(self, state: State) -> State:
        self.store.replace(state)
        self._installed()
        return state

    def restart(self, initial: State) -> State:
        """New fixtures (`--watch`): the state from now on and the one a reset returns to."""
        self.store.restart(initial)
        self._installed()
        return initial

    async def reset(self) -> State:
        return self.reset_now()

    def reset_now(self) -> State:
        """Synchronous, for the pytest plugin's reset between tests (microseconds, no request)."""
        with self._reset_lock:
            state = self.store.reset()
            self._version += 1
            self.journal_log.clear()
            self.fault_injector.clear()
        return state

    async def journal(self, after: int | None = None, last: int | None = None) -> list[dict[str, Any]]:
        return self.journal_log.entries(after, last)

    async def clear_journal(self) -> int:
        return self.journal_log.clear()

    async def fire(
        self, scenario_id: str | None, fired: int, events: Sequence[Sequence[Change]], failed: Sequence[EventFailed]
    ) -> int:
        self.store.update(lambda state: apply_batch(state, events, failed))
        self._installed()
        return len(events)

    def shared_scenario(self) -> SharedScenario | None:
        return None

    async def add_fault(self, body: Any) -> dict[str, Any]:
        return self.fault_injector.add(body)

    async def faults(self) -> list[dict[str, Any]]:
        return self.fault_injector.list()

    async def remove_fault(self, fault_id: int) -> None:
        self.fault_injector.remove(fault_id)

    async def clear_faults(self) -> int:
        return self.fault_injector.clear()

    async def health(self) -> dict[str, Any]:
        return {"state_version": self._version, "store": {"kind": "in-process", "reachable": True}}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def _installed(self) -> None:
        self._version += 1
        if self._on_state is not None:
            self._on_state()
