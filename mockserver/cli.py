"""`mockserver run ...`: arguments -> Settings -> create_app -> uvicorn, with a start banner."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from mockserver.app import MockServer, create_app
from mockserver.fixtures import FixtureError
from mockserver.settings import Settings, parse_versions
from mockserver.spec import load_spec

EXIT_USAGE = 2


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
        "--versions", default="1,2", help="'1,2' (default) or '1' (today's production: version 2 answers 406)"
    )
    run.add_argument("--admin-token", default=None, help="require 'Authorization: Bearer <token>' on /__admin")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings(
            fixtures=args.fixtures,
            host=args.host,
            port=args.port,
            versions=parse_versions(args.versions),
            admin_token=args.admin_token,
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        app = create_app(settings)
    except FixtureError as error:
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
    print(banner(app, sock.getsockname()[1]), flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def banner(app: MockServer, port: int) -> str:
    settings = app.settings
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    root = f"http://{host}:{port}"
    spec = load_spec()
    loaded = app.backend.held().summary()
    versions = ", ".join(f"application/json;version={v}" for v in sorted(settings.versions))
    lines = [
        f"Latest Interactions mock listening on {root}{spec.base_path}",
        f"  try:      curl -H 'Authorization: Bearer valid-token' -H 'Accept: application/json;version=1' "
        f"{root}{spec.base_path}/a1b2c3d4e5/agents/agent-7/latestInteractions"
        if settings.fixtures == Settings().fixtures
        else f"  route:    GET {root}{spec.route_template}",
        f"  loaded:   {settings.fixtures}: {loaded['accounts']} accounts, {loaded['agents']} agents, "
        f"{loaded['tokens']} tokens, {loaded['channels']} channels",
        f"  serves:   {versions}",
        f"  docs:     {root}{spec.base_path}/ui/  (spec: {root}{spec.base_path}/openapi.json)",
        f"  admin:    {root}/__admin/state" + ("  (token required)" if settings.admin_token else ""),
    ]
    return "\n".join(lines)


def admin_warning(settings: Settings) -> str | None:
    if settings.admin_token is not None or _is_loopback(settings.host):
        return None
    return (
        f"mockserver: WARNING: {settings.host} is not a loopback address and /__admin has no token: anyone who "
        "can reach this port can change the mock's state. Use --admin-token."
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
