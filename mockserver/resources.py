"""Where the project's data files are: beside the package when installed, at the project root in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent
_PROJECT = _PACKAGE.parent


def _find(installed_name: str, checkout_path: str) -> Path:
    installed = _PACKAGE / "resources" / installed_name
    return installed if installed.exists() else _PROJECT / checkout_path


SPEC_PATH = _find("openapi.yaml", "openapi.yaml")
DEFAULT_FIXTURES = _find("default.yaml", "fixtures/default.yaml")
FIXTURE_SCHEMA = _find("fixture.schema.json", "fixtures/fixture.schema.json")
SCENARIO_SCHEMA = _find("scenario.schema.json", "fixtures/scenario.schema.json")
