"""Scenarios played on the mock's clock, driven over HTTP: exactly the events due fire when a frozen
clock is stepped, the same grid whether time is stepped, sought or runs (real or accelerated),
pauses shift what follows, and what cannot apply is reported while the rest plays on."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from tests.conftest import ACCOUNT, V2, get

T0 = "2026-03-02T09:00:00Z"
DAY = {
    "name": "a call with a consult",
    "account": ACCOUNT,
    "events": [
        {"at": 5, "agent": "agent-idle", "start": "call", "type": "Phone", "direction": "Inbound"},
        {"at": 40, "agent": "agent-idle", "add_channel": "consult", "to": "call"},
        {"at": 70, "agent": "agent-idle", "end_channel": "consult"},
        {"at": 90, "agent": "agent-idle", "end": "call"},
        {"at": 90, "add_token": "after-call-token", "expires": 3600},
    ],
}


def channels(client: httpx.Client, agent: str = "agent-idle") -> list[tuple[str, int | None]]:
    answer = get(client, agent, accept=V2, params={"size": 100})
    assert answer.status_code == 200, answer.text
    return [(item["start"], item["duration"]) for item in answer.json()["interactions"]]


def advance(client: httpx.Client, seconds: int) -> dict[str, Any]:
    client.post("/__admin/clock/advance", json={"seconds": seconds}).raise_for_status()
    return dict(client.get("/__admin/scenario").json())


def test_stepping_a_frozen_clock_fires_exactly_the_events_due_in_order(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    played = client.put("/__admin/scenario", json=DAY)
    assert played.status_code == 201 and played.json()["fired"] == 0
    assert advance(client, 4)["fired"] == 0 and channels(client) == []
    assert advance(client, 1)["fired"] == 1
    assert channels(client) == [("2026-03-02T09:00:05Z", None)]
    assert advance(client, 34)["fired"] == 1
    assert advance(client, 1)["fired"] == 2
    assert channels(client) == [("2026-03-02T09:00:40Z", None), ("2026-03-02T09:00:05Z", None)]
    status = advance(client, 60)
    assert status["fired"] == 5 and status["status"] == "finished" and status["next"] is None
    assert channels(client) == [("2026-03-02T09:00:40Z", 30), ("2026-03-02T09:00:05Z", 85)]
    tokens = {token["token"]: token for token in client.get("/__admin/state").json()["tokens"]}
    assert tokens["after-call-token"]["expires"] == "2026-03-02T10:00:00Z"


def test_a_large_step_applies_each_event_at_its_own_time(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    assert advance(client, 1000)["fired"] == 5
    assert channels(client) == [("2026-03-02T09:00:40Z", 30), ("2026-03-02T09:00:05Z", 85)]


def test_seeking_forward_fires_the_events_skipped_at_their_times_on_the_grid(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    status = client.post("/__admin/scenario/seek", json={"seconds": 60}).json()
    assert status["fired"] == 2 and status["position_seconds"] == 60
    # Second 0 moved back 60 s so that now is second 60: the call started 55 s ago.
    assert channels(client) == [("2026-03-02T08:59:40Z", None), ("2026-03-02T08:59:05Z", None)]
    assert advance(client, 30)["fired"] == 5
    assert channels(client) == [("2026-03-02T08:59:40Z", 30), ("2026-03-02T08:59:05Z", 85)]


def test_seeking_back_is_refused_and_a_negative_position_is_a_bad_request(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    advance(client, 50)
    refused = client.post("/__admin/scenario/seek", json={"seconds": 10})
    assert refused.status_code == 409 and "back" in refused.json()["message"]
    assert client.post("/__admin/scenario/seek", json={"seconds": -1}).status_code == 400
    assert client.post("/__admin/scenario/seek", json={"seconds": "soon"}).status_code == 400
    assert client.get("/__admin/scenario").json()["fired"] == 2


def test_a_pause_holds_the_events_and_shifts_those_that_follow(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    advance(client, 10)
    assert client.post("/__admin/scenario/pause").json()["status"] == "paused"
    assert advance(client, 100)["fired"] == 1  # held: the consult at 40 did not happen
    resumed = client.post("/__admin/scenario/resume").json()
    assert resumed["status"] == "playing" and resumed["position_seconds"] == 10
    assert resumed["next"]["due"] == "2026-03-02T09:02:20Z"  # 40 s into the scenario, 100 s later
    advance(client, 30)
    assert channels(client)[0] == ("2026-03-02T09:02:20Z", None)


def test_the_same_scenario_ends_in_the_same_state_stepped_and_accelerated() -> None:
    relative: list[set[tuple[Any, ...]]] = []
    for speed in (1.0, 200.0):
        with start_in_thread(create_app(Settings(speed=speed))) as mock, httpx.Client(base_url=mock.url) as client:
            if speed == 1.0:
                client.put("/__admin/clock", json={"now": T0}).raise_for_status()
            started = client.put("/__admin/scenario", json=DAY).json()
            if speed == 1.0:
                advance(client, 90)
            else:
                deadline = time.monotonic() + 10
                while client.get("/__admin/scenario").json()["status"] != "finished":
                    assert time.monotonic() < deadline, "the accelerated scenario did not finish"
                    time.sleep(0.05)
            origin = datetime.fromisoformat(started["started_at"].replace("Z", "+00:00"))
            relative.append(_relative_channels(client.get("/__admin/state").json(), origin))
    assert relative[0] == relative[1]
    assert len(relative[0]) == 2


def _relative_channels(document: dict[str, Any], origin: datetime) -> set[tuple[Any, ...]]:
    def seconds(text: str | None) -> float | None:
        return None if text is None else (datetime.fromisoformat(text.replace("Z", "+00:00")) - origin).total_seconds()

    found = set()
    for account in document["accounts"]:
        for agent in account["agents"]:
            if agent["id"] != "agent-idle":
                continue
            for interaction in agent["interactions"]:
                for channel in interaction["channels"]:
                    found.add(
                        (
                            interaction["guid"],
                            channel["channelGuid"],
                            seconds(channel["start"]),
                            seconds(channel.get("end")),
                        )
                    )
    return found


def test_on_a_running_clock_events_happen_without_a_call() -> None:
    quick = {"account": ACCOUNT, "events": [{"at": 0.2, "agent": "agent-idle", "start": "call", "type": "Chat"}]}
    with start_in_thread(create_app(Settings())) as mock, httpx.Client(base_url=mock.url) as client:
        client.put("/__admin/scenario", json=quick).raise_for_status()
        deadline = time.monotonic() + 5
        while not channels(client):
            assert time.monotonic() < deadline, "the event did not happen on a running clock"
            time.sleep(0.02)
        assert client.get("/__admin/scenario").json()["status"] == "finished"


def test_an_event_that_cannot_apply_is_reported_and_the_rest_plays_on(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    scenario = {
        "account": ACCOUNT,
        "events": [
            {"at": 1, "agent": "nobody", "start": "ghost call", "type": "Phone"},
            {"at": 2, "agent": "agent-idle", "start": "call", "type": "Phone"},
        ],
    }
    client.put("/__admin/scenario", json=scenario).raise_for_status()
    status = advance(client, 5)
    assert status["fired"] == 2 and status["status"] == "finished"
    [failure] = status["failures"]
    assert failure["index"] == 0 and "nobody" in failure["message"]
    assert channels(client) == [("2026-03-02T09:00:02Z", None)]


def test_a_bad_document_is_refused_whole_and_changes_nothing(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    bad = {"events": [{"at": 1, "add_agent": "x"}, {"at": -2, "start": "y"}]}
    refused = client.put("/__admin/scenario", json=bad)
    assert refused.status_code == 400
    assert [error.split(":")[0] for error in refused.json()["errors"]] == ["events[1].at", "events[0].account"]
    assert client.get("/__admin/scenario").json()["name"] == "a call with a consult"
    assert client.put("/__admin/scenario", content=b"").status_code == 400
    assert client.put("/__admin/scenario", content=b"events: [unclosed").status_code == 400


def test_a_yaml_document_is_played_too(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    text = "account: a1b2c3d4e5\nevents:\n  - {at: 0, agent: agent-idle, start: call, type: Email}\n"
    assert client.put("/__admin/scenario", content=text.encode()).json()["fired"] == 1


def test_reset_and_a_new_state_stop_the_scenario(client: httpx.Client) -> None:
    for stop in ("reset", "state"):
        client.put("/__admin/clock", json={"now": T0}).raise_for_status()
        client.put("/__admin/scenario", json=DAY).raise_for_status()
        if stop == "reset":
            client.post("/__admin/reset").raise_for_status()
        else:
            client.put("/__admin/state", json=client.get("/__admin/state").json()).raise_for_status()
        assert client.get("/__admin/scenario").status_code == 404


def test_without_a_scenario_its_routes_answer_404(client: httpx.Client) -> None:
    for method, route in [("GET", ""), ("DELETE", ""), ("POST", "/pause"), ("POST", "/resume")]:
        answer = client.request(method, "/__admin/scenario" + route)
        assert answer.status_code == 404 and "PUT" in answer.json()["message"]


def test_stop_unloads_and_keeps_what_happened(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": T0}).raise_for_status()
    client.put("/__admin/scenario", json=DAY).raise_for_status()
    advance(client, 10)
    assert client.delete("/__admin/scenario").json()["fired"] == 1
    assert client.get("/__admin/scenario").status_code == 404
    advance_clock = client.post("/__admin/clock/advance", json={"seconds": 100})
    assert advance_clock.status_code == 200
    assert channels(client) == [("2026-03-02T09:00:05Z", None)]


def test_the_plugin_steps_a_scenario_without_sleeping(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        DAY = {DAY!r}

        def test_day(mock_state):
            mock_state.freeze_clock("{T0}")
            mock_state.play(DAY)
            mock_state.advance_clock(5)
            assert mock_state.scenario()["fired"] == 1
            mock_state.advance_clock(85)
            assert mock_state.scenario()["status"] == "finished"

        def test_next_test_starts_clean(mock_state):
            import pytest
            from mockserver.client import ControlRefused
            with pytest.raises(ControlRefused):
                mock_state.scenario()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_command_line_plays_a_scenario_and_refuses_a_bad_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("events: [{at: -1, add_agent: x}]\n")
    refused = subprocess.run(
        [sys.executable, "-m", "mockserver", "run", "--port", "0", "--scenario", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2 and "events[0].at" in refused.stderr
    for arguments, message in (
        (["--speed", "0"], "--speed"),
        (["--speed", "2", "--store", "redis://127.0.0.1:1/0"], "fleet"),
    ):
        refused = subprocess.run(
            [sys.executable, "-m", "mockserver", "run", "--port", "0", *arguments],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr


def test_the_command_line_plays_the_example_at_speed(tmp_path: Path) -> None:
    from tests.mockserver.test_cli import running

    example = Path(__file__).resolve().parents[3] / "fixtures" / "scenario-agent-day.yaml"
    with running("--scenario", str(example), "--speed", "100") as (root, _, _process):
        deadline = time.monotonic() + 20
        while (status := httpx.get(root + "/__admin/scenario").json())["status"] != "finished":
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["fired"] == 13 and status["failures"] == []
        started = datetime.fromisoformat(status["started_at"].replace("Z", "+00:00"))
        assert datetime.fromisoformat(
            httpx.get(root + "/__admin/clock").json()["now"].replace("Z", "+00:00")
        ) - started >= timedelta(seconds=400)
