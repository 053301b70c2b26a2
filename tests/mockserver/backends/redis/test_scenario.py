"""A scenario on a fleet (issue 19, item 4): each event applied once for the whole fleet, read-your-writes
for what it changed, and the scenario going on when a worker dies. Real Redis, worker processes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from tests.conftest import ACCOUNT, V2, get
from tests.fleet import Fleet, RedisServer, running_fleet
from tests.mockserver.scenarios.test_player import DAY, T0

AGENT = f"/__admin/accounts/{ACCOUNT}/agents"


@pytest.fixture
def fresh_fleet(redis_server: RedisServer) -> Iterator[Fleet]:
    """Two workers on a store of their own (a scenario is the fleet's: tests must not share one)."""
    with running_fleet(redis_server.url) as fleet:
        yield fleet


def _scenario(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/__admin/scenario")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _interactions(client: httpx.Client, agent: str = "agent-idle") -> list[dict[str, Any]]:
    state = client.get("/__admin/state").json()
    (account,) = [a for a in state["accounts"] if a["key"] == ACCOUNT]
    (found,) = [a for a in account["agents"] if a["id"] == agent]
    return list(found["interactions"])


def test_stepped_on_a_fleet_each_event_happens_once(fresh_fleet: Fleet) -> None:
    with fresh_fleet.client() as client:
        assert client.put("/__admin/clock", json={"now": T0}).status_code == 200
        assert client.put("/__admin/scenario", json=DAY).status_code == 201
        for _ in range(90):  # one second at a time, each move through the next worker in turn
            assert client.post("/__admin/clock/advance", json={"seconds": 1}).status_code == 200
        for _ in range(2):  # both workers see the same, finished scenario
            status = _scenario(client)
            assert (status["status"], status["fired"], status["failures"]) == ("finished", 5, [])
        (call,) = _interactions(client)
        assert [channel["end"] is not None for channel in call["channels"]] == [True, True]
        tokens = [
            token for token in client.get("/__admin/state").json()["tokens"] if token["token"] == "after-call-token"
        ]
        assert len(tokens) == 1


def test_what_an_event_changed_is_served_by_every_worker_at_once(fresh_fleet: Fleet) -> None:
    with fresh_fleet.client() as client:
        client.put("/__admin/clock", json={"now": T0})
        client.put("/__admin/scenario", json=DAY)
        assert client.post("/__admin/clock/advance", json={"seconds": 5}).status_code == 200
        for _ in range(4):  # alternating workers, right after the move that fired the call was answered
            items = get(client, "agent-idle", accept=V2, params={"size": 5}).json()["interactions"]
            assert [item["duration"] for item in items][:1] == [None]


def test_workers_started_with_the_same_scenario_play_it_once(redis_server: RedisServer, tmp_path: Any) -> None:
    day = tmp_path / "day.yaml"
    import yaml

    day.write_text(yaml.safe_dump({**DAY, "events": [{**e, "at": e["at"] / 30} for e in DAY["events"]]}))
    with running_fleet(redis_server.url, 2, "--scenario", str(day)) as fleet, fleet.client() as client:
        deadline = time.monotonic() + 15
        while (status := _scenario(client))["status"] != "finished":
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        assert (status["fired"], status["failures"]) == (5, [])
        assert len(_interactions(client)) == 1


def test_the_scenario_goes_on_when_a_worker_dies(fresh_fleet: Fleet) -> None:
    real_time_day = {**DAY, "events": [{**event, "at": event["at"] / 15} for event in DAY["events"]]}  # 6 s
    with fresh_fleet.client() as client:
        assert client.put("/__admin/scenario", json=real_time_day).status_code == 201
        time.sleep(1.0)
        os.kill(fresh_fleet.processes[0].pid, signal.SIGKILL)
        fresh_fleet.processes[0].wait(10)
        survivor = httpx.Client(base_url=f"http://127.0.0.1:{fresh_fleet.ports[1]}", timeout=10)
        with survivor:
            deadline = time.monotonic() + 20
            while (status := _scenario(survivor))["status"] != "finished":
                assert time.monotonic() < deadline, status
                time.sleep(0.2)
            assert (status["fired"], status["failures"]) == (5, [])  # none replayed (it would fail), none skipped
            (call,) = _interactions(survivor)
            assert len(call["channels"]) == 2 and all(channel["end"] for channel in call["channels"])


def test_pause_seek_and_stop_are_the_fleets(fresh_fleet: Fleet) -> None:
    with fresh_fleet.client() as client:
        client.put("/__admin/clock", json={"now": T0})
        client.put("/__admin/scenario", json=DAY)
        assert client.post("/__admin/scenario/pause").json()["status"] == "paused"
        client.post("/__admin/clock/advance", json={"seconds": 60})
        assert _scenario(client)["fired"] == 0 and _scenario(client)["status"] == "paused"  # both workers
        assert client.post("/__admin/scenario/seek", json={"seconds": 45}).json()["fired"] == 2
        assert _scenario(client)["fired"] == 2
        assert client.post("/__admin/scenario/resume").json()["status"] == "playing"
        client.post("/__admin/clock/advance", json={"seconds": 30})
        assert _scenario(client)["fired"] == 3
        assert client.delete("/__admin/scenario").status_code == 200
        for _ in range(2):
            assert client.get("/__admin/scenario").status_code == 404


def test_a_reset_stops_the_fleets_scenario(fresh_fleet: Fleet) -> None:
    with fresh_fleet.client() as client:
        client.put("/__admin/clock", json={"now": T0})
        client.put("/__admin/scenario", json=DAY)
        assert client.post("/__admin/reset").status_code == 200
        for _ in range(2):
            assert client.get("/__admin/scenario").status_code == 404


def _simulated_state(client: httpx.Client) -> list[Any]:
    client.put("/__admin/clock", json={"now": T0})
    assert client.put("/__admin/simulation", json={"agents": 2, "seed": 3, "history": 600}).status_code == 201
    for _ in range(60):
        assert client.post("/__admin/clock/advance", json={"seconds": 20}).status_code == 200
    status = _scenario(client)
    assert status["failures"] == [] and status["fired"] > 20, status
    return list(client.get("/__admin/state").json()["accounts"])


def test_a_simulation_on_a_fleet_is_the_one_process_simulation(fresh_fleet: Fleet) -> None:
    """The same seed and clock moves give the same state on a fleet (each event once, whichever worker
    fires it) as in one process."""
    with start_in_thread(create_app(Settings())) as alone, httpx.Client(base_url=alone.url, timeout=10) as client:
        expected = _simulated_state(client)
    with fresh_fleet.client() as client:
        assert _simulated_state(client) == expected


def test_workers_started_with_simulate_play_one_simulation(redis_server: RedisServer) -> None:
    with (
        running_fleet(redis_server.url, 2, "--simulate", "--agents", "2", "--seed", "5") as fleet,
        fleet.client() as client,
    ):
        time.sleep(1.5)
        statuses = [_scenario(client) for _ in range(2)]  # one from each worker
        assert statuses[0]["name"] == statuses[1]["name"] and "seed 5" in statuses[0]["name"]
        assert all(status["failures"] == [] for status in statuses)  # no agent added twice
        state = client.get("/__admin/state").json()
        for account in state["accounts"]:
            simulated = [agent["id"] for agent in account["agents"] if agent["id"].startswith("sim-")]
            assert simulated == ["sim-0001", "sim-0002"]
