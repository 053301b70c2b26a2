"""The request journal: what was asked and answered, tokens never in clear, bounded, clearable."""

from __future__ import annotations

import json
from typing import Any

import httpx

from mockserver.client import MockClient
from tests.conftest import V1, V2, get

ALSO_ON_A_FLEET = True
"""Each test taking `client` runs on the in-process mock, on `mockserver run` (granian) and on a fleet of two on Redis."""


def journal(client: httpx.Client, **filters: str) -> list[dict[str, Any]]:
    return client.get("/__admin/journal", params=filters).json()["requests"]


def test_requests_are_recorded_with_what_was_asked_and_answered(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    get(client, "agent-7", accept=V2, params={"size": "3", "type": "Chat"})
    get(client, "nobody", token="no-such-token-value", accept=V1)
    client.get("/v0/a1b2c3d4e5/agents/agent-7/latestInteractions")
    first, second, third = journal(client)
    assert first["method"] == "GET"
    assert first["path"] == "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions"
    assert (first["account"], first["agent"]) == ("a1b2c3d4e5", "agent-7")
    assert first["query"] == {"size": ["3"], "type": ["Chat"]}
    assert first["accept"] == [V2]
    assert first["status"] == 200
    assert first["authorization"]["token"]["fingerprint"] == MockClient.token_fingerprint("valid-token")
    assert (
        first["authorization"]["token"]["known"] is True and first["authorization"]["token"]["account"] == "a1b2c3d4e5"
    )
    assert second["status"] == 401
    assert second["authorization"]["token"]["known"] is False
    assert third["authorization"] is None and third["accept"] == ["*/*"] and third["status"] == 401  # httpx sends */*
    assert first["id"] < second["id"] < third["id"]


def test_token_values_never_appear(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    for token in ("valid-token", "expired-token", "a-secret-that-must-not-leak"):
        get(client, "agent-7", token=token)
    text = json.dumps(journal(client))
    for token in ("valid-token", "expired-token", "a-secret-that-must-not-leak"):
        assert token not in text
    expired = journal(client)[1]["authorization"]["token"]
    assert expired["expired"] is True


def test_other_schemes_are_recorded_without_credentials(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    client.get("/v0/a1b2c3d4e5/agents/agent-7/latestInteractions", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    entry = journal(client)[0]
    assert entry["authorization"] == {"scheme": "Basic", "token": None}
    assert "dXNlcjpwYXNz" not in json.dumps(entry)


def test_filters_and_clear(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    get(client, "agent-7")
    get(client, "1234")
    get(client, "nobody")
    assert [e["agent"] for e in journal(client, agent="1234")] == ["1234"]
    assert [e["agent"] for e in journal(client, status="404")] == ["nobody"]
    assert client.delete("/__admin/journal").json() == {"cleared": 3}
    assert journal(client) == []


def test_other_methods_are_recorded_too(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    client.post("/v0/a1b2c3d4e5/agents/agent-7/latestInteractions")
    assert [(e["method"], e["status"]) for e in journal(client)] == [("POST", 405)]


def test_admin_and_docs_requests_are_not_recorded(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    client.get("/__admin/state")
    client.get("/v0/openapi.json")
    assert journal(client) == []


def test_the_journal_is_bounded(mock_server_factory: Any) -> None:
    mock = mock_server_factory(journal_limit=5)
    with httpx.Client(base_url=mock.url) as session:
        for _ in range(8):
            get(session, "agent-7")
    entries = mock.journal()
    assert len(entries) == 5
    assert [e["id"] for e in entries] == [4, 5, 6, 7, 8]


def test_a_path_the_mock_does_not_serve_is_journaled(client: httpx.Client) -> None:
    """The page's own /agents/recentinteraction, the likeliest client bug: the journal shows what was sent."""
    client.delete("/__admin/journal")
    answer = client.get("/v0/a1b2c3d4e5/agents/recentinteraction", headers={"Authorization": "Bearer valid-token"})
    assert answer.status_code == 404
    (entry,) = journal(client)
    assert entry["path"] == "/v0/a1b2c3d4e5/agents/recentinteraction"
    assert (entry["status"], entry["account"], entry["agent"], entry["fault"]) == (404, None, None, None)
    assert entry["authorization"]["token"]["known"] is True


def test_faults_leave_paths_the_mock_does_not_serve_alone(client: httpx.Client) -> None:
    client.post("/__admin/faults", json={"kind": "status", "status": 503, "count": 1}).raise_for_status()
    assert client.get("/v0/nowhere").status_code == 404
    assert get(client, "agent-7").status_code == 503


def test_entries_name_the_worker_that_served_them(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    get(client, "agent-7")
    (entry,) = journal(client)
    host, _, pid = entry["worker"].rpartition(":")
    assert host and pid.isdigit()


def test_an_unknown_filter_is_refused_naming_it_and_the_fields(client: httpx.Client) -> None:
    get(client, "agent-7")
    refused = client.get("/__admin/journal", params={"agentId": "agent-7"})
    assert refused.status_code == 400
    message = refused.json()["message"]
    assert "'agentId' (did you mean 'agent'?)" in message
    assert "agent, query, accept, authorization, worker, status, fault" in message
    assert journal(client, agent="agent-7")  # the field itself still filters


def test_every_field_of_an_entry_is_a_filter(client: httpx.Client) -> None:
    from mockserver.state.journal import FIELDS

    get(client, "agent-7")
    (entry,) = journal(client)[-1:]
    assert tuple(entry) == FIELDS
    for field in FIELDS:
        assert client.get("/__admin/journal", params={field: "x"}).status_code == 200


def test_the_other_lists_take_no_query_parameters(client: httpx.Client) -> None:
    for path in ("/__admin/faults", "/__admin/state", "/__admin/clock"):
        refused = client.get(path, params={"agent": "agent-7"})
        assert refused.status_code == 400
        assert "takes no query parameters, got: agent" in refused.json()["message"]


def test_after_an_id_only_the_later_entries_come_with_other_filters_still_applying(client: httpx.Client) -> None:
    for agent in ("agent-7", "1234", "agent-7"):
        get(client, agent)
    first, *rest = client.get("/__admin/journal").json()["requests"]
    later = client.get("/__admin/journal", params={"after": str(first["id"])}).json()["requests"]
    assert [entry["id"] for entry in later] == [entry["id"] for entry in rest]
    both = client.get("/__admin/journal", params={"after": str(first["id"]), "agent": "agent-7"}).json()["requests"]
    assert [entry["agent"] for entry in both] == ["agent-7"]
    assert client.get("/__admin/journal", params={"after": str(rest[-1]["id"])}).json()["requests"] == []


def test_after_must_be_an_entry_id(client: httpx.Client) -> None:
    refused = client.get("/__admin/journal", params={"after": "yesterday"})
    assert refused.status_code == 400 and "after" in refused.json()["message"]


def test_last_keeps_the_newest_of_those_selected(client: httpx.Client) -> None:
    for agent in ("agent-7", "1234", "agent-7", "1234"):
        get(client, agent)
    every = client.get("/__admin/journal").json()["requests"]
    newest = client.get("/__admin/journal", params={"last": "2"}).json()["requests"]
    assert [entry["id"] for entry in newest] == [entry["id"] for entry in every[-2:]]
    of_one_agent = client.get("/__admin/journal", params={"last": "1", "agent": "agent-7"}).json()["requests"]
    assert [entry["id"] for entry in of_one_agent] == [every[2]["id"]]
    assert client.get("/__admin/journal", params={"last": "0"}).json()["requests"] == []
    assert client.get("/__admin/journal", params={"last": "-1"}).status_code == 400


def test_a_window_filter_in_other_digits_is_a_400_not_a_500(client: httpx.Client) -> None:
    for value in ("³", "١٢", "²3"):  # str.isdigit() holds for these; int() does not read them
        refused = client.get("/__admin/journal", params={"last": value})
        assert refused.status_code == 400 and "'last'" in refused.json()["message"]
        assert client.delete(f"/__admin/faults/{value}").status_code == 404
