"""create_app(settings): the mock as one ASGI application, with no module-level state.

/__admin/...                          -> the control plane (control/routes.py)
/Auth/connect/token                   -> the platform's token endpoint (authentication/token.py)
the spec's route                      -> admitted by the backend (state, faults, journal), then:
    GET, HEAD                         -> api.LatestInteractions
    any other method                  -> 405 with Allow
{base}/openapi.vN.json                -> the spec holding version N alone
{base}/ui/, {base}/openapi.json       -> Connexion's interactive docs of openapi.yaml
anything else                         -> 404 {"message"}, journaled
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from connexion import AsyncApp
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from starlette.types import Receive, Scope, Send

from mockserver.api.operation import ALLOWED_METHODS, LatestInteractions
from mockserver.api.request import PublicRequest
from mockserver.api.served import ServedApi
from mockserver.authentication.token import TOKEN_PATH, TokenEndpoint
from mockserver.backends import Backend, InProcessBackend
from mockserver.backends.base import Answer, StateHook
from mockserver.clock import AcceleratedClock
from mockserver.control.explanations import Explainer
from mockserver.control.routes import create_admin_app
from mockserver.cors import Cors
from mockserver.errors import AgentNotFound, MethodNotAllowed
from mockserver.fixtures.load import load_fixture_file
from mockserver.model import State
from mockserver.responses import Response, send_response
from mockserver.scenarios.document import Scenario, load_scenario_file
from mockserver.scenarios.player import ScenarioPlayer
from mockserver.scenarios.simulation import SimulationSettings
from mockserver.settings import Settings
from mockserver.spec import version_view
from mockserver.state.faults import drop_connection, injected_response, quiet_dropped_connections

# The public route has its own path: Connexion's security and request validation would answer before
# the contract's checks, in another order and in problem+json, so api/operation.py owns every check.
MIDDLEWARES = [
    ServerErrorMiddleware,
    ExceptionMiddleware,
    SwaggerUIMiddleware,
    RoutingMiddleware,
    LifespanMiddleware,
    ContextMiddleware,
]


class Watching(Protocol):
    async def run(self) -> None: ...


@dataclass
class SpecParts:
    """What the mock serves from its spec, built together and swapped together (`--watch`)."""

    served: ServedApi
    endpoint: LatestInteractions
    connexion_app: AsyncApp
    """The spec's interactive docs (`{base}/ui/`, `{base}/openapi.json`)."""
    docs_prefixes: tuple[str, ...]
    version_views: dict[str, bytes]
    """`/v0/openapi.vN.json`: the spec holding version N alone, for generic tools."""

    @classmethod
    def build(cls, served: ServedApi, endpoint: LatestInteractions) -> SpecParts:
        connexion_app = AsyncApp(__name__, middlewares=MIDDLEWARES)
        connexion_app.add_api(served.spec.document, resolver=Resolver(function_resolver=lambda _id: _docs_only))
        base = served.base_path
        return cls(
            served=served,
            endpoint=endpoint,
            connexion_app=connexion_app,
            docs_prefixes=(f"{base}/ui", f"{base}/openapi.json"),
            version_views={
                f"{base}/openapi.v{version}.json": json.dumps(version_view(served.spec, version)).encode()
                for version in sorted(endpoint.versions)
            },
        )


def _docs_only() -> None:
    """Connexion serves the docs alone: the operation is answered by the endpoint, never through it."""
    raise AssertionError("the public operation is not routed through Connexion")


@dataclass
class MockServer:
    """The ASGI application; `backend` holds its state, journal and faults."""

    settings: Settings
    backend: Backend
    parts: SpecParts
    scenario: Scenario | None = None
    """Played from the start (`Settings.scenario`), loaded and checked when the app is built."""
    simulation: SimulationSettings | None = None
    """Played from the start (`Settings.simulate`)."""
    player: ScenarioPlayer = field(init=False)
    token_endpoint: TokenEndpoint = field(init=False)
    """`POST /Auth/connect/token`: the tokens this mock's clients fetch, on its own port."""
    """Plays scenarios on the mock's clock (on a fleet, from the store's record)."""
    admin_app: Any = field(init=False)
    cors: Cors | None = field(init=False)
    """With `settings.cors`, what answers browsers on other origins (preflights, Access-Control-*)."""
    watcher: Watching | None = field(init=False, default=None)
    """With `--watch` (set by the command line), what reloads the spec and the fixtures when their files change."""
    _watching: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.player = ScenarioPlayer(self.backend, extras=self.served.extras)
        self.token_endpoint = TokenEndpoint(self.backend.current, self.backend.change)
        self.admin_app = self._admin_app()
        self.cors = None if self.settings.cors is None else Cors.around(self._dispatch, self.settings.cors)

    @property
    def endpoint(self) -> LatestInteractions:
        return self.parts.endpoint

    @property
    def served(self) -> ServedApi:
        """The API this mock serves, from its spec."""
        return self.parts.served

    def _admin_app(self) -> Any:
        served = self.served
        explainer = Explainer(served.versions, served.rules, served.route_template, served.listing_versions)
        return create_admin_app(
            self.backend,
            admin_token=self.settings.admin_token,
            explainer=explainer,
            served=served,
            player=self.player,
        )

    def adopt(self, parts: SpecParts) -> None:
        """Serve from `parts` (a spec read again) from the next request on; the state stays."""
        self.settings = self.settings.replace(versions=parts.served.versions)
        self.parts = parts
        self.player.extras = parts.served.extras
        self.admin_app = self._admin_app()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.parts.connexion_app(scope, receive, send)
            return
        if self.cors is not None:
            await self.cors(scope, receive, send)
        else:
            await self._dispatch(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        parts = self.parts
        if path == "/__admin" or path.startswith("/__admin/"):
            await self.admin_app(scope, receive, send)
        elif match := parts.served.route.match(path):
            await self._public(scope, receive, send, PublicRequest.of(scope, match["accountKey"], match["agentId"]))
        elif path == TOKEN_PATH:
            await self.token_endpoint(scope, receive, send)
        elif path in parts.version_views:
            view = Response(200, {"Content-Type": "application/json"}, parts.version_views[path])
            await send_response(view, scope, send)
        elif path.startswith(parts.docs_prefixes):
            await parts.connexion_app(scope, receive, send)
        else:
            # The page's own 404 text, as the real service gives for a path it does not serve;
            # journaled, since a wrong path is the likeliest client bug there is.
            await self._public(scope, receive, send, PublicRequest.of(scope, None, None))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Close the backend's connections before the server's event loop closes."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.backend.start()
                if self.watcher is not None:
                    self._watching = asyncio.create_task(self.watcher.run(), name="watch")
                self.player.start()
                if self.scenario is not None:
                    # On a fleet every worker is started with it: the first starts it, the others join.
                    await self.player.play(self.scenario, unless_playing=True)
                elif self.simulation is not None:
                    await self.player.simulate(self.simulation, unless_playing=True)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._watching is not None:
                    self._watching.cancel()
                await self.player.close()
                await self.backend.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _public(self, scope: Scope, receive: Receive, send: Send, request: PublicRequest) -> None:
        admission = await self.backend.admit(request, self._answer(request))
        decision = admission.decision
        if decision.delay_seconds:
            await asyncio.sleep(decision.delay_seconds)
        if decision.drop:
            await drop_connection(send)
        elif admission.response is None:
            await send_response(injected_response(decision), scope, send)
        else:
            await send_response(admission.response, scope, send)

    def _answer(self, request: PublicRequest) -> Answer:
        if not request.on_route:
            return _not_found
        if request.method not in ALLOWED_METHODS:
            return _method_not_allowed(request.method)
        respond = self.endpoint.respond
        return lambda state: respond(state, request)


def _not_found(state: State) -> Response:
    return AgentNotFound().to_response()


def _method_not_allowed(method: str) -> Answer:
    answer = MethodNotAllowed(method, ALLOWED_METHODS).to_response()
    return lambda state: answer


def create_app(
    settings: Settings | None = None,
    *,
    served: ServedApi | None = None,
    state: State | None = None,
    endpoint_class: type[LatestInteractions] = LatestInteractions,
    on_state: StateHook | None = None,
    store_ready: bool = False,
) -> MockServer:
    """Build the mock from settings; `served` is the API read from `settings.spec` when not given (the
    command line reads it once to check it before it starts), `state` overrides the settings' fixtures file.

    `endpoint_class` exists for the deliberately faulty servers of `contracts selftest`;
    `on_state` is called after each new state is installed; `store_ready` says the store was
    initialized already (by the command line, before it started the workers).
    """
    settings = settings or Settings()
    quiet_dropped_connections()
    served = served or served_by(settings)
    settings = settings.replace(versions=served.versions)
    scenario = load_scenario_file(settings.scenario, served.extras) if settings.scenario is not None else None
    backend = create_backend(settings, state, on_state, store_ready=store_ready, served=served)
    endpoint = endpoint_class(backend.held, served.versions, served.rules, served.representations)
    return MockServer(
        settings=settings,
        backend=backend,
        parts=SpecParts.build(served, endpoint),
        scenario=scenario,
        simulation=SimulationSettings(settings.simulated_agents, settings.seed, settings.history)
        if settings.simulate
        else None,
    )


def served_by(settings: Settings) -> ServedApi:
    """The API `settings` ask for: their spec, with the versions given or, unless given, all it declares."""
    return ServedApi.load(settings.spec, None if settings.versions_from_spec else settings.versions)


def create_backend(
    settings: Settings,
    state: State | None = None,
    on_state: StateHook | None = None,
    *,
    store_ready: bool = False,
    served: ServedApi,
) -> Backend:
    """The embedded backend, or with `settings.store` the fleet's: initialized from the fixtures
    if the store holds no state yet, joined otherwise."""
    extras = served.extras
    if settings.store is None:
        running = AcceleratedClock(settings.speed) if settings.speed != 1 else None
        initial = (
            state if state is not None else load_fixture_file(settings.fixtures, system_clock=running, extras=extras)
        )
        return InProcessBackend(initial, journal_limit=settings.journal_limit, on_state=on_state)
    from mockserver.backends.redis.backend import RedisBackend  # a Redis client only for a fleet

    if not store_ready:
        prepare_store(settings, state, served)
    return RedisBackend(
        settings.store,
        journal_limit=settings.journal_limit,
        prefix=settings.store_prefix,
        on_state=on_state,
        extras=extras,
    )


def prepare_store(settings: Settings, state: State | None = None, served: ServedApi | None = None) -> str:
    """Check the startup fixtures and put them in the store unless it holds a state started from them
    (`served`: the API the fixtures are checked against; read from `settings.spec` when not given)."""
    from mockserver.backends.redis.setup import initialize_store

    assert settings.store is not None
    served = served or served_by(settings)
    document = (state if state is not None else load_fixture_file(settings.fixtures, extras=served.extras)).document
    return initialize_store(settings.store, document, prefix=settings.store_prefix, replace=settings.replace_store)
