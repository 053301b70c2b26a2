"""The token endpoint (mockserver/authentication/token.py), through HTTP: CONTRACT.md's "Getting a token"."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread

TOKEN = "/Auth/connect/token"
ACCOUNT, OTHER = "a1b2c3d4e5", "f6g7h8i9j0"
CLIENT = {"client_id": "client-a1b2c3d4e5", "client_secret": "secret-a1b2c3d4e5"}
GRANT = {"grant_type": "client_credentials", **CLIENT}
V1 = "application/json;version=1"


@pytest.fixture
def mock() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings(port=0))) as running:
        yield running


@pytest.fixture
def client(mock: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, timeout=10) as http:
        yield http


def fetch(client: httpx.Client, **form: str) -> httpx.Response:
    return client.post(TOKEN, data=form)


def ask(client: httpx.Client, token: str, account: str = ACCOUNT) -> httpx.Response:
    return client.get(
        f"/v0/{account}/agents/agent-7/latestInteractions", headers={"Authorization": f"Bearer {token}", "Accept": V1}
    )


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


# -- a grant --------------------------------------------------------------------------------------------


def test_a_grant_issues_a_bearer_token_of_the_clients_account(client: httpx.Client) -> None:
    answer = fetch(client, **GRANT)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 7200 and body["access_token"]
    assert answer.headers["cache-control"] == "no-store"
    assert ask(client, body["access_token"]).status_code == 200
    assert ask(client, body["access_token"], OTHER).status_code == 403


def test_each_grant_is_a_new_token(client: httpx.Client) -> None:
    first, second = (fetch(client, **GRANT).json()["access_token"] for _ in range(2))
    assert first != second
    assert ask(client, first).status_code == ask(client, second).status_code == 200


def test_http_basic_authenticates_the_client_too(client: httpx.Client) -> None:
    answer = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": basic(*CLIENT.values())}
    )
    assert answer.status_code == 200 and ask(client, answer.json()["access_token"]).status_code == 200


def test_the_scope_is_answered_when_it_differs_from_the_request(client: httpx.Client) -> None:
    assert fetch(client, **GRANT).json()["scope"] == "interactions.read"  # none asked: all granted
    assert "scope" not in fetch(client, **GRANT, scope="interactions.read").json()


def test_the_token_expires_on_the_mocks_clock(client: httpx.Client) -> None:
    client.put("/__admin/clock", json={}).raise_for_status()
    token = fetch(client, **GRANT).json()["access_token"]
    client.post("/__admin/clock/advance", json={"seconds": 7199}).raise_for_status()
    assert ask(client, token).status_code == 200
    client.post("/__admin/clock/advance", json={"seconds": 1}).raise_for_status()
    expired = ask(client, token)
    assert expired.status_code == 401 and 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert ask(client, fetch(client, **GRANT).json()["access_token"]).status_code == 200  # the refresh


# -- refusals, RFC 6749 5.2 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**CLIENT}, 400, "invalid_request"),  # no grant_type
        ({"grant_type": "password", **CLIENT}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_id": CLIENT["client_id"]}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_secret": "x"}, 400, "invalid_request"),
        ({**GRANT, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**GRANT, "client_id": "nobody"}, 401, "invalid_client"),
        ({**GRANT, "scope": "interactions.write"}, 400, "invalid_scope"),
    ],
)
def test_refusals_follow_rfc_6749(client: httpx.Client, form: dict[str, str], status: int, error: str) -> None:
    answer = fetch(client, **form)
    assert answer.status_code == status
    assert answer.json()["error"] == error and answer.json()["error_description"]
    assert answer.headers["cache-control"] == "no-store"
    assert "secret-a1b2c3d4e5" not in answer.text


def test_a_wrong_basic_secret_is_challenged_with_basic(client: httpx.Client) -> None:
    answer = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": basic(CLIENT["client_id"], "no")}
    )
    assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"grant_type": "client_credentials"}', {"Content-Type": "application/json"}),
        (b"grant_type=client_credentials&grant_type=client_credentials", {}),
        (b"\xff\xfe=\xff", {}),
        (b"x" * 70_000, {}),
        (b"grant_type=client_credentials&client_id=a&client_secret=b", {"Authorization": "Basic !!!"}),
    ],
    ids=["json", "repeated", "not utf-8", "70 kB", "bad basic"],
)
def test_bad_input_gets_the_rfcs_error_never_a_5xx(
    client: httpx.Client, content: bytes, headers: dict[str, str]
) -> None:
    answer = client.post(
        TOKEN, content=content, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}
    )
    assert answer.status_code in (400, 401)
    assert answer.json()["error"] in ("invalid_request", "invalid_client")


def test_basic_and_form_credentials_together_are_refused(client: httpx.Client) -> None:
    answer = client.post(TOKEN, data=GRANT, headers={"Authorization": basic(*CLIENT.values())})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_a_get_is_a_405_with_allow(client: httpx.Client) -> None:
    answer = client.get(TOKEN)
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"


# -- clients as state ----------------------------------------------------------------------------------


def test_a_client_added_over_http_gets_tokens_of_its_lifetime(client: httpx.Client) -> None:
    added = client.post(
        "/__admin/clients",
        json={"client_id": "app", "client_secret": "s3", "account": OTHER, "token_lifetime": 60, "scopes": ["a"]},
    )
    assert added.status_code == 201 and added.json()["client_secret"] != "s3"
    assert (
        client.post("/__admin/clients", json={"client_id": "app", "client_secret": "x", "account": OTHER}).status_code
        == 409
    )
    refused = client.post(
        "/__admin/clients", json={"client_id": "b", "client_secret": "x", "account": OTHER, "token_lifetime": 0}
    )
    assert refused.status_code == 400 and "token_lifetime" in refused.json()["message"]
    granted = fetch(client, grant_type="client_credentials", client_id="app", client_secret="s3").json()
    assert granted["expires_in"] == 60 and ask(client, granted["access_token"], OTHER).status_code == 200


def test_removing_a_client_stops_its_tokens(client: httpx.Client) -> None:
    token = fetch(client, **GRANT).json()["access_token"]
    removed = client.delete(f"/__admin/clients/{CLIENT['client_id']}")
    assert removed.status_code == 200 and removed.json()["revoked_tokens"] == 1
    assert ask(client, token).status_code == 401
    assert fetch(client, **GRANT).status_code == 401
    assert client.delete(f"/__admin/clients/{CLIENT['client_id']}").status_code == 404


def test_a_required_scope_makes_a_token_without_it_a_403(client: httpx.Client) -> None:
    client.post(
        "/__admin/clients", json={"client_id": "narrow", "client_secret": "n", "account": ACCOUNT}
    ).raise_for_status()
    narrow = fetch(client, grant_type="client_credentials", client_id="narrow", client_secret="n").json()[
        "access_token"
    ]
    wide = fetch(client, **GRANT).json()["access_token"]
    client.put("/__admin/required-scope", json={"scope": "interactions.read"}).raise_for_status()
    refused = ask(client, narrow)
    assert refused.status_code == 403
    assert refused.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="interactions.read"'
    assert ask(client, wide).status_code == 200
    assert ask(client, "valid-token").status_code == 200  # a token written in the fixtures has every scope
    client.put("/__admin/required-scope", json={"scope": None}).raise_for_status()
    assert ask(client, narrow).status_code == 200


def test_the_state_never_shows_a_secret_or_an_issued_token(client: httpx.Client) -> None:
    token = fetch(client, **GRANT).json()["access_token"]
    shown = client.get("/__admin/state").text
    assert token not in shown and "secret-a1b2c3d4e5" not in shown
    assert "issued:" in shown
    assert token not in client.get("/__admin/journal").text
