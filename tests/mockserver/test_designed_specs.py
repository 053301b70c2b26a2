"""The mock follows the spec it is given (issue 22): each of the designer's edits served over HTTP,
extras accepted from fixtures and control changes, and refused where they break the spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.spec_conformance import SpecResponses
from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from mockserver.spec import SpecDocument, SpecError
from tests.conftest import V1, V2, get, one_agent_document, put_state
from tests.designer_edits import (
    Edit,
    add_optional_queue_name,
    add_required_skill_with_example,
    add_version_3,
    duration_as_string,
    remove_version_1,
    write_spec,
)

V3 = "application/json;version=3"
GUID = "015b212c-1487-46ba-bbb7-d78d6b1412a5"
CHANNEL = "6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c"
SECOND_CHANNEL = "7b1f9c2d-4e3f-4d6a-8b8c-2e3f4a5b6c7d"


@contextmanager
def mock_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *edits: Edit, versions: set[int] | None = None
) -> Iterator[httpx.Client]:
    spec = write_spec(tmp_path / "openapi.yaml", *edits)
    settings = Settings(spec=spec, port=0, versions_from_spec=not versions)
    if versions:
        settings = settings.replace(versions=frozenset(versions))
    with start_in_thread(create_app(settings)) as running:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            yield client


def _conforms(spec: Path, response: httpx.Response) -> None:
    """The answer conforms to the edited spec's schema for its media type."""
    problems = SpecResponses(SpecDocument.load(spec)).problems(response.status_code, response.headers, response.content)
    assert not problems, problems


def _queue_document(**given: Any) -> dict[str, Any]:
    interaction: dict[str, Any] = {
        "guid": GUID,
        "type": "Phone",
        "direction": "Inbound",
        "channels": [
            {"channelGuid": CHANNEL, "start": "2017-03-30T22:40:15Z", "end": "2017-03-30T22:41:15Z"},
            {"channelGuid": SECOND_CHANNEL, "start": "2017-03-30T22:42:15Z", "end": None},
        ],
    }
    interaction.update(given.get("interaction", {}))
    interaction["channels"][1].update(given.get("second_channel", {}))
    return one_agent_document([interaction], now="2017-03-30T23:00:00Z")


def test_an_optional_extra_is_served_from_the_fixtures_channel_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        put_state(client, _queue_document(interaction={"queueName": "Sales"}, second_channel={"queueName": "Support"}))
        items = get(client, "a", accept=V2, params={"size": 2}).json()["interactions"]
        assert [(i["channelGuid"], i["queueName"]) for i in items] == [(SECOND_CHANNEL, "Support"), (CHANNEL, "Sales")]
        assert list(items[0]) == ["type", "start", "guid", "duration", "direction", "channelGuid", "queueName"]
        assert get(client, "a", accept=V1).json()["interactions"][0] == {
            "start": "2017-03-30T22:42:15Z",
            "guid": GUID,
            "hasEnded": False,
        }
        state = client.get("/__admin/state").json()
        given = state["accounts"][0]["agents"][0]["interactions"][0]
        assert given["queueName"] == "Sales" and given["channels"][1]["queueName"] == "Support"


def test_an_optional_extra_the_data_lacks_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        put_state(client, _queue_document())
        response = get(client, "a", accept=V2)
        assert "queueName" not in response.json()["interactions"][0]
        _conforms(tmp_path / "openapi.yaml", response)


def test_fixtures_refuse_an_extra_that_breaks_its_schema_naming_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        refused = client.put("/__admin/state", json=_queue_document(interaction={"queueName": 7}))
        assert refused.status_code == 400
        assert "accounts[0].agents[0].interactions[0].queueName" in refused.text
        assert "7 is not of type 'string'" in refused.text
        too_long = client.put("/__admin/state", json=_queue_document(second_channel={"queueName": "x" * 65}))
        assert too_long.status_code == 400 and "channels[1].queueName" in too_long.text


def test_an_undeclared_field_is_still_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        refused = client.put("/__admin/state", json=_queue_document(interaction={"queue": "Sales"}))
        assert refused.status_code == 400
        assert (
            "interactions[0].queue: unknown field (allowed: guid, type, channels, direction, queueName)" in refused.text
        )


def test_control_changes_accept_declared_extras_and_check_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        put_state(client, _queue_document())
        started = client.post(
            "/__admin/accounts/a1b2c3d4e5/agents/a/interactions", json={"type": "Chat", "queueName": "Web"}
        )
        assert started.status_code == 201, started.text
        guid = started.json()["guid"]
        added = client.post(
            f"/__admin/accounts/a1b2c3d4e5/agents/a/interactions/{guid}/channels", json={"queueName": "Escalations"}
        )
        assert added.status_code == 201, added.text
        items = get(client, "a", accept=V2, params={"type": "Chat", "size": 5}).json()["interactions"]
        assert sorted(item["queueName"] for item in items) == ["Escalations", "Web"]
        bad = client.post("/__admin/accounts/a1b2c3d4e5/agents/a/interactions", json={"type": "Chat", "queueName": 1})
        assert bad.status_code == 400 and "Field 'queueName'" in bad.text and "not of type 'string'" in bad.text
        unknown = client.post("/__admin/accounts/a1b2c3d4e5/agents/a/interactions", json={"type": "Chat", "queue": 1})
        assert unknown.status_code == 400 and "queueName" in unknown.text  # named among the allowed


def test_a_required_extra_with_an_example_is_served_and_conforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_on(tmp_path, monkeypatch, add_required_skill_with_example) as client:
        put_state(client, _queue_document())
        response = get(client, "a", accept=V2, params={"size": 2})
        assert [item["skill"] for item in response.json()["interactions"]] == ["billing", "billing"]
        _conforms(tmp_path / "openapi.yaml", response)


def test_version_3_is_served_with_version_2s_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_version_3) as client:
        put_state(client, _queue_document())
        response = get(client, "a", accept=V3, params={"size": 2})
        assert response.status_code == 200 and response.headers["content-type"] == V3
        items = response.json()["interactions"]
        assert [item["channelGuid"] for item in items] == [SECOND_CHANNEL, CHANNEL]
        assert items[0]["wrapUpCode"] == "resolved"  # required, no example: generated from the enum
        _conforms(tmp_path / "openapi.yaml", response)
        assert get(client, "a", accept=V3, params={"size": "0"}).status_code == 400
        assert get(client, "a", accept=V3, params={"type": "Chat"}).json() == {"interactions": []}
        assert get(client, "a", accept=f"{V1}, {V2}, {V3}").headers["content-type"] == V3  # ties to the highest
        assert get(client, "a", accept=f"{V3};q=0.5, {V2}").headers["content-type"] == V2
        refused = get(client, "a", accept="application/json;version=4")
        assert refused.status_code == 406
        assert refused.json()["message"].endswith(
            "application/json;version=1, application/json;version=2, application/json;version=3."
        )


def test_version_3_can_be_left_unserved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_version_3, versions={1, 2}) as client:
        assert get(client, "agent-7", accept=V3).status_code == 406
        assert get(client, "agent-7", accept=V2).status_code == 200


def test_without_version_1_version_1_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, remove_version_1) as client:
        refused = get(client, "agent-7", accept=V1)
        assert refused.status_code == 406 and "version=1" not in refused.json()["message"]
        assert get(client, "agent-7", accept=V2).status_code == 200
        assert client.get("/v0/openapi.v2.json").status_code == 200
        assert client.get("/v0/openapi.v1.json").status_code == 404


def test_the_console_answers_route_shows_every_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_on(tmp_path, monkeypatch, add_version_3) as client:
        answers = client.get("/__admin/accounts/a1b2c3d4e5/agents/agent-7/answers", params={"size": 2}).json()
        assert {"v1", "v2", "v3", "v2_query", "v3_query"} <= set(answers)
        assert answers["v3"]["interactions"][0]["wrapUpCode"] == "resolved"


def test_a_spec_the_mock_cannot_satisfy_is_refused_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_spec(tmp_path / "openapi.yaml", duration_as_string)
    with pytest.raises(SpecError, match="field 'duration': the spec says type string"):
        create_app(Settings(spec=spec, port=0))


def test_the_default_specs_answers_do_not_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default spec written back by the edits' helper, unedited: the prepared bytes, as built in."""
    with mock_on(tmp_path, monkeypatch) as client:
        body = get(client, "agent-7", accept=V2, params={"size": 3}).content
    assert body == json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert b'"queueName"' not in body and body.startswith(b'{"interactions":[{"type":"Phone","start":')


def test_a_shaped_answer_follows_a_change_of_the_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shaped items are rendered once per agent state: a change shows at once."""
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        put_state(client, _queue_document(second_channel={"queueName": "Support"}))
        before = get(client, "a", accept=V2).json()["interactions"][0]
        assert (before["channelGuid"], before["duration"], before["queueName"]) == (SECOND_CHANNEL, None, "Support")
        ended = client.post(f"/__admin/accounts/a1b2c3d4e5/agents/a/channels/{SECOND_CHANNEL}/end", json={})
        assert ended.status_code == 200, ended.text
        after = get(client, "a", accept=V2).json()["interactions"][0]
        assert after["duration"] is not None and after["queueName"] == "Support"
        assert get(client, "a", accept=V1).json()["interactions"][0]["hasEnded"] is True


def test_a_scenario_gives_extras_on_what_it_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    day = {
        "account": "a1b2c3d4e5",
        "events": [
            {"at": 1, "agent": "agent-idle", "start": "call", "type": "Phone", "queueName": "Sales"},
            {"at": 2, "agent": "agent-idle", "add_channel": "consult", "to": "call", "queueName": "Escalations"},
        ],
    }
    with mock_on(tmp_path, monkeypatch, add_optional_queue_name) as client:
        client.put("/__admin/clock", json={"now": "2026-03-02T09:00:00Z"})
        assert client.put("/__admin/scenario", json=day).status_code == 201
        client.post("/__admin/clock/advance", json={"seconds": 2})
        items = get(client, "agent-idle", accept=V2, params={"size": 2}).json()["interactions"]
        assert [item["queueName"] for item in items] == ["Escalations", "Sales"]
        refused = client.put("/__admin/scenario", json={**day, "events": [{**day["events"][0], "queueName": 7}]})
        assert refused.status_code == 400 and "events[0].queueName" in refused.text
        unknown = client.put("/__admin/scenario", json={**day, "events": [{**day["events"][0], "queue": "x"}]})
        assert unknown.status_code == 400 and "events[0].queue: unknown field" in unknown.text
