"""A stateful mock of the Latest Interactions API, served from openapi.yaml."""

import warnings

# Connexion imports starlette.testclient at import time, which warns about httpx; the mock never
# uses that client, and the warning would otherwise greet every user of the CLI.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from mockserver.app import MockServer, create_app
from mockserver.client import ControlRefused, MockClient
from mockserver.fixtures import FixtureError, build_state, load_fixture_file
from mockserver.settings import Settings

__all__ = [
    "ControlRefused",
    "FixtureError",
    "MockClient",
    "MockServer",
    "Settings",
    "build_state",
    "create_app",
    "load_fixture_file",
]
