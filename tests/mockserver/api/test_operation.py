"""401, then 403, then 406, then 400 (version 2 only), then 404: the first failing check answers."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import V1, V2, get

BAD_PARAMS = {"size": "0", "type": "Fax"}

ORDER = [
    # (token, accept, agent, params) -> status; each row breaks several rules at once
    ("no-such-token", "text/html", "nobody", BAD_PARAMS, 401),
    (None, None, "nobody", BAD_PARAMS, 401),
    ("expired-token", V2, "nobody", BAD_PARAMS, 401),
    ("other-account-token", "text/html", "nobody", BAD_PARAMS, 403),
    ("other-account-token", V2, "agent-7", BAD_PARAMS, 403),
    ("valid-token", "*/*", "nobody", BAD_PARAMS, 406),
    ("valid-token", None, "nobody", BAD_PARAMS, 406),
    ("valid-token", V2, "nobody", BAD_PARAMS, 400),
    ("valid-token", V2, "nobody", {"type": ""}, 400),
    ("valid-token", V1, "nobody", BAD_PARAMS, 404),
    ("valid-token", V2, "nobody", {}, 404),
    ("valid-token", V2, "agent-7", {}, 200),
]


@pytest.mark.parametrize(("token", "accept", "agent", "params", "status"), ORDER)
def test_first_failing_check_answers(
    client: httpx.Client, token: str | None, accept: str | None, agent: str, params: dict[str, str], status: int
) -> None:
    assert get(client, agent, token=token, accept=accept, params=params).status_code == status


@pytest.mark.parametrize("account", ["a1b2c3d4e5", "no-such-account", "f6g7h8i9j0"])
@pytest.mark.parametrize("agent", ["agent-7", "nobody"])
def test_bad_token_never_reveals_whether_account_or_agent_exists(
    client: httpx.Client, account: str, agent: str
) -> None:
    response = get(client, agent, token="no-such-token", account=account)
    assert response.status_code == 401
    assert response.json() == get(client, "agent-7", token="no-such-token").json()


def test_foreign_token_never_reveals_whether_agent_exists(client: httpx.Client) -> None:
    known = get(client, "agent-7", token="other-account-token")
    unknown = get(client, "nobody", token="other-account-token")
    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json()


def test_v1_only_server_answers_406_before_400(client_v1_only: httpx.Client) -> None:
    assert get(client_v1_only, "nobody", accept=V2, params=BAD_PARAMS).status_code == 406


def test_unknown_agent_body_is_exactly_the_pages(client: httpx.Client) -> None:
    response = get(client, "agent-8")
    assert response.status_code == 404
    assert response.json() == {"message": "The requested resource was not found."}
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("agent", ["AGENT-7", "agent-7 ", "agent", "agent-70", "12345"])
def test_agent_ids_compare_exactly(client: httpx.Client, agent: str) -> None:
    assert get(client, agent).status_code == 404


def test_agent_of_another_account_is_not_found(client: httpx.Client) -> None:
    # agent-7 exists in both accounts; 'agent-ended' only in a1b2c3d4e5
    response = get(client, "agent-ended", token="other-account-token", account="f6g7h8i9j0")
    assert response.status_code == 404
