"""`mockserver run ...`: arguments -> Settings -> create_app -> an HTTP server (mockserver/serving.py),
with a start banner.

With `--workers N` (and a store), the server's supervisor runs N processes on one listening socket,
each building its app with `worker_app`. The collector is frozen here, after each new state, not
in the library: through the pytest plugin the mock runs inside the user's own test process.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import ipaddress
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from mockserver.api.served import ServedApi
from mockserver.app import MockServer, create_app, prepare_store
from mockserver.backends.redis.setup import StoreSetupError
from mockserver.cors import parse_origins
from mockserver.errors import FixtureError
from mockserver.fixtures.load import load_fixture_file
from mockserver.resources import SPEC_PATH
from mockserver.scenarios.simulation import SimulationSettings
from mockserver.serving import exit_cleanly_on_signals, serve, serve_workers
from mockserver.settings import ALL_VERSIONS, HTTP_SERVERS, Settings, parse_versions
from mockserver.spec import SpecDocument, SpecError, api_of
from mockserver.watching import Watcher

EXIT_USAGE = 2
ADMIN_TOKEN_VARIABLE = "LATEST_INTERACTIONS_ADMIN_TOKEN"
"""The admin token from the environment: a container takes its secrets there, not on its command line."""
SPEC_VARIABLE = "LATEST_INTERACTIONS_SPEC"
"""Another spec than the project's, from the environment (as `--spec`; `--spec` wins). Read here only:
the settings carry the path on, to worker processes too."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="A stateful mock of the Latest Interactions API.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the mock", description="Serve the mock on the given fixtures.")
    defaults = Settings()
    run.add_argument(
        "--fixtures",
        type=Path,
        default=defaults.fixtures,
        help="YAML or JSON fixture document (default: the bundled default set)",
    )
    run.add_argument("--host", default=defaults.host, help="address to listen on (default: %(default)s)")
    run.add_argument(
        "--port",
        type=int,
        default=defaults.port,
        help="port to listen on, 0 for any free one (default: %(default)s)",
    )
    run.add_argument(
        "--versions",
        default=None,
        help="the versions served, any of those the spec declares: '1,2', '1' (today's production), '2' "
        "(the planned version-2-only service), '1,2,3'...; the others answer 406 (default: all the spec declares)",
    )
    run.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_VARIABLE) or None,
        help=f"require 'Authorization: Bearer <token>' on /__admin (default: ${ADMIN_TOKEN_VARIABLE}, else none)",
    )
    run.add_argument(
        "--ready-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="once the mock answers, write there a JSON object with its url, base_url, admin_url, port and pid "
        "(for a launcher in any language: wait for the file, no banner to parse)",
    )
    run.add_argument(
        "--cors",
        nargs="?",
        const="*",
        default=None,
        metavar="ORIGINS",
        help="answer browser preflights and send Access-Control-* headers to these origins "
        "(comma-separated; '*' or none given: any origin). Off by default: OPTIONS is a 405, as the contract says",
    )
    run.add_argument(
        "--store",
        default=None,
        metavar="redis://HOST:PORT/DB",
        help="keep the state, journal and faults in Redis, shared by every worker and host on it",
    )
    run.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="the OpenAPI document to serve (default: the project's openapi.yaml; also $LATEST_INTERACTIONS_SPEC)",
    )
    run.add_argument(
        "--scenario",
        type=Path,
        default=None,
        help="a scenario document (YAML or JSON) played from the start on the mock's clock",
    )
    run.add_argument(
        "--simulate",
        action="store_true",
        help="play a seeded contact centre: simulated agents join every account (docs: reference/simulation)",
    )
    run.add_argument(
        "--agents",
        type=int,
        default=defaults.simulated_agents,
        help="simulated agents per account (default: %(default)s)",
    )
    run.add_argument("--seed", type=int, default=defaults.seed, help="the simulation's seed (default: %(default)s)")
    run.add_argument(
        "--history",
        type=float,
        default=defaults.history,
        help="seconds a simulation keeps an ended channel (default: %(default)g)",
    )
    run.add_argument(
        "--watch",
        action="store_true",
        help="reload the spec and the fixtures when their files change, saying what changed in one line; "
        "a broken edit is refused and the last good one keeps serving (not with --store)",
    )
    run.add_argument(
        "--speed",
        type=float,
        default=defaults.speed,
        help="how many times faster than real time the mock's clock runs (default: %(default)g)",
    )
    run.add_argument(
        "--http-server",
        choices=HTTP_SERVERS,
        default=defaults.http_server,
        help="the HTTP server under the mock (default: %(default)s, the faster here; see benchmarks/README.md)",
    )
    run.add_argument(
        "--workers", type=int, default=1, help="worker processes on this host (above 1 needs --store; default: 1)"
    )
    run.add_argument(
        "--replace-store",
        action="store_true",
        help="replace a state the store holds that was started from other fixtures (refused otherwise)",
    )
    run.add_argument(
        "--store-prefix",
        default=defaults.store_prefix,
        help="prefix of the store's keys, one per fleet sharing a database (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    spec_path = args.spec or (Path(os.environ[SPEC_VARIABLE]) if os.environ.get(SPEC_VARIABLE) else SPEC_PATH)
    try:
        # Read once, here: the app is built from this document; worker processes read the same path.
        spec = SpecDocument.load(spec_path)
        declared = api_of(spec).declared_versions
    except SpecError as error:
        print(f"mockserver: --spec {spec_path}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = Settings(
            spec=spec_path.resolve(),
            fixtures=args.fixtures,
            host=args.host,
            port=args.port,
            versions=parse_versions(args.versions) if args.versions is not None else (declared or ALL_VERSIONS),
            versions_from_spec=args.versions is None,
            watch=args.watch,
            admin_token=args.admin_token,
            store=args.store,
            store_prefix=args.store_prefix,
            replace_store=args.replace_store,
            workers=args.workers,
            cors=None if args.cors is None else parse_origins(args.cors),
            http_server=args.http_server,
            scenario=args.scenario,
            simulate=args.simulate,
            simulated_agents=args.agents,
            seed=args.seed,
            history=args.history,
            speed=args.speed,
        )
        if args.simulate:
            SimulationSettings(args.agents, args.seed, args.history)  # refuses --agents or --history out of range
    except ValueError as error:
        parser.error(str(error))
    try:
        # Checked before the store is touched (with --workers, the workers read the spec again).
        served = ServedApi.of(spec, settings.versions)
        # With a store, the fixtures are checked and stored here; the workers build their state from the store.
        fixtures = load_fixture_file(settings.fixtures, extras=served.extras) if settings.store else None
        store = prepare_store(settings, fixtures, served) if settings.store else None
        app = (
            create_app(settings, served=served, on_state=gc.freeze, store_ready=True) if settings.workers == 1 else None
        )
    except (FixtureError, StoreSetupError, SpecError) as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as error:
        print(
            f"mockserver: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    warning = admin_warning(settings)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    loaded = app.backend.held() if app is not None else fixtures
    assert loaded is not None  # without an app here there are workers, hence a store and its fixtures
    port = sock.getsockname()[1]
    print(banner(settings, served, loaded.summary(), port, store), flush=True)
    if args.ready_file is not None:
        announce_when_ready(args.ready_file, settings.host, port, served.base_path)
    if app is not None:
        if settings.watch:
            app.watcher = Watcher(app, settings.spec, settings.fixtures)
        serve(app, sock, settings.http_server)
        return 0
    os.environ[SETTINGS_VARIABLE] = encode_settings(settings)
    serve_workers(f"{__name__}:worker_app", settings.workers, sock, settings.http_server)
    return 0


def worker_app() -> MockServer:
    """A worker of `--workers N`, started by the HTTP server's supervisor; its settings come from the parent."""
    settings = decode_settings(os.environ[SETTINGS_VARIABLE])
    exit_cleanly_on_signals()
    return create_app(settings, on_state=gc.freeze, store_ready=True)


def announce_when_ready(path: Path, host: str, port: int, base_path: str) -> None:
    """Write `path` (atomically) once the mock answers its health check, from a thread: the server,
    one process or a supervisor of workers, runs in this one."""
    shown = f"[{host}]" if ":" in host else host
    probe = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    root = f"http://{shown}:{port}"
    health = f"http://{f'[{probe}]' if ':' in probe else probe}:{port}/__admin/health"
    ready = {
        "url": root,
        "base_url": root + base_path,
        "admin_url": root + "/__admin",
        "health_url": root + "/__admin/health",
        "port": port,
        "pid": os.getpid(),
    }

    def wait_then_write() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=1) as answered:
                    if answered.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            return
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(ready) + "\n", encoding="utf-8")
        os.replace(temporary, path)

    threading.Thread(target=wait_then_write, daemon=True, name="ready-file").start()


def banner(
    settings: Settings,
    served: ServedApi,
    loaded: Mapping[str, int],
    port: int,
    store: str | None = None,
) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    root = f"http://{host}:{port}"
    spec = served.api
    versions = ", ".join(f"application/json;version={v}" for v in sorted(settings.versions))
    lines = [
        f"Latest Interactions mock listening on {root}{spec.base_path}",
        f"  try:      curl -H 'Authorization: Bearer valid-token' -H 'Accept: application/json;version={min(settings.versions)}' "
        f"{root}{spec.base_path}/a1b2c3d4e5/agents/agent-7/latestInteractions"
        if settings.fixtures == Settings().fixtures
        else f"  route:    GET {root}{spec.route_template}",
        f"  loaded:   {settings.fixtures}: {loaded['accounts']} accounts, {loaded['agents']} agents, "
        f"{loaded['tokens']} tokens, {loaded['channels']} channels",
        f"  serves:   {versions}",
        f"  docs:     {root}{spec.base_path}/ui/  (spec: {root}{spec.base_path}/openapi.json)",
        f"  admin:    {root}/__admin/state" + ("  (token required)" if settings.admin_token else ""),
    ]
    for version, names in served.representations.generated.items():
        lines.append(
            f"  generated: version {version}'s {', '.join(names)} (required, no example in the spec: a value made "
            "from its schema where the data gives none)"
        )
    if settings.cors:
        lines.append(f"  cors:     {', '.join(settings.cors)}")
    if settings.scenario is not None:
        lines.append(f"  scenario: {settings.scenario} (GET {root}/__admin/scenario)")
    if settings.simulate:
        lines.append(
            f"  simulate: {settings.simulated_agents} agents per account, seed {settings.seed} (GET {root}/__admin/scenario)"
        )
    if settings.speed != 1:
        lines.append(f"  clock:    {settings.speed:g}x real time")
    if settings.store:
        lines.append(f"  store:    {settings.store} ({store}), {settings.workers} worker(s) on this host")
    return "\n".join(lines)


SETTINGS_VARIABLE = "LATEST_INTERACTIONS_MOCK_SETTINGS"


def encode_settings(settings: Settings) -> str:
    values = dataclasses.asdict(settings)
    values["spec"], values["fixtures"] = str(settings.spec), str(settings.fixtures)
    values["versions"] = sorted(settings.versions)
    return json.dumps(values)


def decode_settings(text: str) -> Settings:
    values = json.loads(text)
    values["spec"], values["fixtures"] = Path(values["spec"]), Path(values["fixtures"])
    values["versions"] = frozenset(values["versions"])
    values["cors"] = None if values["cors"] is None else tuple(values["cors"])
    return Settings(**values)


def admin_warning(settings: Settings) -> str | None:
    if settings.admin_token is not None or _is_loopback(settings.host):
        return None
    return (
        f"mockserver: WARNING: {settings.host} is not a loopback address and /__admin has no token: anyone who "
        f"can reach this port can change the mock's state. Use --admin-token or set {ADMIN_TOKEN_VARIABLE}."
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


if __name__ == "__main__":
    sys.exit(main())
