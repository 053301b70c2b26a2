"""`--record`: the traffic written as a fixture document; a mock on it answers as the upstream did."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import jsonschema

from contracts.proxy.server import ProxySettings, start_proxy_in_thread
from mockserver import Settings, create_app
from mockserver.fixtures.load import load_fixture_file
from mockserver.resources import FIXTURE_SCHEMA
from mockserver.running import RunningMock, start_in_thread
from tests.contracts.conftest import DEFAULT_AGENTS

V1, V2 = "application/json;version=1", "application/json;version=2"
QUERIES = [
    (V1, {}),
    (V2, {"size": "100"}),
    (V2, {"size": "2", "type": "Phone"}),
    (V2, {"activeLiveFirst": "true", "size": "3"}),
]


def answers(base_url: str, token: str, agents: list[str]) -> list[tuple[int, object]]:
    found = []
    with httpx.Client(timeout=10) as client:
        for agent in agents:
            for accept, params in QUERIES:
                response = client.get(
                    f"{base_url}/a1b2c3d4e5/agents/{agent}/latestInteractions",
                    params=params,
                    headers={"Authorization": f"Bearer {token}", "Accept": accept},
                )
                found.append((response.status_code, response.json()))
    return found


def test_a_recording_replays_as_the_upstream_answered(mock: RunningMock, tmp_path: Path) -> None:
    recording = tmp_path / "recorded.json"
    agents = [*DEFAULT_AGENTS, "no-such-agent"]
    with start_proxy_in_thread(ProxySettings(upstream=mock.base_url, port=0, record=recording)) as running:
        upstream = answers(running.base_url, "valid-token", agents)
    document = json.loads(recording.read_text())
    jsonschema.validate(document, json.loads(FIXTURE_SCHEMA.read_text()))
    assert "valid-token" not in recording.read_text()
    assert document["tokens"] == [{"token": "token-1", "account": "a1b2c3d4e5"}]
    with start_in_thread(create_app(Settings(), state=load_fixture_file(recording))) as replay:
        assert answers(replay.base_url, "token-1", agents) == upstream


def test_an_agent_seen_only_in_version_1_is_recorded_from_its_v1_item(mock: RunningMock, tmp_path: Path) -> None:
    recording = tmp_path / "v1.json"
    with start_proxy_in_thread(ProxySettings(upstream=mock.base_url, port=0, record=recording)) as running:
        httpx.get(
            f"{running.base_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={"Authorization": "Bearer valid-token", "Accept": V1},
        ).raise_for_status()
    with start_in_thread(create_app(Settings(), state=load_fixture_file(recording))) as replay:
        direct = httpx.get(
            f"{mock.base_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={"Authorization": "Bearer valid-token", "Accept": V1},
        )
        replayed = httpx.get(
            f"{replay.base_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={"Authorization": "Bearer token-1", "Accept": V1},
        )
    assert replayed.json() == direct.json()
