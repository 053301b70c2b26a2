"""`contracts diff` and `contracts spec` from the command line: exit codes, formats, git revisions."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
import yaml

from contracts.cli import main
from mockserver.resources import SPEC_PATH
from mockserver.running import RunningMock
from mockserver.spec import SpecDocument

BASE: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
P = "/{accountKey}/agents/{agentId}/latestInteractions"
V1 = "application/json;version=1"


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document))
    return str(path)


def without_v1() -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    del document["paths"][P]["get"]["responses"]["200"]["content"][V1]
    return document


def with_optional_parameter() -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document["paths"][P]["get"]["parameters"].append({"name": "page", "in": "query", "schema": {"type": "integer"}})
    return document


def test_the_spec_against_itself_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC_PATH), str(SPEC_PATH)]) == 0
    assert "No changes." in capsys.readouterr().out


def test_a_breaking_change_exits_1_and_json_names_the_clients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(SPEC_PATH), write(tmp_path, "new.yaml", without_v1()), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"changes", "resolution"}
    assert all(set(c) == {"id", "level", "media_types", "old", "new", "message"} for c in report["changes"])
    removed = [c for c in report["changes"] if c["id"] == "response-media-type-removed"]
    assert removed == [
        {
            "id": "response-media-type-removed",
            "level": "error",
            "media_types": [V1],
            "old": f"$.paths['{P}'].get.responses['200'].content['{V1}']",
            "new": None,
            "message": f"response 200 no longer has the representation {V1}",
        }
    ]
    resolved = {r["accept"]: (r["old"], r["new"]) for r in report["resolution"]}
    assert resolved[V1] == (V1, "406") and resolved[None] == ("406", "406")


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 0), ("info", 1)])
def test_fail_on_sets_the_level_that_fails(tmp_path: Path, fail_on: str, code: int) -> None:
    new = write(tmp_path, "new.yaml", with_optional_parameter())  # one info change
    assert main(["diff", str(SPEC_PATH), new, "--fail-on", fail_on, "--format", "json"]) == code


def test_markdown_junit_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = write(tmp_path, "new.yaml", without_v1())
    main(["diff", str(SPEC_PATH), new, "--format", "markdown"])
    markdown = capsys.readouterr().out
    assert "| :x: error | `response-media-type-removed` | application/json;version=1 |" in markdown
    assert "#### Accept resolution that changed" in markdown
    main(["diff", str(SPEC_PATH), new, "--format", "junit"])
    suite = ET.fromstring(capsys.readouterr().out.split("?>", 1)[1])
    assert int(suite.get("failures", "0")) >= 1
    main(["diff", str(SPEC_PATH), new, "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("::error title=") for line in lines)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot read"),
        ("openapi: 3.0.3\npaths: {}\n", "not a valid OpenAPI document"),
        ("swagger: '2.0'\n", "not an OpenAPI 3 document"),
        ("{not yaml: [", "not YAML or JSON"),
    ],
)
def test_an_input_that_is_not_a_spec_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, words: str
) -> None:
    broken = tmp_path / "broken.yaml"
    if content is not None:
        broken.write_text(content)
    assert main(["diff", str(SPEC_PATH), str(broken)]) == 2
    error = capsys.readouterr().err
    assert "broken.yaml" in error and words in error


def test_a_git_revision_is_read_with_rev_colon_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (tmp_path / "openapi.yaml").write_text(SPEC_PATH.read_text())
    git("add", "openapi.yaml")
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "spec")
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(without_v1()))
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "main:openapi.yaml", "openapi.yaml"]) == 1
    assert "response-media-type-removed" in capsys.readouterr().out
    assert main(["diff", "nosuchrev:openapi.yaml", "openapi.yaml"]) == 2
    assert "nosuchrev:openapi.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("version", [1, 2])
def test_spec_writes_one_version_alone(capsys: pytest.CaptureFixture[str], version: int) -> None:
    assert main(["spec", "--version", str(version), "--format", "json"]) == 0
    view = SpecDocument.from_document(json.loads(capsys.readouterr().out))
    operation = view.operation("latestInteractions")
    assert list(operation.responses["200"].content) == [f"application/json;version={version}"]
    # The version-2 parameters are not version 1's: a generic tool must not expect 400s for them.
    query = sorted(name for where, name in operation.parameters if where == "query")
    assert query == ([] if version == 1 else ["activeLiveFirst", "size", "type"])


def test_the_mock_serves_each_version_view_beside_the_docs(mock: RunningMock) -> None:
    for version in (1, 2):
        response = httpx.get(f"{mock.url}/v0/openapi.v{version}.json")
        assert response.status_code == 200
        content = response.json()["paths"][P]["get"]["responses"]["200"]["content"]
        assert list(content) == [f"application/json;version={version}"]


def test_the_accept_table_is_printed_only_when_a_resolution_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = write(tmp_path, "same.yaml", BASE)
    assert main(["diff", same, same]) == 0
    out = capsys.readouterr().out
    assert "Every Accept value resolves as before" in out and "application/json;version=1  " not in out
    assert main(["diff", same, same, "--accept-table"]) == 0
    assert "Accept resolution (old -> new" in capsys.readouterr().out
    assert main(["diff", same, write(tmp_path, "without-v1.yaml", without_v1())]) == 1
    assert "! application/json;version=1" in capsys.readouterr().out
