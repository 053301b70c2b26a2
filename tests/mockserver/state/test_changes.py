"""`changes.apply`: a table of changes and the state each yields; a refused change leaves the state as it was.

Every worker of a fleet replays the same Change on the same state through `apply`, so these rows are
what keeps the workers equal.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import ControlError
from mockserver.fixtures.check import build_state
from mockserver.fixtures.documents import to_document
from mockserver.model import State
from mockserver.state.changes import Change, apply

NOW = "2030-01-01T10:00:00Z"
CALL = "00000000-0000-4000-8000-000000000001"
CALL_CHANNEL = "00000000-0000-4000-8000-0000000000c1"
NEW = "00000000-0000-4000-8000-000000000002"
NEW_CHANNEL = "00000000-0000-4000-8000-0000000000c2"


def initial() -> State:
    return build_state(
        {
            "now": NOW,
            "tokens": [{"token": "t", "account": "acc"}],
            "accounts": [
                {
                    "key": "acc",
                    "agents": [
                        {
                            "id": "a",
                            "interactions": [
                                {
                                    "guid": CALL,
                                    "type": "Phone",
                                    "channels": [
                                        {"channelGuid": CALL_CHANNEL, "start": "2030-01-01T09:00:00Z", "end": None}
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )


def agent_document(state: State, agent: str = "a") -> list[dict[str, Any]]:
    (account,) = to_document(state)["accounts"]
    (found,) = [a for a in account["agents"] if a["id"] == agent]
    return list(found["interactions"])


def channel(guid: str, start: str, end: str | None = None) -> dict[str, Any]:
    return {"channelGuid": guid, "start": start, "end": end}


# -- what each change yields ---------------------------------------------------------------------------


def test_add_agent() -> None:
    state, created = apply(initial(), Change("add_agent", {"account": "acc", "id": "b"}))
    assert created == {"id": "b", "interactions": []}
    assert agent_document(state, "b") == []
    assert state.agent("acc", "b") is not None and state.agent("acc", "b").answers.v1_body == b'{"interactions":[]}'  # type: ignore[union-attr]


def test_start_interaction() -> None:
    args = {"account": "acc", "agent": "a", "guid": NEW, "type": "Chat", "direction": "Inbound"}
    state, created = apply(
        initial(), Change("start_interaction", {**args, "channelGuid": NEW_CHANNEL, "at": NOW, "now": NOW})
    )
    expected = {"guid": NEW, "type": "Chat", "direction": "Inbound", "channels": [channel(NEW_CHANNEL, NOW)]}
    assert created == expected
    assert agent_document(state)[-1] == expected


def test_add_channel() -> None:
    args = {"account": "acc", "agent": "a", "guid": CALL, "channelGuid": NEW_CHANNEL, "at": NOW, "now": NOW}
    state, created = apply(initial(), Change("add_channel", args))
    assert created == {"guid": CALL, **channel(NEW_CHANNEL, NOW)}
    assert agent_document(state)[0]["channels"] == [
        channel(CALL_CHANNEL, "2030-01-01T09:00:00Z"),
        channel(NEW_CHANNEL, NOW),
    ]


def test_end_channel() -> None:
    at = "2030-01-01T09:30:00.5Z"
    args = {"account": "acc", "agent": "a", "channelGuid": CALL_CHANNEL.upper(), "at": at, "now": NOW}
    state, created = apply(initial(), Change("end_channel", args))
    assert created == {"guid": CALL, **channel(CALL_CHANNEL, "2030-01-01T09:00:00Z", at)}
    assert b'"duration":1800' in state.agent("acc", "a").answers.v2_body(  # type: ignore[union-attr]
        type="All", active_live_first=False, size=1
    )


def test_add_and_revoke_token() -> None:
    state, created = apply(
        initial(), Change("add_token", {"token": "u", "account": "acc", "expires": "2031-01-01T00:00:00Z"})
    )
    assert created == {"token": "u", "account": "acc", "expires": "2031-01-01T00:00:00Z"}
    assert set(state.tokens) == {"t", "u"}
    state, created = apply(state, Change("revoke_token", {"token": "t"}))
    assert created == {"account": "acc", "revoked": True}
    assert set(state.tokens) == {"u"}


def test_freeze_and_release_the_clock() -> None:
    later = "2030-01-02T00:00:00Z"
    state, created = apply(initial(), Change("set_clock", {"now": later}))
    assert created == {"now": later, "frozen": True}
    state, created = apply(state, Change("set_clock", {"now": None, "released_at": "2031-01-01T00:00:00Z"}))
    assert created["frozen"] is False and state.clock.frozen_at is None


def test_a_change_leaves_the_state_it_was_applied_to_alone() -> None:
    before = initial()
    document = to_document(before)
    apply(before, Change("add_agent", {"account": "acc", "id": "b"}))
    assert to_document(before) == document


def test_a_change_travels_as_json() -> None:
    change = Change("revoke_token", {"token": "t"})
    assert Change.from_json(change.to_json()) == change


# -- refusals: each a ControlError with its status, and nothing changed ------------------------------------

REFUSED = [
    # (op, args, status, words in the message)
    ("add_agent", {"account": "nope", "id": "b"}, 404, "Unknown account"),
    ("add_agent", {"account": "acc", "id": "a"}, 409, "already exists"),
    (
        "start_interaction",
        {
            "account": "acc",
            "agent": "zz",
            "guid": NEW,
            "type": "Chat",
            "channelGuid": NEW_CHANNEL,
            "at": NOW,
            "now": NOW,
        },
        404,
        "Unknown agent",
    ),  # fmt: skip
    (
        "start_interaction",
        {
            "account": "acc",
            "agent": "a",
            "guid": CALL,
            "type": "Chat",
            "channelGuid": NEW_CHANNEL,
            "at": NOW,
            "now": NOW,
        },
        409,
        "Interaction",
    ),  # fmt: skip
    (
        "start_interaction",
        {
            "account": "acc",
            "agent": "a",
            "guid": NEW,
            "type": "Chat",
            "channelGuid": CALL_CHANNEL,
            "at": NOW,
            "now": NOW,
        },
        409,
        "Channel",
    ),  # fmt: skip
    (
        "start_interaction",
        {
            "account": "acc",
            "agent": "a",
            "guid": NEW,
            "type": "Chat",
            "channelGuid": NEW_CHANNEL,
            "at": "2030-01-01T10:00:01Z",
            "now": NOW,
        },
        400,
        "after the mock's clock",
    ),  # fmt: skip
    (
        "add_channel",
        {"account": "acc", "agent": "a", "guid": NEW, "channelGuid": NEW_CHANNEL, "at": NOW, "now": NOW},
        404,
        "Unknown interaction",
    ),  # fmt: skip
    (
        "end_channel",
        {"account": "acc", "agent": "a", "channelGuid": NEW_CHANNEL, "at": NOW, "now": NOW},
        404,
        "Unknown channel",
    ),  # fmt: skip
    (
        "end_channel",
        {"account": "acc", "agent": "a", "channelGuid": CALL_CHANNEL, "at": "2030-01-01T08:00:00Z", "now": NOW},
        400,
        "before the channel's start",
    ),  # fmt: skip
    ("add_token", {"token": "t", "account": "acc", "expires": None}, 409, "already exists"),
    ("revoke_token", {"token": "nope"}, 404, "Unknown token"),
    ("set_clock", {"now": "2030-01-01T08:00:00Z"}, 409, "after the mock's clock"),
    ("explode", {}, 400, "Unknown change"),
]


@pytest.mark.parametrize(("op", "args", "status", "words"), REFUSED, ids=[f"{r[0]}-{r[2]}-{r[3]}" for r in REFUSED])
def test_refused_changes(op: str, args: dict[str, Any], status: int, words: str) -> None:
    before = initial()
    document = to_document(before)
    with pytest.raises(ControlError) as refused:
        apply(before, Change(op, args))
    assert refused.value.status == status
    assert words in refused.value.message
    assert to_document(before) == document


def test_ending_an_ended_channel_is_a_conflict() -> None:
    args = {"account": "acc", "agent": "a", "channelGuid": CALL_CHANNEL, "at": NOW, "now": NOW}
    ended, _ = apply(initial(), Change("end_channel", args))
    with pytest.raises(ControlError) as refused:
        apply(ended, Change("end_channel", args))
    assert refused.value.status == 409 and "already ended" in refused.value.message


def test_a_batch_edits_copies_never_the_state_it_started_from() -> None:
    from mockserver.state.changes import apply_batch

    start = initial()
    account = next(iter(start.accounts))
    before = dict(start.accounts[account].agents)
    told: list[str] = []
    events = [[Change("add_agent", {"account": account, "id": f"batch-{n}"})] for n in range(50)]
    events.append([Change("add_agent", {"account": account, "id": "batch-0"})])  # a duplicate: refused
    end = apply_batch(start, events, [told.append] * len(events))
    assert dict(start.accounts[account].agents) == before
    assert all(end.agent(account, f"batch-{n}") is not None for n in range(50))
    assert len(told) == 1 and "already exists" in told[0]
    # A change after the batch copies as one change does: the batch's result is not edited either.
    after, _ = apply(end, Change("add_agent", {"account": account, "id": "later"}))
    assert end.agent(account, "later") is None and after.agent(account, "later") is not None
