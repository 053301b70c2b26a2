"""The control plane: GET/PUT /__admin/state, POST /__admin/reset; refusals change nothing; swaps are atomic."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from tests.conftest import V1, V2, auth, get, one_agent_document, path, put_state
from tests.mockserver.api.test_latest_v1 import g, interaction


def test_get_state_returns_the_loaded_document(client: httpx.Client, default_document: dict[str, Any]) -> None:
    state = client.get("/__admin/state").json()
    assert [a["key"] for a in state["accounts"]] == [a["key"] for a in default_document["accounts"]]
    assert [t["token"] for t in state["tokens"]] == [t["token"] for t in default_document["tokens"]]


def test_put_replaces_the_whole_state(client: httpx.Client) -> None:
    document = one_agent_document([interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", None))])
    response = client.put("/__admin/state", json=document)
    assert response.status_code == 200
    assert response.json()["loaded"] == {"accounts": 1, "agents": 1, "tokens": 1, "interactions": 1, "channels": 1}
    assert get(client, "agent-7").status_code == 404
    assert get(client, "a").json()["interactions"][0]["guid"] == g(1)
    assert client.get("/__admin/state").json()["accounts"][0]["agents"][0]["id"] == "a"


def test_get_returns_the_document_as_put(client: httpx.Client) -> None:
    document = one_agent_document(
        [{"guid": g(1), "type": "Chat", "channels": [{"channelGuid": g(11), "start": "2020-01-01T12:00:00.5+02:00"}]}]
    )
    put_state(client, document)
    assert client.get("/__admin/state").json() == document


def test_yaml_timestamps_are_shown_as_rfc_3339(client: httpx.Client) -> None:
    body = "tokens: [{token: t, account: acc, expires: 2030-01-01T00:00:00Z}]\naccounts: [{key: acc, agents: []}]\n"
    assert client.put("/__admin/state", content=body).status_code == 200
    assert client.get("/__admin/state").json()["tokens"][0]["expires"].startswith("2030-01-01T00:00:00")


def test_put_accepts_yaml(client: httpx.Client) -> None:
    body = "tokens: [{token: t, account: acc}]\naccounts: [{key: acc, agents: [{id: x, interactions: []}]}]\n"
    response = client.put("/__admin/state", content=body, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert get(client, "x", token="t", account="acc").json() == {"interactions": []}


def test_reset_goes_back_to_the_startup_fixtures(client: httpx.Client) -> None:
    put_state(client, one_agent_document([]))
    assert get(client, "agent-7").status_code == 404
    response = client.post("/__admin/reset")
    assert response.status_code == 200
    assert get(client, "agent-7").status_code == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"{not json", "not valid YAML or JSON"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1, 2]", "must be an object"),
        (
            b'{"tokens": [], "accounts": [{"key": "k", "agents": [{"id": "a", "interactions": [{"guid": "x", "type": "Chat", "channels": []}]}]}]}',
            "accounts[0].agents[0].interactions[0].guid",
        ),
    ],
)
def test_invalid_documents_are_400_and_change_nothing(client: httpx.Client, body: bytes, words: str) -> None:
    before = client.get("/__admin/state").json()
    response = client.put("/__admin/state", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    payload = response.json()
    assert words in payload["message"] + " ".join(payload.get("errors", []))
    assert client.get("/__admin/state").json() == before
    assert get(client, "agent-7").status_code == 200


def test_refusal_lists_every_error_with_its_path(client: httpx.Client) -> None:
    document = one_agent_document([interaction(g(1), "Fax", (g(11), "later", None))])
    payload = client.put("/__admin/state", json=document).json()
    assert "accounts[0].agents[0].interactions[0].channels[0].start: must be an RFC 3339" in payload["message"]
    assert payload["errors"] == [
        "accounts[0].agents[0].interactions[0].type: must be one of Phone|Chat|Email, got 'Fax'",
        "accounts[0].agents[0].interactions[0].channels[0].start: must be an RFC 3339 date-time with a time zone, "
        "e.g. 2017-03-30T22:40:15Z, got 'later'",
    ]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("DELETE", "/__admin/state", 405),
        ("GET", "/__admin/reset", 405),
        ("GET", "/__admin/nothing", 404),
        ("GET", "/__admin", 404),
    ],
)
def test_unknown_admin_routes_answer_json(client: httpx.Client, method: str, url: str, status: int) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.json()["message"]


def test_admin_token_guards_the_control_plane() -> None:
    with (
        start_in_thread(create_app(Settings(admin_token="s3cret"))) as running,
        httpx.Client(base_url=running.url) as session,
    ):
        assert session.get("/__admin/state").status_code == 401
        assert session.get("/__admin/state", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert session.post("/__admin/reset").status_code == 401
        assert session.get("/__admin/state", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        # the public API is not affected by the admin token
        assert get(session, "agent-7").status_code == 200


def test_state_swaps_are_atomic_under_concurrent_reads(client: httpx.Client) -> None:
    """Two states where v1 and v2 must agree; any mixed read would break the agreement."""
    first = one_agent_document([interaction(g(1), "Phone", (g(11), "2020-01-01T10:00:00Z", None))])
    second = one_agent_document([interaction(g(2), "Chat", (g(12), "2020-01-01T11:00:00Z", "2020-01-01T11:05:00Z"))])
    second["tokens"].append({"token": "second-token", "account": "a1b2c3d4e5"})
    put_state(client, first)
    stop = threading.Event()
    problems: list[str] = []

    def writer() -> None:
        with httpx.Client(base_url=str(client.base_url)) as session:
            for n in range(60):
                session.put("/__admin/state", json=second if n % 2 == 0 else first).raise_for_status()
        stop.set()

    def reader() -> None:
        with httpx.Client(base_url=str(client.base_url)) as session:
            while not stop.is_set():
                v1 = get(session, "a", accept=V1)
                v2 = get(session, "a", accept=V2, params={"size": "100"})
                if v1.status_code >= 500 or v2.status_code >= 500:
                    problems.append(f"5xx: {v1.status_code} {v2.status_code}")
                for response in (v1, v2):
                    items = response.json()["interactions"]
                    if len(items) != 1 or items[0]["guid"] not in (g(1), g(2)):
                        problems.append(f"mixed or empty state: {items}")

    threads = [threading.Thread(target=writer), *(threading.Thread(target=reader) for _ in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not problems, problems[:5]


def test_an_agents_answers_are_those_a_public_request_gets_and_are_not_journaled(client: httpx.Client) -> None:
    answers = client.get("/__admin/accounts/a1b2c3d4e5/agents/1234/answers", params={"size": "2", "type": "Phone"})
    assert answers.status_code == 200
    public_v1 = client.get(path("1234"), headers={**auth(), "Accept": "application/json;version=1"}).json()
    public_v2 = client.get(
        path("1234"), headers={**auth(), "Accept": "application/json;version=2"}, params={"size": "2", "type": "Phone"}
    ).json()
    assert answers.json()["v1"] == public_v1 and answers.json()["v2"] == public_v2
    assert answers.json()["v2_query"] == {"size": 2, "type": "Phone", "activeLiveFirst": False}
    assert len(client.get("/__admin/journal").json()["requests"]) == 2  # the two public requests only


def test_an_agents_answers_refuse_what_the_public_operation_refuses(client: httpx.Client) -> None:
    route = "/__admin/accounts/a1b2c3d4e5/agents/{agent}/answers"
    assert client.get(route.format(agent="nobody")).status_code == 404
    bad_size = client.get(route.format(agent="agent-7"), params={"size": "0"})
    assert bad_size.status_code == 400 and "size" in bad_size.json()["message"]
    unknown = client.get(route.format(agent="agent-7"), params={"colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["message"]


def test_a_version_1_only_mock_answers_version_1_alone(client_v1_only: httpx.Client) -> None:
    answers = client_v1_only.get("/__admin/accounts/a1b2c3d4e5/agents/agent-7/answers").json()
    assert "v1" in answers and "v2" not in answers


def test_options_on_every_admin_path_lists_every_method_it_serves() -> None:
    import httpx as http

    from mockserver import Settings, create_app
    from mockserver.running import start_in_thread
    from tests.control_plane_document import DOCUMENT

    with start_in_thread(create_app(Settings(port=0))) as mock, http.Client(base_url=mock.url) as client:
        for template, item in DOCUMENT["paths"].items():
            path = (
                template.replace("{account}", "a1b2c3d4e5")
                .replace("{agent}", "agent-7")
                .replace("{guid}", "g")
                .replace("{channelGuid}", "c")
                .replace("{token}", "t")
                .replace("{fault}", "1")
            )
            served = {method.upper() for method in item if method in ("get", "put", "post", "delete", "patch")}
            answered = client.options(path)
            assert answered.status_code == 405, path
            allowed = {m.strip() for m in answered.headers["allow"].split(",")}
            assert served <= allowed, f"{path}: Allow {sorted(allowed)} lacks {sorted(served - allowed)}"


def test_the_server_serves_exactly_the_documents_routes() -> None:
    """The document is the routes table: every operation it describes is served, and nothing else but
    the pages around it (Swagger UI, the console)."""
    from starlette.routing import Route

    from mockserver import Settings, create_app
    from tests.control_plane_document import DOCUMENT

    documented = {
        (path, method.upper())
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }
    pages = {"/__admin/docs/", "/__admin/ui/", "/__admin/ui/login"}
    served = {
        (route.path.replace("{token:path}", "{token}"), method)
        for route in create_app(Settings(port=0)).admin_app.routes
        if isinstance(route, Route) and route.path not in pages
        for method in (route.methods or ()) - {"HEAD"}
    }
    assert served == documented
