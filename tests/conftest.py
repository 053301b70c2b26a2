"""Shared fixtures: running mocks over real HTTP, and a client that checks every answer against the spec
(the public one against openapi.yaml, the control plane's against its own document)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from contracts.spec_conformance import SpecResponses
from contracts.target import project_spec
from mockserver import Settings, create_app
from mockserver.resources import DEFAULT_FIXTURES
from mockserver.running import RunningMock, start_in_thread
from mockserver.spec import api_of
from tests.control_plane_document import problems as control_plane_problems
from tests.fleet import Fleet, RedisServer, running_fleet, shared_redis

pytest_plugins = ["pytester"]

PROJECT_SPEC = project_spec()
SPEC = SpecResponses(PROJECT_SPEC)
ROUTE = api_of(PROJECT_SPEC).route_pattern()
ACCOUNT = "a1b2c3d4e5"
V1 = "application/json;version=1"
V2 = "application/json;version=2"


def spec_checked_client(base_url: str, **kwargs: Any) -> httpx.Client:
    """An httpx client that fails the test on any response of the public API the spec forbids."""

    def check(response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith("/__admin/") and not path.startswith("/__admin/docs/"):
            response.read()
            refused = control_plane_problems(response.request.method, path, response.status_code, response.content)
            assert not refused, f"{response.request.method} {path} broke the control plane's document: {refused}"
            return
        if not ROUTE.match(path) or "x-mock-fault" in response.headers:
            return
        response.read()
        problems = SPEC.problems(
            response.status_code, dict(response.headers), response.content, method=response.request.method
        )
        assert not problems, f"{response.request.method} {response.request.url} broke the spec: {problems}"
        assert response.status_code < 500

    return httpx.Client(base_url=base_url, event_hooks={"response": [check]}, timeout=10, **kwargs)


@pytest.fixture(scope="session")
def default_document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_FIXTURES.read_text())


@pytest.fixture(scope="session")
def mock() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings())) as running:
        yield running


@pytest.fixture(scope="session")
def mock_v1_only() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings(versions=frozenset({1})))) as running:
        yield running


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with shared_redis() as server:
        yield server


@pytest.fixture(scope="session")
def fleet(redis_server: RedisServer) -> Iterator[Fleet]:
    """Two mock processes on one Redis, as two hosts behind a load balancer."""
    with running_fleet(redis_server.url) as running:
        yield running


@pytest.fixture(scope="session")
def mock_on_granian() -> Iterator[Fleet]:
    """`mockserver run` as a user starts it: its own process, served by granian (the in-process `mock`
    runs on uvicorn in a thread, as the pytest plugin does)."""
    with running_fleet(None, 1) as running:
        yield running


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test taking `client` (and not the `mock` itself) runs on both HTTP servers the mock has: the
    in-process mock on uvicorn and `mockserver run` on granian, so they stay one mock; in a module with
    ALSO_ON_A_FLEET = True, also on the fleet with requests spread over its workers."""
    if "client" in metafunc.fixturenames and "mock" not in metafunc.fixturenames:
        kinds = ["uvicorn-thread", "granian-process"]
        if getattr(metafunc.module, "ALSO_ON_A_FLEET", False):
            kinds.append("fleet")
        metafunc.parametrize("mock_kind", kinds, indirect=True)


@pytest.fixture
def mock_kind(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "uvicorn-thread"))


@pytest.fixture
def client(mock_kind: str, request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A spec-checked client of the full mock; the mock's state is reset after the test."""
    if mock_kind in ("fleet", "granian-process"):
        running: Fleet = request.getfixturevalue("fleet" if mock_kind == "fleet" else "mock_on_granian")
        session = spec_checked_client(running.url, transport=running.transport())
    else:
        session = spec_checked_client(request.getfixturevalue("mock").url)
    with session:
        yield session
        session.post("/__admin/reset").raise_for_status()


@pytest.fixture
def client_v1_only(mock_v1_only: RunningMock) -> Iterator[httpx.Client]:
    with spec_checked_client(mock_v1_only.url) as session:
        yield session
        session.post("/__admin/reset").raise_for_status()


def path(agent: str, account: str = ACCOUNT) -> str:
    return f"/v0/{account}/agents/{agent}/latestInteractions"


def auth(token: str = "valid-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(
    session: httpx.Client,
    agent: str,
    *,
    accept: str | None = V1,
    token: str | None = "valid-token",
    account: str = ACCOUNT,
    params: Any = None,
) -> httpx.Response:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if accept is not None:
        headers["Accept"] = accept
    return session.get(path(agent, account), headers=headers, params=params)


def put_state(session: httpx.Client, document: dict[str, Any]) -> None:
    response = session.put("/__admin/state", json=document)
    assert response.status_code == 200, response.text


def one_agent_document(
    interactions: list[dict[str, Any]], *, now: str | None = None, agent: str = "a"
) -> dict[str, Any]:
    """A state with one account (the page's), one agent and the token valid-token."""
    document: dict[str, Any] = {
        "tokens": [{"token": "valid-token", "account": ACCOUNT}],
        "accounts": [{"key": ACCOUNT, "agents": [{"id": agent, "interactions": copy.deepcopy(interactions)}]}],
    }
    if now is not None:
        document["now"] = now
    return document
