"""Version 2: one item per channel, filtered by type, ordered, cut to size; durations; activeLiveFirst."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import V2, get, one_agent_document, put_state
from tests.mockserver.api.test_latest_v1 import g, interaction

V2_KEYS = {"type", "start", "guid", "duration", "direction", "channelGuid"}


def v2_of(client: httpx.Client, agent: str = "a", **params: str) -> list[dict[str, Any]]:
    response = get(client, agent, accept=V2, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == V2
    assert response.headers["vary"] == "Accept"
    items: list[dict[str, Any]] = response.json()["interactions"]
    for item in items:
        assert set(item) - {"direction"} == V2_KEYS - {"direction"}
    return items


def guids(items: list[dict[str, Any]]) -> list[str]:
    return [item["channelGuid"] for item in items]


MIXED = [
    interaction(g(1), "Phone", (g(11), "2020-01-01T10:00:00Z", None)),
    interaction(
        g(2), "Chat", (g(12), "2020-01-01T11:00:00Z", None), (g(13), "2020-01-01T09:00:00Z", "2020-01-01T09:30:00Z")
    ),
    interaction(g(3), "Email", (g(14), "2020-01-01T12:00:00Z", "2020-01-01T12:00:59.999Z")),
    interaction(g(4), "Phone", (g(15), "2020-01-01T13:00:00Z", "2020-01-01T13:16:12Z")),
    interaction(g(5), "Chat", (g(16), "2020-01-01T11:00:00Z", None)),
    interaction(g(6), "Phone", (g(17), "2020-01-01T08:00:00Z", None)),
]
# start descending, ties (g(12), g(16) at 11:00) by channelGuid ascending
ORDER = [g(15), g(14), g(12), g(16), g(11), g(13), g(17)]


@pytest.fixture
def mixed(client: httpx.Client) -> httpx.Client:
    put_state(client, one_agent_document(MIXED))
    return client


def test_default_size_is_one(mixed: httpx.Client) -> None:
    assert guids(v2_of(mixed)) == ORDER[:1]


@pytest.mark.parametrize("size", [1, 2, 3, 6, 7, 8, 100])
def test_order_is_start_descending_then_channel_guid_cut_to_size(mixed: httpx.Client, size: int) -> None:
    assert guids(v2_of(mixed, size=str(size))) == ORDER[:size]


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("All", ORDER),
        ("Phone", [g(15), g(11), g(17)]),
        ("Chat", [g(12), g(16), g(13)]),
        ("Email", [g(14)]),
    ],
)
def test_type_filter_applies_before_size(mixed: httpx.Client, type_: str, expected: list[str]) -> None:
    assert guids(v2_of(mixed, type=type_, size="100")) == expected
    assert guids(v2_of(mixed, type=type_, size="2")) == expected[:2]
    assert all(item["type"] == type_ for item in v2_of(mixed, type=type_, size="100")) or type_ == "All"


def test_active_live_first_puts_active_phone_channels_first(mixed: httpx.Client) -> None:
    # active phones g(11), g(17) in start order, then the rest in the same order
    expected = [g(11), g(17), g(15), g(14), g(12), g(16), g(13)]
    assert guids(v2_of(mixed, activeLiveFirst="true", size="100")) == expected
    assert guids(v2_of(mixed, activeLiveFirst="true", size="3")) == expected[:3]
    assert guids(v2_of(mixed, activeLiveFirst="false", size="100")) == ORDER


def test_active_live_first_with_a_type_filter(mixed: httpx.Client) -> None:
    assert guids(v2_of(mixed, activeLiveFirst="true", type="Chat", size="100")) == [g(12), g(16), g(13)]
    assert guids(v2_of(mixed, activeLiveFirst="true", type="Phone", size="100")) == [g(11), g(17), g(15)]


def test_items_carry_the_interaction_and_the_channel(mixed: httpx.Client) -> None:
    items = {item["channelGuid"]: item for item in v2_of(mixed, size="100")}
    assert items[g(15)] == {
        "type": "Phone",
        "start": "2020-01-01T13:00:00Z",
        "guid": g(4),
        "duration": 972,
        "channelGuid": g(15),
    }
    assert items[g(11)]["duration"] is None
    assert items[g(12)]["guid"] == items[g(13)]["guid"] == g(2)


def test_duration_is_floored_and_can_be_zero(client: httpx.Client) -> None:
    put_state(
        client,
        one_agent_document(
            [
                interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z")),
                interaction(g(2), "Chat", (g(12), "2020-01-01T09:00:00Z", "2020-01-01T09:00:59.9Z")),
            ]
        ),
    )
    assert [i["duration"] for i in v2_of(client, size="2")] == [0, 59]


def test_direction_is_shown_when_known(client: httpx.Client) -> None:
    with_direction = interaction(g(1), "Chat", (g(11), "2020-01-01T10:00:00Z", None))
    with_direction["direction"] = "Outbound"
    put_state(
        client, one_agent_document([with_direction, interaction(g(2), "Email", (g(12), "2020-01-01T09:00:00Z", None))])
    )
    items = v2_of(client, size="2")
    assert items[0]["direction"] == "Outbound"
    assert "direction" not in items[1]


def test_size_100_caps_a_long_history_without_repeats(client: httpx.Client) -> None:
    many = [
        interaction(g(1000 + n), "Chat", (g(n), f"2020-01-01T{n // 60:02d}:{n % 60:02d}:00Z", "2020-01-02T00:00:00Z"))
        for n in range(150)
    ]
    put_state(client, one_agent_document(many, now="2020-01-03T00:00:00Z"))
    items = v2_of(client, size="100")
    assert len(items) == 100
    assert len(set(guids(items))) == 100
    assert guids(items) == [g(n) for n in range(149, 49, -1)]


def test_agent_without_interactions_is_an_empty_list(client: httpx.Client) -> None:
    assert v2_of(client, "agent-idle", size="100") == []


def test_default_fixture_call_and_two_chats(client: httpx.Client) -> None:
    items = v2_of(client, "1234", size="100")
    assert [i["type"] for i in items] == ["Chat", "Chat", "Phone"]
    assert all(i["duration"] is None for i in items)
    assert [i["type"] for i in v2_of(client, "1234", size="100", activeLiveFirst="true")] == ["Phone", "Chat", "Chat"]


def test_default_fixture_page_example(client: httpx.Client) -> None:
    assert v2_of(client, "agent-ended") == [
        {
            "type": "Phone",
            "start": "2017-03-30T22:40:15Z",
            "guid": "015b212c-1487-46ba-bbb7-d78d6b1412a5",
            "duration": 972,
            "direction": "Inbound",
            "channelGuid": "015b212c-1487-46ba-bbb7-d78d6b1412a5",
        }
    ]


def test_sub_second_times_give_the_floor_of_the_exact_duration(client: httpx.Client) -> None:
    put_state(
        client,
        one_agent_document([interaction(g(1), "Phone", (g(11), "2020-01-01T09:00:00.8Z", "2020-01-01T09:05:00.3Z"))]),
    )
    (item,) = v2_of(client)
    assert (item["start"], item["duration"]) == ("2020-01-01T09:00:00Z", 299)


def test_channels_started_within_one_second_are_ordered_by_their_exact_start(client: httpx.Client) -> None:
    # The later start has the higher channelGuid: whole seconds would put it second.
    put_state(
        client,
        one_agent_document(
            [
                interaction(g(1), "Chat", (g(11), "2020-01-01T09:00:00.2Z", None)),
                interaction(g(2), "Chat", (g(12), "2020-01-01T09:00:00.7Z", None)),
            ]
        ),
    )
    items = v2_of(client, size="2")
    assert guids(items) == [g(12), g(11)]
    assert {item["start"] for item in items} == {"2020-01-01T09:00:00Z"}


@pytest.mark.parametrize("size", ["9" * 5_000, "0" * 5_000 + "7", "1" + "0" * 4_400])
def test_a_size_of_thousands_of_digits_is_a_400_not_a_crash(client: httpx.Client, size: str) -> None:
    response = get(client, "agent-7", accept=V2, params={"size": size})
    if size.lstrip("0") == "7":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    message = response.json()["message"]
    assert "size" in message and len(message) < 200
