"""Scenario documents: read in the order events happen, names resolved to GUIDs deterministically, and a
bad document refused whole with every problem and its path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockserver.errors import FixtureError
from mockserver.scenarios.document import build_scenario, load_scenario_file

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "fixtures" / "scenario-agent-day.yaml"
SCHEMA = jsonschema.Draft202012Validator(json.loads((ROOT / "fixtures" / "scenario.schema.json").read_text()))
START = {"agent": "agent-7", "type": "Phone"}


def document(*events: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"account": "a1b2c3d4e5", "events": list(events), **top}


def problems(raw: Any) -> list[str]:
    with pytest.raises(FixtureError) as refused:
        build_scenario(raw)
    return refused.value.errors


def test_the_example_scenario_loads_and_fits_the_schema() -> None:
    scenario = load_scenario_file(EXAMPLE)
    assert len(scenario.events) == 13 and scenario.length == 400
    SCHEMA.validate(yaml.safe_load(EXAMPLE.read_text()))


def test_events_happen_by_time_then_as_written() -> None:
    scenario = build_scenario(
        document(
            {"at": 10, "add_agent": "late"},
            {"at": 0, "add_agent": "first"},
            {"at": 10, "add_agent": "later"},
        )
    )
    assert [event.name for event in scenario.events] == ["first", "late", "later"]


def test_names_resolve_in_time_order_whatever_the_writing_order() -> None:
    scenario = build_scenario(
        document({"at": 9, "end": "call", "agent": "agent-7"}, {"at": 1, "start": "call", **START})
    )
    assert [event.action for event in scenario.events] == ["start", "end"]
    assert scenario.events[1].fields["channelGuids"] == [scenario.events[0].fields["channelGuid"]]


def test_the_same_names_give_the_same_guids_and_another_scenario_name_others() -> None:
    one = build_scenario(document({"at": 0, "start": "call", **START}, name="a"))
    again = build_scenario(document({"at": 0, "start": "call", **START}, name="a"))
    other = build_scenario(document({"at": 0, "start": "call", **START}, name="b"))
    assert one.events[0].fields == again.events[0].fields
    assert one.events[0].fields["guid"] != other.events[0].fields["guid"]
    assert one.events[0].fields["guid"] != one.events[0].fields["channelGuid"]


def test_given_guids_are_used() -> None:
    guid, channel = "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-000000000000"
    event = build_scenario(document({"at": 0, "start": "call", "guid": guid, "channelGuid": channel, **START})).events[
        0
    ]
    assert (event.fields["guid"], event.fields["channelGuid"]) == (guid, channel)


def test_end_ends_only_the_channels_still_open() -> None:
    scenario = build_scenario(
        document(
            {"at": 0, "start": "call", **START},
            {"at": 1, "add_channel": "consult", "to": "call", "agent": "agent-7"},
            {"at": 2, "end_channel": "consult", "agent": "agent-7"},
            {"at": 3, "end": "call", "agent": "agent-7"},
        )
    )
    start, consult, ended, end = scenario.events
    assert ended.fields["channelGuids"] == [consult.fields["channelGuid"]]
    assert end.fields["channelGuids"] == [start.fields["channelGuid"]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], "(document): must be an object"),
        ({"account": "a"}, "events: is required"),
        ({"events": {}}, "events: must be a list"),
        ({"events": [], "extra": 1}, "extra: unknown field"),
        ({"name": "", "events": []}, "name: must be a non-empty string"),
        (document({"at": -1, "add_agent": "x"}), "events[0].at: must be between 0"),
        (document({"at": True, "add_agent": "x"}), "events[0].at: must be a number"),
        (document({"at": "5", "add_agent": "x"}), "events[0].at: must be a number"),
        (document({"at": 1}), "events[0]: needs exactly one action"),
        (document({"at": 1, "add_agent": "x", "add_token": "t"}), "events[0]: needs exactly one action"),
        (document({"at": 1, "add_agent": "x", "colour": "red"}), "events[0].colour: unknown field for add_agent"),
        (document({"at": 1, "add_agent": "a/b"}), "events[0].add_agent: must not contain '/'"),
        ({"events": [{"at": 1, "add_agent": "x"}]}, "events[0].account: is required"),
        (document({"at": 1, "start": "call", "agent": "agent-7"}), "events[0].type: must be one of"),
        (document({"at": 1, "start": "call", "direction": "Sideways", **START}), "events[0].direction: must be one of"),
        (document({"at": 1, "start": "call", "type": "Phone"}), "events[0].agent: is required for start"),
        (document({"at": 1, "start": "call", "guid": "nope", **START}), "events[0].guid: must be a UUID"),
        (
            document({"at": 1, "start": "call", **START}, {"at": 2, "start": "call", **START}),
            "events[1].start: interaction 'call' is already started",
        ),
        (
            document({"at": 1, "add_channel": "c", "to": "call", "agent": "agent-7"}),
            "events[0].to: must name an interaction started by an earlier event",
        ),
        (
            document(
                {"at": 5, "start": "call", **START}, {"at": 1, "add_channel": "c", "to": "call", "agent": "agent-7"}
            ),
            "events[1].to: must name an interaction started by an earlier event",
        ),
        (
            document({"at": 1, "start": "call", **START}, {"at": 2, "add_channel": "c", "to": "call", "agent": "1234"}),
            "events[1].agent: interaction 'call' is 'agent-7'",
        ),
        (
            document(
                {"at": 1, "start": "call", **START},
                {"at": 2, "end_channel": "call", "agent": "agent-7"},
                {"at": 3, "end_channel": "call", "agent": "agent-7"},
            ),
            "events[2].end_channel: channel 'call' is already ended",
        ),
        (
            document(
                {"at": 1, "start": "call", **START},
                {"at": 2, "end": "call", "agent": "agent-7"},
                {"at": 3, "end": "call", "agent": "agent-7"},
            ),
            "events[2].end: every channel of interaction 'call' is already ended",
        ),
        (document({"at": 1, "end_channel": "ghost", "agent": "agent-7"}), "events[0].end_channel: must name a channel"),
        (document({"at": 1, "add_token": "two words"}), "events[0].add_token: a token must not contain white space"),
        (
            document({"at": 1, "add_token": "t"}, {"at": 2, "add_token": "t"}),
            "events[1].add_token: token 't' is already added",
        ),
        (
            document({"at": 5, "add_token": "t", "expires": 5}),
            "events[0].expires: must be seconds after the start, later",
        ),
    ],
)
def test_a_bad_document_names_the_problem_and_its_path(raw: Any, expected: str) -> None:
    found = problems(raw)
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_listed_at_once() -> None:
    found = problems(document({"at": -1, "add_agent": "x"}, {"at": 1}, {"at": 2, "add_token": "a b"}))
    assert [problem.split(":")[0] for problem in found] == ["events[0].at", "events[1]", "events[2].add_token"]


@pytest.mark.parametrize(
    "raw",
    [
        document({"at": -1, "add_agent": "x"}),
        document({"at": 1}),
        document({"at": 1, "start": "call", "agent": "agent-7"}),
        document({"at": 1, "add_agent": "x", "colour": "red"}),
        document({"at": 1, "add_token": "two words"}),
    ],
)
def test_the_schema_refuses_what_the_mock_refuses_for_its_shape(raw: dict[str, Any]) -> None:
    problems(raw)
    assert list(SCHEMA.iter_errors(raw))


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as refused:
        load_scenario_file(tmp_path / "absent.yaml")
    assert "cannot read" in refused.value.errors[0]
