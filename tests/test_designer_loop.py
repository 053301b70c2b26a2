"""The designer's loop end to end (issue 22): each edit of openapi.yaml served by `mockserver run
--spec`, judged by `contracts check --spec --versions`, and reported by `contracts diff`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockserver.resources import SPEC_PATH
from tests.conftest import get
from tests.designer_edits import (
    Edit,
    add_optional_queue_name,
    add_required_skill_with_example,
    add_version_3,
    remove_version_1,
    write_spec,
)
from tests.mockserver.test_cli import running

STEPS: list[tuple[str, list[Edit], str, str, dict[str, str]]] = [
    # (name, edits so far, --versions, the Accept that shows the edit, what the diff rates)
    (
        "optional field",
        [add_optional_queue_name],
        "1,2",
        "application/json;version=2",
        {
            "response-optional-property-added": "warning",
        },
    ),
    (
        "required field with an example",
        [add_optional_queue_name, add_required_skill_with_example],
        "1,2",
        "application/json;version=2",
        {"response-required-property-added": "warning"},
    ),
    (
        "version 3",
        [add_optional_queue_name, add_required_skill_with_example, add_version_3],
        "1,2,3",
        "application/json;version=3",
        {"response-media-type-added": "info"},
    ),
    (
        "version 1 removed",
        [add_optional_queue_name, add_required_skill_with_example, add_version_3, remove_version_1],
        "2,3",
        "application/json;version=3",
        {"response-media-type-removed": "error"},
    ),
]


def _contracts(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contracts", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("name", "edits", "versions", "accept", "rated"), STEPS, ids=[step[0] for step in STEPS])
def test_each_edit_is_served_judged_and_diffed(
    tmp_path: Path, name: str, edits: list[Edit], versions: str, accept: str, rated: dict[str, str]
) -> None:
    spec = write_spec(tmp_path / "openapi.yaml", *edits)
    with running("--spec", str(spec)) as (root, banner, _):
        assert f"serves:   {', '.join(f'application/json;version={v}' for v in versions.split(','))}" in banner
        with httpx.Client(base_url=root) as client:
            item = get(client, "agent-7", accept=accept).json()["interactions"][0]
        assert "queueName" not in item  # optional, and the default fixtures give none
        if "required" in name or "version" in name:
            assert item["skill"] == "billing"
        if "version" in name:
            assert item["wrapUpCode"] == "resolved"
        judged = _contracts(
            "check", "--spec", str(spec), "--versions", versions, "--base-url", f"{root}/v0",
            "--token", "valid-token", "--account", "a1b2c3d4e5", "--agent", "agent-7", "--agent", "1234",
            "--foreign-token", "other-account-token", "--expired-token", "expired-token", "--max-examples", "5",
        )  # fmt: skip
        assert judged.returncode == 0, judged.stdout[-3000:] + judged.stderr
        assert " 0 failed" in judged.stdout
    diffed = _contracts("diff", str(SPEC_PATH), str(spec), "--format", "json")
    changes = json.loads(diffed.stdout)["changes"]
    levels = {change["id"]: change["level"] for change in changes}
    for change_id, level in rated.items():
        assert levels.get(change_id) == level, levels
