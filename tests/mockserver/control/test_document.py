"""The control plane described by OpenAPI: valid, complete both ways, served, and matching MockClient.
(Every answer of the control plane in the test suite is checked against it: tests/conftest.py.)"""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate
from starlette.routing import Route

from mockserver import MockClient, Settings, create_app
from mockserver.running import RunningMock
from tests.control_plane_document import DOCUMENT

# MockClient's methods and the operations they call: one each way.
CLIENT_OPERATIONS = {
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
}
NOT_CONTROL_CALLS = {"close", "endpoint", "token_fingerprint"}
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
    } - {("/__admin/docs/", "GET")}
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
