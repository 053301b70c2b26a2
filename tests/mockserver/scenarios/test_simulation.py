"""A seeded contact centre: the same seed and the same clock moves give the same history, the work is
plausible (calls with consults inside them, chats at most `chat_limit` at once, emails left open),
the history stays bounded, the clock drives it as it drives a scenario, and the judge passes it."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from mockserver.scenarios.document import Event
from mockserver.scenarios.simulation import SimulationSettings, simulate
from tests.mockserver.test_cli import running

ACCOUNTS = ["a1b2c3d4e5", "f6g7h8i9j0"]
T0 = "2026-03-02T09:00:00Z"


def day(settings: SimulationSettings, hours: float = 24) -> list[Event]:
    return list(itertools.takewhile(lambda event: event.at <= hours * 3600, simulate(settings, ACCOUNTS)))


def test_the_same_seed_gives_the_same_events_and_another_seed_others() -> None:
    one = day(SimulationSettings(agents=3, seed=7), hours=6)
    assert one == day(SimulationSettings(agents=3, seed=7), hours=6)
    assert one != day(SimulationSettings(agents=3, seed=8), hours=6)
    assert [event.at for event in one] == sorted(event.at for event in one)


def test_every_account_gets_its_agents_first() -> None:
    events = day(SimulationSettings(agents=2), hours=1)
    added = [(event.account, event.name) for event in events if event.action == "add_agent"]
    assert added == [(account, f"sim-000{n}") for account in ACCOUNTS for n in (1, 2)]
    assert all(event.at == 0 for event in events[: len(added)])


def test_the_work_is_plausible() -> None:
    settings = SimulationSettings(agents=10, seed=3)
    events = day(settings)
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for event in events:
        if event.action == "start":
            started[event.fields["channelGuid"]] = event.at
            kinds[event.fields["channelGuid"]] = event.fields["type"]
        elif event.action == "add_channel":
            started[event.fields["channelGuid"]] = event.at
            kinds[event.fields["channelGuid"]] = "consult"
        elif event.action in ("end", "end_channel"):
            for channel in event.fields["channelGuids"]:
                assert channel not in ended, "a channel ended twice"
                ended[channel] = event.at
    for channel, end in ended.items():
        assert end > started[channel]
    assert {"Phone", "Chat", "Email", "consult"} <= set(kinds.values())
    emails = [ended[c] - started[c] for c, kind in kinds.items() if kind == "Email" and c in ended]
    calls = [ended[c] - started[c] for c, kind in kinds.items() if kind == "Phone" and c in ended]
    assert sorted(emails)[len(emails) // 2] > 4 * sorted(calls)[len(calls) // 2]  # emails stay open long
    # Chats at once per agent never above the limit.
    open_chats: dict[tuple[str, str | None], int] = defaultdict(int)
    for event in events:
        key = (event.account, event.agent)
        if event.action == "start" and event.fields["type"] == "Chat":
            open_chats[key] += 1
            assert open_chats[key] <= settings.chat_limit
        elif event.action == "end" and kinds[event.fields["channelGuids"][0]] == "Chat":
            open_chats[key] -= 1


def test_a_consult_happens_inside_its_call() -> None:
    events = day(SimulationSettings(agents=10, seed=5), hours=8)
    call_end = {(e.account, e.name): e.at for e in events if e.action == "end"}
    consults = [e for e in events if e.action == "add_channel" and e.at < 7 * 3600]  # ended within the 8 h drawn
    assert consults
    for consult in consults:
        [end] = [
            e.at for e in events if e.action == "end_channel" and (e.account, e.name) == (consult.account, consult.name)
        ]
        assert consult.at < end < call_end[(consult.account, consult.fields["interaction"])]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agents": 0}, "agents"),
        ({"history": 10}, "history"),
        ({"chat_limit": 0}, "chat limit"),
        ({"idle_mean": 0}, "idle"),
    ],
)
def test_settings_out_of_range_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimulationSettings(**changes)


def _stepped_state(seed: int) -> str:
    with start_in_thread(create_app(Settings())) as mock, httpx.Client(base_url=mock.url) as client:
        client.put("/__admin/clock", json={"now": T0}).raise_for_status()
        assert client.put("/__admin/simulation", json={"agents": 4, "seed": seed}).status_code == 201
        for seconds in (1, 59, 600, 3000, 7200):
            client.post("/__admin/clock/advance", json={"seconds": seconds}).raise_for_status()
        status = client.get("/__admin/scenario").json()
        assert status["failures"] == [] and status["events"] is None and status["status"] == "playing"
        return client.get("/__admin/state").text


def test_two_mocks_with_the_same_seed_and_clock_moves_show_identical_states() -> None:
    assert _stepped_state(11) == _stepped_state(11)
    assert _stepped_state(11) != _stepped_state(12)


def test_the_history_stays_bounded(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/simulation", json={"agents": 3, "history": 600}).raise_for_status()
    for _ in range(12):
        client.post("/__admin/clock/advance", json={"seconds": 1800}).raise_for_status()
    now = datetime.fromisoformat(client.get("/__admin/clock").json()["now"].replace("Z", "+00:00"))
    document = client.get("/__admin/state").json()
    ends = [
        datetime.fromisoformat(channel["end"].replace("Z", "+00:00"))
        for account in document["accounts"]
        for agent in account["agents"]
        if agent["id"].startswith("sim-")
        for interaction in agent["interactions"]
        for channel in interaction["channels"]
        if channel.get("end")
    ]
    assert ends and min(ends) >= now - timedelta(seconds=2 * 600)  # forgotten past the horizon


def test_with_the_clock_frozen_nothing_moves_until_it_does(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    fired = client.put("/__admin/simulation", json={"agents": 2}).json()["fired"]
    time.sleep(1)
    assert client.get("/__admin/scenario").json()["fired"] == fired
    client.post("/__admin/clock/advance", json={"seconds": 600}).raise_for_status()
    assert client.get("/__admin/scenario").json()["fired"] > fired


@pytest.mark.parametrize(
    "body", [{"agents": 0}, {"agents": "many"}, {"seed": 1.5}, {"history": 5}, {"colour": "red"}, [1]]
)
def test_a_bad_simulation_request_is_refused(client: httpx.Client, body: Any) -> None:
    refused = client.put("/__admin/simulation", json=body)
    assert refused.status_code == 400, refused.text
    assert client.get("/__admin/scenario").status_code == 404


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--agents", "0"], "--agents"),
        (["--history", "1"], "--history"),
        (["--scenario", "fixtures/scenario-agent-day.yaml"], "choose one"),
        (["--speed", "10", "--store", "redis://127.0.0.1:1/0"], "fleet"),
        (["--speed", "-1"], "--speed"),
    ],
)
def test_the_command_line_refuses_a_simulation_it_cannot_play(arguments: list[str], message: str) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "mockserver", "run", "--port", "0", "--simulate", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and message in refused.stderr, refused.stderr


@pytest.mark.slow
def test_the_judge_passes_a_mock_that_simulates_at_ten_times_real_speed() -> None:
    with running("--simulate", "--speed", "10") as (root, _, _):
        agents = [arg for agent in ("sim-0001", "sim-0002", "sim-0003", "agent-7") for arg in ("--agent", agent)]
        judged = subprocess.run(
            [sys.executable, "-m", "contracts.cli", "check", "--base-url", f"{root}/v0"]
            + ["--token", "valid-token", "--account", "a1b2c3d4e5", *agents, "--max-examples", "10"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert judged.returncode == 0, judged.stdout[-4000:]


# -- no clock move holds the mock (issue 29) -----------------------------------------------------------


def _slowest_health_while(client: httpx.Client, request: Any) -> tuple[httpx.Response, float]:
    """Send `request` (a function of a client) while health is asked every 20 ms from another client."""
    import threading

    slowest, done = [0.0], threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=10) as prober:
            while not done.is_set():
                started = time.perf_counter()
                prober.get("/__admin/health").raise_for_status()
                slowest[0] = max(slowest[0], time.perf_counter() - started)
                time.sleep(0.02)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        answer = request(client)
    finally:
        done.set()
        thread.join()
    return answer, slowest[0]


def test_a_century_of_simulated_time_is_refused_at_once_naming_the_bound(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/simulation", json={"agents": 3, "seed": 7}).raise_for_status()
    before = client.get("/__admin/state").json()
    started = time.perf_counter()
    refused, slowest = _slowest_health_while(
        client, lambda c: c.post("/__admin/clock/advance", json={"seconds": 3162239999})
    )
    assert time.perf_counter() - started < 5
    assert refused.status_code == 409
    message = refused.json()["message"]
    assert "Field 'seconds'" in message and "50000 events" in message and "seconds is as far as it may go" in message
    assert slowest < 1.0
    # Refused whole: neither the clock nor the state moved.
    assert client.get("/__admin/clock").json()["now"] == "2026-03-02T09:00:00Z"
    assert client.get("/__admin/state").json() == before


def test_the_largest_move_the_refusal_names_is_accepted(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/simulation", json={"agents": 3, "seed": 7}).raise_for_status()
    message = client.post("/__admin/clock/advance", json={"seconds": 3162239999}).json()["message"]
    reachable = int(message.split("); ")[1].split(" seconds")[0])
    assert client.post("/__admin/clock/advance", json={"seconds": reachable}).status_code == 200


def test_a_paused_simulation_lets_the_clock_go_anywhere(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/simulation", json={"agents": 3, "seed": 7}).raise_for_status()
    client.post("/__admin/scenario/pause").raise_for_status()
    assert client.post("/__admin/clock/advance", json={"seconds": 3162239999}).status_code == 200


def test_a_seek_past_the_bound_is_refused_too(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/simulation", json={"agents": 3, "seed": 7}).raise_for_status()
    refused = client.post("/__admin/scenario/seek", json={"seconds": 3162239999})
    assert refused.status_code == 409 and "Field 'seconds'" in refused.json()["message"]
    assert client.get("/__admin/scenario").json()["position_seconds"] == 0.0


def test_the_largest_simulation_starts_and_moves_while_health_answers(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    started = time.perf_counter()
    answer, slowest = _slowest_health_while(
        client, lambda c: c.put("/__admin/simulation", json={"agents": 10_000, "seed": 7})
    )
    assert answer.status_code == 201 and time.perf_counter() - started < 5
    assert slowest < 1.0
    started = time.perf_counter()
    moved, slowest = _slowest_health_while(client, lambda c: c.post("/__admin/clock/advance", json={"seconds": 60}))
    assert moved.status_code == 200 and time.perf_counter() - started < 5
    assert slowest < 1.0
    assert client.get("/__admin/scenario").json()["fired"] > 2 * 10_000
