"""The request journal: what the public endpoint was asked and what it answered, bounded in size.

A presented token is never recorded: only a fingerprint (sha256, 12 hex digits, the same as
`fingerprint(token)` gives a test), its first characters when it is long, and what the mock made
of it (unknown, expired, or the account it opens).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from mockserver.model import State
from mockserver.representation import rfc3339

DEFAULT_LIMIT = 1000


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def describe_authorization(values: Sequence[str], state: State) -> dict[str, Any] | None:
    if not values:
        return None
    scheme, _, credentials = values[0].strip().partition(" ")
    token = credentials.strip()
    if scheme.lower() != "bearer" or not token:
        return {"scheme": scheme or None, "token": None}
    known = state.tokens.get(token)
    return {
        "scheme": "Bearer",
        "token": {
            "fingerprint": fingerprint(token),
            "hint": token[:3] + "…" if len(token) >= 10 else "…",
            "known": known is not None,
            "account": known.account if known else None,
            "expired": known.expired_at(state.clock.now()) if known else None,
        },
    }


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at: str
    method: str
    path: str
    account: str | None
    agent: str | None
    query: dict[str, list[str]]
    accept: list[str]
    authorization: dict[str, Any] | None
    status: int | None
    """None when the connection was dropped on purpose (fault injection)."""
    fault: str | None


class Journal:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=limit)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return self._entries.maxlen or 0

    def record(self, state: State, **fields: Any) -> None:
        with self._lock:
            entry = JournalEntry(id=next(self._ids), at=rfc3339(state.clock.now()), **fields)
            self._entries.append(entry)

    def entries(self, filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        with self._lock:
            found = [asdict(entry) for entry in self._entries]
        for name, wanted in (filters or {}).items():
            found = [entry for entry in found if str(entry.get(name)) == wanted]
        return found

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
