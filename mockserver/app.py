"""create_app(settings): the mock as one ASGI application, with no module-level state.

/__admin/...                          -> the control plane (admin.py)
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
import re
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
from mockserver.api.query import QueryRules
from mockserver.api.request import PublicRequest
from mockserver.api.shapes import Representations
from mockserver.backends import Backend, InProcessBackend
from mockserver.backends.base import Answer, StateHook
from mockserver.clock import AcceleratedClock
from mockserver.control.explanations import Explainer
from mockserver.control.faults import drop_connection, injected_response, quiet_dropped_connections
from mockserver.control.routes import create_admin_app
from mockserver.cors import Cors
from mockserver.errors import AgentNotFound, MethodNotAllowed
from mockserver.fixtures.load import load_fixture_file
from mockserver.model import State
from mockserver.responses import Response, send_response
from mockserver.scenarios.document import Scenario, load_scenario_file
from mockserver.scenarios.player import ScenarioPlayer, SharedScenario
from mockserver.scenarios.simulation import SimulationSettings
from mockserver.settings import Settings
from mockserver.spec import ApiSpec, SpecDocument, SpecError, load_document, load_spec, version_view

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


class Watching(Protocol):
    async def run(self) -> None: ...


@dataclass
class SpecParts:
    """What the mock takes from the spec, built together and swapped together (`--watch`)."""

    endpoint: LatestInteractions
    connexion_app: AsyncApp
    docs_prefixes: tuple[str, ...]
    route: re.Pattern[str]
    route_template: str
    version_views: dict[str, bytes]
    """`/v0/openapi.vN.json`: the spec holding version N alone, for generic tools."""

    @classmethod
    def build(cls, spec: SpecDocument, api: ApiSpec, endpoint: LatestInteractions) -> SpecParts:
        connexion_app = AsyncApp(__name__, middlewares=MIDDLEWARES)
        connexion_app.add_api(
            api.document, resolver=Resolver(function_resolver=lambda _operation_id: endpoint.connexion_handler)
        )
        return cls(
            endpoint=endpoint,
            connexion_app=connexion_app,
            docs_prefixes=(f"{api.base_path}/ui", f"{api.base_path}/openapi.json"),
            route=api.route_pattern(),
            route_template=api.route_template,
            version_views={
                f"{api.base_path}/openapi.v{version}.json": json.dumps(version_view(spec, version)).encode()
                for version in sorted(endpoint.versions)
            },
        )


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
    """Plays scenarios on the mock's clock (on a fleet, from the store's record)."""
    admin_app: Any = field(init=False)
    cors: Cors | None = field(init=False)
    """With `settings.cors`, what answers browsers on other origins (preflights, Access-Control-*)."""
    watcher: Watching | None = field(init=False, default=None)
    """With `--watch` (set by the command line), what reloads the spec and the fixtures when their files change."""
    _watching: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.player = ScenarioPlayer(self.backend, shared=_fleet_scenario(self.backend))
        self.admin_app = self._admin_app()
        self.cors = None if self.settings.cors is None else Cors.around(self._dispatch, self.settings.cors)

    @property
    def endpoint(self) -> LatestInteractions:
        return self.parts.endpoint

    def _admin_app(self) -> Any:
        endpoint = self.parts.endpoint
        explainer = Explainer(
            endpoint.versions,
            endpoint.rules,
            self.parts.route_template,
            frozenset(v for v in endpoint.versions if endpoint.representations.lists(v)),
        )
        return create_admin_app(
            self.backend,
            admin_token=self.settings.admin_token,
            explainer=explainer,
            representations=endpoint.representations,
            player=self.player,
        )

    def adopt(self, parts: SpecParts) -> None:
        """Serve from `parts` (a spec read again) from the next request on; the state stays."""
        self.settings = self.settings.replace(versions=parts.endpoint.versions)
        self.parts = parts
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
        elif match := parts.route.match(path):
            await self._public(scope, receive, send, PublicRequest.of(scope, match["accountKey"], match["agentId"]))
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
        elif self.settings.through_connexion and request.on_route and request.method in ALLOWED_METHODS:
            await self.parts.connexion_app(scope, receive, send)
        else:
            await send_response(admission.response, scope, send)

    def _answer(self, request: PublicRequest) -> Answer:
        if not request.on_route:
            return _not_found
        if request.method not in ALLOWED_METHODS:
            return _method_not_allowed(request.method)
        respond = self.endpoint.respond
        return lambda state: respond(state, request)


def _fleet_scenario(backend: Backend) -> SharedScenario | None:
    """On a fleet, the scenario record every worker plays from; None in one process."""
    if isinstance(backend, InProcessBackend):
        return None
    from mockserver.backends.redis.backend import RedisBackend
    from mockserver.backends.redis.scenario import FleetScenario

    assert isinstance(backend, RedisBackend)
    return FleetScenario(backend)


def _not_found(state: State) -> Response:
    return AgentNotFound().to_response()


def _method_not_allowed(method: str) -> Answer:
    answer = MethodNotAllowed(method, ALLOWED_METHODS).to_response()
    return lambda state: answer


def create_app(
    settings: Settings | None = None,
    *,
    state: State | None = None,
    endpoint_class: type[LatestInteractions] = LatestInteractions,
    on_state: StateHook | None = None,
    store_ready: bool = False,
) -> MockServer:
    """Build the mock from settings; `state` overrides the settings' fixtures file.

    `endpoint_class` exists for the deliberately faulty servers of `contracts selftest`;
    `on_state` is called after each new state is installed; `store_ready` says the store was
    initialized already (by the command line, before it started the workers).
    """
    settings = settings or Settings()
    quiet_dropped_connections()
    scenario = load_scenario_file(settings.scenario) if settings.scenario is not None else None
    document = load_document()
    api = load_spec()
    check_versions_declared(settings.versions, api.declared_versions)
    representations = Representations.from_spec(document, settings.versions)
    rules = QueryRules.from_spec(api.parameters)
    backend = create_backend(settings, state, on_state, store_ready=store_ready)
    endpoint = endpoint_class(backend.held, settings.versions, rules, representations)
    server = MockServer(
        settings=settings,
        backend=backend,
        parts=SpecParts.build(document, api, endpoint),
        scenario=scenario,
        simulation=SimulationSettings(settings.simulated_agents, settings.seed, settings.history)
        if settings.simulate
        else None,
    )
    return server


def check_versions_declared(versions: frozenset[int], declared: frozenset[int]) -> None:
    """A version the spec does not declare cannot be served: a SpecError naming both sets."""
    if not versions:
        raise SpecError("the spec declares no version (application/json;version=N) for the mock to serve")
    undeclared = versions - declared
    if undeclared:
        served = ",".join(map(str, sorted(versions & declared))) or "..."
        raise SpecError(
            f"the spec declares version(s) {', '.join(map(str, sorted(declared))) or 'none'}; "
            f"the mock was asked to serve {', '.join(map(str, sorted(undeclared)))} too (try --versions {served})"
        )


def create_backend(
    settings: Settings, state: State | None = None, on_state: StateHook | None = None, *, store_ready: bool = False
) -> Backend:
    """The embedded backend, or with `settings.store` the fleet's: initialized from the fixtures
    if the store holds no state yet, joined otherwise."""
    if settings.store is None:
        running = AcceleratedClock(settings.speed) if settings.speed != 1 else None
        initial = state if state is not None else load_fixture_file(settings.fixtures, system_clock=running)
        return InProcessBackend(initial, journal_limit=settings.journal_limit, on_state=on_state)
    from mockserver.backends.redis.backend import RedisBackend  # a Redis client only for a fleet

    if not store_ready:
        prepare_store(settings, state)
    return RedisBackend(
        settings.store, journal_limit=settings.journal_limit, prefix=settings.store_prefix, on_state=on_state
    )


def prepare_store(settings: Settings, state: State | None = None) -> str:
    """Check the startup fixtures and put them in the store unless it holds a state started from them."""
    from mockserver.backends.redis.setup import initialize_store

    assert settings.store is not None
    document = (state if state is not None else load_fixture_file(settings.fixtures)).document
    return initialize_store(settings.store, document, prefix=settings.store_prefix, replace=settings.replace_store)
