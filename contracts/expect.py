"""Small assertions shared by the checks; each raises a Violation carrying the exchange."""

from __future__ import annotations

import json
from typing import Any

from contracts.failures import Exchange, Violation
from contracts.spec_conformance import normalise_media_type


def status(exchange: Exchange, expected: int, why: str = "") -> None:
    if exchange.status != expected:
        suffix = f" ({why})" if why else ""
        raise Violation(f"status {expected}{suffix}", exchange.summary(), exchange)


def error(exchange: Exchange, expected_status: int, why: str = "", *, message: str | None = None) -> str:
    """An error answer: the status, Content-Type application/json and a body {"message": "..."}."""
    status(exchange, expected_status, why)
    content_type = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Violation(f"{expected_status} with Content-Type application/json", exchange.summary(), exchange)
    body = exchange.json()
    if (
        not isinstance(body, dict)
        or set(body) != {"message"}
        or not isinstance(body["message"], str)
        or not body["message"]
    ):
        raise Violation(
            f'{expected_status} with a body {{"message": "<human readable>"}}', exchange.summary(), exchange
        )
    if message is not None and body["message"] != message:
        raise Violation(f'{expected_status} {{"message": "{message}"}}', exchange.summary(), exchange)
    return str(body["message"])


def version_served(exchange: Exchange, version: int) -> None:
    media_type = f"application/json;version={version}"
    status(exchange, 200, f"{media_type} is acceptable")
    if normalise_media_type(exchange.header("content-type") or "", drop=("charset",)) != media_type:
        raise Violation(f"Content-Type {media_type}", exchange.summary(), exchange)


def header_shown(exchange: Exchange, name: str) -> str:
    """How a header is quoted in a message: `Vary: Accept`, or `no Vary header`."""
    value = exchange.header(name)
    return f"no {name} header" if value is None else f"{name}: {value}"


def shown(value: Any) -> str:
    """A value as a message quotes it: as JSON (what the wire carried), cut at 200 characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."
