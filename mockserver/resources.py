"""Where the project's data files are: beside the package when installed, at the project root in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).parent
_PROJECT = _PACKAGE.parent


def _find(installed_name: str, checkout_path: str) -> Path:
    installed = _PACKAGE / "resources" / installed_name
    return installed if installed.exists() else _PROJECT / checkout_path


SPEC_PATH = _find("openapi.yaml", "openapi.yaml")
SPEC_VARIABLE = "LATEST_INTERACTIONS_SPEC"
"""Another spec than the project's (`--spec PATH` of `mockserver run` and `contracts check` sets it, so
worker processes and the pytest plugin read the same one)."""


def spec_path() -> Path:
    """The spec in use: $LATEST_INTERACTIONS_SPEC when set, else the project's openapi.yaml."""
    chosen = os.environ.get(SPEC_VARIABLE)
    return Path(chosen) if chosen else SPEC_PATH


DEFAULT_FIXTURES = _find("default.yaml", "fixtures/default.yaml")
FIXTURE_SCHEMA = _find("fixture.schema.json", "fixtures/fixture.schema.json")
