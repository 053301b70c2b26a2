"""Why each answer was given: a journal entry's `explanation`, {"step", "why"}, read from the entry.

Computed when the journal is read, from what the entry records (method, path, query, Accept, what
the token was, status, fault), by the same rules the operation applied: the public answers cost
nothing more, and a fleet's entries are explained alike whichever worker served them. `step` names
the check that decided the answer, in the contract's order; `why` says it with the inputs as
received (a token only by what the mock made of it, never its value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.api.negotiation import choose
from mockserver.api.operation import ALLOWED_METHODS
from mockserver.api.query import QueryRules
from mockserver.api.representation import media_type
from mockserver.errors import InvalidParameter, NotAcceptable

STEPS = ("route", "method", "fault", "authentication", "authorization", "negotiation", "query", "agent", "served")


@dataclass(frozen=True)
class Explainer:
    versions: frozenset[int]
    rules: QueryRules
    route_template: str
    listing: frozenset[int] = frozenset({2})
    """The versions answered with version 2's selection (a list, with query rules): 2 and later unless the
    spec says otherwise (mockserver.api.shapes)."""

    def explain(self, entry: Mapping[str, Any]) -> dict[str, str]:
        step, why = self._decide(entry)
        if entry.get("fault") == "delay":
            why += " (after an injected delay)"
        return {"step": step, "why": why}

    def _decide(self, entry: Mapping[str, Any]) -> tuple[str, str]:
        method, status, fault = entry["method"], entry["status"], entry.get("fault")
        if entry.get("account") is None:
            return "route", f"{method} {entry['path']} is not the operation's path ({self.route_template}): 404."
        if fault in ("status", "drop"):
            outcome = "the connection was cut mid-answer" if fault == "drop" else f"it was answered {status}"
            return "fault", f"An injected fault ({fault}) decided this answer: {outcome}."
        if method not in ALLOWED_METHODS:
            return "method", f"{method} is not allowed on this path; {', '.join(ALLOWED_METHODS)} are: 405."
        if status == 401:
            return "authentication", _unauthenticated(entry.get("authorization")) + ": 401."
        if status == 403:
            opened = ((entry.get("authorization") or {}).get("token") or {}).get("account")
            return "authorization", f"The bearer token opens account {opened!r}, not {entry['account']!r}: 403."
        accept: Sequence[str] = entry.get("accept") or ()
        try:
            version, chosen = choose(accept, self.versions)
        except NotAcceptable:
            return "negotiation", (
                f"{_accept_shown(accept)} names none of the supported media types "
                f"({', '.join(media_type(v) for v in sorted(self.versions))}): 406."
            )
        query: Mapping[str, Sequence[str]] = entry.get("query") or {}
        read = ""
        if version in self.listing:
            try:
                parsed = self.rules.parse(query)
            except InvalidParameter as error:
                return "query", f"{error.message} (version {version} was asked for): 400."
            read = "; " + ", ".join(
                f"{name}={value}" + ("" if name in query else " (default)")
                for name, value in (
                    ("size", parsed.size),
                    ("type", parsed.type),
                    ("activeLiveFirst", str(parsed.active_live_first).lower()),
                )
            )
        if status == 404:
            return "agent", f"Agent {entry['agent']!r} is not in account {entry['account']!r}: 404."
        shown = chosen.media_type + "".join(f";{k}={v}" for k, v in chosen.parameters.items())
        ignored = " (size, type and activeLiveFirst ignored)" if version not in self.listing and query else ""
        return "served", f"Version {version} served, chosen by the range {shown!r}{read}{ignored}: {status}."


def _unauthenticated(authorization: Mapping[str, Any] | None) -> str:
    if authorization is None:
        return "No Authorization header was sent"
    token = authorization.get("token")
    if token is None:
        scheme = authorization.get("scheme")
        if scheme and scheme.lower() == "bearer":
            return "The Authorization header is 'Bearer' without a token"
        return (
            f"The Authorization header is of scheme {scheme!r}, not Bearer"
            if scheme
            else "The Authorization header is empty"
        )
    fingerprint = token.get("fingerprint")
    if not token.get("known"):
        return f"The bearer token (fingerprint {fingerprint}) is unknown"
    if token.get("expired"):
        return f"The bearer token (fingerprint {fingerprint}) has expired"
    return "Several Authorization headers were sent"


def _accept_shown(accept: Sequence[str]) -> str:
    if not accept:
        return "No Accept header"
    return "Accept " + "; ".join(repr(value) for value in accept)
