"""Control-plane bodies read field by field: each bad field refused with a 400 naming it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mockserver.errors import ControlError
from mockserver.payload import MAX_CLOCK_MOVE_SECONDS, Payload


def refused(read: Any) -> ControlError:
    with pytest.raises(ControlError) as caught:
        read()
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([1, 2], "must be a JSON object"),
        ("text", "must be a JSON object"),
        ({"typo": 1}, "Unknown field(s) typo; allowed: type, guid"),
    ],
)
def test_the_body_itself(body: Any, words: str) -> None:
    assert words in refused(lambda: Payload(body, ("type", "guid"))).message


def test_no_body_is_an_empty_object() -> None:
    assert Payload(None, ("type",)).text("type") is None


@pytest.mark.parametrize(
    ("read", "words"),
    [
        (lambda p: p.text("type", required=True), "Field 'type' is required."),
        (lambda p: p.text("empty"), "Field 'empty' must be a non-empty string, got ''"),
        (lambda p: p.text("number"), "Field 'number' must be a non-empty string, got 7"),
        (lambda p: p.choice("kind", ("Phone", "Chat")), "must be one of Phone|Chat, got 'Fax'"),
        (lambda p: p.guid("guid"), "Field 'guid' must be a UUID, got 'not-a-uuid'"),
        (lambda p: p.moment("naive"), "must be an RFC 3339 date-time with a time zone"),
        (lambda p: p.moment("garbage"), "must be an RFC 3339 date-time with a time zone"),
        (lambda p: p.seconds("half"), "whole number of seconds"),
        (lambda p: p.seconds("flag"), "whole number of seconds"),
        (lambda p: p.seconds("huge"), "whole number of seconds"),
    ],
)
def test_bad_fields(read: Any, words: str) -> None:
    body = {
        "empty": "",
        "number": 7,
        "kind": "Fax",
        "guid": "not-a-uuid",
        "naive": "2030-01-01T00:00:00",
        "garbage": "yesterday",
        "half": 1.5,
        "flag": True,
        "huge": MAX_CLOCK_MOVE_SECONDS + 1,
    }
    payload = Payload(body, tuple(body) + ("type",))
    assert words in refused(lambda: read(payload)).message


def test_good_fields() -> None:
    payload = Payload(
        {"guid": "015B212C-1487-46BA-BBB7-D78D6B1412A5", "at": "2030-01-01T02:00:00+02:00", "seconds": -30},
        ("guid", "at", "seconds", "other"),
    )
    assert payload.guid("guid") == "015b212c-1487-46ba-bbb7-d78d6b1412a5"
    assert payload.moment("at") == datetime(2030, 1, 1, tzinfo=UTC)
    assert payload.seconds("seconds") == -30
    assert len(payload.guid("other")) == 36  # generated when absent
