"""Where one request's time goes on the public fast path, driven in-process (no network, no server) and
profiled with cProfile. (Until 2026-12 a second path routed the operation through Connexion for this
comparison; the figures it gave are in benchmarks/README.md.)

    .venv/bin/python benchmarks/profile_request.py [--requests 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import time
from typing import Any

from mockserver import Settings, create_app
from mockserver.app import MockServer

SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
    "raw_path": b"/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
    "query_string": b"",
    "root_path": "",
    "headers": [
        (b"host", b"127.0.0.1"),
        (b"authorization", b"Bearer valid-token"),
        (b"accept", b"application/json;version=1"),
    ],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8080),
}


async def _requests(app: MockServer, count: int) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(count):
        await app(dict(SCOPE), receive, send)


def measure(label: str, app: MockServer, count: int, top: int) -> float:
    asyncio.run(_requests(app, 200))  # warm up
    started = time.perf_counter()
    asyncio.run(_requests(app, count))
    per_request = (time.perf_counter() - started) / count * 1e6
    profile = cProfile.Profile()
    profile.enable()
    asyncio.run(_requests(app, count // 4))
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    print(f"## {label}: {per_request:.1f} µs per request in-process\n")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    print()
    return per_request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    measure("the fast path", create_app(Settings(), on_state=gc.freeze), args.requests, args.top)


if __name__ == "__main__":
    main()
