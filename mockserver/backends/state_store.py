"""The one mutable thing: a reference to the current immutable State, swapped whole."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mockserver.model import State


class StateStore:
    """Every request reads `current()` once; a change builds a new State and swaps the reference.

    A reader therefore sees the state before or after a change, never a mix. Writers are
    serialised so that read-modify-write changes (`update`) never lose one another.
    """

    def __init__(self, initial: State) -> None:
        self._initial = initial
        self._current = initial
        self._write_lock = threading.Lock()

    def current(self) -> State:
        return self._current

    def replace(self, state: State) -> State:
        with self._write_lock:
            self._current = state
        return state

    def update(self, change: Callable[[State], State]) -> State:
        """Apply `change` to the current state; if it raises, nothing changes."""
        with self._write_lock:
            self._current = change(self._current)
            return self._current

    def restart(self, initial: State) -> State:
        """`initial` is the state from now on, and the one a reset returns to (fixtures read again)."""
        with self._write_lock:
            self._initial = self._current = initial
        return initial

    def reset(self) -> State:
        return self.replace(self._initial)
