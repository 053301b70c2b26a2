"""`--watch`: a changed spec or fixture file adopted whole, or refused in one line while the last good
one keeps serving. Driven through `Watcher.check` (no polling, no sleeps) and once through the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockserver import Settings, create_app
from mockserver.resources import DEFAULT_FIXTURES
from mockserver.running import start_in_thread
from mockserver.watching import Watcher
from tests.conftest import V1, V2, get
from tests.designer_edits import (
    add_optional_queue_name,
    add_version_3,
    duration_as_string,
    remove_version_1,
    write_spec,
)
from tests.mockserver.test_cli import running

V3 = "application/json;version=3"


class Watched:
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.spec = write_spec(tmp_path / "openapi.yaml")
        self.fixtures = tmp_path / "fixtures.yaml"
        shutil.copy(DEFAULT_FIXTURES, self.fixtures)
        self.app = create_app(
            Settings(spec=self.spec, port=0, fixtures=self.fixtures, versions_from_spec=True, watch=True)
        )
        self.lines: list[str] = []
        self.watcher = Watcher(self.app, self.spec, self.fixtures, say=self.lines.append)

    def edit_spec(self, *edits: Any) -> str | None:
        write_spec(self.spec, *edits)
        return self.watcher.check()

    def edit_fixtures(self, change: Any) -> str | None:
        document = yaml.safe_load(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
        change(document)
        self.fixtures.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return self.watcher.check()


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Watched, httpx.Client]]:
    setup = Watched(tmp_path, monkeypatch)
    with start_in_thread(setup.app) as running_mock, httpx.Client(base_url=running_mock.url) as client:
        yield setup, client


def _queue_on_first_interaction(value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["accounts"][0]["agents"][0]["interactions"][0]["queueName"] = value

    return change


def test_nothing_changed_says_nothing(watched: tuple[Watched, httpx.Client]) -> None:
    setup, _ = watched
    assert setup.watcher.check() is None and setup.lines == []


def test_a_new_field_is_served_and_said_in_one_line(watched: tuple[Watched, httpx.Client]) -> None:
    setup, client = watched
    line = setup.edit_spec(add_optional_queue_name)
    assert line == "mockserver: openapi.yaml reloaded: version 2's items +queueName" and "\n" not in line
    assert setup.edit_fixtures(_queue_on_first_interaction("Sales")) is not None
    assert get(client, "agent-7", accept=V2).json()["interactions"][0]["queueName"] == "Sales"
    assert client.get("/v0/openapi.json").json()["components"]["schemas"]["InteractionV2"]["properties"]["queueName"]


def test_a_new_version_is_served_and_a_removed_one_refused(watched: tuple[Watched, httpx.Client]) -> None:
    setup, client = watched
    assert setup.edit_spec(add_version_3) == "mockserver: openapi.yaml reloaded: version 3 added"
    assert get(client, "agent-7", accept=V3).status_code == 200
    assert setup.edit_spec(add_version_3, remove_version_1) == (
        "mockserver: openapi.yaml reloaded: version 1 no longer served"
    )
    assert get(client, "agent-7", accept=V1).status_code == 406
    journal = client.get("/__admin/journal").json()
    why = journal["requests"][-1]["explanation"]["why"]
    assert "(application/json;version=2, application/json;version=3): 406" in why


def test_a_broken_spec_is_refused_and_the_last_good_one_keeps_serving(
    watched: tuple[Watched, httpx.Client],
) -> None:
    setup, client = watched
    setup.edit_spec(add_version_3)
    setup.spec.write_text(setup.spec.read_text(encoding="utf-8") + "\n  broken: [\n", encoding="utf-8")
    line = setup.watcher.check()
    assert line is not None and "refused (the last good one keeps serving)" in line and "\n" not in line
    assert "not YAML or JSON" in line
    assert get(client, "agent-7", accept=V3).status_code == 200
    unsatisfiable = setup.edit_spec(add_version_3, duration_as_string)
    assert unsatisfiable is not None and "field 'duration': the spec says type string" in unsatisfiable
    assert get(client, "agent-7", accept=V3).status_code == 200


def test_the_state_is_kept_across_a_spec_change(watched: tuple[Watched, httpx.Client]) -> None:
    setup, client = watched
    started = client.post("/__admin/accounts/a1b2c3d4e5/agents", json={"id": "new-agent"})
    assert started.status_code == 201
    setup.edit_spec(add_version_3)
    assert get(client, "new-agent", accept=V3).json() == {"interactions": []}


def test_a_spec_that_no_longer_declares_a_field_the_state_holds_is_refused(
    watched: tuple[Watched, httpx.Client],
) -> None:
    setup, client = watched
    setup.edit_spec(add_optional_queue_name)
    setup.edit_fixtures(_queue_on_first_interaction("Sales"))
    line = setup.edit_spec()
    assert line is not None and "'queueName' is no longer declared" in line and "refused" in line
    assert get(client, "agent-7", accept=V2).json()["interactions"][0]["queueName"] == "Sales"


def test_fixtures_are_reloaded_checked_against_the_spec(watched: tuple[Watched, httpx.Client]) -> None:
    setup, client = watched
    refused = setup.edit_fixtures(_queue_on_first_interaction("Sales"))
    assert refused is not None and "queueName: unknown field" in refused
    setup.edit_spec(add_optional_queue_name)  # the refused fixtures are tried again with the new spec
    assert setup.lines[-1].startswith("mockserver: openapi.yaml and fixtures.yaml reloaded")
    assert get(client, "agent-7", accept=V2).json()["interactions"][0]["queueName"] == "Sales"
    wrong_type = setup.edit_fixtures(_queue_on_first_interaction(7))
    assert wrong_type is not None and "7 is not of type 'string'" in wrong_type
    assert get(client, "agent-7", accept=V2).json()["interactions"][0]["queueName"] == "Sales"


def test_reloaded_fixtures_are_what_a_reset_returns_to(watched: tuple[Watched, httpx.Client]) -> None:
    setup, client = watched

    def without_agent_7(document: dict[str, Any]) -> None:
        agents = document["accounts"][0]["agents"]
        document["accounts"][0]["agents"] = [agent for agent in agents if agent["id"] != "agent-7"]

    line = setup.edit_fixtures(without_agent_7)
    assert line is not None and "fixtures.yaml reloaded: the state now holds 2 accounts, 6 agents" in line
    assert get(client, "agent-7").status_code == 404
    assert client.post("/__admin/reset").status_code == 200
    assert get(client, "agent-7").status_code == 404


def test_watch_is_refused_on_a_fleet() -> None:
    with pytest.raises(ValueError, match="--watch"):
        Settings(watch=True, store="redis://127.0.0.1:1/0")


def test_the_command_line_watches(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "openapi.yaml")
    with running("--spec", str(spec), "--watch") as (root, _, process):
        write_spec(spec, add_version_3)
        deadline = time.monotonic() + 10
        status = 406
        while status != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            status = get(httpx.Client(base_url=root), "agent-7", accept=V3).status_code
        assert status == 200
    assert process.stderr is not None
    assert "mockserver: openapi.yaml reloaded: version 3 added" in process.stderr.read()


def test_the_command_line_documents_watch() -> None:
    shown = subprocess.run([sys.executable, "-m", "mockserver", "run", "--help"], capture_output=True, text=True)
    assert "--watch" in shown.stdout
