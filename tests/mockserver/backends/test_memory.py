"""The embedded backend (mockserver/backends/memory.py): scenario events committed in one transition."""

from __future__ import annotations

import asyncio
from typing import Any

from mockserver.backends.memory import InProcessBackend
from mockserver.fixtures.load import load_fixture_file
from mockserver.resources import DEFAULT_FIXTURES
from mockserver.state.changes import Change

ACCOUNT = "a1b2c3d4e5"


def _backend() -> InProcessBackend:
    return InProcessBackend(load_fixture_file(DEFAULT_FIXTURES), journal_limit=10)


def test_an_events_changes_are_installed_as_one_new_state() -> None:
    backend = _backend()
    changes = [
        Change("add_agent", {"account": ACCOUNT, "id": "a"}),
        Change("add_agent", {"account": ACCOUNT, "id": "b"}),
    ]
    version = asyncio.run(backend.health())["state_version"]
    assert asyncio.run(backend.fire(None, 0, [changes], [lambda message: {"message": message}])) == 1
    state = backend.held()
    assert state.agent(ACCOUNT, "a") is not None and state.agent(ACCOUNT, "b") is not None
    assert asyncio.run(backend.health())["state_version"] == version + 1


def test_the_first_change_that_cannot_apply_ends_the_event_there() -> None:
    backend = _backend()
    failures: list[dict[str, Any]] = []

    def failed(message: str) -> dict[str, Any]:
        failures.append({"message": message})
        return failures[-1]

    changes = [
        Change("add_agent", {"account": ACCOUNT, "id": "a"}),
        Change("add_agent", {"account": "no-such-account", "id": "b"}),
        Change("add_agent", {"account": ACCOUNT, "id": "c"}),
    ]
    later = [Change("add_agent", {"account": ACCOUNT, "id": "d"})]
    assert asyncio.run(backend.fire(None, 0, [changes, later], [failed, failed])) == 2
    state = backend.held()
    assert state.agent(ACCOUNT, "a") is not None
    assert state.agent(ACCOUNT, "c") is None  # the event ended at its refused change
    assert state.agent(ACCOUNT, "d") is not None  # the next event went on
    assert len(failures) == 1 and "no-such-account" in failures[0]["message"]


def test_one_process_keeps_no_shared_scenario() -> None:
    assert _backend().shared_scenario() is None
