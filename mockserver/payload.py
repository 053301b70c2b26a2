"""Control-plane request bodies, read field by field; a bad field is a ControlError naming it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mockserver.clock import in_utc
from mockserver.errors import ControlError

MAX_CLOCK_MOVE_SECONDS = 100 * 366 * 86400


class Payload:
    """A JSON object body, read field by field; unknown fields are refused."""

    def __init__(self, body: Any, allowed: tuple[str, ...]) -> None:
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            raise ControlError(400, "The body must be a JSON object.")
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise ControlError(400, f"Unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed) or 'none'}.")
        self.body = body

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                raise ControlError(400, f"Field '{name}' is required.")
            return None
        if not isinstance(value, str) or not value:
            raise ControlError(400, f"Field '{name}' must be a non-empty string, got {value!r}.")
        return value

    def choice(self, name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in allowed:
            raise ControlError(400, f"Field '{name}' must be one of {'|'.join(allowed)}, got {value!r}.")
        return value

    def guid(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            return str(uuid.uuid4())
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ControlError(400, f"Field '{name}' must be a UUID, got {value!r}.") from None

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise ControlError(400, f"Field '{name}' must be an RFC 3339 date-time with a time zone, got {value!r}.")
        return in_utc(parsed)

    def whole(self, name: str, *, default: int) -> int:
        value = self.body.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ControlError(400, f"Field '{name}' must be a whole number, got {value!r}.")
        return value

    def seconds(self, name: str) -> int:
        value = self.body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_CLOCK_MOVE_SECONDS:
            raise ControlError(
                400,
                f"Field '{name}' must be a whole number of seconds within ±{MAX_CLOCK_MOVE_SECONDS} (100 years), "
                f"got {value!r}.",
            )
        return value
