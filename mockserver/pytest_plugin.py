"""pytest plugin (entry point pytest11): a Latest Interactions mock for client tests.

    def test_client_sees_the_live_call(mock_state):
        mock_state.start_interaction("a1b2c3d4e5", "agent-idle", type="Phone")
        client = MyClient(base_url=mock_state.base_url, token="valid-token")
        assert client.current_interaction("agent-idle").active

Fixtures:
    mock_server          session: a mock on a free loopback port, shared by the tests of a worker
    mock_state           function: that mock reset to its startup fixtures (journal and faults
                         cleared) before and after the test; a MockClient to drive it
    mock_server_factory  function: start dedicated mocks with other settings; stopped after the test

Under pytest-xdist each worker has its own mock, so parallel tests never see each other's state.
ini options: latest_interactions_fixtures (a fixture file), latest_interactions_versions ("1,2" or "1"),
latest_interactions_cors (origins for browser tests, '*' for any).
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
from mockserver.spec import load_spec


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("latest_interactions_fixtures", "fixture file of the shared Latest Interactions mock", default="")
    parser.addini("latest_interactions_versions", "versions the shared mock serves: '1,2' or '1'", default="1,2")
    parser.addini(
        "latest_interactions_cors",
        "origins whose browser pages may call the shared mock ('*': any; empty: no CORS)",
        default="",
    )


def _settings(config: pytest.Config, **overrides: Any) -> Settings:
    fixtures = str(config.getini("latest_interactions_fixtures"))
    settings = Settings(port=0, versions=parse_versions(str(config.getini("latest_interactions_versions"))))
    cors = str(config.getini("latest_interactions_cors"))
    if cors:
        settings = settings.replace(cors=parse_origins(cors))
    if fixtures:
        settings = settings.replace(
            fixtures=(config.rootpath / fixtures) if not Path(fixtures).is_absolute() else Path(fixtures)
        )
    return settings.replace(**overrides) if overrides else settings


@pytest.fixture(scope="session")
def mock_server(pytestconfig: pytest.Config) -> Iterator[RunningMock]:
    """The worker's shared mock (prefer `mock_state`, which gives each test a clean one)."""
    with start_in_thread(create_app(_settings(pytestconfig))) as running:
        yield running


@pytest.fixture
def mock_state(mock_server: RunningMock) -> Iterator[MockClient]:
    """The shared mock in its startup state, with a client of its control plane."""
    with MockClient(
        mock_server.url, base_path=load_spec().base_path, admin_token=mock_server.app.settings.admin_token
    ) as client:
        _reset(mock_server.app, client)
        yield client
        _reset(mock_server.app, client)


@pytest.fixture
def mock_server_factory(pytestconfig: pytest.Config) -> Iterator[Callable[..., MockClient]]:
    """Start a dedicated mock: `mock_server_factory(versions=frozenset({1}), fixtures=path)`."""
    started: list[tuple[RunningMock, MockClient]] = []

    def start(**overrides: Any) -> MockClient:
        running = start_in_thread(create_app(_settings(pytestconfig, **overrides)))
        client = MockClient(running.url, base_path=load_spec().base_path, admin_token=running.app.settings.admin_token)
        started.append((running, client))
        return client

    yield start
    for running, client in started:
        client.close()
        running.stop(wait=False)


def _reset(app: MockServer, client: MockClient) -> None:
    if isinstance(app.backend, InProcessBackend):
        app.backend.reset_now()  # in-process: microseconds, not a request
        app.player.forget()
    else:
        client.reset()
