"""A violation is data: the rule, what was expected, what came back, and the exchange to replay."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

PASSED, FAILED, NOT_EXERCISED, INCONCLUSIVE, ERROR = "passed", "failed", "not exercised", "inconclusive", "error"
"""The outcomes of a rule."""


@dataclass(frozen=True)
class Exchange:
    """One request the judge sent and the answer it got (status 0: no answer)."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    request_headers: tuple[tuple[str, str], ...]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    at: float = 0.0
    """When the answer came (time.time()), for the rules that compare answers over time."""

    @property
    def full_url(self) -> str:
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def curl(self) -> str:
        parts = ["curl", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        for name, value in self.request_headers:
            parts += ["-H", f"{name}: {value}"]
        parts.append(self.full_url)
        return " ".join(shlex.quote(part) for part in parts)

    def summary(self) -> str:
        if self.error:
            return f"no answer ({self.error})"
        body = self.body.decode("utf-8", "replace")
        body = body if len(body) <= 300 else body[:297] + "..."
        content_type = self.header("content-type") or "(no Content-Type)"
        return f"{self.status} {content_type} {body}"


class Violation(AssertionError):
    """The server broke the rule being checked."""

    def __init__(self, expected: str, received: str, exchange: Exchange | None = None) -> None:
        super().__init__(f"expected {expected}; received {received}")
        self.expected = expected
        self.received = received
        self.exchange = exchange


class NotExercised(Exception):
    """The rule could not be put to the test on this server's data or with the given options."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Inconclusive(Exception):
    """What no outside view can settle on every correct server (e.g. a tie-break of items shown with
    the same second, which may differ by fractions the API does not show)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CannotJudge(Exception):
    """The run as a whole cannot go on: unreachable server, refused token, unknown agent."""
