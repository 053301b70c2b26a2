"""The pytest plugin, as a client developer's suite uses it (run by pytester in a fresh session)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from mockserver.resources import SPEC_PATH

CLIENT_TESTS = """
import httpx
import pytest

ACCOUNT = "a1b2c3d4e5"
HEADERS = {"Authorization": "Bearer valid-token", "Accept": "application/json;version=1"}


def as_shown(stored):
    return stored[:19] + "Z"  # the control plane answers stored times; the API shows whole seconds


def current(mock_state, agent):
    return httpx.get(mock_state.endpoint(ACCOUNT, agent), headers=HEADERS).json()["interactions"]


def test_agent_picks_up_a_call(mock_state):
    assert current(mock_state, "agent-idle") == []
    call = mock_state.start_interaction(ACCOUNT, "agent-idle", type="Phone", direction="Inbound")
    assert current(mock_state, "agent-idle") == [
        {"start": as_shown(call["channels"][0]["start"]), "guid": call["guid"], "hasEnded": False}
    ]


def test_the_call_ends(mock_state):
    call = mock_state.start_interaction(ACCOUNT, "agent-idle", type="Phone")
    mock_state.end_channel(ACCOUNT, "agent-idle", call["channels"][0]["channelGuid"])
    assert current(mock_state, "agent-idle")[0]["hasEnded"] is True


def test_each_test_starts_from_the_fixtures(mock_state):
    assert mock_state.journal() == []
    assert mock_state.faults() == []
    assert mock_state.clock()["frozen"] is False
    assert current(mock_state, "agent-idle") == []


def test_token_expires(mock_state):
    mock_state.freeze_clock("2030-01-01T00:00:00Z")
    token = mock_state.add_token(ACCOUNT, expires="2030-01-01T00:00:30Z")
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    assert httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=headers).status_code == 200
    mock_state.advance_clock(30)
    assert httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=headers).status_code == 401


def test_service_unavailable_then_recovers(mock_state):
    mock_state.inject_fault("status", status=503, count=1)
    assert httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=HEADERS).status_code == 503
    assert httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=HEADERS).status_code == 200


def test_journal_shows_what_the_client_sent(mock_state):
    httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=HEADERS, params={"size": "3"})
    (entry,) = mock_state.journal(agent="agent-7")
    assert entry["accept"] == ["application/json;version=1"]
    assert entry["query"] == {"size": ["3"]}
    assert entry["authorization"]["token"]["fingerprint"] == mock_state.token_fingerprint("valid-token")


def test_refusals_raise(mock_state):
    from mockserver.client import ControlRefused
    with pytest.raises(ControlRefused) as refused:
        mock_state.start_interaction(ACCOUNT, "nobody", type="Chat")
    assert refused.value.status == 404


def test_every_helper(mock_state):
    from mockserver.client import ControlRefused
    call = mock_state.start_interaction(ACCOUNT, "agent-idle", type="Phone")
    consult = mock_state.add_channel(ACCOUNT, "agent-idle", call["guid"])
    assert consult["guid"] == call["guid"] and consult["end"] is None
    assert mock_state.add_agent(ACCOUNT, "agent-new")["id"] == "agent-new"
    token = mock_state.add_token(ACCOUNT)
    mock_state.revoke_token(token)
    with pytest.raises(ControlRefused):
        mock_state.revoke_token(token)
    assert mock_state.freeze_clock()["frozen"] is True
    assert mock_state.release_clock()["frozen"] is False
    mock_state.inject_fault("delay", delay_ms=1)
    assert len(mock_state.faults()) == 1
    mock_state.clear_faults()
    assert mock_state.faults() == []
    httpx.get(mock_state.endpoint(ACCOUNT, "agent-7"), headers=HEADERS)
    mock_state.clear_journal()
    assert mock_state.journal() == []
    state = mock_state.state()
    state["accounts"][0]["agents"] = state["accounts"][0]["agents"][:1]
    assert mock_state.set_state(state)["loaded"]["agents"] == 2
    mock_state.reset()
    assert len(mock_state.state()["accounts"][0]["agents"]) == 6


def test_dedicated_version_1_only_mock(mock_server_factory):
    mock = mock_server_factory(versions=frozenset({1}))
    headers = {**HEADERS, "Accept": "application/json;version=2"}
    assert httpx.get(mock.endpoint(ACCOUNT, "agent-7"), headers=headers).status_code == 406
"""


def test_plugin_fixtures_drive_a_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=9)


ISOLATION_TESTS = """
import pytest

@pytest.mark.parametrize("n", range(40))
def test_isolated(mock_state, n):
    assert mock_state.state()["accounts"][0]["agents"][5]["interactions"] == []
    mock_state.start_interaction("a1b2c3d4e5", "agent-idle", type="Chat")
    assert len(mock_state.state()["accounts"][0]["agents"][5]["interactions"]) == 1
"""


def test_parallel_workers_never_share_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_isolation=ISOLATION_TESTS)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=40)


def test_ini_options_choose_the_shared_mock(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".json",
        state='{"tokens": [{"token": "t", "account": "k"}], "accounts": [{"key": "k", "agents": [{"id": "x", "interactions": []}]}]}',
    )
    pytester.makeini("[pytest]\nlatest_interactions_fixtures = state.json\nlatest_interactions_versions = 1\n")
    pytester.makepyfile(
        test_ini="""
import httpx

def test_custom(mock_state):
    url = mock_state.endpoint("k", "x")
    assert httpx.get(url, headers={"Authorization": "Bearer t", "Accept": "application/json;version=1"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Bearer t", "Accept": "application/json;version=2"}).status_code == 406
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_factory_starts_mocks_on_a_store_that_are_one_mock(pytester: pytest.Pytester, redis_server: Any) -> None:
    store, prefix = redis_server.url, f"plugin-{uuid.uuid4().hex[:8]}:"
    pytester.makepyfile(
        test_store=f"""
import httpx

HEADERS = {{"Authorization": "Bearer valid-token", "Accept": "application/json;version=1"}}


def test_two_mocks_on_one_store(mock_server_factory):
    first = mock_server_factory(store="{store}", store_prefix="{prefix}")
    second = mock_server_factory(store="{store}", store_prefix="{prefix}")
    call = first.start_interaction("a1b2c3d4e5", "agent-idle", type="Phone")
    shown = httpx.get(second.endpoint("a1b2c3d4e5", "agent-idle"), headers=HEADERS).json()["interactions"]
    assert shown[0]["guid"] == call["guid"]
    assert [entry["agent"] for entry in first.journal()] == ["agent-idle"]
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_cors_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nlatest_interactions_cors = http://localhost:5173\n")
    pytester.makepyfile(
        test_cors="""
import httpx

def test_a_browser_page_may_call_it(mock_state):
    url = mock_state.endpoint("a1b2c3d4e5", "agent-7")
    preflight = httpx.options(url, headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_spec_ini_option_and_the_factory_take_a_spec(pytester: pytest.Pytester, tmp_path: Path) -> None:
    from tests.designer_edits import add_version_3, write_spec

    spec = write_spec(pytester.path / "draft.yaml", add_version_3)
    pytester.makeini("[pytest]\nlatest_interactions_spec = draft.yaml\n")
    pytester.makepyfile(
        test_spec=f"""
import httpx

V3 = {{"Authorization": "Bearer valid-token", "Accept": "application/json;version=3"}}


def test_the_shared_mock_serves_the_ini_spec(mock_state):
    answered = httpx.get(mock_state.endpoint("a1b2c3d4e5", "agent-7"), headers=V3)
    assert answered.headers["content-type"] == "application/json;version=3"


def test_the_factory_takes_a_spec(mock_server_factory):
    project = mock_server_factory(spec="{SPEC_PATH}")
    assert httpx.get(project.endpoint("a1b2c3d4e5", "agent-7"), headers=V3).status_code == 406
    draft = mock_server_factory(spec="{spec}", versions=frozenset({{3}}))
    assert httpx.get(draft.endpoint("a1b2c3d4e5", "agent-7"), headers=V3).status_code == 200
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
