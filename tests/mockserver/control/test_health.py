"""GET /__admin/health: what a load balancer or a container probe reads; it answers whatever the store does."""

from __future__ import annotations

import os
import signal
import time

import httpx

from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from tests.fleet import private_redis, running_fleet

ALSO_ON_A_FLEET = True


def test_health_of_the_mock(client: httpx.Client) -> None:
    answer = client.get("/__admin/health")
    assert answer.status_code == 200
    health = answer.json()
    assert health["status"] == "ok" and health["serving"] is True
    assert health["version"] == "0.1.0"
    assert health["uptime_seconds"] >= 0
    assert isinstance(health["state_version"], int)
    assert health["store"]["reachable"] is True
    assert health["store"]["kind"] in ("in-process", "redis")


def test_the_state_version_moves_with_each_change(client: httpx.Client) -> None:
    before = client.get("/__admin/health").json()["state_version"]
    client.post("/__admin/accounts/a1b2c3d4e5/agents", json={"id": "health-agent"}).raise_for_status()
    assert client.get("/__admin/health").json()["state_version"] > before


def test_no_token_is_needed_even_when_the_control_plane_has_one() -> None:
    with start_in_thread(create_app(Settings(admin_token="s3cret"))) as running:
        assert httpx.get(running.url + "/__admin/health").status_code == 200
        assert httpx.get(running.url + "/__admin/state").status_code == 401


def test_a_fleet_with_its_store_hung_is_degraded_but_serving() -> None:
    with private_redis() as server, running_fleet(server.url, 1) as fleet:
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            began = time.perf_counter()
            health = httpx.get(fleet.url + "/__admin/health", timeout=5).json()
            assert time.perf_counter() - began < 1
            assert health["status"] == "degraded" and health["serving"] is True
            assert health["store"]["reachable"] is False and "@" not in health["store"]["url"]
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
