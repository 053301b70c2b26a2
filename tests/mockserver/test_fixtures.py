"""Fixture documents are checked whole; every problem is reported with its path."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockserver.clock import FrozenClock
from mockserver.fixtures import FixtureError, build_state, load_fixture_file, parse_text, to_document
from mockserver.resources import DEFAULT_FIXTURES, FIXTURE_SCHEMA

SCHEMA = json.loads(FIXTURE_SCHEMA.read_text())
CHANNEL = {"channelGuid": "6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c", "start": "2017-03-30T22:40:15Z", "end": None}


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tokens": [{"token": "t", "account": "acc"}],
        "accounts": [
            {
                "key": "acc",
                "agents": [
                    {
                        "id": "ag",
                        "interactions": [
                            {
                                "guid": "015b212c-1487-46ba-bbb7-d78d6b1412a5",
                                "type": "Phone",
                                "channels": [dict(CHANNEL)],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    base.update(changes)
    return base


def with_channel(**fields: Any) -> dict[str, Any]:
    doc = document()
    doc["accounts"][0]["agents"][0]["interactions"][0]["channels"][0].update(fields)
    return doc


def errors_of(doc: Any) -> list[str]:
    with pytest.raises(FixtureError) as refused:
        build_state(doc)
    return refused.value.errors


def test_default_fixtures_load_with_every_interesting_agent() -> None:
    state = load_fixture_file(DEFAULT_FIXTURES)
    agents = state.accounts["a1b2c3d4e5"].agents
    assert {"agent-7", "1234", "agent-ended", "agent-multichannel", "agent-idle"} <= set(agents)
    assert agents["agent-idle"].interactions == ()
    assert len(agents["agent-multichannel"].interactions[0].channels) == 3
    assert {t.account for t in state.tokens.values()} == {"a1b2c3d4e5", "f6g7h8i9j0"}
    assert state.tokens["expired-token"].expired_at(datetime.now(UTC))


def test_default_fixtures_satisfy_the_shipped_schema() -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(yaml.safe_load(DEFAULT_FIXTURES.read_text()))


REFUSED = [
    # (document, expected path, words in the message)
    (with_channel(start="yesterday"), "accounts[0].agents[0].interactions[0].channels[0].start", "RFC 3339"),
    (with_channel(start="2017-03-30T22:40:15"), "accounts[0].agents[0].interactions[0].channels[0].start", "time zone"),
    (with_channel(start="2017-02-30T22:40:15Z"), "accounts[0].agents[0].interactions[0].channels[0].start", "RFC 3339"),
    (with_channel(end="2017-03-30T22:40:14Z"), "accounts[0].agents[0].interactions[0].channels[0].end", "before"),
    (
        with_channel(end="2999-01-01T00:00:00Z"),
        "accounts[0].agents[0].interactions[0].channels[0].end",
        "after the mock's clock",
    ),
    (with_channel(start="2999-01-01T00:00:00Z"), "accounts[0].agents[0].interactions[0].channels[0].start", "after"),
    (with_channel(channelGuid="not-a-uuid"), "accounts[0].agents[0].interactions[0].channels[0].channelGuid", "UUID"),
    (with_channel(extra=1), "accounts[0].agents[0].interactions[0].channels[0].extra", "unknown field"),
    (document(tokens=[{"token": "a b", "account": "acc"}]), "tokens[0].token", "white space"),
    (document(tokens=[{"token": "", "account": "acc"}]), "tokens[0].token", "non-empty"),
    (document(tokens=[{"token": "t", "account": "acc", "expires": "soon"}]), "tokens[0].expires", "RFC 3339"),
    (
        document(tokens=[{"token": "t", "account": "acc"}, {"token": "t", "account": "acc"}]),
        "tokens[1].token",
        "duplicate",
    ),
    (document(tokens={}), "tokens", "must be a list"),
    (document(now="noon"), "now", "RFC 3339"),
    (document(extra=True), "extra", "unknown field"),
    ({"tokens": []}, "accounts", "required"),
    ([], "(document)", "must be an object"),
    (None, "(document)", "must be an object"),
]


@pytest.mark.parametrize(("doc", "where", "words"), REFUSED)
def test_bad_documents_are_refused_with_the_path(doc: Any, where: str, words: str) -> None:
    errors = errors_of(doc)
    assert any(e.startswith(f"{where}: ") and words in e for e in errors), errors


@pytest.mark.parametrize(
    ("doc", "where", "words"),
    [
        r
        for r in REFUSED
        if "after" not in r[2] and "names no" not in r[2] and "duplicate" not in r[2] and "before" not in r[2]
    ],
)
def test_the_shipped_schema_refuses_them_too(doc: Any, where: str, words: str) -> None:
    # The schema covers the shape; cross-references and time order are the loader's alone.
    assert list(jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).iter_errors(doc))


def test_interaction_level_problems() -> None:
    doc = document()
    interaction = doc["accounts"][0]["agents"][0]["interactions"][0]
    interaction.update(type="Fax", direction="Sideways", guid="x")
    errors = errors_of(doc)
    prefix = "accounts[0].agents[0].interactions[0]"
    assert any(e.startswith(f"{prefix}.type: ") and "Phone|Chat|Email" in e for e in errors)
    assert any(e.startswith(f"{prefix}.direction: ") and "Inbound|Outbound|Internal" in e for e in errors)
    assert any(e.startswith(f"{prefix}.guid: ") for e in errors)


def test_every_problem_is_reported_not_only_the_first() -> None:
    doc = copy.deepcopy(yaml.safe_load(DEFAULT_FIXTURES.read_text()))
    doc["accounts"][0]["agents"][2]["interactions"][1]["channels"][0]["start"] = "nope"
    doc["accounts"][0]["agents"][0]["interactions"][0]["type"] = "Fax"
    doc["tokens"][0]["expires"] = "never"
    errors = errors_of(doc)
    assert len(errors) == 3
    assert any(e.startswith("accounts[0].agents[2].interactions[1].channels[0].start: ") for e in errors)


def test_duplicates_within_their_scope_are_refused() -> None:
    doc = document()
    agent = doc["accounts"][0]["agents"][0]
    agent["interactions"].append(copy.deepcopy(agent["interactions"][0]))
    errors = errors_of(doc)
    assert any("interactions[1].guid: duplicate" in e for e in errors)
    assert any("interactions[1].channels[0].channelGuid: duplicate" in e for e in errors)
    doc = document()
    doc["accounts"][0]["agents"].append(copy.deepcopy(doc["accounts"][0]["agents"][0]))
    assert any(e.startswith("accounts[0].agents[1].id: duplicate") for e in errors_of(doc))


def test_ids_with_a_slash_or_empty_are_refused() -> None:
    doc = document()
    doc["accounts"][0]["agents"][0]["id"] = "a/b"
    doc["accounts"][0]["key"] = ""
    errors = errors_of(doc)
    assert any(e.startswith("accounts[0].agents[0].id: ") for e in errors)
    assert any(e.startswith("accounts[0].key: ") for e in errors)


def test_an_interaction_without_channels_is_refused_with_its_path() -> None:
    doc = document()
    doc["accounts"][0]["agents"][0]["interactions"][0]["channels"] = []
    with pytest.raises(FixtureError) as refused:
        build_state(doc)
    assert refused.value.errors == [
        "accounts[0].agents[0].interactions[0].channels: an interaction has one or more channels, got none"
    ]
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)


def test_sub_second_times_are_kept_and_written_back_precisely() -> None:
    doc = document()
    doc["accounts"][0]["agents"][0]["interactions"][0]["channels"] = [
        {**CHANNEL, "start": "2017-03-30T09:00:00.8Z", "end": "2017-03-30T09:05:00.3+00:00"}
    ]
    state = build_state(doc)
    (channel,) = to_document(state)["accounts"][0]["agents"][0]["interactions"][0]["channels"]
    assert (channel["start"], channel["end"]) == ("2017-03-30T09:00:00.8Z", "2017-03-30T09:05:00.3Z")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 32 levels"),
        ('{"a":' * 10_000 + "1" + "}" * 10_000, "nested deeper than 32 levels"),
        ("- " * 40 + "x", "nested deeper than 32 levels"),
        ('{"now": ' + "9" * 5_000 + ', "tokens": [], "accounts": []}', "longer than 100 digits"),
        ("now: " + "9" * 5_000 + "\ntokens: []\naccounts: []\n", "cannot be read"),
        ('{"now": NaN, "tokens": [], "accounts": []}', "NaN is not JSON"),
    ],
)
def test_hostile_documents_are_refused_naming_the_limit(text: str, words: str) -> None:
    with pytest.raises(FixtureError) as refused:
        build_state(parse_text(text))
    assert words in refused.value.one_line()


def test_a_huge_integer_passed_from_python_is_shown_by_size_not_digits() -> None:
    with pytest.raises(FixtureError) as refused:
        build_state(document(now=10**5000))
    assert "an integer of about 5001 digits" in refused.value.one_line()


def test_a_token_may_name_an_account_without_agents() -> None:
    state = build_state(document(tokens=[{"token": "t", "account": "acc"}, {"token": "other", "account": "elsewhere"}]))
    assert state.tokens["other"].account == "elsewhere"


def test_frozen_now_is_the_clock_and_bounds_times() -> None:
    state = build_state(
        with_channel(start="2017-03-30T22:40:15Z", end="2017-03-30T23:00:00Z") | {"now": "2017-03-30T23:00:00Z"}
    )
    assert state.clock.now() == datetime(2017, 3, 30, 23, tzinfo=UTC)
    errors = errors_of(with_channel(end="2017-03-30T23:00:01Z") | {"now": "2017-03-30T23:00:00Z"})
    assert any("after the mock's clock (2017-03-30T23:00:00Z)" in e for e in errors)


def test_system_clock_can_be_injected() -> None:
    clock = FrozenClock(datetime(2017, 3, 30, 22, 40, tzinfo=UTC))
    with pytest.raises(FixtureError):
        build_state(with_channel(start="2017-03-30T22:40:15Z"), system_clock=clock)


def test_yaml_timestamps_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "state.yaml"
    path.write_text(
        "tokens: [{token: t, account: acc, expires: 2030-01-01T00:00:00Z}]\n"
        "accounts: [{key: acc, agents: [{id: ag, interactions: [{guid: 015b212c-1487-46ba-bbb7-d78d6b1412a5,"
        " type: Chat, channels: [{channelGuid: 6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c, start: 2017-03-30T22:40:15Z}]}]}]}]\n"
    )
    state = load_fixture_file(path)
    assert to_document(state)["tokens"][0]["expires"] == "2030-01-01T00:00:00Z"


def test_normalised_document_round_trips() -> None:
    state = build_state(
        with_channel(channelGuid="6A0E8B1C-3F2D-4C5E-9A7B-1D2E3F4A5B6C", start="2017-03-30T23:40:15.5+01:00")
    )
    channel = to_document(state)["accounts"][0]["agents"][0]["interactions"][0]["channels"][0]
    assert channel == {
        "channelGuid": "6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c",
        "start": "2017-03-30T22:40:15.5Z",
        "end": None,
    }
    assert to_document(build_state(to_document(state))) == to_document(state)


@pytest.mark.parametrize(
    ("content", "words"),
    [("tokens: [\n", "not valid YAML or JSON at line"), ("\xff", "UTF-8"), ("- 1\n- 2\n", "must be an object")],
)
def test_unreadable_files_are_refused_clearly(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    if content == "\xff":
        path.write_bytes(b"\xff\xfe\x00")
    else:
        path.write_text(content)
    with pytest.raises(FixtureError) as refused:
        load_fixture_file(path)
    assert words in str(refused.value)
    assert str(path) in str(refused.value)


def test_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as refused:
        load_fixture_file(tmp_path / "absent.yaml")
    assert "cannot read" in str(refused.value)
