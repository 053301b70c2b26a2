"""`contracts diff`: single changes to openapi.yaml, each with its id, level and representations.

Each row edits one copy of the project's spec into the old document (`before`, often nothing) and
another into the new one (`after`). Version 2 is `beta` there, so its breaking changes are warnings.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from contracts.diff import diff
from mockserver.resources import SPEC_PATH
from mockserver.spec import SpecDocument

BASE: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
P = "/{accountKey}/agents/{agentId}/latestInteractions"
V1, V2, JSON = "application/json;version=1", "application/json;version=2", "application/json"
TODAY = date(2026, 12, 2)
Doc = dict[str, Any]
Edit = Callable[[Doc], object]


def op(d: Doc) -> Doc:
    return d["paths"][P]["get"]  # type: ignore[no-any-return]


def param(d: Doc, name: str) -> Doc:
    return d["components"]["parameters"][name]  # type: ignore[no-any-return]


def schema(d: Doc, name: str) -> Doc:
    return d["components"]["schemas"][name]  # type: ignore[no-any-return]


def ok(d: Doc) -> Doc:
    return op(d)["responses"]["200"]["content"]  # type: ignore[no-any-return]


def props(d: Doc, name: str) -> Doc:
    return schema(d, name)["properties"]  # type: ignore[no-any-return]


def both(*edits: Edit) -> Edit:
    def edit(d: Doc) -> None:
        for e in edits:
            e(d)

    return edit


def nothing(d: Doc) -> None:
    return None


def extra_param(required: bool) -> Edit:
    return lambda d: op(d)["parameters"].append(
        {"name": "page", "in": "query", "required": required, "schema": {"type": "integer"}}
    )


def remove_required(name: str, prop: str) -> Edit:
    return lambda d: schema(d, name)["required"].remove(prop)


def deprecate(media: str, sunset: str | None) -> Edit:
    return lambda d: ok(d)[media].update({"deprecated": True, **({"x-sunset": sunset} if sunset else {})})


V1_AND_V2 = (V1,), (V2,)
# (name, before, after, expected {(id, level, media types)}): the changes outside negotiation.
ROWS: list[tuple[str, Edit, Edit, set[tuple[str, str, tuple[str, ...]]]]] = [
    # paths and operations
    (
        "path removed",
        nothing,
        lambda d: (
            d["paths"].pop(P) and d["paths"].update({"/other": {"get": {"responses": {"200": {"description": "x"}}}}})
        ),
        {("api-path-removed-without-deprecation", "error", ()), ("endpoint-added", "info", ())},
    ),
    (
        "path added",
        nothing,
        lambda d: d["paths"].update({"/health": {"get": {"responses": {"200": {"description": "up"}}}}}),
        {("endpoint-added", "info", ())},
    ),
    (
        "method removed",
        lambda d: d["paths"][P].update({"delete": {"responses": {"204": {"description": "gone"}}}}),
        nothing,
        {("api-removed-without-deprecation", "error", ())},
    ),
    (
        "deprecated method removed",
        lambda d: d["paths"][P].update({"delete": {"deprecated": True, "responses": {"204": {"description": "gone"}}}}),
        nothing,
        {("api-removed-with-deprecation", "warning", ())},
    ),
    (
        "method added",
        nothing,
        lambda d: d["paths"][P].update({"delete": {"responses": {"204": {"description": "gone"}}}}),
        {("endpoint-added", "info", ())},
    ),
    (
        "operation deprecated",
        nothing,
        lambda d: op(d).update({"deprecated": True}),
        {("endpoint-deprecated", "info", ())},
    ),
    # parameters
    (
        "parameter removed",
        nothing,
        lambda d: op(d)["parameters"].pop(0),
        {("request-parameter-removed", "warning", ())},
    ),
    ("required parameter added", nothing, extra_param(True), {("new-required-request-parameter", "error", ())}),
    ("optional parameter added", nothing, extra_param(False), {("new-optional-request-parameter", "info", ())}),
    (
        "parameter made required",
        nothing,
        lambda d: param(d, "size").update({"required": True}),
        {("request-parameter-became-required", "error", ())},
    ),
    (
        "parameter made optional",
        lambda d: param(d, "size").update({"required": True}),
        nothing,
        {("request-parameter-became-optional", "info", ())},
    ),
    (
        "parameter type changed",
        nothing,
        lambda d: param(d, "size").update({"schema": {"type": "string"}}),
        {("request-parameter-type-changed", "error", ())},
    ),
    (
        "boolean parameter became a string",
        nothing,
        lambda d: param(d, "activeLiveFirst").update({"schema": {"type": "string"}}),
        {("request-parameter-type-changed", "error", ())},
    ),
    (
        "parameter enum shrinks",
        nothing,
        lambda d: param(d, "type")["schema"]["enum"].remove("Email"),
        {("request-parameter-enum-value-removed", "error", ())},
    ),
    (
        "parameter enum grows",
        nothing,
        lambda d: param(d, "type")["schema"]["enum"].append("Fax"),
        {("request-parameter-enum-value-added", "info", ())},
    ),
    (
        "parameter max decreased",
        nothing,
        lambda d: param(d, "size")["schema"].update({"maximum": 50}),
        {("request-parameter-max-decreased", "error", ())},
    ),
    (
        "parameter max increased",
        nothing,
        lambda d: param(d, "size")["schema"].update({"maximum": 200}),
        {("request-parameter-max-increased", "info", ())},
    ),
    (
        "parameter min increased",
        nothing,
        lambda d: param(d, "size")["schema"].update({"minimum": 2, "default": 2}),
        {("request-parameter-min-increased", "error", ()), ("request-parameter-default-value-changed", "error", ())},
    ),
    (
        "parameter min decreased",
        nothing,
        lambda d: param(d, "size")["schema"].update({"minimum": 0}),
        {("request-parameter-min-decreased", "info", ())},
    ),
    (
        "parameter max removed",
        nothing,
        lambda d: param(d, "size")["schema"].pop("maximum"),
        {("request-parameter-max-increased", "info", ())},
    ),
    (
        "parameter default changed",
        nothing,
        lambda d: param(d, "size")["schema"].update({"default": 10}),
        # A client that omits size now reads ten items where it read one.
        {("request-parameter-default-value-changed", "error", ())},
    ),
    (
        "parameter pattern added",
        nothing,
        lambda d: param(d, "agentId")["schema"].update({"pattern": "^[a-z0-9-]+$"}),
        # It refuses ids the old document accepted, as minLength added does.
        {("request-parameter-pattern-added", "error", ())},
    ),
    (
        "parameter pattern changed",
        lambda d: param(d, "agentId")["schema"].update({"pattern": "^[a-z]+$"}),
        lambda d: param(d, "agentId")["schema"].update({"pattern": "^[a-z0-9]+$"}),
        {("request-parameter-pattern-changed", "warning", ())},
    ),
    (
        "parameter pattern removed",
        lambda d: param(d, "agentId")["schema"].update({"pattern": "^[a-z]+$"}),
        nothing,
        {("request-parameter-pattern-removed", "info", ())},
    ),
    (
        "parameter gains an enum",
        nothing,
        lambda d: param(d, "size")["schema"].update({"enum": [1, 10, 100]}),
        {("request-parameter-enum-added", "error", ())},
    ),
    # responses and headers
    (
        "error status removed",
        nothing,
        lambda d: op(d)["responses"].pop("404"),
        {("response-non-success-status-removed", "warning", ())},
    ),
    (
        "error status added",
        nothing,
        lambda d: op(d)["responses"].update({"429": {"description": "slow down"}}),
        {("response-non-success-status-added", "info", ())},
    ),
    (
        "success status added",
        nothing,
        lambda d: op(d)["responses"].update({"204": {"description": "nothing"}}),
        {("response-success-status-added", "info", ())},
    ),
    (
        "required header removed",
        nothing,
        lambda d: op(d)["responses"]["401"]["headers"].pop("WWW-Authenticate"),
        {("required-response-header-removed", "error", ())},
    ),
    (
        "optional header removed",
        nothing,
        lambda d: op(d)["responses"]["403"]["headers"].pop("Vary"),
        {("optional-response-header-removed", "warning", ())},
    ),
    (
        "header made optional",
        nothing,
        lambda d: d["components"]["headers"]["Vary"].update({"required": False}),
        {("response-header-became-optional", "error", ())},
    ),
    (
        "header added",
        nothing,
        lambda d: op(d)["responses"]["200"]["headers"].update({"X-Request-Id": {"schema": {"type": "string"}}}),
        {("response-header-added", "info", ())},
    ),
    (
        "header pattern changed",
        nothing,
        lambda d: op(d)["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"].update({"pattern": "^Bearer "}),
        {("response-header-pattern-changed", "warning", ())},
    ),
    # media types
    ("v1 removed", nothing, lambda d: ok(d).pop(V1), {("response-media-type-removed", "error", (V1,))}),
    ("v2 (beta) removed", nothing, lambda d: ok(d).pop(V2), {("response-media-type-removed", "warning", (V2,))}),
    (
        "v3 added",
        nothing,
        lambda d: ok(d).update({"application/json;version=3": copy.deepcopy(ok(d)[V2])}),
        {("response-media-type-added", "info", ("application/json;version=3",))},
    ),
    ("v2 deprecated", nothing, deprecate(V2, "2027-06-30"), {("response-media-type-deprecated", "info", (V2,))}),
    (
        "deprecated v1 removed after its sunset",
        deprecate(V1, "2026-01-01"),
        lambda d: ok(d).pop(V1),
        {("response-media-type-removed-after-sunset", "info", (V1,))},
    ),
    (
        "deprecated v1 removed before its sunset",
        deprecate(V1, "2027-01-01"),
        lambda d: ok(d).pop(V1),
        {("response-media-type-removed-before-sunset", "error", (V1,))},
    ),
    (
        "deprecated v1 without sunset removed",
        deprecate(V1, None),
        lambda d: ok(d).pop(V1),
        {("response-media-type-removed", "warning", (V1,))},
    ),
    # response schemas: v1 (stable) and v2 (beta), through $ref
    (
        "v1 property removed",
        nothing,
        both(lambda d: props(d, "InteractionV1").pop("hasEnded"), remove_required("InteractionV1", "hasEnded")),
        {("response-property-removed", "error", (V1,)), ("response-example-invalid", "warning", (V1,))},
    ),
    (
        "v2 property removed",
        nothing,
        both(lambda d: props(d, "InteractionV2").pop("channelGuid"), remove_required("InteractionV2", "channelGuid")),
        {("response-property-removed", "warning", (V2,)), ("response-example-invalid", "warning", (V2,))},
    ),
    (
        "v1 property added to a closed object",
        nothing,
        lambda d: props(d, "InteractionV1").update({"type": {"type": "string"}}),
        {("response-optional-property-added", "warning", (V1,))},
    ),
    (
        "v1 required property added",
        nothing,
        both(
            lambda d: props(d, "InteractionV1").update({"type": {"type": "string"}}),
            lambda d: schema(d, "InteractionV1")["required"].append("type"),
        ),
        {("response-required-property-added", "warning", (V1,)), ("response-example-invalid", "warning", (V1,))},
    ),
    (
        "v1 property made optional",
        nothing,
        remove_required("InteractionV1", "hasEnded"),
        {("response-property-became-optional", "error", (V1,))},
    ),
    (
        "v2 property made required",
        nothing,
        lambda d: schema(d, "InteractionV2")["required"].append("direction"),
        {("response-property-became-required", "info", (V2,))},
    ),
    (
        "v1 property type changed",
        nothing,
        lambda d: props(d, "InteractionV1")["hasEnded"].update({"type": "string"}),
        {("response-property-type-changed", "error", (V1,)), ("response-example-invalid", "warning", (V1,))},
    ),
    (
        "type default changed",
        nothing,
        lambda d: param(d, "type")["schema"].update({"default": "Phone"}),
        {("request-parameter-default-value-changed", "error", ())},
    ),
    (
        "a shared schema's format narrowed (date-time to date, both versions)",
        nothing,
        lambda d: schema(d, "Timestamp").update({"format": "date"}),
        {
            ("response-property-format-changed", "error", (V1,)),
            ("response-property-format-changed", "warning", (V2,)),  # an error, lowered: version 2 is beta
        },
    ),
    (
        "v1's start narrowed alone (date-time to date)",
        nothing,
        lambda d: props(d, "InteractionV1").update({"start": {**schema(d, "Timestamp"), "format": "date"}}),
        {("response-property-format-changed", "error", (V1,))},
    ),
    (
        "v2's start narrowed alone (date-time to date)",
        nothing,
        lambda d: props(d, "InteractionV2").update({"start": {**schema(d, "Timestamp"), "format": "date"}}),
        {("response-property-format-changed", "warning", (V2,))},  # an error, lowered: version 2 is beta
    ),
    (
        "a shared schema's format changed (both versions)",
        nothing,
        lambda d: schema(d, "Guid").pop("format"),
        {
            ("response-property-format-changed", "warning", (V1,)),
            ("response-property-format-changed", "warning", (V2,)),
        },
    ),
    (
        "v2 response enum grows",
        nothing,
        lambda d: props(d, "InteractionV2")["type"]["enum"].append("Video"),
        {("response-property-enum-value-added", "warning", (V2,))},
    ),
    (
        "v2 response enum shrinks",
        nothing,
        lambda d: props(d, "InteractionV2")["type"]["enum"].remove("Email"),
        {("response-property-enum-value-removed", "info", (V2,))},
    ),
    (
        "v2 response enum dropped",
        nothing,
        lambda d: props(d, "InteractionV2")["type"].pop("enum"),
        {("response-property-enum-removed", "warning", (V2,))},
    ),
    (
        "v2 property no longer nullable",
        nothing,
        lambda d: props(d, "InteractionV2")["duration"].pop("nullable"),
        {("response-property-became-not-nullable", "info", (V2,))},
    ),
    (
        "shared timestamp made nullable (both)",
        nothing,
        lambda d: schema(d, "Timestamp").update({"nullable": True}),
        {
            ("response-property-became-nullable", "error", (V1,)),
            ("response-property-became-nullable", "warning", (V2,)),
        },
    ),
    (
        "v1 maxItems increased",
        nothing,
        lambda d: props(d, "InteractionsV1")["interactions"].update({"maxItems": 2}),
        {("response-property-max-items-increased", "error", (V1,))},
    ),
    (
        "v2 maxItems decreased",
        nothing,
        lambda d: props(d, "InteractionsV2")["interactions"].update({"maxItems": 50}),
        {("response-property-max-items-decreased", "info", (V2,))},
    ),
    (
        "v2 minimum decreased",
        nothing,
        lambda d: props(d, "InteractionV2")["duration"].update({"minimum": -1}),
        {("response-property-min-decreased", "warning", (V2,))},
    ),
    (
        "shared pattern changed (both)",
        nothing,
        lambda d: schema(d, "Timestamp").update({"pattern": "^[0-9T:Z-]+$"}),
        {
            ("response-property-pattern-changed", "warning", (V1,)),
            ("response-property-pattern-changed", "warning", (V2,)),
        },
    ),
    (
        "v1 item opened to other properties",
        nothing,
        lambda d: schema(d, "InteractionV1").pop("additionalProperties"),
        {("response-property-additional-properties-allowed", "warning", (V1,))},
    ),
    (
        "v2 list closed",
        lambda d: schema(d, "InteractionsV2").pop("additionalProperties"),
        nothing,
        {("response-property-additional-properties-disallowed", "info", (V2,))},
    ),
    (
        "error message may be empty (every error status)",
        nothing,
        lambda d: schema(d, "Message")["properties"]["message"].pop("minLength"),
        {("response-property-min-length-decreased", "error", (JSON,))},
    ),
    (
        "the 404 message changed",
        nothing,
        lambda d: schema(d, "NotFound")["properties"]["message"].update({"enum": ["Not found."]}),
        {
            ("response-property-enum-value-added", "error", (JSON,)),
            ("response-property-enum-value-removed", "info", (JSON,)),
            ("response-example-invalid", "warning", (JSON,)),  # the 404's example shows the old text
        },
    ),
    (
        "v1 example no longer valid",
        nothing,
        lambda d: ok(d)[V1]["examples"]["active"]["value"]["interactions"][0].update({"hasEnded": "no"}),
        {("response-example-invalid", "warning", (V1,))},
    ),
    (
        "v2 draft: a breaking change is info",
        lambda d: ok(d)[V2].update({"x-stability-level": "draft"}),
        both(
            lambda d: ok(d)[V2].update({"x-stability-level": "draft"}),
            lambda d: props(d, "InteractionV2")["type"]["enum"].append("Video"),
        ),
        {("response-property-enum-value-added", "info", (V2,))},
    ),
    (
        "v1 made beta: a breaking change is a warning",
        lambda d: ok(d)[V1].update({"x-stability-level": "beta"}),
        both(
            lambda d: ok(d)[V1].update({"x-stability-level": "beta"}),
            lambda d: props(d, "InteractionV1")["hasEnded"].update({"type": "string"}),
        ),
        {("response-property-type-changed", "warning", (V1,)), ("response-example-invalid", "warning", (V1,))},
    ),
    # security
    (
        "security scheme type changed",
        nothing,
        lambda d: d["components"]["securitySchemes"].update(
            {"bearerAuth": {"type": "apiKey", "in": "header", "name": "X-Key"}}
        ),
        {("security-scheme-type-changed", "error", ())},
    ),
    (
        "security scheme added",
        nothing,
        lambda d: d["components"]["securitySchemes"].update({"basic": {"type": "http", "scheme": "basic"}}),
        {("security-scheme-added", "info", ())},
    ),
    (
        "operation security removed",
        nothing,
        lambda d: op(d).update({"security": []}),
        {("api-security-removed", "info", ())},
    ),
    (
        "operation security added",
        lambda d: op(d).update({"security": []}),
        nothing,
        {("api-security-added", "error", ())},
    ),
    (
        "operation security alternative added",
        lambda d: d["components"]["securitySchemes"].update({"basic": {"type": "http", "scheme": "basic"}}),
        both(
            lambda d: d["components"]["securitySchemes"].update({"basic": {"type": "http", "scheme": "basic"}}),
            lambda d: op(d).update({"security": [{"bearerAuth": []}, {"basic": []}]}),
        ),
        {("api-security-alternative-added", "info", ())},
    ),
]
NEGOTIATION = (
    "response-media-type-resolution-changed",
    "response-media-type-resolution-added",
    "response-media-type-resolution-to-added",
)


def run(before: Edit, after: Edit) -> Any:
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    before(old)
    after(new)
    return diff(SpecDocument.from_document(old), SpecDocument.from_document(new), today=TODAY)


@pytest.mark.parametrize(("name", "before", "after", "expected"), ROWS, ids=[row[0] for row in ROWS])
def test_a_single_change_is_reported_with_its_id_level_and_representations(
    name: str, before: Edit, after: Edit, expected: set[tuple[str, str, tuple[str, ...]]]
) -> None:
    report = run(before, after)
    found = {(c.id, c.level, c.media_types) for c in report.changes if c.id not in NEGOTIATION}
    assert found == expected
    for change in report.changes:
        assert change.message and (change.old or change.new)


def test_there_are_at_least_60_rows() -> None:
    assert len(ROWS) >= 60


def test_the_spec_against_itself_reports_nothing() -> None:
    report = run(nothing, nothing)
    assert report.changes == []
    assert all(r.old == r.new for r in report.resolution)


def test_removing_version_1_is_an_error_for_version_1_clients_only() -> None:
    report = run(nothing, lambda d: ok(d).pop(V1))
    assert report.changes and all(c.level == "error" and c.media_types == (V1,) for c in report.changes)
    resolved = {r.accept: (r.old, r.new) for r in report.resolution}
    assert resolved[V1] == (V1, None)
    assert resolved[V2] == (V2, V2)
    assert resolved[f"{V1}, {V2};q=0.5"] == (V1, V2)
    assert any(c.id == "response-media-type-resolution-changed" and "406" in c.message for c in report.changes)


def test_removing_beta_version_2_warns_its_clients() -> None:
    report = run(nothing, lambda d: ok(d).pop(V2))
    negotiation = [c for c in report.changes if c.id in NEGOTIATION]
    assert negotiation and all(c.level == "warning" and c.media_types == (V2,) for c in negotiation)


def test_changes_to_both_representations_at_once_are_paired_by_full_media_type() -> None:
    def edit(d: Doc) -> None:
        props(d, "InteractionV1").pop("hasEnded")
        remove_required("InteractionV1", "hasEnded")(d)
        props(d, "InteractionV2")["type"]["enum"].append("Video")

    report = run(nothing, edit)
    assert {(c.id, c.media_types) for c in report.changes} == {
        ("response-property-removed", (V1,)),
        ("response-example-invalid", (V1,)),  # the examples still show hasEnded
        ("response-property-enum-value-added", (V2,)),
    }
    (removed,) = [c for c in report.changes if c.id == "response-property-removed"]
    assert removed.old is not None and "application/json;version=1" in removed.old and removed.new is None


def test_media_types_written_differently_are_the_same_representation() -> None:
    def respell(d: Doc) -> None:
        content = ok(d)
        content['Application/JSON; Version="1"'] = content.pop(V1)

    assert run(nothing, respell).changes == []


def test_a_new_version_resolves_for_the_clients_that_ask_for_it() -> None:
    report = run(nothing, lambda d: ok(d).update({"application/json;version=3": copy.deepcopy(ok(d)[V2])}))
    (added,) = [c for c in report.changes if c.id == "response-media-type-resolution-added"]
    assert added.level == "info" and added.media_types == ("application/json;version=3",)
    resolved = {r.accept: (r.old, r.new) for r in report.resolution}
    assert resolved["application/json;version=3"] == (None, "application/json;version=3")
    assert resolved[f"{V1}, application/json;version=3"] == (V1, "application/json;version=3")  # a tie: the higher


def test_adding_a_representation_breaks_no_client() -> None:
    """A q-list naming version 3 now resolves to it: the client named it, so it asked for it (info)."""
    report = run(nothing, lambda d: ok(d).update({"application/json;version=3": copy.deepcopy(ok(d)[V2])}))
    assert report.changes and all(c.level == "info" for c in report.changes)
    moved = [c for c in report.changes if c.id == "response-media-type-resolution-to-added"]
    assert len(moved) == 1 and "application/json;version=1, application/json;version=3" in moved[0].message


def test_one_resolution_change_is_one_entry_listing_its_accept_values() -> None:
    report = run(nothing, lambda d: ok(d).pop(V1))
    to_406 = [c for c in report.changes if c.id == "response-media-type-resolution-changed" and "406" in c.message]
    assert len(to_406) == 1
    for spelling in (V1, "APPLICATION/JSON;VERSION=1", 'application/json;version="1"', "application/json ; version=1"):
        assert f"`{spelling}`" in to_406[0].message
    assert len(report.changes) == 3  # the representation removed; Accept values now 406; a q-list now version 2
