"""Fine control over /__admin: interactions, channels, tokens, clock; refusals change nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import V1, V2, get, one_agent_document, put_state

ALSO_ON_A_FLEET = True
"""Each test taking `client` runs on the in-process mock, on `mockserver run` (granian) and on a fleet of two on Redis."""

ACCOUNT = "a1b2c3d4e5"
AGENT = f"/__admin/accounts/{ACCOUNT}/agents"


def start(client: httpx.Client, agent: str = "agent-idle", **body: Any) -> httpx.Response:
    return client.post(f"{AGENT}/{agent}/interactions", json={"type": "Phone", **body})


def test_start_interaction_returns_it_and_the_agent_is_live(client: httpx.Client) -> None:
    response = start(client, direction="Outbound")
    assert response.status_code == 201
    created = response.json()
    uuid.UUID(created["guid"])
    (channel,) = created["channels"]
    assert channel["end"] is None
    assert created["direction"] == "Outbound"
    assert get(client, "agent-idle").json() == {
        "interactions": [{"start": as_shown(channel["start"]), "guid": created["guid"], "hasEnded": False}]
    }
    (item,) = get(client, "agent-idle", accept=V2).json()["interactions"]
    assert item == {
        "type": "Phone",
        "start": as_shown(channel["start"]),
        "guid": created["guid"],
        "duration": None,
        "direction": "Outbound",
        "channelGuid": channel["channelGuid"],
    }


def test_given_guids_are_used(client: httpx.Client) -> None:
    guid, channel = str(uuid.uuid4()), str(uuid.uuid4())
    created = start(client, type="Chat", guid=guid, channelGuid=channel).json()
    assert created["guid"] == guid and created["channels"][0]["channelGuid"] == channel


def test_add_channel_and_end_it(client: httpx.Client) -> None:
    put_state(client, one_agent_document([], now="2030-01-01T10:00:00Z"))
    created = client.post(f"{AGENT}/a/interactions", json={"type": "Chat"}).json()
    first = created["channels"][0]["channelGuid"]
    client.post("/__admin/clock/advance", json={"seconds": 90}).raise_for_status()
    second = client.post(f"{AGENT}/a/interactions/{created['guid']}/channels", json={}).json()
    assert second["start"] == "2030-01-01T10:01:30Z" and second["guid"] == created["guid"]
    ended = client.post(f"{AGENT}/a/channels/{first}/end", json={})
    assert ended.status_code == 200
    assert ended.json()["end"] == "2030-01-01T10:01:30Z"
    items = get(client, "a", accept=V2, params={"size": "10"}).json()["interactions"]
    assert [(i["channelGuid"], i["duration"]) for i in items] == [(second["channelGuid"], None), (first, 90)]


def test_end_at_a_given_time(client: httpx.Client) -> None:
    put_state(client, one_agent_document([], now="2030-01-01T10:00:00Z"))
    channel = client.post(f"{AGENT}/a/interactions", json={"type": "Phone"}).json()["channels"][0]["channelGuid"]
    client.post("/__admin/clock/advance", json={"seconds": 600}).raise_for_status()
    ended = client.post(f"{AGENT}/a/channels/{channel}/end", json={"at": "2030-01-01T10:05:00Z"}).json()
    assert ended["end"] == "2030-01-01T10:05:00Z"
    assert get(client, "a", accept=V2).json()["interactions"][0]["duration"] == 300
    assert get(client, "a", accept=V1).json()["interactions"][0]["hasEnded"] is True


REFUSALS = [
    # (method, path, body, status, words)
    ("POST", f"{AGENT}/agent-idle/interactions", {}, 400, "'type' is required"),
    ("POST", f"{AGENT}/agent-idle/interactions", {"type": "Fax"}, 400, "Phone|Chat|Email"),
    ("POST", f"{AGENT}/agent-idle/interactions", {"type": "Chat", "direction": "Up"}, 400, "Inbound|Outbound|Internal"),
    ("POST", f"{AGENT}/agent-idle/interactions", {"type": "Chat", "guid": "nope"}, 400, "UUID"),
    ("POST", f"{AGENT}/agent-idle/interactions", {"type": "Chat", "colour": "red"}, 400, "Unknown field"),
    ("POST", f"{AGENT}/agent-idle/interactions", [1, 2], 400, "JSON object"),
    ("POST", f"{AGENT}/nobody/interactions", {"type": "Chat"}, 404, "Unknown agent 'nobody'"),
    ("POST", "/__admin/accounts/nope/agents/agent-7/interactions", {"type": "Chat"}, 404, "Unknown account 'nope'"),
    (
        "POST",
        f"{AGENT}/agent-7/interactions",
        {"type": "Chat", "guid": "015b212c-1487-46ba-bbb7-d78d6b1412a5"},
        409,
        "already exists",
    ),
    (
        "POST",
        f"{AGENT}/agent-7/interactions",
        {"type": "Chat", "channelGuid": "6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c"},
        409,
        "already exists",
    ),
    ("POST", f"{AGENT}/agent-7/interactions/{uuid.UUID(int=1)}/channels", {}, 404, "Unknown interaction"),
    ("POST", f"{AGENT}/agent-7/channels/{uuid.UUID(int=1)}/end", {}, 404, "Unknown channel"),
    ("POST", f"{AGENT}/agent-7/channels/7b1f9c2d-4e3f-4d6a-8b8c-2e3f4a5b6c7d/end", {}, 409, "already ended"),
    (
        "POST",
        f"{AGENT}/agent-7/channels/6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c/end",
        {"at": "2017-03-30T22:40:14Z"},
        400,
        "before the channel's start",
    ),
    (
        "POST",
        f"{AGENT}/agent-7/channels/6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c/end",
        {"at": "2999-01-01T00:00:00Z"},
        400,
        "after the mock's clock",
    ),
    ("POST", f"{AGENT}/agent-7/channels/6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c/end", {"at": "soon"}, 400, "RFC 3339"),
    ("POST", f"{AGENT}", {"id": "agent-7"}, 409, "already exists"),
    ("POST", f"{AGENT}", {}, 400, "'id' is required"),
    ("POST", "/__admin/tokens", {"account": ACCOUNT, "token": "valid-token"}, 409, "already exists"),
    ("POST", "/__admin/tokens", {"account": ACCOUNT, "token": "a b"}, 400, "white space"),
    ("POST", "/__admin/tokens", {"token": "x"}, 400, "'account' is required"),
    ("DELETE", "/__admin/tokens/no-such-token", None, 404, "Unknown token"),
    ("PUT", "/__admin/clock", {"now": "2000-01-01T00:00:00Z"}, 409, "after the mock's clock"),
    ("PUT", "/__admin/clock", {"now": "yesterday"}, 400, "RFC 3339"),
    ("POST", "/__admin/clock/advance", {"seconds": "60"}, 400, "whole number of seconds"),
    ("POST", "/__admin/clock/advance", {}, 400, "whole number of seconds"),
]


@pytest.mark.parametrize(("method", "url", "body", "status", "words"), REFUSALS)
def test_refusals_name_the_problem_and_change_nothing(
    client: httpx.Client, method: str, url: str, body: Any, status: int, words: str
) -> None:
    before = client.get("/__admin/state").json()
    clock = client.get("/__admin/clock").json()
    response = client.request(method, url, json=body)
    assert response.status_code == status, response.text
    assert words in response.json()["message"]
    assert client.get("/__admin/state").json() == before
    assert client.get("/__admin/clock").json()["frozen"] == clock["frozen"]


def test_invalid_json_body_is_refused(client: httpx.Client) -> None:
    response = client.post(
        f"{AGENT}/agent-idle/interactions", content=b"{type", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


def test_add_agent(client: httpx.Client) -> None:
    assert client.post(AGENT, json={"id": "agent-new"}).status_code == 201
    assert get(client, "agent-new").json() == {"interactions": []}


def test_tokens_added_and_revoked(client: httpx.Client) -> None:
    created = client.post("/__admin/tokens", json={"account": ACCOUNT})
    assert created.status_code == 201
    token = created.json()["token"]
    assert get(client, "agent-7", token=token).status_code == 200
    assert client.delete(f"/__admin/tokens/{token}").status_code == 200
    revoked = get(client, "agent-7", token=token)
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_token_with_a_slash_can_be_revoked(client: httpx.Client) -> None:
    token = "b64/token/with/slash="
    client.post("/__admin/tokens", json={"account": ACCOUNT, "token": token}).raise_for_status()
    assert get(client, "agent-7", token=token).status_code == 200
    revoked = client.delete("/__admin/tokens/b64%2Ftoken%2Fwith%2Fslash=")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"account": ACCOUNT, "revoked": True}
    assert get(client, "agent-7", token=token).status_code == 401


def test_token_expiry_follows_the_clock(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"}).raise_for_status()
    client.post(
        "/__admin/tokens", json={"account": ACCOUNT, "token": "short-lived", "expires": "2030-01-01T00:01:00Z"}
    ).raise_for_status()
    assert get(client, "agent-7", token="short-lived").status_code == 200
    client.post("/__admin/clock/advance", json={"seconds": 59}).raise_for_status()
    assert get(client, "agent-7", token="short-lived").status_code == 200
    client.post("/__admin/clock/advance", json={"seconds": 1}).raise_for_status()
    assert get(client, "agent-7", token="short-lived").status_code == 401


def test_clock_freeze_move_release(client: httpx.Client) -> None:
    assert client.get("/__admin/clock").json()["frozen"] is False
    frozen = client.put("/__admin/clock", json={"now": "2030-06-01T12:00:00Z"}).json()
    assert frozen == {"now": "2030-06-01T12:00:00Z", "frozen": True}
    assert client.post("/__admin/clock/advance", json={"seconds": -3600}).json()["now"] == "2030-06-01T11:00:00Z"
    assert client.get("/__admin/state").json()["now"] == "2030-06-01T11:00:00Z"
    released = client.delete("/__admin/clock").json()
    assert released["frozen"] is False
    assert "now" not in client.get("/__admin/state").json()


def test_freeze_without_a_time_freezes_now(client: httpx.Client) -> None:
    frozen = client.put("/__admin/clock", json={}).json()
    assert frozen["frozen"] is True
    started = start(client).json()
    assert started["channels"][0]["start"] == frozen["now"]


def test_release_refused_when_the_state_is_ahead_of_the_system_clock(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={"now": "2999-01-01T00:00:00Z"}).raise_for_status()
    start(client).raise_for_status()
    response = client.delete("/__admin/clock")
    assert response.status_code == 409
    assert client.get("/__admin/clock").json()["frozen"] is True


def test_admin_token_guards_the_new_routes(mock_server_factory: Any) -> None:
    mock = mock_server_factory(admin_token="s3cret")
    with httpx.Client(base_url=mock.url) as session:
        assert session.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}).status_code == 401
        assert session.post("/__admin/faults", json={"kind": "drop"}).status_code == 401
        assert session.get("/__admin/journal").status_code == 401
    assert mock.start_interaction(ACCOUNT, "agent-idle", type="Phone")["type"] == "Phone"


def test_concurrent_changes_and_reads_never_mix_or_fail(client: httpx.Client) -> None:
    """Writers start and end interactions while readers read: no 5xx, no lost update, no channel twice."""
    import threading

    problems: list[str] = []
    done = threading.Event()
    base_url = str(client.base_url)

    def writer() -> None:
        with httpx.Client(base_url=base_url) as session:
            for _ in range(25):
                created = session.post(f"{AGENT}/agent-idle/interactions", json={"type": "Chat"})
                if created.status_code != 201:
                    problems.append(f"start: {created.status_code} {created.text}")
                    continue
                channel = created.json()["channels"][0]["channelGuid"]
                ended = session.post(f"{AGENT}/agent-idle/channels/{channel}/end", json={})
                if ended.status_code != 200:
                    problems.append(f"end: {ended.status_code} {ended.text}")

    def reader() -> None:
        with httpx.Client(base_url=base_url) as session:
            while not done.is_set():
                v2 = get(session, "agent-idle", accept=V2, params={"size": "100"})
                v1 = get(session, "agent-idle", accept=V1)
                if v1.status_code != 200 or v2.status_code != 200:
                    problems.append(f"status {v1.status_code} {v2.status_code}")
                    continue
                items = v2.json()["interactions"]
                if len({i["channelGuid"] for i in items}) != len(items):
                    problems.append("a channel listed twice")

    writers = [threading.Thread(target=writer) for _ in range(2)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    for thread in readers:
        thread.join(timeout=30)
    assert problems == []
    interactions = next(
        a for a in client.get("/__admin/state").json()["accounts"][0]["agents"] if a["id"] == "agent-idle"
    )["interactions"]
    assert len(interactions) == 50  # no lost update
    assert all(i["channels"][0]["end"] is not None for i in interactions)


def as_shown(stored: str) -> str:
    """A stored time as the API shows it: whole seconds (the control plane answers the stored time)."""
    return stored[:19] + "Z"
