"""The fleet on a real Redis: one state, one journal, faults counted once, read-your-writes, outages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.api.request import PublicRequest
from mockserver.backends.redis import backend as redis_backend
from mockserver.backends.redis.backend import RedisBackend
from mockserver.backends.redis.setup import initialize_store
from mockserver.fixtures.load import load_fixture_file
from mockserver.resources import DEFAULT_FIXTURES
from mockserver.responses import Response
from mockserver.running import start_in_thread
from mockserver.state.faults import FaultInjector
from tests.conftest import ACCOUNT, V1, V2, get, path
from tests.fleet import Fleet, RedisServer, private_redis, running_fleet

AGENT = f"/__admin/accounts/{ACCOUNT}/agents"


@pytest.fixture
def session(fleet: Fleet) -> Iterator[httpx.Client]:
    with fleet.client() as client:
        yield client
        client.post("/__admin/reset").raise_for_status()


def journal(client: httpx.Client, **filters: str) -> list[dict[str, Any]]:
    response = client.get("/__admin/journal", params=filters)
    response.raise_for_status()
    return list(response.json()["requests"])


def test_the_journal_is_the_fleets_in_order_naming_each_worker(session: httpx.Client) -> None:
    session.delete("/__admin/journal").raise_for_status()
    for _ in range(10):
        assert get(session, "agent-7").status_code == 200
    entries = journal(session)
    assert len(entries) == 10
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert len({e["worker"] for e in entries}) == 2
    # read from either worker: the same journal
    assert journal(session) == journal(session)


def test_a_counted_fault_applies_to_exactly_that_many_requests_across_workers(session: httpx.Client) -> None:
    session.delete("/__admin/journal").raise_for_status()
    session.post("/__admin/faults", json={"kind": "status", "status": 503, "count": 7}).raise_for_status()
    statuses = [get(session, "agent-7").status_code for _ in range(20)]
    assert statuses.count(503) == 7 and statuses[:7] == [503] * 7
    assert session.get("/__admin/faults").json()["faults"] == []
    assert [e["fault"] for e in journal(session)].count("status") == 7


def test_a_seeded_fault_replays_the_same_outcomes_on_a_fleet_as_on_one_process(session: httpx.Client) -> None:
    body = {"kind": "status", "status": 503, "probability": 0.4, "seed": 2024}
    session.post("/__admin/faults", json=body).raise_for_status()
    on_the_fleet = [get(session, "agent-7").status_code for _ in range(40)]
    injector = FaultInjector()
    injector.add(body)
    on_one_process = [injector.decide(ACCOUNT, "agent-7").status or 200 for _ in range(40)]
    assert on_the_fleet == on_one_process
    assert 5 < on_the_fleet.count(503) < 30


def test_a_change_through_one_worker_is_read_through_the_other_at_once(fleet: Fleet) -> None:
    first, second = (httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) for port in fleet.ports)
    with first, second:
        try:
            for _ in range(20):
                started = first.post(f"{AGENT}/agent-idle/interactions", json={"type": "Chat"}).json()
                answer = get(second, "agent-idle", accept=V2, params={"size": "1"}).json()["interactions"]
                assert answer[0]["guid"] == started["guid"]
                ended = second.post(f"{AGENT}/agent-idle/channels/{started['channels'][0]['channelGuid']}/end")
                assert ended.status_code == 200, ended.text
                assert (
                    get(first, "agent-idle", accept=V2, params={"size": "1"}).json()["interactions"][0]["duration"]
                    is not None
                )
        finally:
            first.post("/__admin/reset").raise_for_status()


def test_reset_clears_state_journal_and_faults_for_every_worker(session: httpx.Client) -> None:
    session.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}).raise_for_status()
    session.post("/__admin/faults", json={"kind": "delay", "delay_ms": 1}).raise_for_status()
    get(session, "agent-idle")
    session.post("/__admin/reset").raise_for_status()
    for _ in range(2):  # each worker in turn
        assert session.get("/__admin/faults").json()["faults"] == []
        assert session.get("/__admin/journal").json()["requests"] == []
    for _ in range(2):
        assert get(session, "agent-idle").json() == {"interactions": []}


def test_a_refused_change_changes_nothing_anywhere(session: httpx.Client) -> None:
    before = [session.get("/__admin/state").json() for _ in range(2)]
    refused = session.post(f"{AGENT}/agent-7/interactions", json={"type": "Chat", "guid": "not-a-guid"})
    assert refused.status_code == 400
    assert [session.get("/__admin/state").json() for _ in range(2)] == before


def test_a_put_state_is_served_by_every_worker(session: httpx.Client, default_document: dict[str, Any]) -> None:
    document = {
        "tokens": [{"token": "fleet-token", "account": "fleet-account"}],
        "accounts": [{"key": "fleet-account", "agents": [{"id": "only", "interactions": []}]}],
    }
    session.put("/__admin/state", json=document).raise_for_status()
    for _ in range(4):
        assert get(session, "only", token="fleet-token", account="fleet-account").json() == {"interactions": []}
        assert session.get("/__admin/state").json() == document


def test_unknown_paths_are_journaled_on_the_fleet(session: httpx.Client) -> None:
    session.delete("/__admin/journal").raise_for_status()
    assert session.get(f"/v0/{ACCOUNT}/agents/recentinteraction").status_code == 404
    (entry,) = journal(session)
    assert (entry["path"], entry["status"], entry["account"]) == (f"/v0/{ACCOUNT}/agents/recentinteraction", 404, None)


# -- the same decisions as one process ------------------------------------------------------------------

FAULT_CASES = [
    [{"kind": "delay", "delay_ms": {"min": 0, "max": 1000}, "seed": 42}],
    [{"kind": "delay", "delay_ms": {"min": 5, "max": 9}, "probability": 0.5, "seed": -3}],
    [{"kind": "status", "status": 503, "probability": 0.3, "seed": 9}],
    [{"kind": "drop", "count": 2}, {"kind": "status", "status": 500, "count": 3}],
    [{"kind": "delay", "delay_ms": 100}, {"kind": "status", "status": 503}, {"kind": "delay", "delay_ms": 50}],
    [{"kind": "status", "status": 429, "agent": "b", "count": 4, "probability": 0.7, "seed": 2**40}],
    [{"kind": "status", "status": 502, "account": "other"}, {"kind": "drop", "probability": 0.2, "seed": 0}],
]


@pytest.mark.parametrize("faults", FAULT_CASES)
def test_the_stores_fault_rules_decide_as_the_in_process_ones(
    redis_server: RedisServer, faults: list[dict[str, Any]]
) -> None:
    """The Lua of the store and FaultInjector.decide: the same decisions, request after request."""
    injector = FaultInjector()
    for body in faults:
        injector.add(body)
    expected = [injector.decide(ACCOUNT, agent) for agent in ["a", "b"] * 15]

    async def on_the_store() -> list[Any]:
        prefix = f"test-{uuid.uuid4().hex[:12]}:"
        initialize_store(redis_server.url, load_fixture_file(DEFAULT_FIXTURES).document, prefix=prefix)
        backend = RedisBackend(redis_server.url, journal_limit=100, prefix=prefix)
        try:
            for body in faults:
                await backend.add_fault(body)
            decisions = []
            for agent in ["a", "b"] * 15:
                request = PublicRequest("GET", "/", ACCOUNT, agent, b"", (), ())
                admission = await backend.admit(request, lambda state: Response(200, {}, b""))
                decisions.append(admission.decision)
            return decisions
        finally:
            await backend.close()

    assert asyncio.run(on_the_store()) == expected


# -- the store's life -----------------------------------------------------------------------------------------


def test_the_change_log_is_folded_into_the_base_and_a_new_worker_loads_both(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_backend, "COMPACT_AFTER", 5)
    settings = Settings(port=0, store=redis_server.url, store_prefix=f"test-{uuid.uuid4().hex[:12]}:")
    with start_in_thread(create_app(settings)) as first, httpx.Client(base_url=first.url) as client:
        guids = [
            client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Email"}).json()["guid"] for _ in range(12)
        ]
        with start_in_thread(create_app(settings)) as late, httpx.Client(base_url=late.url) as other:
            listed = get(other, "agent-idle", accept=V2, params={"size": "20"}).json()["interactions"]
            assert sorted(item["guid"] for item in listed) == sorted(guids)
            assert other.get("/__admin/state").json() == client.get("/__admin/state").json()


def test_a_store_holding_other_fixtures_is_refused_unless_replaced(redis_server: RedisServer, tmp_path: Any) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(DEFAULT_FIXTURES.read_text().replace("agent-idle", "agent-resting"))
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    initialize_store(redis_server.url, load_fixture_file(DEFAULT_FIXTURES).document, prefix=prefix)
    command = [sys.executable, "-m", "mockserver", "run", "--port", "0", "--store", redis_server.url]
    command += ["--store-prefix", prefix, "--fixtures", str(other)]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "other fixtures" in refused.stderr and "--replace-store" in refused.stderr
    replaced = create_app(
        Settings(port=0, fixtures=other, store=redis_server.url, store_prefix=prefix, replace_store=True)
    )
    assert "agent-resting" in replaced.backend.held().accounts[ACCOUNT].agents


def test_the_store_unreachable_at_start_is_a_clear_refusal() -> None:
    command = [sys.executable, "-m", "mockserver", "run", "--port", "0", "--store", "redis://127.0.0.1:1/0"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "cannot use the store redis://127.0.0.1:1/0" in refused.stderr


def test_redis_going_away_and_coming_back_empty() -> None:
    """Gone: public answers from the last state, control calls 503 and change nothing. Back empty:
    a worker seeds it with the state it holds, and the fleet goes on from there."""
    with private_redis() as server, running_fleet(server.url) as fleet, fleet.client() as client:
        started = client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}).json()
        for _ in range(2):  # both workers have served it: each holds that state when Redis goes
            assert get(client, "agent-idle").json()["interactions"][0]["guid"] == started["guid"]
        server.stop()
        for _ in range(4):
            answer = get(client, "agent-idle")
            assert answer.status_code == 200
            assert answer.json()["interactions"][0]["guid"] == started["guid"]
            refused = client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Chat"})
            assert refused.status_code == 503
            assert "unreachable" in refused.json()["message"] and "nothing was changed" in refused.json()["message"]
            assert client.get("/__admin/journal").status_code == 503
        server.start_again()
        deadline = time.monotonic() + 15
        while client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Chat"}).status_code != 201:
            assert time.monotonic() < deadline, fleet.stderr()
            time.sleep(0.2)
        for _ in range(4):
            listed = get(client, "agent-idle", accept=V2, params={"size": "10"}).json()["interactions"]
            assert started["guid"] in [item["guid"] for item in listed] and len(listed) == 2
        assert "unreachable" in fleet.stderr()


# -- the command line ----------------------------------------------------------------------------------


def test_workers_share_one_listening_port_and_one_state(redis_server: RedisServer) -> None:
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    command = [sys.executable, "-m", "mockserver", "run", "--port", "0", "--workers", "2"]
    command += ["--store", redis_server.url, "--store-prefix", prefix]
    # A session of its own: should the supervisor hang, its workers are stopped with it.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True
    )
    try:
        assert process.stdout is not None
        banner = "".join(process.stdout.readline() for _ in range(7))
        assert "2 worker(s)" in banner, banner
        url = banner.split("listening on ")[1].split("/v0")[0]
        deadline = time.monotonic() + 30
        while True:  # the workers start after the banner
            try:
                httpx.get(url + path("agent-7"), timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        started = httpx.post(f"{url}{AGENT}/agent-idle/interactions", json={"type": "Phone"}).json()
        for _ in range(20):  # a new connection each time, whichever worker accepts it
            with httpx.Client(base_url=url) as fresh:
                assert get(fresh, "agent-idle", accept=V1).json()["interactions"][0]["guid"] == started["guid"]
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()


def test_workers_without_a_store_are_refused_with_what_to_pass() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "mockserver", "run", "--workers", "2"], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert "--workers 2 needs --store redis://HOST:PORT/DB" in refused.stderr


def test_the_judge_finds_the_fleet_an_exact_twin(fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    """contracts check, in known-data mode, against one worker of the fleet: every rule passes."""
    from contracts.cli import main
    from tests.contracts.conftest import check_args

    assert main(check_args(fleet.url + "/v0", "--expect-state", str(DEFAULT_FIXTURES))) == 0
    assert "0 failed" in capsys.readouterr().out


def test_a_token_issued_by_one_worker_is_valid_on_every_worker_and_expires_on_the_fleets_clock(fleet: Fleet) -> None:
    first, second = (httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) for port in fleet.ports)
    grant = {"grant_type": "client_credentials", "client_id": "client-a1b2c3d4e5", "client_secret": "secret-a1b2c3d4e5"}
    with first, second:
        try:
            first.put("/__admin/clock", json={}).raise_for_status()
            token = first.post("/Auth/connect/token", data=grant).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Accept": V1}
            assert second.get(path("agent-7"), headers=headers).status_code == 200
            second.post("/__admin/clock/advance", json={"seconds": 7200}).raise_for_status()
            assert first.get(path("agent-7"), headers=headers).status_code == 401
        finally:
            first.post("/__admin/reset").raise_for_status()
