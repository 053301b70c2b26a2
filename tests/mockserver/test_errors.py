"""The error tree and its two renderers: the public {"message"} and the control plane's {"message", "errors"}."""

from __future__ import annotations

import json

import pytest

from mockserver.errors import (
    AgentNotFound,
    ApiError,
    ControlError,
    FixtureError,
    Forbidden,
    InvalidParameter,
    MethodNotAllowed,
    MockError,
    NotAcceptable,
    StoreUnavailable,
    Unauthorized,
)


@pytest.mark.parametrize(
    ("error", "status", "headers"),
    [
        (Unauthorized("no token", token_sent=False), 401, {"WWW-Authenticate": "Bearer"}),
        (Unauthorized("bad token", token_sent=True), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}),
        (Forbidden("acc"), 403, {}),
        (NotAcceptable(["application/json;version=1"]), 406, {}),
        (InvalidParameter("size", "bad size"), 400, {}),
        (AgentNotFound(), 404, {}),
        (MethodNotAllowed("POST", ("GET", "HEAD")), 405, {"Allow": "GET, HEAD"}),
    ],
)
def test_public_errors_render_one_message(error: ApiError, status: int, headers: dict[str, str]) -> None:
    response = error.to_response({"Vary": "Accept"})
    assert response.status == status
    assert response.headers == {"Content-Type": "application/json", **headers, "Vary": "Accept"}
    assert json.loads(response.body) == {"message": error.message}
    assert isinstance(error, MockError)


def test_the_pages_404_text() -> None:
    assert json.loads(AgentNotFound().to_response().body) == {"message": "The requested resource was not found."}


def test_a_406_names_the_supported_media_types() -> None:
    assert (
        "application/json;version=1, application/json;version=2"
        in NotAcceptable(["application/json;version=1", "application/json;version=2"]).message
    )


def test_control_errors_render_message_and_errors() -> None:
    response = ControlError(409, "conflict").to_response()
    assert (response.status, json.loads(response.body)) == (409, {"message": "conflict"})
    assert "WWW-Authenticate" not in response.headers
    assert ControlError(401, "token").to_response().headers["WWW-Authenticate"] == "Bearer"


def test_a_fixture_error_is_a_400_with_every_problem() -> None:
    problems = [f"accounts[{i}].key: is required" for i in range(7)]
    error = FixtureError(problems, "state.yaml")
    body = json.loads(error.to_response().body)
    assert error.status == 400 and body["errors"] == problems
    assert body["message"].startswith("invalid state.yaml: accounts[0].key: is required;")
    assert body["message"].endswith("; and 2 more")
    assert str(error).splitlines()[0] == "invalid state.yaml (7 problems):"
    assert isinstance(error, ValueError)


def test_an_unreachable_store_is_a_503() -> None:
    error = StoreUnavailable("gone")
    assert (error.status, json.loads(error.to_response().body)) == (503, {"message": "gone"})
