"""A violation is data: the rule, what was expected, what came back, and the exchange to replay."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from contracts.json_body import NOT_JSON, parse_json

PASSED, FAILED, NOT_EXERCISED, INCONCLUSIVE, ERROR = "passed", "failed", "not exercised", "inconclusive", "error"
"""The outcomes of a rule."""


VARIABLES = ("TOKEN", "FOREIGN_TOKEN", "EXPIRED_TOKEN")
"""The shell variables a reproduce line uses in place of a credential: `TOKEN=... bash -c '<curl>'` works."""
_NAME = "(?:FOREIGN_|EXPIRED_)?TOKEN"
_EXPRESSION = re.compile(rf"(\$\{{{_NAME}(?:\^\^|,,|~~|%\?)?\}}|\${_NAME}\b)")
_TOKEN_CHARS = r"A-Za-z0-9._~-"


def credential_forms(value: str, name: str) -> dict[str, str]:
    """A credential and what the judge derives from it to probe a server (its case variants, one
    character less or more), each with the bash expression that gives it from `$name`."""
    forms = {value: f"${name}"}
    derived = (
        (value.upper(), f"${{{name}^^}}"),
        (value.lower(), f"${{{name},,}}"),
        (value.swapcase(), f"${{{name}~~}}"),
        (value[:-1], f"${{{name}%?}}"),
        (value + "x", f"${{{name}}}x"),
        ("x" + value, f"x${{{name}}}"),
    )
    for form, expression in derived:
        if form:
            forms.setdefault(form, expression)
    return forms


def redact(text: str, secrets: Mapping[str, str]) -> str:
    """`text` with each secret form (a whole token, not a part of a longer word), as sent or
    percent-encoded, replaced by the shell expression that stands for it."""
    forms = {
        form: expression
        for value, expression in secrets.items()
        if value
        for form in (value, quote(value, safe=""))
        if form in text  # most text holds no secret: no pattern to build
    }
    for form, expression in sorted(forms.items(), key=lambda item: len(item[0]), reverse=True):
        text = re.sub(rf"(?<![{_TOKEN_CHARS}]){re.escape(form)}(?![{_TOKEN_CHARS}])", expression, text)
    return text


def shell_word(text: str) -> str:
    """One shell word; where it holds `$TOKEN` (or an expression of a credential variable),
    double-quoted so that it expands when the line is pasted into bash, everything else literal."""
    if not _EXPRESSION.search(text):
        return shlex.quote(text)
    pieces = _EXPRESSION.split(text)
    quoted = "".join(piece if index % 2 else re.sub(r'([\\"`$])', r"\\\1", piece) for index, piece in enumerate(pieces))
    return f'"{quoted}"'


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
    secrets: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Credential values sent, each with the variable that stands for it wherever the exchange is shown."""

    @property
    def full_url(self) -> str:
        """The URL sent; one sent as written (a hostile query) already holds its query."""
        return f"{self.url}?{urlencode(self.params)}" if self.params and "?" not in self.url else self.url

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body's JSON value (shared: never change it), or None when it is not JSON."""
        value = parse_json(self.body)
        return None if value is NOT_JSON else value

    def curl(self) -> str:
        """A command that sends this request again; a credential appears as `$TOKEN` (or
        `$FOREIGN_TOKEN`, `$EXPIRED_TOKEN`), never as its value."""
        parts = ["curl", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        for name, value in self.request_headers:
            parts += ["-H", redact(f"{name}: {value}", self.secrets)]
        parts.append(redact(self.full_url, self.secrets))
        return " ".join(shell_word(part) for part in parts)

    def with_secrets(self, secrets: Mapping[str, str]) -> Exchange:
        return replace(self, secrets=secrets)

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

    def redacted(self, secrets: Mapping[str, str]) -> Violation:
        """The same violation fit to be shown: no credential value in its texts or its reproduce line."""
        exchange = None if self.exchange is None else self.exchange.with_secrets(secrets)
        return Violation(redact(self.expected, secrets), redact(self.received, secrets), exchange)


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
