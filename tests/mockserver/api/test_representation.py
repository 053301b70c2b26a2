"""How a channel is written: RFC 3339 `Z` times in whole seconds (or precise, for documents), and the
hand-written version-2 item equal to the JSON encoder's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings

from mockserver.api.representation import MEDIA_TYPES, dumps, precise_rfc3339, rfc3339, v1_item, v2_item, v2_item_json
from mockserver.api.selection import AgentChannel, agent_channels
from mockserver.model import Agent, Channel, Interaction
from tests.mockserver.api.test_selection import agents

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("moment", "shown", "precise"),
    [
        (datetime(2017, 3, 30, 22, 40, 15, tzinfo=UTC), "2017-03-30T22:40:15Z", "2017-03-30T22:40:15Z"),
        (datetime(2017, 3, 30, 22, 40, 15, 999_999, tzinfo=UTC), "2017-03-30T22:40:15Z", "2017-03-30T22:40:15.999999Z"),
        (datetime(2017, 3, 30, 22, 40, 15, 500_000, tzinfo=UTC), "2017-03-30T22:40:15Z", "2017-03-30T22:40:15.5Z"),
        (datetime(2017, 3, 31, 0, 40, 15, tzinfo=PLUS_TWO), "2017-03-30T22:40:15Z", "2017-03-30T22:40:15Z"),
    ],
)
def test_times_are_utc_with_z(moment: datetime, shown: str, precise: str) -> None:
    assert rfc3339(moment) == shown
    assert precise_rfc3339(moment) == precise


def test_items_of_each_version() -> None:
    start = datetime(2017, 3, 30, 22, 40, 15, tzinfo=UTC)
    ended = Channel("c", start, start + timedelta(seconds=972))
    item = AgentChannel(Interaction("g", "Phone", None, (ended,)), ended)
    assert v1_item(item) == {"start": "2017-03-30T22:40:15Z", "guid": "g", "hasEnded": True}
    assert v2_item(item) == {
        "type": "Phone",
        "start": "2017-03-30T22:40:15Z",
        "guid": "g",
        "duration": 972,
        "channelGuid": "c",
    }
    with_direction = AgentChannel(Interaction("g", "Chat", "Inbound", (ended,)), ended)
    assert list(v2_item(with_direction)) == ["type", "start", "guid", "duration", "direction", "channelGuid"]
    assert MEDIA_TYPES == {1: "application/json;version=1", 2: "application/json;version=2"}


@settings(max_examples=300)
@given(agents())
def test_hand_written_item_json_equals_the_json_encoder(agent: Agent) -> None:
    for item in agent_channels(agent):
        assert v2_item_json(item) == dumps(v2_item(item))
