"""create_app(settings): the mock as one ASGI application, with no module-level state.

/__admin/...                          -> the control plane (admin.py)
the spec's route, GET/HEAD            -> Connexion -> api.LatestInteractions
the spec's route, any other method    -> 405 with Allow
{base}/ui/, {base}/openapi.json       -> Connexion's interactive docs of openapi.yaml
anything else                         -> 404 {"message"}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connexion import AsyncApp
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from starlette.types import Receive, Scope, Send

from mockserver.admin import create_admin_app
from mockserver.api import LatestInteractions
from mockserver.errors import AgentNotFound, MethodNotAllowed, Response
from mockserver.fixtures import load_fixture_file
from mockserver.model import State
from mockserver.query import QueryRules
from mockserver.settings import Settings
from mockserver.spec import load_spec
from mockserver.store import StateStore

ALLOWED_METHODS = ("GET", "HEAD")

# Connexion's security and request validation would answer before our checks, in another order
# and in problem+json; the contract fixes both, so api.py owns every check.
MIDDLEWARES = [
    ServerErrorMiddleware,
    ExceptionMiddleware,
    SwaggerUIMiddleware,
    RoutingMiddleware,
    LifespanMiddleware,
    ContextMiddleware,
]


@dataclass
class MockServer:
    """The ASGI application; `store` is the live state, for the control plane and in-process tests."""

    settings: Settings
    store: StateStore
    endpoint: LatestInteractions
    connexion_app: AsyncApp
    admin_app: Any
    docs_prefixes: tuple[str, ...]

    def __post_init__(self) -> None:
        self.route = load_spec().route_pattern()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.connexion_app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/__admin" or path.startswith("/__admin/"):
            await self.admin_app(scope, receive, send)
        elif self.route.match(path):
            if scope["method"] in ALLOWED_METHODS:
                await self.connexion_app(scope, receive, send)
            else:
                await _send(MethodNotAllowed(scope["method"], ALLOWED_METHODS).to_response(), scope, send)
        elif path.startswith(self.docs_prefixes):
            await self.connexion_app(scope, receive, send)
        else:
            # The page's own 404 text, as the real service gives for a path it does not serve.
            await _send(AgentNotFound().to_response(), scope, send)


def create_app(
    settings: Settings | None = None,
    *,
    state: State | None = None,
    endpoint_class: type[LatestInteractions] = LatestInteractions,
) -> MockServer:
    """Build the mock from settings; `state` overrides the settings' fixtures file.

    `endpoint_class` exists for the deliberately faulty servers of `contracts selftest`.
    """
    settings = settings or Settings()
    store = StateStore(state if state is not None else load_fixture_file(settings.fixtures))
    spec = load_spec()
    endpoint = endpoint_class(store, settings.versions, QueryRules.from_spec(spec.parameters))
    connexion_app = AsyncApp(__name__, middlewares=MIDDLEWARES)
    connexion_app.add_api(
        spec.document,
        resolver=Resolver(function_resolver=lambda _operation_id: endpoint.connexion_handler),
    )
    return MockServer(
        settings=settings,
        store=store,
        endpoint=endpoint,
        connexion_app=connexion_app,
        admin_app=create_admin_app(store, admin_token=settings.admin_token),
        docs_prefixes=(f"{spec.base_path}/ui", f"{spec.base_path}/openapi.json"),
    )


async def _send(response: Response, scope: Scope, send: Send) -> None:
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    raw_headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    body = b"" if scope["method"] == "HEAD" else response.body
    await send({"type": "http.response.body", "body": body})
