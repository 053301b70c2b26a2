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
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from mockserver.model import State, Token
from mockserver.representation import rfc3339

DEFAULT_LIMIT = 1000


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def describe_authorization(values: Sequence[str], tokens: Mapping[str, Token], at: datetime) -> dict[str, Any] | None:
    if not values:
        return None
    scheme, _, credentials = values[0].strip().partition(" ")
    token = credentials.strip()
    if scheme.lower() != "bearer" or not token:
        return {"scheme": scheme or None, "token": None}
    known = tokens.get(token)
    return {
        "scheme": "Bearer",
        "token": {
            "fingerprint": fingerprint(token),
            "hint": token[:3] + "…" if len(token) >= 10 else "…",
            "known": known is not None,
            "account": known.account if known else None,
            "expired": known.expired_at(at) if known else None,
        },
    }


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What was recorded, raw: rendering (query parsing, token fingerprints) waits until it is read."""

    id: int
    tokens: Mapping[str, Token]
    """The tokens of the state the request met: enough to describe its token, without pinning the
    whole (possibly large) state in memory."""
    at: datetime
    method: str
    path: str
    account: str | None
    agent: str | None
    query_string: bytes
    accept: tuple[str, ...]
    authorization: tuple[str, ...]
    status: int | None
    """None when the connection was dropped on purpose (fault injection)."""
    fault: str | None

    def render(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": rfc3339(self.at),
            "method": self.method,
            "path": self.path,
            "account": self.account,
            "agent": self.agent,
            "query": parse_qs(self.query_string.decode("latin-1"), keep_blank_values=True),
            "accept": list(self.accept),
            "authorization": describe_authorization(self.authorization, self.tokens, self.at),
            "status": self.status,
            "fault": self.fault,
        }


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
            self._entries.append(JournalEntry(next(self._ids), state.tokens, state.clock.now(), **fields))

    def entries(self, filters: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        with self._lock:
            recorded = list(self._entries)
        found = [entry.render() for entry in recorded]
        for name, wanted in (filters or {}).items():
            found = [entry for entry in found if str(entry.get(name)) == wanted]
        return found

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
