"""Injected faults of the public endpoint: delays, failure statuses, dropped connections; decided
(`FaultInjector.decide`, written again in Lua for a fleet) and carried out (`injected_response`,
`drop_connection`) here.

A fault applies to every request, or to one account/agent, or to the next N matching requests,
possibly with a probability; random delays and random choices come from the fault's own seeded
generator (one is drawn when none is given), so a seeded failing run replays exactly.
Answers are otherwise never altered.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import Send

from mockserver.errors import ApiError, ControlError
from mockserver.payload import Payload
from mockserver.responses import Response

KINDS = ("delay", "status", "drop")
MAX_DELAY_MS = 60_000
RANDOM_MODULUS = 2**31 - 1
"""Park and Miller's generator: a few integer operations that Redis's Lua runs exactly as Python
does, so a seeded fault draws the same sequence on one process or across a fleet."""
RANDOM_MULTIPLIER = 16807


def seed_state(seed: int) -> int:
    # Two draws first: neighbouring small seeds would otherwise start with near-equal small numbers.
    return next_random(next_random(seed % RANDOM_MODULUS or 1))


def next_random(state: int) -> int:
    return state * RANDOM_MULTIPLIER % RANDOM_MODULUS


@dataclass(frozen=True)
class FaultSpec:
    """A fault as asked for; what changes as it applies (remaining count, generator) lives beside it."""

    id: int
    kind: str
    delay_ms: tuple[int, int] | None
    status: int | None
    retry_after: int | None
    account: str | None
    agent: str | None
    count: int | None
    probability: float
    seed: int | None
    """As given; listed only then."""
    random_seed: int
    """What the generator starts from: the seed given, or one drawn."""

    def describe(self, remaining: int | None) -> dict[str, Any]:
        described: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.delay_ms is not None:
            low, high = self.delay_ms
            described["delay_ms"] = low if low == high else {"min": low, "max": high}
        if self.status is not None:
            described["status"] = self.status
        if self.retry_after is not None:
            described["retry_after"] = self.retry_after
        for name in ("account", "agent", "seed"):
            if getattr(self, name) is not None:
                described[name] = getattr(self, name)
        described["remaining"] = remaining
        described["probability"] = self.probability
        return described


@dataclass
class _LiveFault:
    spec: FaultSpec
    remaining: int | None
    random_state: int

    def matches(self, account: str, agent: str) -> bool:
        spec = self.spec
        return (spec.account in (None, account)) and (spec.agent in (None, agent)) and self.remaining != 0

    def draw(self) -> int:
        self.random_state = next_random(self.random_state)
        return self.random_state


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait, then answer normally, fail with a status, or drop."""

    delay_seconds: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    fault_ids: tuple[int, ...] = ()

    @property
    def fails(self) -> bool:
        return self.drop or self.status is not None

    @property
    def kind(self) -> str | None:
        """What the journal says of it."""
        if self.drop:
            return "drop"
        if self.status is not None:
            return "status"
        return "delay" if self.delay_seconds else None


class FaultInjector:
    """The faults of one process. The rules of `decide` are written a second time, in Lua, for a
    fleet (backends/redis_scripts.py); tests run both on the same cases."""

    def __init__(self) -> None:
        self._faults: list[_LiveFault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, body: Any) -> dict[str, Any]:
        spec = parse_fault(body, next(self._ids))
        with self._lock:
            self._faults.append(_LiveFault(spec, spec.count, seed_state(spec.random_seed)))
        return spec.describe(spec.count)

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.spec.describe(fault.remaining) for fault in self._faults]

    def remove(self, fault_id: int) -> None:
        with self._lock:
            kept = [f for f in self._faults if f.spec.id != fault_id]
            if len(kept) == len(self._faults):
                raise ControlError(404, f"Unknown fault {fault_id}.")
            self._faults = kept

    def clear(self) -> int:
        with self._lock:
            count, self._faults = len(self._faults), []
            return count

    def decide(self, account: str, agent: str) -> Decision:
        if not self._faults:
            return Decision()
        delay_ms, status, retry_after, drop, applied = 0, None, None, False, []
        with self._lock:
            for fault in self._faults:
                spec = fault.spec
                if not fault.matches(account, agent):
                    continue
                if spec.kind != "delay" and (status is not None or drop):
                    continue  # the first failure decides the answer
                if spec.probability < 1.0 and fault.draw() / RANDOM_MODULUS >= spec.probability:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                applied.append(spec.id)
                if spec.kind == "delay" and spec.delay_ms is not None:
                    low, high = spec.delay_ms
                    delay_ms += low if low == high else low + fault.draw() % (high - low + 1)
                elif spec.kind == "status":
                    status, retry_after = spec.status, spec.retry_after
                else:
                    drop = True
            self._faults = [f for f in self._faults if f.remaining != 0]
        return Decision(delay_ms / 1000, status, retry_after, drop, tuple(applied))


def parse_fault(body: Any, fault_id: int) -> FaultSpec:
    payload = Payload(
        body, ("kind", "delay_ms", "status", "retry_after", "account", "agent", "count", "probability", "seed")
    )
    kind = payload.choice("kind", KINDS, required=True)
    raw = payload.body
    given_null = sorted(name for name, value in raw.items() if value is None)
    if given_null:
        # Leave a field out for its default; null is not one of the values it takes.
        raise ControlError(400, f"Field '{given_null[0]}' must not be null (leave it out for its default).")
    delay = _delay(raw.get("delay_ms")) if kind == "delay" else None
    if kind != "delay" and "delay_ms" in raw:
        raise ControlError(400, "Field 'delay_ms' belongs to kind 'delay' only.")
    status = retry_after = None
    if kind == "status":
        status = raw.get("status")
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise ControlError(400, f"Field 'status' must be an HTTP status from 400 to 599, got {status!r}.")
        retry_after = raw.get("retry_after", 1 if status in (429, 503) else None)
        if retry_after is not None and (
            not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 0
        ):
            raise ControlError(400, f"Field 'retry_after' must be whole seconds >= 0, got {retry_after!r}.")
    elif "status" in raw or "retry_after" in raw:
        raise ControlError(400, "Fields 'status' and 'retry_after' belong to kind 'status' only.")
    count = raw.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise ControlError(400, f"Field 'count' must be a whole number >= 1, got {count!r}.")
    probability = raw.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability <= 1:
        raise ControlError(400, f"Field 'probability' must be a number in (0, 1], got {probability!r}.")
    seed = raw.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ControlError(400, f"Field 'seed' must be an integer, got {seed!r}.")
    return FaultSpec(
        id=fault_id,
        kind=str(kind),
        delay_ms=delay,
        status=status,
        retry_after=retry_after,
        account=payload.text("account"),
        agent=payload.text("agent"),
        count=count,
        probability=float(probability),
        seed=seed,
        random_seed=secrets.randbelow(RANDOM_MODULUS) if seed is None else seed,
    )


def _delay(value: Any) -> tuple[int, int]:
    def whole(v: Any) -> int:
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_DELAY_MS:
            raise ControlError(
                400,
                f"Field 'delay_ms' must be whole milliseconds from 0 to {MAX_DELAY_MS}, or {{min, max}}, got {value!r}.",
            )
        return v

    if isinstance(value, Mapping):
        if set(value) != {"min", "max"}:
            raise ControlError(400, f"Field 'delay_ms' as an object needs exactly min and max, got {value!r}.")
        low, high = whole(value["min"]), whole(value["max"])
        if low > high:
            raise ControlError(400, f"Field 'delay_ms': min {low} is above max {high}.")
        return low, high
    if value is None:
        raise ControlError(400, "Field 'delay_ms' is required for kind 'delay'.")
    return whole(value), whole(value)


# -- what a decision does to the answer ---------------------------------------------------------------

FAULT_HEADER = "X-Mock-Fault"


def injected_response(decision: Decision) -> Response:
    error = ApiError(decision.status or 500, f"Injected fault: status {decision.status}.")
    # The marker tells a client's test (and ours) that this answer is outside the contract on purpose.
    headers = {FAULT_HEADER: ",".join(map(str, decision.fault_ids))}
    if decision.retry_after is not None:
        headers["Retry-After"] = str(decision.retry_after)
    return error.to_response(headers)


async def drop_connection(send: Send) -> None:
    """Promise a body, send none of it and stop: the client sees the connection cut mid-answer."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
    await send({"type": "http.response.body", "body": b"", "more_body": True})
    raise DroppedConnection


class DroppedConnection(Exception):
    """Raised on purpose to make the server close the connection (fault injection)."""


class _HideDroppedConnections(logging.Filter):
    """uvicorn logs an app's exception with its traceback; a drop asked for is no error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


def quiet_dropped_connections() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDroppedConnections) for f in logger.filters):
        logger.addFilter(_HideDroppedConnections())
