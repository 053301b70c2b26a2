"""A Redis restarted empty (or flushed): every control route works again at once, `reset` included,
on whichever worker it reaches; a script's error is reported as what it is, not as an outage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import V1, get
from tests.fleet import Fleet, RedisServer, private_redis, running_fleet

AGENT = "/__admin/accounts/a1b2c3d4e5/agents"
DOCUMENT = {
    "tokens": [{"token": "t", "account": "k"}],
    "accounts": [{"key": "k", "agents": [{"id": "x", "interactions": []}]}],
}


@pytest.fixture(scope="module")
def emptied() -> Iterator[tuple[RedisServer, Fleet]]:
    with private_redis() as server, running_fleet(server.url) as fleet:
        yield server, fleet


ROUTES: dict[str, tuple[Callable[[httpx.Client], httpx.Response], int]] = {
    "reset": (lambda c: c.post("/__admin/reset"), 200),
    "put state": (lambda c: c.put("/__admin/state", json=DOCUMENT), 200),
    "get state": (lambda c: c.get("/__admin/state"), 200),
    "add agent": (lambda c: c.post(AGENT, json={"id": "agent-new"}), 201),
    "start interaction": (lambda c: c.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}), 201),
    "add token": (lambda c: c.post("/__admin/tokens", json={"account": "a1b2c3d4e5", "token": "fresh"}), 201),
    "revoke token": (lambda c: c.delete("/__admin/tokens/valid-token"), 200),
    "freeze clock": (lambda c: c.put("/__admin/clock", json={}), 200),
    "release clock": (lambda c: c.delete("/__admin/clock"), 200),
    "journal": (lambda c: c.get("/__admin/journal"), 200),
    "clear journal": (lambda c: c.delete("/__admin/journal"), 200),
    "add fault": (lambda c: c.post("/__admin/faults", json={"kind": "delay", "delay_ms": 1}), 201),
    "faults": (lambda c: c.get("/__admin/faults"), 200),
    "clear faults": (lambda c: c.delete("/__admin/faults"), 200),
}


@pytest.mark.parametrize("route", ROUTES)
def test_every_control_route_works_on_an_emptied_store(emptied: tuple[RedisServer, Fleet], route: str) -> None:
    server, fleet = emptied
    call, status = ROUTES[route]
    with fleet.client() as client:
        client.post("/__admin/reset").raise_for_status()
        redis.Redis.from_url(server.url).flushall()
        for _ in range(2):  # on each worker: the first to see it seeds the store, the other follows
            answer = call(client)
            assert answer.status_code in (status, 404, 409), answer.text
            assert answer.status_code < 500, answer.text
        assert call(client).status_code < 500
        client.post("/__admin/reset").raise_for_status()
        assert get(client, "agent-7", accept=V1).status_code == 200


def test_reset_on_an_emptied_store_gives_the_startup_fixtures(emptied: tuple[RedisServer, Fleet]) -> None:
    server, fleet = emptied
    with fleet.client() as client:
        client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}).raise_for_status()
        redis.Redis.from_url(server.url).flushall()
        for _ in range(2):
            reset = client.post("/__admin/reset")
            assert reset.status_code == 200, reset.text
            assert get(client, "agent-idle").json() == {"interactions": []}


def test_a_script_error_is_named_not_called_an_outage() -> None:
    from mockserver.backends.redis.backend import RedisBackend
    from mockserver.errors import StoreFailed

    backend: Any = RedisBackend.__new__(RedisBackend)
    backend.url, backend._unreachable = "redis://127.0.0.1:1/0", False
    error = backend._unavailable(redis.ResponseError("ERR Error running script: boom"))
    assert isinstance(error, StoreFailed)
    assert "boom" in error.message and "unreachable" not in error.message
