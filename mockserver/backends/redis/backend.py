"""The fleet backend: every worker, on one host or many, shares one state, journal and faults in Redis.

- The state is a fixture document (the base) and a log of the Changes since, under one version.
  A control change is resolved and applied on the worker's state of the current version, then
  committed by compare-and-set of that version (retried on a conflict); a refused change is never
  written. Other workers apply the same Change to the same state: a change costs what it touches.
- Each worker serves from the built State of the version it holds. A public request is answered
  from it, then admitted in one script that checks the version is still current (else the worker
  catches up and answers again), decides the injected faults and journals the request: so every
  answer reflects every change acknowledged before it, and faults and the journal are the fleet's.
- A subscriber catches up as soon as a change is published, so requests rarely find it stale.
- Redis gone: public requests are answered from the state held (not journaled, no faults), control
  calls answer 503 and change nothing; the worker catches up when Redis is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from mockserver.api.request import PublicRequest
from mockserver.api.shapes import NO_EXTRA_FIELDS, ExtraField
from mockserver.backends.base import Admission, Answer, EventFailed, MakeChange, SharedScenario, StateHook
from mockserver.backends.redis import scripts
from mockserver.backends.redis.admission import AdmissionQueue
from mockserver.backends.redis.setup import Keys, StoreSetupError, new_epoch
from mockserver.errors import ControlError, StoreFailed, StoreUnavailable
from mockserver.fixtures.check import build_state
from mockserver.fixtures.documents import dump_document, to_document
from mockserver.model import State
from mockserver.settings import DEFAULT_STORE_PREFIX
from mockserver.state.changes import Change, Created, apply
from mockserver.state.faults import Decision, parse_fault, seed_state
from mockserver.state.journal import compact_request, expand_request, worker_name

COMPACT_AFTER = 500
"""Changes kept in the log before the committing worker folds them into the base document."""
_MAX_ATTEMPTS = 20
ADMISSION_DEADLINE = 0.1
"""Seconds a public request waits for its admission; past it (a Redis that hangs) it is answered from
the state the worker holds, which every acknowledged change has reached (see ACK_DEADLINE)."""
ACK_DEADLINE = 1.0
"""Seconds a control change waits, once committed, for every live worker to hold it before it answers."""
HEALTH_PROBE_SECONDS = 0.2
"""How long the health check waits for the store's PING before calling it unreachable."""
HEARTBEAT_SECONDS = 1.0
"""How often a worker says which version it holds; it counts as live for three times as long."""
_RECONNECT_SECONDS = 0.5
_NO_FAULT = Decision()
log = logging.getLogger("mockserver.fleet")
STORE_TIMEOUT_SECONDS = 0.9
"""The longest a call to the store may wait for its answer: a control request on a store that does not
answer is refused (503, saying why) within a second; every call the mock makes is a few keys or one
short script, answered in well under a millisecond by a store that works."""


@dataclass(frozen=True, slots=True)
class Held:
    epoch: str
    version: int
    state: State


class RedisBackend:
    def __init__(
        self,
        url: str,
        *,
        journal_limit: int,
        prefix: str = DEFAULT_STORE_PREFIX,
        on_state: StateHook | None = None,
        extras: Mapping[str, ExtraField] = NO_EXTRA_FIELDS,
    ) -> None:
        keys = Keys(prefix)
        self._extras = extras
        """The served spec's extra item fields, which the shared state's documents may give."""
        self.url, self._limit, self._keys, self._on_state = url, journal_limit, keys, on_state
        self.worker = worker_name()
        self._held = self._load()
        self._client = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
            socket_timeout=STORE_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._admissions = AdmissionQueue(self._client, keys, journal_limit)
        self._commit = self._client.register_script(scripts.COMMIT)
        self._since = self._client.register_script(scripts.SINCE)
        self._fire = self._client.register_script(scripts.FIRE)
        self._catching_up: asyncio.Lock | None = None
        self._subscriber: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._acknowledging: set[asyncio.Task[None]] = set()
        self._ack_id = f"{self.worker}:{secrets.token_hex(4)}"
        """This backend among the fleet's live workers (several mocks may share one process)."""
        self._lagging = self._client.register_script(scripts.LAGGING)
        self._unreachable = False

    # -- the state ------------------------------------------------------------------------------------

    def _load(self) -> Held:
        """At start, synchronously: the base document and the log since, from the store."""
        try:
            with redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=30) as client:
                reply = client.eval(scripts.SINCE, 5, *self._keys.since_keys, -1, "")
                initial = client.get(self._keys.initial)
        except redis.RedisError as error:
            raise StoreSetupError(f"cannot use the store {self.url}: {error}") from None
        if reply[0] == -1 or initial is None:
            raise StoreSetupError(f"the store {self.url} holds no state: start the mock with --store to initialize it")
        self._initial = _text(initial)  # kept to seed the store again should it come back empty
        return self._built(reply, None)

    def _built(self, reply: list[Any], held: Held | None) -> Held:
        version, base_version, epoch, base, *changes = reply
        if base:
            state = build_state(json.loads(base), source="the shared state", extras=self._extras)
            at = int(base_version)
        else:
            assert held is not None
            state, at = held.state, held.version
        for raw in changes:
            state, _ = apply(state, Change.from_json(json.loads(raw)))
            at += 1
        if at != int(version):
            raise StoreUnavailable(f"the shared state's log does not reach version {version} (at {at})")
        return Held(_text(epoch), at, state)

    def held(self) -> State:
        return self._held.state

    async def _catch_up(self) -> Held:
        if self._catching_up is None:
            self._catching_up = asyncio.Lock()
        async with self._catching_up:
            held = self._held
            try:
                reply = await self._since(keys=self._keys.since_keys, args=[held.version, held.epoch])
                if reply[0] == -1:
                    await self._seed_again(held)
                    reply = await self._since(keys=self._keys.since_keys, args=[held.version, held.epoch])
            except redis.RedisError as error:
                raise self._unavailable(error) from None
            if reply[0] == -1:
                raise StoreUnavailable(f"the store {self.url} holds no state")
            if int(reply[0]) != held.version or _text(reply[2]) != held.epoch:
                self._install(self._built(reply, held))
            return self._held

    async def _seed_again(self, held: Held) -> None:
        """The store came back empty (restarted without persistence, or flushed): the first worker to
        notice seeds it with the state it holds and the startup fixtures it read, so the fleet goes on."""
        log.warning("mockserver: the store %s lost the shared state; seeding it with this worker's", self.url)
        document = dump_document(to_document(held.state))
        await self._client.eval(
            scripts.INITIALIZE, 6, *self._keys.initialize_keys, self._initial, document, new_epoch()
        )

    def _install(self, held: Held) -> None:
        if held.epoch != self._held.epoch or held.version > self._held.version:
            self._held = held
            if self._on_state is not None:
                self._on_state()
            self._acknowledge_soon()

    # -- every live worker holds every acknowledged change ------------------------------------------

    async def health(self) -> dict[str, Any]:
        try:
            reachable = bool(await asyncio.wait_for(self._client.ping(), HEALTH_PROBE_SECONDS))
        except (redis.RedisError, OSError, TimeoutError):
            reachable = False
        parts = urlsplit(self.url)
        shown = f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"  # never a password
        return {
            "state_version": self._held.version,
            "store": {"kind": "redis", "url": shown, "reachable": reachable},
        }

    async def start(self) -> None:
        """At start-up: follow the store's changes and say, every second, which version this worker holds."""
        self._ensure_subscriber()
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            try:
                await self._acknowledge()
            except (redis.RedisError, OSError):
                pass  # the store is away: the key expires and committers stop waiting for this worker
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def _acknowledge(self) -> None:
        held = self._held
        pipe = self._client.pipeline(transaction=False)
        pipe.set(self._keys.ack + self._ack_id, f"{held.epoch}:{held.version}", px=int(HEARTBEAT_SECONDS * 3000))
        pipe.sadd(self._keys.workers, self._ack_id)
        await pipe.execute()

    def _acknowledge_soon(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # at start-up, before the server's loop: the heartbeat says it
        task = loop.create_task(self._acknowledge())
        self._acknowledging.add(task)
        task.add_done_callback(self._acknowledging.discard)

    async def _held_everywhere(self, version: int) -> None:
        """Wait until every live worker holds `version`, so that no answer from any of them (even one
        given without asking the store, while it hangs) misses a change this worker acknowledges."""
        deadline = asyncio.get_running_loop().time() + ACK_DEADLINE
        while True:
            try:
                lagging = await self._lagging(
                    keys=[self._keys.workers], args=[self._keys.ack, version, self._held.epoch]
                )
            except redis.RedisError as error:
                # Stored, but not known to be held everywhere: not acknowledged, so said as it is.
                raise StoreUnavailable(
                    f"The change was stored (version {version}), but the shared store {self.url} stopped "
                    f"answering ({error}) before every worker confirmed holding it: some may answer from the "
                    "state before it until the store answers again."
                ) from None
            if not lagging or asyncio.get_running_loop().time() > deadline:
                if lagging:
                    log.warning(
                        "mockserver: %d worker(s) did not apply version %d within %.1f s",
                        lagging,
                        version,
                        ACK_DEADLINE,
                    )
                return
            await asyncio.sleep(0.002)

    async def current(self) -> State:
        self._ensure_subscriber()
        return (await self._catch_up()).state

    async def change(self, make: MakeChange) -> Created:
        self._ensure_subscriber()
        for _ in range(_MAX_ATTEMPTS):
            held = await self._catch_up()
            change = make(held.state)
            new_state, created = apply(held.state, change)
            try:
                committed, version, base_version = await self._commit(
                    keys=[self._keys.version, self._keys.log, self._keys.epoch, self._keys.base_version],
                    args=[held.version, json.dumps(change.to_json()), self._keys.channel, held.epoch],
                )
            except redis.RedisError as error:
                raise self._unavailable(error) from None
            if committed:
                await self._adopt_committed(Held(held.epoch, int(version), new_state), int(base_version))
                return created
        raise ControlError(409, f"The shared state kept changing under this change ({_MAX_ATTEMPTS} tries); retry it.")

    def shared_scenario(self) -> SharedScenario:
        from mockserver.backends.redis.scenario import FleetScenario  # it reads this backend's keys

        return FleetScenario(self)

    async def fire(
        self, scenario_id: str | None, fired: int, events: Sequence[Sequence[Change]], failed: Sequence[EventFailed]
    ) -> int:
        assert scenario_id is not None, "a fleet's events belong to its scenario record"
        for offset, (changes, tell) in enumerate(zip(events, failed, strict=True)):
            if not await self._fire_one(scenario_id, fired + offset, changes, tell):
                return offset
        return len(events)

    async def _fire_one(self, scenario_id: str, fired: int, changes: Sequence[Change], failed: EventFailed) -> bool:
        """One scenario event's changes, committed with the fleet's count of fired events (scripts.FIRE),
        so that the fleet applies each event once: True when this worker fired it, False when the
        scenario moved on meanwhile (another worker fired it, or it was replaced or stopped). A change
        that cannot apply ends the event there; `failed(message)` is what the scenario records of it."""
        self._ensure_subscriber()
        for _ in range(_MAX_ATTEMPTS):
            held = await self._catch_up()
            state, applied, failure = held.state, [], ""
            for change in changes:
                try:
                    state, _ = apply(state, change)
                except ControlError as error:
                    failure = json.dumps(failed(error.message))
                    break
                applied.append(json.dumps(change.to_json()))
            keys = self._keys
            outcome, version, base_version = await self._call(
                self._fire(
                    keys=[keys.version, keys.log, keys.epoch, keys.base_version, keys.scenario, keys.scenario_failures],
                    args=[held.version, keys.channel, held.epoch, scenario_id, fired, failure, *applied],
                )
            )
            if int(outcome) == 2:
                return False
            if int(outcome) == 1:
                if applied:
                    await self._adopt_committed(Held(held.epoch, int(version), state), int(base_version))
                return True
        raise ControlError(409, f"The shared state kept changing under a scenario event ({_MAX_ATTEMPTS} tries).")

    @property
    def client(self) -> aioredis.Redis:
        """The connection to the store, for what shares it beside the state (the fleet's scenario)."""
        return self._client

    @property
    def keys(self) -> Keys:
        return self._keys

    async def _adopt_committed(self, held: Held, base_version: int) -> None:
        """This worker's own commit: held at once, acknowledged by every live worker before the call
        answers, and the log folded into the base once it is long."""
        self._install(held)
        await self._held_everywhere(held.version)
        if held.version - base_version >= COMPACT_AFTER:
            await self._compact()

    async def _compact(self) -> None:
        try:
            held = self._held
            document = dump_document(to_document(held.state))
            await self._client.eval(scripts.COMPACT, 4, *self._keys.state_keys, document, held.version)
        except redis.RedisError as error:
            log.warning("mockserver: could not fold the change log into the base: %s", error)

    async def replace(self, state: State) -> State:
        document = dump_document(state.document)
        version = await self._on_a_seeded_store(
            lambda: self._client.eval(scripts.REPLACE, 4, *self._keys.state_keys, document, self._keys.channel)
        )
        self._install_replacement(version, state)
        await self._held_everywhere(version)
        return state

    async def reset(self) -> State:
        keys = self._keys
        version = await self._on_a_seeded_store(
            lambda: self._client.eval(
                scripts.RESET,
                7,
                *keys.state_keys,
                keys.initial,
                keys.journal,
                keys.faults,
                keys.fault,
                keys.channel,
            )
        )
        initial = await self._call(self._client.get(keys.initial))
        if initial is None:
            raise StoreUnavailable(f"the store {self.url} lost the startup fixtures (was it flushed?)")
        state = build_state(json.loads(initial), source="the startup fixtures", extras=self._extras)
        self._install_replacement(version, state)
        await self._held_everywhere(version)
        return state

    async def _on_a_seeded_store(self, script: Callable[[], Awaitable[Any]]) -> int:
        """Run a script that answers -1 on a store holding no state (restarted empty, flushed): the
        store is seeded again from this worker's state, as a catch-up does, and the script run again."""
        for _ in range(2):
            version = int(await self._call(script()))
            if version >= 0:
                return version
            await self._catch_up()
        raise StoreUnavailable(f"the store {self.url} holds no state and could not be seeded again")

    def _install_replacement(self, version: int, state: State) -> None:
        # Replacing keeps the epoch; a catch-up running meanwhile may already hold a later version.
        self._install(Held(self._held.epoch, version, state))

    # -- public requests --------------------------------------------------------------------------------

    async def admit(self, request: PublicRequest, answer: Answer) -> Admission:
        self._ensure_subscriber()
        held = self._held
        for _ in range(_MAX_ATTEMPTS):
            response = answer(held.state)
            state = held.state
            entry = compact_request(request, state.tokens, state.clock.now(), self.worker)
            # Off the route both are None: '' tells the script no fault applies.
            account, agent = (request.account or "").encode(), (request.agent or "").encode()
            admitted = b"%d\t%d\t%d\t%b%b%b" % (
                response.status,
                len(account),
                len(agent),
                account,
                agent,
                entry.encode(),
            )
            try:
                decided = await asyncio.wait_for(
                    self._admissions.admit(held.epoch, held.version, admitted), ADMISSION_DEADLINE
                )
            except TimeoutError:
                self._unavailable(TimeoutError(f"no answer within {ADMISSION_DEADLINE * 1000:.0f} ms"))
                return Admission(response, _NO_FAULT)
            except redis.RedisError as error:
                self._unavailable(error)
                return Admission(response, _NO_FAULT)
            if decided is not None:
                self._reachable()
                if not decided:
                    return Admission(response, _NO_FAULT)
                delay_ms, status, retry_after, drop, applied = decided.split(",")
                decision = Decision(
                    delay_seconds=int(delay_ms) / 1000,
                    status=int(status) or None,
                    retry_after=None if int(retry_after) < 0 else int(retry_after),
                    drop=drop == "1",
                    fault_ids=tuple(int(i) for i in applied.split()),
                )
                return Admission(None if decision.fails else response, decision)
            try:
                held = await self._catch_up()
            except StoreUnavailable:
                return Admission(response, _NO_FAULT)
        return Admission(answer(held.state), _NO_FAULT)

    # -- journal and faults -------------------------------------------------------------------------

    @property
    def journal_limit(self) -> int:
        return self._limit

    async def journal(self, after: int | None = None, last: int | None = None) -> list[dict[str, Any]]:
        raw = await self._call(self._client.lrange(self._keys.journal, 0, -1))
        lines = [_text(line).split("\t", 3) for line in raw]
        if after is not None:
            lines = [line for line in lines if int(line[0]) > after]
        if last is not None:
            lines = lines[len(lines) - last :] if last else []
        entries = []
        for entry_id, status, fault, rendered in lines:
            entries.append(
                {
                    "id": int(entry_id),
                    **expand_request(rendered),
                    "status": int(status) if status else None,
                    "fault": fault or None,
                }
            )
        return entries

    async def clear_journal(self) -> int:
        return int(await self._call(self._client.eval(scripts.CLEAR_JOURNAL, 1, self._keys.journal)))

    async def add_fault(self, body: Any) -> dict[str, Any]:
        parsed = parse_fault(body, 0)  # refused before an id is taken
        spec = replace(parsed, id=int(await self._call(self._client.incr(self._keys.fault_id))))
        low, high = spec.delay_ms or (0, 0)
        fields = {
            "kind": spec.kind,
            "account": spec.account or "",
            "agent": spec.agent or "",
            "remaining": -1 if spec.count is None else spec.count,
            "probability": repr(spec.probability),
            "low": low,
            "high": high,
            "status": spec.status or 0,
            "retry_after": -1 if spec.retry_after is None else spec.retry_after,
            "random": seed_state(spec.random_seed),
            "spec": json.dumps(spec.describe(None)),
        }
        pipe = self._client.pipeline(transaction=True)
        pipe.hset(self._keys.fault + str(spec.id), mapping=fields)  # type: ignore[arg-type]
        pipe.rpush(self._keys.faults, spec.id)
        await self._call(pipe.execute())
        return spec.describe(spec.count)

    async def faults(self) -> list[dict[str, Any]]:
        ids = await self._call(self._client.lrange(self._keys.faults, 0, -1))
        pipe = self._client.pipeline(transaction=False)
        for fault_id in ids:
            pipe.hmget(self._keys.fault + _text(fault_id), "spec", "remaining")
        listed = []
        for spec, remaining in await self._call(pipe.execute()):
            if spec is None:
                continue  # used up between the two reads
            described = json.loads(spec)
            described["remaining"] = None if int(remaining) < 0 else int(remaining)
            listed.append(described)
        return listed

    async def remove_fault(self, fault_id: int) -> None:
        pipe = self._client.pipeline(transaction=True)
        pipe.lrem(self._keys.faults, 0, str(fault_id))
        pipe.delete(self._keys.fault + str(fault_id))
        removed, _ = await self._call(pipe.execute())
        if not removed:
            raise ControlError(404, f"Unknown fault {fault_id}.")

    async def clear_faults(self) -> int:
        return int(await self._call(self._client.eval(scripts.CLEAR_FAULTS, 1, self._keys.faults, self._keys.fault)))

    # -- the connection ---------------------------------------------------------------------------------

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except redis.RedisError as error:
            raise self._unavailable(error) from None

    def unavailable(self, error: Exception) -> ControlError:
        """The ControlError a failed store operation answers (503 unreachable, or what a script said)."""
        return self._unavailable(error)

    def _unavailable(self, error: Exception) -> ControlError:
        if isinstance(error, redis.ResponseError):
            # Redis answered, with an error (a script's): the store is there, so say what it said.
            return StoreFailed(f"The shared store {self.url} refused the operation: {error}. Nothing was changed.")
        if not self._unreachable:
            self._unreachable = True
            log.warning(
                "mockserver: the store %s is unreachable (%s); serving the last state held, control calls answer 503",
                self.url,
                error,
            )
        return StoreUnavailable(
            f"The shared store {self.url} is unreachable ({error}); nothing was changed. Public requests are "
            "answered from the last state each worker holds until it is back."
        )

    def _reachable(self) -> None:
        if self._unreachable:
            self._unreachable = False
            log.warning("mockserver: the store %s is reachable again", self.url)

    def _ensure_subscriber(self) -> None:
        if self._subscriber is None or self._subscriber.done():
            self._subscriber = asyncio.get_running_loop().create_task(self._follow())

    async def _follow(self) -> None:
        """Catch up whenever a change is published; after an outage, catch up at once."""
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self._keys.channel)
                    await self._catch_up()
                    self._reachable()
                    async for message in pubsub.listen():
                        if message["type"] == "message" and int(message["data"]) > self._held.version:
                            await self._catch_up()
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, StoreUnavailable, OSError):
                await asyncio.sleep(_RECONNECT_SECONDS)

    async def close(self) -> None:
        for task in (self._subscriber, self._heartbeat):
            if task is not None:
                task.cancel()
        try:  # leave the live workers at once: committers stop waiting for this one
            await asyncio.wait_for(self._leave(), 0.5)
        except (redis.RedisError, OSError, TimeoutError):
            pass
        await self._client.aclose()

    async def _leave(self) -> None:
        pipe = self._client.pipeline(transaction=False)
        pipe.delete(self._keys.ack + self._ack_id)
        pipe.srem(self._keys.workers, self._ack_id)
        await pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
