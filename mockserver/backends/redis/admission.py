"""Public requests admitted in groups: the requests a worker answered while one call to Redis was
out go together in the next, in one script that checks the state they were answered from is still
current, decides the injected faults and journals them (group commit)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from mockserver.backends.redis import scripts
from mockserver.backends.redis.setup import Keys

MAX_BATCH = 256


@dataclass(frozen=True, slots=True)
class _Pending:
    version: tuple[str, int]
    """(epoch, version) of the state the request was answered from."""
    request: bytes
    """As the admission script reads it: the answer's status, account and agent, the journal entry."""
    decided: asyncio.Future[str | None]
    """'' (no fault), the faults' decision, or None when the state was stale."""


class AdmissionQueue:
    def __init__(self, client: aioredis.Redis, keys: Keys, journal_limit: int) -> None:
        self._script = client.register_script(scripts.ADMIT)
        self._keys = [keys.version, keys.journal, keys.journal_id, keys.faults, keys.epoch]
        self._fault_prefix = keys.fault
        self._limit = journal_limit
        self._waiting: list[_Pending] = []
        self._task: asyncio.Task[None] | None = None

    async def admit(self, epoch: str, version: int, request: bytes) -> str | None:
        """The faults' decision for a request answered from the state at (epoch, version): '' for
        none, None when that state is no longer current. Raises what Redis raises."""
        pending = _Pending((epoch, version), request, asyncio.get_running_loop().create_future())
        self._waiting.append(pending)
        if self._task is None or self._task.done():
            # Held, since the event loop keeps only a weak reference to a task.
            self._task = asyncio.get_running_loop().create_task(self._admit_waiting())
        return await pending.decided

    async def _admit_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[:MAX_BATCH]
            del self._waiting[:MAX_BATCH]
            version = batch[0].version
            same = [p for p in batch if p.version == version]
            self._waiting[:0] = [p for p in batch if p.version != version]  # answered from another state
            await self._admit_batch(version, same)

    async def _admit_batch(self, version: tuple[str, int], batch: list[_Pending]) -> None:
        epoch, number = version
        args: list[Any] = [number, epoch, self._limit, self._fault_prefix]
        args += [pending.request for pending in batch]
        try:
            reply = await self._script(keys=self._keys, args=args)
            if reply[0] != 1:
                outcomes: list[str | None] = [None] * len(batch)  # stale: each answers again
            else:
                decided = reply[1].decode() if isinstance(reply[1], bytes) else reply[1]
                outcomes = list(decided.split(";")) if decided else [""] * len(batch)
        except Exception as error:  # noqa: BLE001 - every waiting request must hear of it
            for pending in batch:
                if not pending.decided.done():
                    pending.decided.set_exception(error)
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            if not pending.decided.done():
                pending.decided.set_result(outcome)
