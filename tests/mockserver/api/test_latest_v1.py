"""Version 1: at most one item {start, guid, hasEnded}, chosen by the contract's order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import V1, get, one_agent_document, put_state

GUID = "015b212c-1487-46ba-bbb7-d78d6b1412a5"


def interaction(guid: str, type_: str, *channels: tuple[str, str, str | None]) -> dict[str, Any]:
    return {
        "guid": guid,
        "type": type_,
        "channels": [{"channelGuid": c, "start": s, "end": e} for c, s, e in channels],
    }


def g(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def v1_of(client: httpx.Client, interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    put_state(client, one_agent_document(interactions))
    response = get(client, "a", accept=V1)
    assert response.status_code == 200
    assert response.headers["content-type"] == V1
    assert response.headers["vary"] == "Accept"
    items: list[dict[str, Any]] = response.json()["interactions"]
    for item in items:
        assert set(item) == {"start", "guid", "hasEnded"}
    return items


CASES = [
    (
        "active beats a more recently ended channel",
        [
            interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", None)),
            interaction(g(2), "Phone", (g(12), "2020-01-01T11:00:00Z", "2020-01-01T12:00:00Z")),
        ],
        (g(1), "2020-01-01T10:00:00Z", False),
    ),
    (
        "among active, Phone beats a later chat",
        [
            interaction(g(1), "Phone", (g(11), "2020-01-01T10:00:00Z", None)),
            interaction(g(2), "Chat", (g(12), "2020-01-01T11:00:00Z", None)),
            interaction(g(3), "Email", (g(13), "2020-01-01T12:00:00Z", None)),
        ],
        (g(1), "2020-01-01T10:00:00Z", False),
    ),
    (
        "Phone first applies to active channels only: an ended Phone loses to an active Email",
        [
            interaction(g(1), "Phone", (g(11), "2020-01-01T10:00:00Z", "2020-01-01T13:00:00Z")),
            interaction(g(2), "Email", (g(12), "2020-01-01T09:00:00Z", None)),
        ],
        (g(2), "2020-01-01T09:00:00Z", False),
    ),
    (
        "among ended, the most recent end wins, not the most recent start",
        [
            interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", "2020-01-01T10:05:00Z")),
            interaction(g(2), "Chat", (g(12), "2020-01-01T08:00:00Z", "2020-01-01T11:00:00Z")),
        ],
        (g(2), "2020-01-01T08:00:00Z", True),
    ),
    (
        "among ended, Phone has no priority",
        [
            interaction(g(1), "Phone", (g(11), "2020-01-01T10:00:00Z", "2020-01-01T10:05:00Z")),
            interaction(g(2), "Chat", (g(12), "2020-01-01T10:00:00Z", "2020-01-01T10:06:00Z")),
        ],
        (g(2), "2020-01-01T10:00:00Z", True),
    ),
    (
        "among active non-phone, the latest start wins",
        [
            interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", None)),
            interaction(g(2), "Email", (g(12), "2020-01-01T10:30:00Z", None)),
        ],
        (g(2), "2020-01-01T10:30:00Z", False),
    ),
    (
        "among two active phones, the latest start wins",
        [
            interaction(g(1), "Phone", (g(11), "2020-01-01T10:30:00Z", None)),
            interaction(g(2), "Phone", (g(12), "2020-01-01T10:00:00Z", None)),
        ],
        (g(1), "2020-01-01T10:30:00Z", False),
    ),
    (
        "a tie goes to the lower channelGuid",
        [
            interaction(g(1), "Chat", (g(19), "2020-01-01T10:00:00Z", None)),
            interaction(g(2), "Chat", (g(15), "2020-01-01T10:00:00Z", None)),
        ],
        (g(2), "2020-01-01T10:00:00Z", False),
    ),
    (
        "an ended channel's state changed at its end, which can tie with another's start",
        [
            interaction(g(1), "Chat", (g(18), "2020-01-01T09:00:00Z", "2020-01-01T10:00:00Z")),
            interaction(g(2), "Chat", (g(17), "2020-01-01T09:30:00Z", "2020-01-01T10:00:00Z")),
        ],
        (g(2), "2020-01-01T09:30:00Z", True),
    ),
    (
        "the item is a channel: a later channel of the same interaction gives its start",
        [
            interaction(
                g(1),
                "Phone",
                (g(11), "2020-01-01T10:00:00Z", "2020-01-01T10:10:00Z"),
                (g(12), "2020-01-01T10:20:00Z", None),
            ),
        ],
        (g(1), "2020-01-01T10:20:00Z", False),
    ),
]


@pytest.mark.parametrize(("title", "interactions", "expected"), CASES, ids=[c[0] for c in CASES])
def test_v1_chooses_by_the_contract_order(
    client: httpx.Client, title: str, interactions: list[dict[str, Any]], expected: tuple[str, str, bool]
) -> None:
    guid, start, has_ended = expected
    assert v1_of(client, interactions) == [{"start": start, "guid": guid, "hasEnded": has_ended}]


def test_agent_without_interactions_is_an_empty_list(client: httpx.Client) -> None:
    assert v1_of(client, []) == []


def test_fraction_and_offset_are_normalised_to_whole_seconds_utc(client: httpx.Client) -> None:
    items = v1_of(client, [interaction(g(1), "Chat", (g(11), "2020-01-01T12:00:00.987+02:00", None))])
    assert items[0]["start"] == "2020-01-01T10:00:00Z"


# -- the default fixtures: the page's own examples -------------------------------------------------

DEFAULT_V1 = [
    ("agent-7", [{"start": "2017-03-30T22:40:15Z", "guid": GUID, "hasEnded": False}]),
    ("agent-ended", [{"start": "2017-03-30T22:40:15Z", "guid": GUID, "hasEnded": True}]),
    ("1234", [{"start": "2017-03-30T22:00:00Z", "guid": "3d0e9f8a-7b6c-4d5e-9f2a-1b0c9d8e7f6a", "hasEnded": False}]),
    (
        "agent-multichannel",
        [{"start": "2017-03-30T09:20:00Z", "guid": "7b42d3ce-1fa0-4b92-b36e-5f4a3b2c1d0e", "hasEnded": False}],
    ),
    (
        "0f8e7d6c-5b4a-4392-8180-7f6e5d4c3b2a",
        [{"start": "2017-03-30T12:00:00Z", "guid": "9d64f5e0-31c2-4db4-9e80-71b6c5d4e3f2", "hasEnded": False}],
    ),
    ("agent-idle", []),
]


@pytest.mark.parametrize(("agent", "expected"), DEFAULT_V1)
def test_default_fixtures(client: httpx.Client, agent: str, expected: list[dict[str, Any]]) -> None:
    response = get(client, agent, accept=V1)
    assert response.status_code == 200
    assert response.json() == {"interactions": expected}


def test_head_answers_like_get_without_a_body(client: httpx.Client) -> None:
    response = client.head(
        "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
        headers={"Authorization": "Bearer valid-token", "Accept": V1},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == V1
    assert response.content == b""
