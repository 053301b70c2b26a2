"""The fleet's scenario: one record in Redis that every worker plays from, so each event happens once.

The record holds the scenario's document (any worker rebuilds the same events from it), where second
0 is on the mock's clock (`origin`), whether it is paused, and how many events have fired. An event
fires through `RedisBackend.fire`, which commits its changes and the new count together only if the
count is still the one the worker read: two workers due to fire the same event cannot both fire it,
and a worker that dies leaves a count the others go on from, neither replaying nor skipping.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from mockserver.api.representation import precise_rfc3339
from mockserver.backends.redis import scripts
from mockserver.backends.redis.backend import RedisBackend
from mockserver.fixtures.documents import json_default
from mockserver.state.changes import moment


@dataclass(frozen=True)
class Record:
    id: str
    document: Any
    origin: datetime
    paused_at: datetime | None
    fired: int
    failures: list[dict[str, Any]]


class FleetScenario:
    def __init__(self, backend: RedisBackend) -> None:
        self.backend = backend
        self.keys = backend.keys

    async def read(self) -> Record | None:
        client = self.backend.client
        async with client.pipeline(transaction=True) as pipe:
            pipe.hgetall(self.keys.scenario)
            pipe.lrange(self.keys.scenario_failures, 0, -1)
            fields, failures = await self._run(pipe)
        if not fields:
            return None
        given = {_text(key): _text(value) for key, value in fields.items()}
        return Record(
            id=given["id"],
            document=json.loads(given["document"]),
            origin=moment(given["origin"]),
            paused_at=moment(given["paused_at"]) if given.get("paused_at") else None,
            fired=int(given["fired"]),
            failures=[json.loads(_text(failure)) for failure in failures],
        )

    async def start(self, document: Any, origin: datetime, *, unless_playing: bool = False) -> bool:
        """A new scenario for the fleet from its first event. `unless_playing`: not if the record holds this
        same document already (every worker of a fleet is started with the same --scenario; a worker
        started again joins the scenario where it is). True when started."""
        text = json.dumps(document, default=json_default, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        fields = {
            "id": secrets.token_hex(8),
            "document": text,
            "digest": digest,
            "origin": precise_rfc3339(origin),
            "paused_at": "",
            "fired": "0",
        }
        flat = [item for pair in fields.items() for item in pair]
        keys = [self.keys.scenario, self.keys.scenario_failures]
        if unless_playing:
            return bool(await self._call(self.backend.client.eval(scripts.START_ONCE, 2, *keys, digest, *flat)))
        async with self.backend.client.pipeline(transaction=True) as pipe:
            pipe.delete(*keys)
            pipe.hset(self.keys.scenario, items=flat)
            await self._run(pipe)
        return True

    async def update(self, record_id: str, changes: Mapping[str, datetime | None]) -> bool:
        """Move `origin` or `paused_at` of the scenario `record_id`; False if another one is there now."""
        flat = [
            item for name, value in changes.items() for item in (name, "" if value is None else precise_rfc3339(value))
        ]
        reply = await self._call(
            self.backend.client.eval(scripts.UPDATE_SCENARIO, 1, self.keys.scenario, record_id, *flat)
        )
        return bool(reply)

    async def stop(self) -> None:
        await self._call(self.backend.client.delete(self.keys.scenario, self.keys.scenario_failures))

    async def _run(self, pipe: Any) -> Any:
        return await self._call(pipe.execute())

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except redis.RedisError as error:
            raise self.backend.unavailable(error) from None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
