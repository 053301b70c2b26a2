"""The request journal: what the public endpoint was asked and what it answered, bounded in size.

A presented token is never recorded: only a fingerprint (sha256, 12 hex digits, the same as
`fingerprint(token)` gives a test), its first characters when it is long, and what the mock made
of it (unknown, expired, or the account it opens).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
import socket
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from mockserver.api.auth import parse_authorization
from mockserver.api.representation import rfc3339
from mockserver.api.request import PublicRequest
from mockserver.errors import ControlError
from mockserver.model import State, Token
from mockserver.settings import DEFAULT_JOURNAL_LIMIT

_COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode


def worker_name() -> str:
    """host:pid, which names the worker that served a journal entry."""
    return f"{socket.gethostname()}:{os.getpid()}"


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def describe_authorization(values: Sequence[str], tokens: Mapping[str, Token], at: datetime) -> dict[str, Any] | None:
    if not values:
        return None
    credentials = parse_authorization(values[0])
    token = credentials.bearer_token
    if token is None:
        return {"scheme": credentials.scheme or None, "token": None}
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
    request: PublicRequest
    status: int | None
    """None when the connection was dropped on purpose (fault injection)."""
    fault: str | None
    worker: str

    def render(self) -> dict[str, Any]:
        rendered = render_request(self.request, self.tokens, self.at, self.worker)
        return {"id": self.id, **rendered, "status": self.status, "fault": self.fault}


def render_request(request: PublicRequest, tokens: Mapping[str, Token], at: datetime, worker: str) -> dict[str, Any]:
    """An entry's fields but its id, status and fault, in the order the journal shows them."""
    return _expanded(_request_fields(request, tokens, at, worker))


def compact_request(request: PublicRequest, tokens: Mapping[str, Token], at: datetime, worker: str) -> str:
    """An entry's fields as a JSON list, cheap to make on every request of a fleet (the token already
    reduced to its description); expand_request renders it when the journal is read."""
    return _COMPACT_JSON(_request_fields(request, tokens, at, worker))


def expand_request(compact: str) -> dict[str, Any]:
    return _expanded(json.loads(compact))


def _request_fields(request: PublicRequest, tokens: Mapping[str, Token], at: datetime, worker: str) -> list[Any]:
    return [
        rfc3339(at),
        request.method,
        request.path,
        request.account,
        request.agent,
        request.query_string.decode("latin-1"),
        list(request.accept),
        describe_authorization(request.authorization, tokens, at),
        worker,
    ]


def _expanded(fields: list[Any]) -> dict[str, Any]:
    at, method, path, account, agent, query, accept, authorization, worker = fields
    return {
        "at": at,
        "method": method,
        "path": path,
        "account": account,
        "agent": agent,
        "query": parse_qs(query, keep_blank_values=True),
        "accept": accept,
        "authorization": authorization,
        "worker": worker,
    }


FIELDS = (
    "id",
    "at",
    "method",
    "path",
    "account",
    "agent",
    "query",
    "accept",
    "authorization",
    "worker",
    "status",
    "fault",
    "explanation",
)
"""An entry's fields, in the order the journal shows them; each is a filter (`?agent=agent-7&status=401`;
`?explanation=negotiation` compares the explanation's step)."""


AFTER = "after"
"""Not a field: `?after=ID` keeps the entries after that id (a live view asks for what is new)."""
LAST = "last"
"""Not a field: `?last=N` keeps the N newest of the entries selected (a view that shows N asks for N)."""


def check_filters(names: Iterable[str]) -> None:
    """A filter the journal does not know would match nothing and answer `[]` as if nothing was sent:
    refused instead, naming it, the nearest field, and every field."""
    unknown = [name for name in names if name not in FIELDS and name not in (AFTER, LAST)]
    if not unknown:
        return
    hints = []
    for name in unknown:
        near = difflib.get_close_matches(name.lower(), FIELDS, n=1, cutoff=0.6)
        hints.append(f"{name!r} (did you mean {near[0]!r}?)" if near else repr(name))
    raise ControlError(
        400,
        f"Unknown journal filter(s) {', '.join(hints)}; the journal filters by: {', '.join(FIELDS)} "
        f"(and {AFTER}=ID for the entries after one, {LAST}=N for the N newest).",
    )


def window(filters: dict[str, str]) -> tuple[int | None, int | None]:
    """`?after=ID` and `?last=N`, taken out of `filters`: the backend renders only the entries in them."""
    return _whole(filters, AFTER, "a journal entry's id"), _whole(filters, LAST, "a count of entries")


def _whole(filters: dict[str, str], name: str, what: str) -> int | None:
    raw = filters.pop(name, None)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ControlError(400, f"Filter '{name}' must be {what} (a whole number), got {raw[:40]!r}.")
    return int(raw)


def select(entries: list[dict[str, Any]], filters: Mapping[str, str] | None) -> list[dict[str, Any]]:
    for name, wanted in (filters or {}).items():
        entries = [entry for entry in entries if _compared(entry.get(name)) == wanted]
    return entries


def _compared(value: Any) -> str:
    """A field as a filter compares it: an explanation by its step, anything else by its text."""
    if isinstance(value, Mapping) and "step" in value:
        return str(value["step"])
    return str(value)


class Journal:
    def __init__(self, limit: int = DEFAULT_JOURNAL_LIMIT) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=limit)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._worker = worker_name()

    @property
    def limit(self) -> int:
        return self._entries.maxlen or 0

    def record(self, state: State, request: PublicRequest, status: int | None, fault: str | None) -> None:
        with self._lock:
            entry = JournalEntry(next(self._ids), state.tokens, state.clock.now(), request, status, fault, self._worker)
            self._entries.append(entry)

    def entries(self, after: int | None = None, last: int | None = None) -> list[dict[str, Any]]:
        """Oldest first; with `after`, only those after that id, with `last` the newest `last` of them
        (the others are not rendered)."""
        with self._lock:
            recorded = [entry for entry in self._entries if after is None or entry.id > after]
        if last is not None:
            recorded = recorded[len(recorded) - last :] if last else []
        return [entry.render() for entry in recorded]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
