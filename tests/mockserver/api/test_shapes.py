"""How the spec shapes each version's items: known fields checked, extras planned, values generated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.api.shapes import (
    LIST,
    Representations,
    SpecShapeError,
    extra_fields,
    generate,
    shape_of,
)
from mockserver.resources import SPEC_PATH
from mockserver.spec import SpecDocument
from tests.designer_edits import (
    add_optional_queue_name,
    add_required_skill_with_example,
    add_version_3,
    content,
    duration_as_string,
    item_v2,
    remove_version_1,
    write_spec,
)


def _spec(tmp_path: Path, *edits: Any) -> SpecDocument:
    return SpecDocument.load(write_spec(tmp_path / "openapi.yaml", *edits))


def test_the_default_spec_is_served_as_built_in() -> None:
    representations = Representations.from_spec(SpecDocument.load(SPEC_PATH), {1, 2})
    assert all(shape.built_in for shape in representations.shapes.values())
    assert representations.lists(2) and not representations.lists(1)
    assert representations.generated == {}


def test_an_optional_extra_with_no_example_is_left_out_unless_the_data_gives_it(tmp_path: Path) -> None:
    shape = shape_of(_spec(tmp_path, add_optional_queue_name), 2)
    assert not shape.built_in
    assert [plan.name for plan in shape.fields][-1] == "queueName"
    assert shape.generated == ()


def test_known_fields_keep_the_built_in_order_and_extras_follow(tmp_path: Path) -> None:
    def reorder(document: dict[str, Any]) -> None:
        properties = item_v2(document)["properties"]
        item_v2(document)["properties"] = {"note": {"type": "string"}, **dict(reversed(list(properties.items())))}

    shape = shape_of(_spec(tmp_path, reorder), 2)
    assert [p.name for p in shape.fields] == ["type", "start", "guid", "duration", "direction", "channelGuid", "note"]


def test_a_required_extra_takes_its_example(tmp_path: Path) -> None:
    shape = shape_of(_spec(tmp_path, add_required_skill_with_example), 2)
    (skill,) = [plan for plan in shape.fields if plan.name == "skill"]
    assert skill.fallback == "billing" and shape.generated == ()


def test_a_required_extra_without_example_is_generated_and_said(tmp_path: Path) -> None:
    shape = shape_of(_spec(tmp_path, add_version_3), 3)
    assert shape.lists and shape.selection == LIST
    assert shape.generated == ("wrapUpCode",)
    (code,) = [plan for plan in shape.fields if plan.name == "wrapUpCode"]
    assert code.fallback == "resolved"  # the enum's first value


@pytest.mark.parametrize(
    ("field", "schema", "words"),
    [
        ("duration", {"type": "string", "nullable": True}, "type string"),
        ("duration", {"type": "integer"}, "null"),  # not nullable: an active channel's null breaks it
        ("start", {"type": "string", "format": "date"}, "format date"),
        ("type", {"type": "string", "enum": ["Phone", "Chat"]}, "Email"),
        ("guid", {"type": "integer"}, "UUID strings"),
        ("channelGuid", {"type": "string", "maxLength": 8}, "UUID strings"),
    ],
)
def test_a_known_field_the_mock_cannot_render_as_specified_is_refused_naming_it(
    tmp_path: Path, field: str, schema: dict[str, Any], words: str
) -> None:
    def change(document: dict[str, Any]) -> None:
        item_v2(document)["properties"][field] = schema

    with pytest.raises(SpecShapeError, match=f"version 2, field '{field}'") as refused:
        shape_of(_spec(tmp_path, change), 2)
    assert words in str(refused.value)


def test_the_refusal_names_the_spec_type_and_what_the_mock_renders(tmp_path: Path) -> None:
    with pytest.raises(SpecShapeError) as refused:
        Representations.from_spec(_spec(tmp_path, duration_as_string), {1, 2})
    message = str(refused.value)
    assert "the spec says type string" in message and "the mock renders whole seconds" in message


def test_an_example_that_breaks_its_own_schema_is_refused(tmp_path: Path) -> None:
    def bad_example(document: dict[str, Any]) -> None:
        item_v2(document)["properties"]["queueName"] = {"type": "string", "maxLength": 3, "example": "Support"}

    with pytest.raises(SpecShapeError, match='its example "Support" does not conform'):
        shape_of(_spec(tmp_path, bad_example), 2)


def test_a_required_extra_that_cannot_be_made_asks_for_an_example(tmp_path: Path) -> None:
    def patterned(document: dict[str, Any]) -> None:
        item_v2(document)["properties"]["code"] = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"}
        item_v2(document)["required"].append("code")

    with pytest.raises(SpecShapeError, match="give it an example"):
        shape_of(_spec(tmp_path, patterned), 2)


def test_a_required_direction_falls_back_for_interactions_without_one(tmp_path: Path) -> None:
    def required_direction(document: dict[str, Any]) -> None:
        item_v2(document)["required"].append("direction")

    shape = shape_of(_spec(tmp_path, required_direction), 2)
    (direction,) = [plan for plan in shape.fields if plan.name == "direction"]
    assert direction.fallback == "Inbound" and not shape.built_in


def test_x_selection_gives_a_later_version_version_1s_selection(tmp_path: Path) -> None:
    def latest_v3(document: dict[str, Any]) -> None:
        add_version_3(document)
        content(document)["application/json;version=3"]["x-selection"] = "latest"

    assert not shape_of(_spec(tmp_path, latest_v3), 3).lists


def test_an_unknown_x_selection_is_refused(tmp_path: Path) -> None:
    def odd(document: dict[str, Any]) -> None:
        content(document)["application/json;version=2"]["x-selection"] = "random"

    with pytest.raises(SpecShapeError, match="x-selection must be latest or list, got 'random'"):
        shape_of(_spec(tmp_path, odd), 2)


def test_a_version_without_version_1_is_shaped_alone(tmp_path: Path) -> None:
    representations = Representations.from_spec(_spec(tmp_path, remove_version_1), {2})
    assert representations.versions == {2}
    with pytest.raises(SpecShapeError, match="no 200 answer in application/json;version=1"):
        Representations.from_spec(_spec(tmp_path, remove_version_1), {1, 2})


def test_extra_fields_are_those_no_version_knows(tmp_path: Path) -> None:
    extras = extra_fields(_spec(tmp_path, add_optional_queue_name, add_version_3))
    assert set(extras) == {"queueName", "wrapUpCode"}
    assert set(extras["queueName"].schemas) == {2, 3}  # version 3 copied version 2's item
    assert set(extras["wrapUpCode"].schemas) == {3}
    assert extras["queueName"].problem("Sales") is None
    assert "version 2" in (extras["queueName"].problem(7) or "")


@pytest.mark.parametrize(
    ("schema", "made"),
    [
        ({"type": "string"}, "field"),
        ({"type": "string", "minLength": 8}, "fieldxxx"),
        ({"type": "string", "maxLength": 3}, "fie"),
        ({"type": "string", "format": "date-time"}, "2017-03-30T22:40:15Z"),
        ({"type": "string", "format": "date"}, "2017-03-30"),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "number"}, 0),
        ({"type": "boolean"}, False),
        ({"type": "array", "items": {"type": "integer"}}, []),
        ({"type": "array", "items": {"type": "boolean"}, "minItems": 2}, [False, False]),
        ({"type": "object", "required": ["a"], "properties": {"a": {"enum": ["x", "y"]}}}, {"a": "x"}),
    ],
)
def test_generated_values_follow_the_schema(schema: dict[str, Any], made: Any) -> None:
    assert generate(schema, "field") == made


def test_a_generated_uuid_is_the_same_on_every_run() -> None:
    schema = {"type": "string", "format": "uuid"}
    assert generate(schema, "queueId") == generate(schema, "queueId") != generate(schema, "otherId")


def test_an_item_written_as_all_of_is_read_whole(tmp_path: Path) -> None:
    def composed(document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        base = schemas["InteractionV2"]
        schemas["InteractionV2"] = {
            "allOf": [
                {"$ref": "#/components/schemas/InteractionBase"},
                {"type": "object", "required": ["skill"], "properties": {"skill": {"type": "string", "example": "x"}}},
            ]
        }
        schemas["InteractionBase"] = base

    shape = shape_of(_spec(tmp_path, composed), 2)
    names = [plan.name for plan in shape.fields]
    assert names == ["type", "start", "guid", "duration", "direction", "channelGuid", "skill"]
