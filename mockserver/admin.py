"""The control plane under /__admin: read, replace and reset the mock's state.

It is outside the public API and answers plain JSON: `{"message"}` on error, with `errors`
listing each problem when a document is refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.fixtures import FixtureError, build_state, parse_text
from mockserver.store import StateStore

Endpoint = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def to_response(self) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, self.status, headers=headers)


def create_admin_app(store: StateStore, *, admin_token: str | None) -> Starlette:
    async def get_state(request: Request) -> Response:
        return JSONResponse(store.current().document)

    async def put_state(request: Request) -> Response:
        document = await _read_document(request)
        state = build_state(document)
        store.replace(state)
        return JSONResponse({"message": "State replaced.", "loaded": state.summary()})

    async def reset(request: Request) -> Response:
        state = store.reset()
        return JSONResponse({"message": "State reset to the startup fixtures.", "loaded": state.summary()})

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                _check_admin_token(request, admin_token)
                return await endpoint(request)
            except FixtureError as error:
                return AdminError(400, str(error).splitlines()[0], error.errors).to_response()
            except AdminError as error:
                return error.to_response()

        return run

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
        elif exc.status_code == 404:
            message = f"No control-plane endpoint at {request.url.path}."
        else:
            message = exc.detail
        return JSONResponse({"message": message}, exc.status_code, headers=headers)

    return Starlette(
        routes=[
            Route("/__admin/state", guarded(get_state), methods=["GET"]),
            Route("/__admin/state", guarded(put_state), methods=["PUT"]),
            Route("/__admin/reset", guarded(reset), methods=["POST"]),
        ],
        exception_handlers={HTTPException: http_error},
    )


def _check_admin_token(request: Request, admin_token: str | None) -> None:
    if admin_token is None:
        return
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), admin_token.encode()):
        raise AdminError(401, "The control plane requires 'Authorization: Bearer <admin token>'.")


async def _read_document(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        raise AdminError(400, "The request body is empty; send a fixture document (JSON or YAML).")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise AdminError(400, "The request body is not UTF-8 text.") from None
    return parse_text(text, "state document")
