"""401 for missing, malformed, unknown and expired tokens; 403 for another account's token."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import V1, get, one_agent_document, path, put_state

NO_CREDENTIALS = [
    None,
    "",
    "Bearer",
    "Basic dmFsaWQtdG9rZW46",
    "Token valid-token",
    "valid-token",
    "Bearervalid-token",
]


@pytest.mark.parametrize("authorization", NO_CREDENTIALS)
def test_without_a_bearer_token_is_401_with_a_plain_challenge(client: httpx.Client, authorization: str | None) -> None:
    headers = {"Accept": V1}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.get(path("agent-7"), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/json"
    assert response.json()["message"]


@pytest.mark.parametrize(
    "token",
    ["no-such-token", "VALID-TOKEN", "valid-token2", "valid-toke", "expired-token", "valid-token%20"],
)
def test_unknown_or_expired_token_is_401_invalid_token(client: httpx.Client, token: str) -> None:
    response = get(client, "agent-7", token=token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["message"]


def test_expired_token_message_says_so(client: httpx.Client) -> None:
    assert "expired" in get(client, "agent-7", token="expired-token").json()["message"]


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(client: httpx.Client, scheme: str) -> None:
    response = client.get(path("agent-7"), headers={"Authorization": f"{scheme} valid-token", "Accept": V1})
    assert response.status_code == 200


def test_extra_spaces_around_the_token_are_tolerated(client: httpx.Client) -> None:
    response = client.get(path("agent-7"), headers={"Authorization": "Bearer   valid-token", "Accept": V1})
    assert response.status_code == 200


def test_two_authorization_headers_are_refused(client: httpx.Client) -> None:
    headers = httpx.Headers(
        [("Authorization", "Bearer valid-token"), ("Authorization", "Bearer valid-token"), ("Accept", V1)]
    )
    assert client.get(path("agent-7"), headers=headers).status_code == 401


def test_token_of_another_account_is_403(client: httpx.Client) -> None:
    response = get(client, "agent-7", token="other-account-token")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert "a1b2c3d4e5" in response.json()["message"]


def test_token_opens_its_own_account(client: httpx.Client) -> None:
    response = get(client, "agent-7", token="other-account-token", account="f6g7h8i9j0")
    assert response.status_code == 200
    assert response.json()["interactions"][0]["guid"] == "bf8617a2-53e4-4fd6-b0a2-93d8e7f6a514"


def test_account_keys_compare_exactly(client: httpx.Client) -> None:
    assert get(client, "agent-7", account="A1B2C3D4E5").status_code == 403
    assert get(client, "agent-7", account="a1b2c3d4e5 ").status_code == 403


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        ("2030-01-01T00:00:00Z", 200),  # a second before expiry
        ("2030-01-01T00:00:01Z", 200),
        ("2029-12-31T23:59:59Z", 401),  # a second after
        ("2030-01-01T00:00:00+00:00", 200),
    ],
)
def test_token_expires_at_its_expiry_instant(client: httpx.Client, expires: str, status: int) -> None:
    document = one_agent_document([], now="2029-12-31T23:59:59Z")
    document["now"] = "2030-01-01T00:00:00Z" if status == 401 else "2029-12-31T23:59:59Z"
    document["tokens"][0]["expires"] = expires
    put_state(client, document)
    assert get(client, "a").status_code == status


def test_token_at_exactly_its_expiry_is_expired(client: httpx.Client) -> None:
    document = one_agent_document([], now="2030-01-01T00:00:00Z")
    document["tokens"][0]["expires"] = "2030-01-01T00:00:00Z"
    put_state(client, document)
    response = get(client, "a")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
