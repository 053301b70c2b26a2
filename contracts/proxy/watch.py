"""Judging relayed traffic: each exchange by the rules of one exchange, pairs by the window rules.

Memory is bounded whatever the traffic: the last violations, counts, and a bounded window. A token
is never stored or printed: exchanges keep `Bearer $TOKEN`, and the window keys on a fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import time
import zlib
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

from contracts.exchange_rules import V2_PARAMETERS, Served, served_version
from contracts.failures import Exchange, Violation, redact
from contracts.pair_rules import Window
from contracts.proxy.recording import Recorder
from contracts.proxy.relay import KEPT_BODY, Message, Relayed
from contracts.registry import EXCHANGE, PAIR, RULES

KEPT_VIOLATIONS = 1000
JUDGED_CACHE = 4096
_TOKEN = re.compile(r"^(\s*[Bb][Ee][Aa][Rr][Ee][Rr]\s+)(\S.*)$")


def fingerprint(token: str) -> str:
    """sha256, 12 hex digits: how the mock's journal and this proxy name a token without showing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Reported:
    rule: str
    title: str
    violation: Violation
    at: float

    def as_dict(self) -> dict[str, Any]:
        exchange = self.violation.exchange
        return {
            "rule": self.rule,
            "title": self.title,
            "expected": self.violation.expected,
            "received": self.violation.received,
            "curl": exchange.curl() if exchange is not None else None,
            "at": self.at,
        }


@dataclass
class Judged:
    """What one exchange showed and broke, kept to count its repeats without judging them again."""

    status: str | None
    representation: str | None
    parameters: tuple[str, ...]
    exercised: list[str] = field(default_factory=list)
    violations: list[tuple[str, str, Violation]] = field(default_factory=list)


@dataclass
class Watch:
    """What the traffic showed: violations, counts per rule, coverage."""

    upstream_base: str
    """The upstream URL ending in the path version (`http://staging:8080/v0`)."""
    served: Served
    window: Window
    recorder: Recorder | None = None
    announce: Callable[[Reported], None] = lambda reported: None
    violations: deque[Reported] = field(default_factory=lambda: deque(maxlen=KEPT_VIOLATIONS))
    counts: Counter[str] = field(default_factory=Counter)
    exercised: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    representations: Counter[str] = field(default_factory=Counter)
    parameters: Counter[str] = field(default_factory=Counter)
    exchanges: int = 0
    upstream_errors: int = 0

    def __post_init__(self) -> None:
        self._judged: OrderedDict[int, Judged] = OrderedDict()
        self.base_path = urlsplit(self.upstream_base).path.rstrip("/")
        self.route = re.compile(
            re.escape(self.base_path) + r"/(?P<account>[^/?]+)/agents/(?P<agent>[^/?]+)/latestInteractions$"
        )

    def __call__(self, relayed: Relayed) -> None:
        target = relayed.request.first_line.split(b" ")
        if len(target) < 2:
            return
        method, raw_target = target[0].decode("latin-1"), target[1].decode("latin-1")
        parts = urlsplit(raw_target)
        match = self.route.match(parts.path)
        if match is None:
            return  # not the operation: relayed, not judged
        self.exchanges += 1
        if relayed.error:
            self.upstream_errors += 1
        # Polling repeats itself: an exchange identical to one judged before in all the rules read
        # (see _raw_key) gets the same verdicts without being judged again, and its violations are
        # counted, not announced again.
        key = _raw_key(relayed, parts.path, parts.query)
        judged = self._judged.get(key)
        if judged is not None:
            self._judged.move_to_end(key)
            self._count(judged, announce=False)
            return
        judged = self._judge(
            relayed, method, parts.path, parts.query, unquote(match["account"]), unquote(match["agent"])
        )
        self._judged[key] = judged
        if len(self._judged) > JUDGED_CACHE:
            self._judged.popitem(last=False)
        self._count(judged, announce=True)

    def _judge(self, relayed: Relayed, method: str, path: str, query: str, account: str, agent: str) -> Judged:
        exchange, token = self._exchange(relayed, method, path, query)
        version = served_version(exchange)
        judged = Judged(
            str(exchange.status) if exchange.status else None,
            None if version is None else f"application/json;version={version}",
            tuple(name for name, _ in exchange.params),
        )
        for rule in RULES.of(EXCHANGE):
            try:
                if rule.check(exchange, self.served):
                    judged.exercised.append(rule.id)
            except Violation as violation:
                judged.exercised.append(rule.id)
                judged.violations.append((rule.id, rule.title, violation))
        if token is not None:
            for rule_id, verdict in self.window.add((fingerprint(token), account, agent), exchange):
                judged.exercised.append(rule_id)
                if verdict is not None:
                    judged.violations.append((rule_id, RULES[rule_id].title, verdict))
            if self.recorder is not None:
                self.recorder.record(token, account, agent, exchange)
        return judged

    def _count(self, judged: Judged, *, announce: bool) -> None:
        if judged.status is not None:
            self.statuses[judged.status] += 1
        if judged.representation is not None:
            self.representations[judged.representation] += 1
        for name in judged.parameters:
            self.parameters[name] += 1
        for rule_id in judged.exercised:
            self.exercised[rule_id] += 1
        for rule_id, title, violation in judged.violations:
            self.counts[rule_id] += 1
            if announce:
                reported = Reported(rule_id, title, violation, time.time())
                self.violations.append(reported)
                self.announce(reported)

    def _exchange(self, relayed: Relayed, method: str, path: str, query: str) -> tuple[Exchange, str | None]:
        token: str | None = None
        request_headers = []
        for name, value in relayed.request.headers:
            text_name, text = name.decode("latin-1"), value.decode("latin-1")
            if text_name.lower() == "authorization":
                bearer = _TOKEN.match(text)
                if bearer:
                    token = bearer[2].strip()
                    text = bearer[1] + "$TOKEN"
                elif text.strip():
                    # Another shape keeps its shape (the rules judge it), never its secret.
                    scheme, _, rest = text.strip().partition(" ")
                    if rest:
                        text = f"{scheme} $TOKEN"
                    elif scheme.lower() != "bearer":
                        text = "$TOKEN"
            request_headers.append((text_name, text))
        url = self.upstream_base + path[len(self.base_path) :]
        params = tuple(parse_qsl(query, keep_blank_values=True))
        if token:
            # The token sent elsewhere too (a query parameter, a cookie) is masked there as well.
            hidden = {token: "$TOKEN"}
            request_headers = [(name, redact(text, hidden)) for name, text in request_headers]
            params = tuple((name, redact(value, hidden)) for name, value in params)
        response = relayed.response
        if response is None:
            return Exchange(method, url, params, tuple(request_headers), 0, error=relayed.error, at=time.time()), token
        headers: dict[str, str] = {}
        for name, value in response.headers:
            key = name.decode("latin-1").lower()
            headers[key] = f"{headers[key]}, {value.decode('latin-1')}" if key in headers else value.decode("latin-1")
        status = _status(response)
        return (
            Exchange(
                method,
                url,
                params,
                tuple(request_headers),
                status,
                headers,
                _decoded(response, headers),
                relayed.error,
                time.time(),
            ),
            token,
        )

    # -- the report ---------------------------------------------------------------------------------

    def rule_titles(self) -> dict[str, str]:
        return {r.id: r.title for moment in (EXCHANGE, PAIR) for r in RULES.of(moment)}

    def report(self) -> dict[str, Any]:
        titles = self.rule_titles()
        return {
            "exchanges": self.exchanges,
            "upstream_errors": self.upstream_errors,
            "violations": [v.as_dict() for v in self.violations],
            "counts": dict(self.counts),
            "coverage": {
                "rules": {
                    rule: {"title": title, "exercised": self.exercised[rule], "violations": self.counts[rule]}
                    for rule, title in titles.items()
                },
                "not_exercised": sorted(rule for rule in titles if not self.exercised[rule]),
                "expected": {
                    "statuses": sorted(self.served.responses.responses),
                    "representations": self.served.media_types,
                    "parameters": list(V2_PARAMETERS),
                },
                "statuses": dict(self.statuses),
                "representations": dict(self.representations),
                "parameters": dict(self.parameters),
            },
        }


_JUDGED_PARAMETERS = frozenset(name.lower() for name in V2_PARAMETERS)


def _raw_key(relayed: Relayed, path: str, query: str) -> int:
    """What the verdicts depend on: the exchange's bytes but the answer's Date and the query
    parameters no rule reads (a client's cache-buster or trace id; the contract has them ignored,
    and an answer they changed differs in its bytes)."""
    request, response = relayed.request, relayed.response
    answer: tuple[object, ...] = ()
    if response is not None:
        headers = tuple(h for h in response.headers if h[0].lower() != b"date")
        answer = (response.first_line, headers, bytes(response.body), response.truncated)
    judged = tuple(p for p in query.split("&") if unquote_plus(p.partition("=")[0]).lower() in _JUDGED_PARAMETERS)
    method = request.first_line.partition(b" ")[0]
    return hash((method, path, judged, tuple(request.headers), answer, relayed.error))


def _status(response: Message) -> int:
    parts = response.first_line.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isascii() and parts[1].isdigit() else 0


def _decoded(response: Message, headers: dict[str, str]) -> bytes:
    """The body as the judge reads it: Content-Encoding undone here only (the client got it as sent)."""
    body = bytes(response.body)
    encoding = headers.get("content-encoding", "").strip().lower()
    window = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(encoding)
    if window is None:
        return body
    try:
        return zlib.decompressobj(window).decompress(body, KEPT_BODY)  # bounded: no decompression bomb
    except zlib.error:
        return body
