"""The known-data oracle: what CONTRACT.md implies for a fixture document, written without the mock."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.oracle import KnownData, KnownDataError

A, B, C, D = (f"0000000{n}-0000-4000-8000-000000000000" for n in range(1, 5))


def data(*interactions: dict[str, Any]) -> KnownData:
    return KnownData.from_document(
        {"accounts": [{"key": "k", "agents": [{"id": "a", "interactions": list(interactions)}]}]}
    )


def interaction(
    guid: str, type_: str, *channels: tuple[str, str, str | None], direction: str | None = None
) -> dict[str, Any]:
    return {
        "guid": guid,
        "type": type_,
        **({"direction": direction} if direction else {}),
        "channels": [{"channelGuid": c, "start": s, "end": e} for c, s, e in channels],
    }


@pytest.mark.parametrize(
    ("interactions", "expected_guid"),
    [
        # active before ended, even when the ended one changed later
        (
            [
                interaction(A, "Chat", (A, "2020-01-01T10:00:00Z", None)),
                interaction(B, "Phone", (B, "2020-01-01T09:00:00Z", "2020-01-01T11:00:00Z")),
            ],
            A,
        ),
        # among active, Phone first, even when it started earlier
        (
            [
                interaction(A, "Chat", (A, "2020-01-01T10:00:00Z", None)),
                interaction(B, "Phone", (B, "2020-01-01T09:00:00Z", None)),
            ],
            B,
        ),
        # ended: the latest end wins, not the latest start
        (
            [
                interaction(A, "Chat", (A, "2020-01-01T10:00:00Z", "2020-01-01T10:01:00Z")),
                interaction(B, "Email", (B, "2020-01-01T09:00:00Z", "2020-01-01T10:05:00Z")),
            ],
            B,
        ),
        # a tie of InteractionStateChangedAt goes to the lower channelGuid
        (
            [
                interaction(B, "Chat", (B, "2020-01-01T10:00:00Z", None)),
                interaction(A, "Chat", (A, "2020-01-01T10:00:00Z", None)),
            ],
            A,
        ),
        # fractions decide where the shown seconds tie
        (
            [
                interaction(A, "Chat", (A, "2020-01-01T10:00:00.2Z", None)),
                interaction(B, "Chat", (B, "2020-01-01T10:00:00.7Z", None)),
            ],
            B,
        ),
    ],
)
def test_v1_picks_the_first_in_the_contracts_order(interactions: list[dict[str, Any]], expected_guid: str) -> None:
    (item,) = data(*interactions).v1_items("k", "a")
    assert item["guid"] == expected_guid


def test_v1_of_an_agent_without_channels_is_empty() -> None:
    assert data().v1_items("k", "a") == []


def test_v2_orders_by_exact_start_then_channel_guid_and_floors_exact_durations() -> None:
    known = data(
        interaction(A, "Phone", (A, "2020-01-01T09:00:00.8Z", "2020-01-01T09:05:00.3Z"), direction="Inbound"),
        interaction(B, "Chat", (C, "2020-01-01T09:00:00.9Z", None), (B, "2020-01-01T09:00:00.9Z", None)),
    )
    items = known.v2_items("k", "a", size=100)
    assert [i["channelGuid"] for i in items] == [B, C, A]
    assert [i["duration"] for i in items] == [None, None, 299]
    assert items[2] == {
        "type": "Phone",
        "start": "2020-01-01T09:00:00Z",
        "guid": A,
        "duration": 299,
        "direction": "Inbound",
        "channelGuid": A,
    }


def test_v2_filters_before_size_and_puts_active_phones_first_when_asked() -> None:
    known = data(
        interaction(A, "Phone", (A, "2020-01-01T08:00:00Z", None)),
        interaction(B, "Chat", (B, "2020-01-01T10:00:00Z", None)),
        interaction(C, "Phone", (C, "2020-01-01T11:00:00Z", "2020-01-01T11:00:10Z")),
        interaction(D, "Chat", (D, "2020-01-01T09:00:00Z", None)),
    )
    assert [i["channelGuid"] for i in known.v2_items("k", "a", size=100)] == [C, B, D, A]
    assert [i["channelGuid"] for i in known.v2_items("k", "a", type="Chat", size=1)] == [B]
    assert [i["channelGuid"] for i in known.v2_items("k", "a", active_live_first=True, size=2)] == [A, C]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"accounts": [{"key": "k"}]}, "not a fixture document"),
        (
            {
                "accounts": [
                    {
                        "key": "k",
                        "agents": [{"id": "a", "interactions": [interaction(A, "Chat", (A, "yesterday", None))]}],
                    }
                ]
            },
            "start: not an RFC 3339 time",
        ),
        (
            {
                "accounts": [
                    {
                        "key": "k",
                        "agents": [
                            {"id": "a", "interactions": [interaction(A, "Chat", (A, "2020-01-01T10:00:00", None))]}
                        ],
                    }
                ]
            },
            "without a time zone",
        ),
    ],
)
def test_a_document_that_cannot_be_known_data_is_refused_with_where(document: dict[str, Any], words: str) -> None:
    with pytest.raises(KnownDataError, match=words):
        KnownData.from_document(document)
