"""The designer's edits of openapi.yaml that issue 22 names, as functions of the document: the tests
of the mock, the judge, the diff and the watch make the same edits."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mockserver.resources import SPEC_PATH

Edit = Callable[[dict[str, Any]], None]
OPERATION = "/{accountKey}/agents/{agentId}/latestInteractions"


def default_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def content(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"][OPERATION]["get"]["responses"]["200"]["content"]


def item_v2(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["InteractionV2"]


def add_optional_queue_name(document: dict[str, Any]) -> None:
    item_v2(document)["properties"]["queueName"] = {"type": "string", "maxLength": 64}


def add_required_skill_with_example(document: dict[str, Any]) -> None:
    item_v2(document)["properties"]["skill"] = {"type": "string", "example": "billing"}
    item_v2(document)["required"].append("skill")


def add_version_3(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    schemas["InteractionV3"] = copy.deepcopy(schemas["InteractionV2"])
    schemas["InteractionV3"]["properties"]["wrapUpCode"] = {"type": "string", "enum": ["resolved", "callback"]}
    schemas["InteractionV3"]["required"].append("wrapUpCode")
    schemas["InteractionsV3"] = copy.deepcopy(schemas["InteractionsV2"])
    schemas["InteractionsV3"]["properties"]["interactions"]["items"] = {"$ref": "#/components/schemas/InteractionV3"}
    content(document)["application/json;version=3"] = {
        "x-stability-level": "draft",
        "schema": {"$ref": "#/components/schemas/InteractionsV3"},
    }


def remove_version_1(document: dict[str, Any]) -> None:
    del content(document)["application/json;version=1"]


def duration_as_string(document: dict[str, Any]) -> None:
    item_v2(document)["properties"]["duration"] = {"type": "string", "nullable": True}


def write_spec(path: Path, *edits: Edit) -> Path:
    document = default_spec()
    for edit in edits:
        edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
