"""The control plane under /__admin, outside the public API: one handler per operation of its document.

The routes are the document's (`control/openapi.yaml`, served at /__admin/openapi.json, browsable at
/__admin/docs/); `docs/reference/control-plane.md` lists them, generated from it, and a test checks
the server serves exactly them. Around them: Swagger UI's page and files, and the live console.

Answers are JSON: what was created or changed, or `{"message"}` (with `errors` for a refused document);
503 when the shared store of a fleet cannot be reached (nothing was changed).
"""

from __future__ import annotations

import hmac
import importlib.metadata
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from mockserver.api.auth import parse_authorization
from mockserver.api.query import V2_PARAMETERS
from mockserver.api.representation import precise_rfc3339
from mockserver.api.served import ServedApi
from mockserver.backends import Backend
from mockserver.backends.base import MakeChange
from mockserver.control import requests as control
from mockserver.control.console import console_routes, cookie_token
from mockserver.control.document import CONTROL_PLANE_DOCUMENT, GUARDED_CONTROL_PLANE_DOCUMENT
from mockserver.control.explanations import Explainer
from mockserver.errors import ApiError, ControlError
from mockserver.fixtures.bounds import DocumentRejected, parse_json
from mockserver.fixtures.check import build_state
from mockserver.fixtures.documents import SECRET_SHOWN, dump_document, to_document
from mockserver.fixtures.load import parse_text
from mockserver.payload import Payload
from mockserver.scenarios.document import build_scenario
from mockserver.scenarios.player import ScenarioPlayer
from mockserver.scenarios.simulation import SimulationSettings
from mockserver.state.changes import apply as apply_change
from mockserver.state.changes import clock_view
from mockserver.state.journal import check_filters, fingerprint, select, window, worker_name

Endpoint = Callable[[Request], Awaitable[Response]]
SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latest Interactions mock: control plane</title>
<link rel="stylesheet" href="/__admin/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/__admin/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/__admin/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>
"""
PACKAGE_VERSION = importlib.metadata.version("latest-interactions-toolkit")


def create_admin_app(
    backend: Backend,
    *,
    admin_token: str | None,
    explainer: Explainer,
    served: ServedApi,
    player: ScenarioPlayer,
) -> Starlette:
    started = time.monotonic()
    representations, extras = served.representations, served.extras

    async def apply(make: MakeChange, status: int = 200) -> JSONResponse:
        return JSONResponse(await backend.change(make), status)

    async def get_state(request: Request) -> Response:
        state = await backend.current()
        document = state.document if state.document is not None else to_document(state)  # as given
        return Response(dump_document(without_secrets(document)), media_type="application/json")

    async def put_state(request: Request) -> Response:
        text = await _body_text(request)
        if not text.strip():
            raise ControlError(400, "The request body is empty; send a fixture document (JSON or YAML).")
        state = await backend.replace(
            build_state(parse_text(text, "state document"), source="state document", extras=extras)
        )
        await player.forget_everywhere()
        return JSONResponse({"message": "State replaced.", "loaded": state.summary()})

    async def reset(request: Request) -> Response:
        state = await backend.reset()
        await player.forget_everywhere()
        return JSONResponse(
            {"message": "State reset to the startup fixtures; journal and faults cleared.", "loaded": state.summary()}
        )

    async def add_agent(request: Request) -> Response:
        body, account = await _json(request), request.path_params["account"]
        return await apply(lambda s: control.add_agent(s, account, body), 201)

    async def start_interaction(request: Request) -> Response:
        body, p = await _json(request), request.path_params
        return await apply(lambda s: control.start_interaction(s, p["account"], p["agent"], body, extras), 201)

    async def add_channel(request: Request) -> Response:
        body, p = await _json(request), request.path_params
        return await apply(lambda s: control.add_channel(s, p["account"], p["agent"], p["guid"], body, extras), 201)

    async def end_channel(request: Request) -> Response:
        body, p = await _json(request), request.path_params
        return await apply(lambda s: control.end_channel(s, p["account"], p["agent"], p["channelGuid"], body))

    async def add_token(request: Request) -> Response:
        body = await _json(request)
        return await apply(lambda s: control.add_token(s, body), 201)

    async def add_client(request: Request) -> Response:
        body = await _json(request)
        return await apply(lambda s: control.add_client(s, body), 201)

    async def remove_client(request: Request) -> Response:
        client_id = request.path_params["client"]
        return await apply(lambda s: control.remove_client(s, client_id))

    async def get_required_scope(request: Request) -> Response:
        return JSONResponse({"required_scope": (await backend.current()).required_scope})

    async def set_required_scope(request: Request) -> Response:
        body = await _json(request)
        return await apply(lambda s: control.set_required_scope(s, body))

    async def revoke_token(request: Request) -> Response:
        # {token:path}: a token may hold '/', which reaches the route decoded from %2F.
        token = request.path_params["token"]
        return await apply(lambda s: control.revoke_token(s, token))

    async def agent_answers(request: Request) -> Response:
        """What each version served answers for an agent at this moment, with the version-2 query
        given (the console shows it); not a public request, so not journaled."""
        account, agent_id = request.path_params["account"], request.path_params["agent"]
        query = {name: request.query_params.getlist(name) for name in request.query_params.keys()}
        unknown = sorted(set(query) - set(V2_PARAMETERS))
        if unknown:
            raise ControlError(400, f"Unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(V2_PARAMETERS)}.")
        state = await backend.current()
        agent = state.agent(account, agent_id)
        if agent is None:
            raise ControlError(404, f"Unknown agent {agent_id!r} of account {account!r}.")
        answers: dict[str, Any] = {"account": account, "agent": agent_id, "at": precise_rfc3339(state.clock.now())}
        read = None
        if any(representations.lists(version) for version in explainer.versions):
            try:
                read = explainer.rules.parse(query)
            except ApiError as error:
                raise ControlError(400, error.message) from None
        for version in sorted(explainer.versions):
            listed = read if representations.lists(version) else None
            answers[f"v{version}"] = json.loads(representations.body(agent, version, listed))
            if listed is not None:
                answers[f"v{version}_query"] = {
                    "size": listed.size,
                    "type": listed.type,
                    "activeLiveFirst": listed.active_live_first,
                }
        return JSONResponse(answers)

    async def health(request: Request) -> Response:
        checked = await backend.health()
        degraded = not checked["store"]["reachable"]
        return JSONResponse(
            {
                "status": "degraded" if degraded else "ok",
                "serving": True,
                "version": PACKAGE_VERSION,
                "uptime_seconds": round(time.monotonic() - started, 3),
                "worker": worker_name(),
                **checked,
            }
        )

    async def document(request: Request) -> Response:
        served = CONTROL_PLANE_DOCUMENT if admin_token is None else GUARDED_CONTROL_PLANE_DOCUMENT
        return Response(served, media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(SWAGGER_PAGE)

    async def get_clock(request: Request) -> Response:
        return JSONResponse(clock_view(await backend.current()))

    async def moving_the_clock(make: MakeChange, what: str) -> JSONResponse:
        """A clock moved by hand: the scenario's events now due happen before the answer. A move that would
        fire more events than one move may is refused first (a dry run of the change says where it lands)."""
        state = await backend.current()
        landed, _ = apply_change(state, make(state))
        await player.check_move(landed.clock.now(), what)
        answer = await apply(make)
        await player.catch_up()
        return answer

    async def freeze_clock(request: Request) -> Response:
        body = await _json(request)
        return await moving_the_clock(lambda s: control.freeze_clock(s, body), "Field 'now'")

    async def advance_clock(request: Request) -> Response:
        body = await _json(request)
        return await moving_the_clock(lambda s: control.advance_clock(s, body), "Field 'seconds'")

    async def release_clock(request: Request) -> Response:
        return await moving_the_clock(control.release_clock, "Releasing the clock")

    async def get_scenario(request: Request) -> Response:
        return JSONResponse(await player.status())

    async def play_scenario(request: Request) -> Response:
        playing = player
        text = await _body_text(request)
        if not text.strip():
            raise ControlError(400, "The request body is empty; send a scenario document (JSON or YAML).")
        scenario = build_scenario(parse_text(text, "scenario document"), "scenario document", extras)
        return JSONResponse(await playing.play(scenario), 201)

    async def play_simulation(request: Request) -> Response:
        playing = player
        payload = Payload(await _json(request), ("agents", "seed", "history"))
        try:
            settings = SimulationSettings(
                agents=payload.whole("agents", default=SimulationSettings.agents),
                seed=payload.whole("seed", default=SimulationSettings.seed),
                history=payload.whole("history", default=int(SimulationSettings.history)),
            )
        except ValueError as error:
            raise ControlError(400, str(error).replace("--", "")) from None
        return JSONResponse(await playing.simulate(settings), 201)

    async def stop_scenario(request: Request) -> Response:
        return JSONResponse(await player.stop())

    async def pause_scenario(request: Request) -> Response:
        return JSONResponse(await player.pause())

    async def resume_scenario(request: Request) -> Response:
        return JSONResponse(await player.resume())

    async def seek_scenario(request: Request) -> Response:
        position = Payload(await _json(request), ("seconds",)).seconds("seconds")
        if position < 0:
            raise ControlError(400, f"Field 'seconds' is a position in the scenario, at least 0, got {position}.")
        return JSONResponse(await player.seek(position))

    async def get_journal(request: Request) -> Response:
        filters = dict(request.query_params)
        check_filters(filters)
        after, last = window(filters)
        # Without field filters the newest `last` are known before rendering; with them, after selecting.
        recorded = await backend.journal(after, None if filters else last)
        entries = [{**entry, "explanation": explainer.explain(entry)} for entry in recorded]
        requests = select(entries, filters)
        if last is not None:
            requests = requests[len(requests) - last :] if last else []
        return JSONResponse({"limit": backend.journal_limit, "requests": requests})

    async def clear_journal(request: Request) -> Response:
        return JSONResponse({"cleared": await backend.clear_journal()})

    async def list_faults(request: Request) -> Response:
        return JSONResponse({"faults": await backend.faults()})

    async def add_fault(request: Request) -> Response:
        return JSONResponse(await backend.add_fault(await _json(request)), 201)

    async def clear_faults(request: Request) -> Response:
        return JSONResponse({"cleared": await backend.clear_faults()})

    async def remove_fault(request: Request) -> Response:
        raw = request.path_params["fault"]
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise ControlError(404, f"Unknown fault {raw[:40]!r}.")
        await backend.remove_fault(int(raw))
        return JSONResponse({"removed": int(raw)})

    def guarded(endpoint: Endpoint, method: str) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                if endpoint not in (health, document, docs):  # read without a token: a probe, a generator
                    _check_admin_token(request, admin_token)
                if method == "GET" and endpoint not in (get_journal, agent_answers) and request.query_params:
                    names = ", ".join(sorted(set(request.query_params.keys())))
                    raise ControlError(400, f"GET {request.url.path} takes no query parameters, got: {names}.")
                return await endpoint(request)
            except ControlError as error:
                refused = error.to_response()
                return Response(refused.body, refused.status, headers=dict(refused.headers))

        return run

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
        elif exc.status_code == 404:
            message = f"No control-plane endpoint at {request.url.path}."
        else:
            message = str(exc.detail)
        return JSONResponse({"message": message}, exc.status_code, headers=dict(exc.headers or {}))

    agent = "/__admin/accounts/{account}/agents/{agent}"
    routes = [
        ("/__admin/health", health, "GET"),
        ("/__admin/openapi.json", document, "GET"),
        ("/__admin/docs/", docs, "GET"),
        ("/__admin/state", get_state, "GET"),
        ("/__admin/state", put_state, "PUT"),
        ("/__admin/reset", reset, "POST"),
        ("/__admin/accounts/{account}/agents", add_agent, "POST"),
        (f"{agent}/interactions", start_interaction, "POST"),
        (f"{agent}/interactions/{{guid}}/channels", add_channel, "POST"),
        (f"{agent}/channels/{{channelGuid}}/end", end_channel, "POST"),
        (f"{agent}/answers", agent_answers, "GET"),
        ("/__admin/tokens", add_token, "POST"),
        ("/__admin/tokens/{token:path}", revoke_token, "DELETE"),
        ("/__admin/clients", add_client, "POST"),
        ("/__admin/clients/{client}", remove_client, "DELETE"),
        ("/__admin/required-scope", get_required_scope, "GET"),
        ("/__admin/required-scope", set_required_scope, "PUT"),
        ("/__admin/clock", get_clock, "GET"),
        ("/__admin/clock", freeze_clock, "PUT"),
        ("/__admin/clock", release_clock, "DELETE"),
        ("/__admin/clock/advance", advance_clock, "POST"),
        ("/__admin/journal", get_journal, "GET"),
        ("/__admin/journal", clear_journal, "DELETE"),
        ("/__admin/faults", list_faults, "GET"),
        ("/__admin/faults", add_fault, "POST"),
        ("/__admin/faults", clear_faults, "DELETE"),
        ("/__admin/faults/{fault}", remove_fault, "DELETE"),
        ("/__admin/scenario", get_scenario, "GET"),
        ("/__admin/scenario", play_scenario, "PUT"),
        ("/__admin/scenario", stop_scenario, "DELETE"),
        ("/__admin/scenario/pause", pause_scenario, "POST"),
        ("/__admin/scenario/resume", resume_scenario, "POST"),
        ("/__admin/scenario/seek", seek_scenario, "POST"),
        ("/__admin/simulation", play_simulation, "PUT"),
    ]
    # One route per path, whatever its methods: a method the path does not serve is a 405 whose Allow
    # lists every method it does (RFC 9110 15.5.6), not only those of the first route that matched.
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, endpoint, method in routes:
        by_path.setdefault(path, {})[method] = guarded(endpoint, method)
    return Starlette(
        routes=[
            *(Route(path, _by_method(endpoints), methods=list(endpoints)) for path, endpoints in by_path.items()),
            *console_routes(admin_token, lambda request: _check_admin_token(request, admin_token)),
            # Swagger UI's own files, from the installed package: the page needs no network.
            Mount("/__admin/docs", StaticFiles(directory=swagger_ui_path), name="swagger-ui"),
        ],
        exception_handlers={HTTPException: http_error},
    )


def without_secrets(document: Any) -> Any:
    """The document as the control plane shows it: each client's secret masked, and each token the token
    endpoint issued shown by its fingerprint (`issued:<fingerprint>`, the journal's), never in clear.
    Tokens written in the fixtures are shown as written: they are the test's own data, which clients are
    configured with."""
    if not isinstance(document, dict):
        return document
    shown = dict(document)
    if isinstance(shown.get("clients"), list):
        shown["clients"] = [
            {**client, "client_secret": SECRET_SHOWN} if isinstance(client, dict) else client
            for client in shown["clients"]
        ]
    if isinstance(shown.get("tokens"), list):
        shown["tokens"] = [
            {**token, "token": f"issued:{fingerprint(str(token.get('token')))}"}
            if isinstance(token, dict) and token.get("client") is not None
            else token
            for token in shown["tokens"]
        ]
    return shown


def _by_method(endpoints: dict[str, Endpoint]) -> Endpoint:
    async def dispatch(request: Request) -> Response:
        # HEAD is answered as GET (Starlette adds it to a GET route's methods).
        return await endpoints["GET" if request.method == "HEAD" else request.method](request)

    return dispatch


def _check_admin_token(request: Request, admin_token: str | None) -> None:
    if admin_token is None:
        return
    # The console's cookie (control/console.py) stands for the token; a header, when sent, decides.
    presented = parse_authorization(request.headers.get("authorization", "")).bearer_token or cookie_token(request)
    if presented is None or not hmac.compare_digest(presented.encode(), admin_token.encode()):
        raise ControlError(401, "The control plane requires 'Authorization: Bearer <admin token>'.")


async def _body_text(request: Request) -> str:
    body = await request.body()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ControlError(400, "The request body is not UTF-8 text.") from None


async def _json(request: Request) -> Any:
    text = await _body_text(request)
    if not text.strip():
        return None
    try:
        body = parse_json(text)
    except DocumentRejected as error:
        raise ControlError(400, f"The request body is refused: {error}.") from None
    if body is None:  # no body means "the defaults"; a body of `null` is no object
        raise ControlError(400, "The request body must be a JSON object, got null (send no body for the defaults).")
    return body
