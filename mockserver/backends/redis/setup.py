"""The store made ready at start: seeded from the startup fixtures when it holds no state, joined
otherwise, refused when it holds a state started from other fixtures; and the names of its keys."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import redis

from mockserver.backends.redis import scripts
from mockserver.fixtures.documents import dump_document, json_default
from mockserver.settings import DEFAULT_STORE_PREFIX


class StoreSetupError(Exception):
    """The store cannot be used at start: unreachable, or holding another fixture set."""


def document_digest(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=json_default).encode()).hexdigest()


def initialize_store(url: str, document: Any, *, prefix: str = DEFAULT_STORE_PREFIX, replace: bool = False) -> str:
    """Make the store hold a fleet's state, from the startup fixture `document` when it holds none.

    Returns what was done, for the banner. A store already holding a state started from other
    fixtures is refused unless `replace`: joining it would serve data the command line did not name.
    """
    keys = Keys(prefix)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        with client:
            encoded = dump_document(document)
            if replace:
                client.delete(keys.version)
            if client.eval(scripts.INITIALIZE, 6, *keys.initialize_keys, encoded, encoded, new_epoch()) == 1:
                return "initialized from the fixtures"
            stored = client.get(keys.initial)
            if stored is not None and document_digest(json.loads(stored)) != document_digest(document):
                raise StoreSetupError(
                    f"the store {url} already holds a mock's state started from other fixtures; pass "
                    "--replace-store to replace it with these (every worker on it then serves them)"
                )
            version = int(client.get(keys.version) or 0)
            return f"joined the shared state at version {version}"
    except redis.RedisError as error:
        raise StoreSetupError(f"cannot use the store {url}: {error}") from None


class Keys:
    def __init__(self, prefix: str) -> None:
        self.version, self.base, self.base_version, self.log = (
            prefix + name for name in ("version", "base", "base_version", "log")
        )
        self.initial, self.journal, self.journal_id = prefix + "initial", prefix + "journal", prefix + "journal_id"
        self.faults, self.fault_id, self.fault = prefix + "faults", prefix + "fault_id", prefix + "fault:"
        self.channel, self.epoch = prefix + "changes", prefix + "epoch"
        self.workers, self.ack = prefix + "workers", prefix + "ack:"
        self.scenario, self.scenario_failures = prefix + "scenario", prefix + "scenario_failures"

    @property
    def state_keys(self) -> tuple[str, str, str, str]:
        return self.version, self.base, self.base_version, self.log

    @property
    def initialize_keys(self) -> tuple[str, ...]:
        return (*self.state_keys, self.initial, self.epoch)

    @property
    def since_keys(self) -> tuple[str, ...]:
        return (*self.state_keys, self.epoch)


def new_epoch() -> str:
    return secrets.token_hex(8)
