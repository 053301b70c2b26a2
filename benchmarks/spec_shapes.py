"""What shaping answers from the spec costs: one request's operation (auth, negotiation, query, agent,
body), driven in-process, on the default spec and on specs a designer edited.

    .venv/bin/python benchmarks/spec_shapes.py [--requests 20000] [--rounds 5]

The baseline is the operation on the default spec, timed in the same run: every version shaped as
built in, answered from the agent's prepared bytes (`AgentAnswers`), as before the spec shaped answers.
A spec with a field the mock does not know renders the items of each answer instead (`Shape.body`):
its column, and its ratio to the baseline, are what a designer's preview costs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from mockserver import Settings, create_app
from mockserver.api.request import PublicRequest
from mockserver.app import MockServer
from mockserver.resources import SPEC_PATH

ACCOUNT, AGENT = "a1b2c3d4e5", "1234"
OPERATION = "/{accountKey}/agents/{agentId}/latestInteractions"


def _request(accept: str, query: bytes) -> PublicRequest:
    scope = {
        "type": "http",
        "method": "GET",
        "path": f"/v0/{ACCOUNT}/agents/{AGENT}/latestInteractions",
        "query_string": query,
        "headers": [(b"authorization", b"Bearer valid-token"), (b"accept", accept.encode())],
        "client": ("127.0.0.1", 1),
    }
    return PublicRequest.of(scope, ACCOUNT, AGENT)


def _per_request(call: Callable[[], object], requests: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(requests):
            call()
        samples.append((time.perf_counter() - began) / requests * 1e6)
    return statistics.median(samples)


def _edited_spec(directory: Path, name: str, edit: Callable[[dict[str, object]], None]) -> Path:
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    edit(document)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _with_queue_name(document: dict[str, object]) -> None:
    schemas = document["components"]["schemas"]  # type: ignore[index]
    schemas["InteractionV2"]["properties"]["queueName"] = {"type": "string", "example": "Sales"}  # type: ignore[index]
    schemas["InteractionV1"]["properties"]["queueName"] = {"type": "string", "example": "Sales"}  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = {"v1": ("application/json;version=1", b""), "v2 size=10": ("application/json;version=2", b"size=10")}
    with tempfile.TemporaryDirectory() as directory:
        edited = _edited_spec(Path(directory), "queue", _with_queue_name)
        print(f"# spec shapes: {args.rounds} rounds x {args.requests:,} requests, in-process, median µs per request")
        print("| request | default spec µs (baseline) | spec + queueName µs | ratio |")
        print("|---|---|---|---|")
        apps = {}
        for name, path in (("default", SPEC_PATH), ("edited", edited)):
            apps[name] = create_app(Settings(spec=path, port=0))
        for case, (accept, query) in cases.items():
            default = _timed(apps["default"], accept, query, args.requests, args.rounds)
            shaped = _timed(apps["edited"], accept, query, args.requests, args.rounds)
            print(f"| {case} | {default:.2f} | {shaped:.2f} | {shaped / default:.2f}x |", flush=True)


def _timed(app: MockServer, accept: str, query: bytes, requests: int, rounds: int) -> float:
    """µs per request of the operation, whole (auth, negotiation, query, agent, body)."""
    state, request, respond = app.backend.held(), _request(accept, query), app.endpoint.respond
    answer = respond(state, request)
    assert answer.status == 200, answer.body
    return _per_request(lambda: respond(state, request), requests, rounds)


if __name__ == "__main__":
    main()
