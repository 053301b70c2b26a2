"""The control plane described by OpenAPI: valid, complete both ways, served, and matching MockClient.
(Every answer of the control plane in the test suite is checked against it: tests/conftest.py.)"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from starlette.routing import Route

from mockserver import MockClient, Settings, create_app
from mockserver.running import RunningMock
from tests.control_plane_document import DOCUMENT

ROOT = Path(__file__).resolve().parents[3]

# MockClient's methods and the operations they call: one each way.
CLIENT_OPERATIONS = {
    "add_client": "addClient",
    "remove_client": "removeClient",
    "required_scope": "getRequiredScope",
    "require_scope": "setRequiredScope",
    "health": "health",
    "state": "getState",
    "set_state": "putState",
    "reset": "reset",
    "add_agent": "addAgent",
    "start_interaction": "startInteraction",
    "add_channel": "addChannel",
    "end_channel": "endChannel",
    "add_token": "addToken",
    "revoke_token": "revokeToken",
    "clock": "getClock",
    "freeze_clock": "freezeClock",
    "advance_clock": "advanceClock",
    "release_clock": "releaseClock",
    "journal": "journal",
    "clear_journal": "clearJournal",
    "faults": "faults",
    "inject_fault": "injectFault",
    "remove_fault": "removeFault",
    "clear_faults": "clearFaults",
    "answers": "agentAnswers",
    "play": "playScenario",
    "simulate": "playSimulation",
    "scenario": "getScenario",
    "pause_scenario": "pauseScenario",
    "resume_scenario": "resumeScenario",
    "seek_scenario": "seekScenario",
    "stop_scenario": "stopScenario",
}
NOT_CONTROL_CALLS = {"close", "endpoint", "token_fingerprint", "token_url"}
NOT_FOR_A_CLIENT = {"controlPlaneDocument"}


def test_the_document_is_valid_openapi() -> None:
    validate(DOCUMENT)


def operations() -> dict[tuple[str, str], str]:
    return {
        (path, method.upper()): operation["operationId"]
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_every_route_the_mock_serves_is_in_it_and_nothing_else() -> None:
    app = create_app(Settings())
    served = {
        (route.path.replace("{token:path}", "{token}"), method)
        for route in app.admin_app.routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    } - {("/__admin/docs/", "GET"), ("/__admin/ui/", "GET"), ("/__admin/ui/login", "POST")}  # pages for people
    assert served == set(operations())


def test_every_client_method_calls_an_operation_and_every_operation_has_one() -> None:
    methods = {name for name in dir(MockClient) if not name.startswith("_")} - NOT_CONTROL_CALLS
    assert methods == set(CLIENT_OPERATIONS)
    assert set(CLIENT_OPERATIONS.values()) == set(operations().values()) - NOT_FOR_A_CLIENT


def test_it_is_served_with_swagger_ui_from_the_package(mock: RunningMock) -> None:
    assert httpx.get(mock.url + "/__admin/openapi.json").json() == DOCUMENT
    page = httpx.get(mock.url + "/__admin/docs/")
    assert page.status_code == 200 and "/__admin/openapi.json" in page.text
    assert "http" not in page.text.split("<body>")[1].replace("/__admin/openapi.json", "")  # no other host
    assert httpx.get(mock.url + "/__admin/docs/swagger-ui-bundle.js").status_code == 200


def _resolved(node: object, document: dict[str, object]) -> object:
    """`node` with every local $ref replaced by what it points at (these documents have no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: object = document
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[part]  # type: ignore[index]
            return _resolved(target, document)
        # A discriminator's mapping names schemas by reference, which an inlined schema no longer has:
        # the oneOf alone decides (the discriminator only says which branch to try first).
        return {key: _resolved(value, document) for key, value in node.items() if key != "discriminator"}
    if isinstance(node, list):
        return [_resolved(value, document) for value in node]
    return node


def _examples(document: dict[str, object]) -> list[tuple[str, object, dict[str, object]]]:
    """(where, example, schema) for every example of a media type, request and answer alike."""
    found = []
    resolved = _resolved(document, document)

    def visit(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "schema" in node and ("example" in node or "examples" in node):
                if "example" in node:
                    found.append((where, node["example"], node["schema"]))
                for name, example in (node.get("examples") or {}).items():
                    found.append((f"{where}.examples.{name}", example["value"], node["schema"]))
            for key, value in node.items():
                visit(value, f"{where}.{key}")

    visit(resolved["paths"], "paths")  # type: ignore[index]
    return found


@pytest.mark.parametrize("name", ["openapi.yaml", "control plane"])
def test_every_example_fits_its_schema(name: str) -> None:
    """Redocly's example check is off (.ci/openapi-lint/redocly.yaml): it refuses OpenAPI 3.0's boolean
    exclusiveMinimum. This is that check, with the OpenAPI 3.0 validator."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text()) if name == "openapi.yaml" else DOCUMENT
    examples = _examples(document)
    assert examples, "no example found: the walk is broken"
    for where, example, schema in examples:
        problems = [error.message for error in OAS30Validator(schema).iter_errors(example)]
        assert not problems, f"{where}: {problems}"


def test_the_served_document_embeds_the_fixture_and_scenario_schemas() -> None:
    import json as json_module

    from mockserver.resources import FIXTURE_SCHEMA

    schemas = DOCUMENT["components"]["schemas"]
    fixture = json_module.loads(FIXTURE_SCHEMA.read_text())
    assert schemas["FixtureDocument"]["required"] == fixture["required"]
    assert schemas["FixtureDocument"]["properties"]["tokens"]["items"] == {"$ref": "#/components/schemas/Fixture_token"}
    assert set(schemas["Fixture_token"]["required"]) == {"token", "account"}
    assert schemas["Fixture_channel"]["properties"]["end"]["nullable"] is True
    assert "oneOf" in schemas["Scenario_event"]
    # JSON and YAML bodies alike are the documents, not a bare string.
    for path in ("/__admin/state", "/__admin/scenario"):
        content = DOCUMENT["paths"][path]["put"]["requestBody"]["content"]
        assert content["application/yaml"]["schema"] == content["application/json"]["schema"]


def test_a_fault_request_is_one_of_its_kinds() -> None:
    request = DOCUMENT["components"]["schemas"]["FaultRequest"]
    assert request["discriminator"]["propertyName"] == "kind"
    assert set(request["discriminator"]["mapping"]) == {"delay", "status", "drop"}
    kinds = {
        name: DOCUMENT["components"]["schemas"][f"{name.title()}FaultRequest"] for name in ("delay", "status", "drop")
    }
    assert "delay_ms" in kinds["delay"]["properties"] and "delay_ms" not in kinds["status"]["properties"]
    assert "status" in kinds["status"]["properties"] and "status" not in kinds["drop"]["properties"]


def test_with_an_admin_token_the_document_requires_it() -> None:
    from mockserver.control.document import served_document

    assert served_document(token_required=True)["security"] == [{"adminToken": []}]
    assert served_document()["security"] == [{}]


def test_the_integer_filters_and_bounds_are_the_servers() -> None:
    journal = {p["name"]: p["schema"] for p in DOCUMENT["paths"]["/__admin/journal"]["get"]["parameters"]}
    assert journal["after"]["type"] == journal["last"]["type"] == "integer"
    seek = DOCUMENT["paths"]["/__admin/scenario/seek"]["post"]["requestBody"]["content"]["application/json"]
    assert seek["schema"]["properties"]["seconds"]["maximum"] == 3162240000
