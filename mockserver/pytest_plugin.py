"""pytest plugin (entry point pytest11): a Latest Interactions mock for client tests.

    def test_client_sees_the_live_call(mock_state):
        mock_state.start_interaction("a1b2c3d4e5", "agent-idle", type="Phone")
        client = MyClient(base_url=mock_state.base_url, token="valid-token")
        assert client.current_interaction("agent-idle").active

Fixtures:
    mock_server          session: a mock on a free loopback port, shared by the tests of a worker
    mock_state           function: that mock reset to its startup fixtures (journal and faults
                         cleared) before and after the test; a MockClient to drive it
    mock_server_factory  function: start dedicated mocks with other settings (`spec=path`, `fixtures=path`,
                         `versions=frozenset({1})`...); stopped after the test

Under pytest-xdist each worker has its own mock, so parallel tests never see each other's state.
ini options: latest_interactions_spec (an OpenAPI document to serve; default the project's openapi.yaml),
latest_interactions_fixtures (a fixture file), latest_interactions_versions ("1,2", "1"...; default every
version the spec declares), latest_interactions_cors (origins for browser tests, '*' for any). Relative
paths are read from the rootdir.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.app import MockServer, create_app
from mockserver.backends import InProcessBackend
from mockserver.client import MockClient
from mockserver.cors import parse_origins
from mockserver.running import RunningMock, start_in_thread
from mockserver.settings import Settings, parse_versions


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "latest_interactions_spec", "OpenAPI document the shared mock serves (default: the project's)", default=""
    )
    parser.addini("latest_interactions_fixtures", "fixture file of the shared Latest Interactions mock", default="")
    parser.addini(
        "latest_interactions_versions",
        "versions the shared mock serves: '1,2' or '1' (default: every version the spec declares)",
        default="",
    )
    parser.addini(
        "latest_interactions_cors",
        "origins whose browser pages may call the shared mock ('*': any; empty: no CORS)",
        default="",
    )


def _settings(config: pytest.Config, **overrides: Any) -> Settings:
    versions = str(config.getini("latest_interactions_versions"))
    settings = Settings(port=0, versions_from_spec=not versions)
    if versions:
        settings = settings.replace(versions=parse_versions(versions))
    cors = str(config.getini("latest_interactions_cors"))
    if cors:
        settings = settings.replace(cors=parse_origins(cors))
    for option, name in (("latest_interactions_spec", "spec"), ("latest_interactions_fixtures", "fixtures")):
        given = str(config.getini(option))
        if given:
            settings = settings.replace(**{name: _from_rootdir(config, given)})
    if "versions" in overrides:
        overrides.setdefault("versions_from_spec", False)
    if "spec" in overrides:
        overrides["spec"] = Path(overrides["spec"])
    return settings.replace(**overrides) if overrides else settings


def _from_rootdir(config: pytest.Config, given: str) -> Path:
    return Path(given) if Path(given).is_absolute() else config.rootpath / given


@pytest.fixture(scope="session")
def mock_server(pytestconfig: pytest.Config) -> Iterator[RunningMock]:
    """The worker's shared mock (prefer `mock_state`, which gives each test a clean one)."""
    with start_in_thread(create_app(_settings(pytestconfig))) as running:
        yield running


@pytest.fixture
def mock_state(mock_server: RunningMock) -> Iterator[MockClient]:
    """The shared mock in its startup state, with a client of its control plane."""
    with _client(mock_server) as client:
        _reset(mock_server.app, client)
        yield client
        _reset(mock_server.app, client)


@pytest.fixture
def mock_server_factory(pytestconfig: pytest.Config) -> Iterator[Callable[..., MockClient]]:
    """Start a dedicated mock: `mock_server_factory(versions=frozenset({1}), fixtures=path, spec=path)`."""
    started: list[tuple[RunningMock, MockClient]] = []

    def start(**overrides: Any) -> MockClient:
        running = start_in_thread(create_app(_settings(pytestconfig, **overrides)))
        client = _client(running)
        started.append((running, client))
        return client

    yield start
    for running, client in started:
        client.close()
        running.stop(wait=False)


def _client(running: RunningMock) -> MockClient:
    return MockClient(running.url, base_path=running.app.served.base_path, admin_token=running.app.settings.admin_token)


def _reset(app: MockServer, client: MockClient) -> None:
    if isinstance(app.backend, InProcessBackend):
        app.backend.reset_now()  # in-process: microseconds, not a request
        app.player.forget()
    else:
        client.reset()
