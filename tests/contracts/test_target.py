"""What a run points at (contracts/target.py): the judge's spec is the Target's own document."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import contracts.checks  # noqa: F401  (registers the rules)
from contracts.exchange_rules import Served
from contracts.failures import Exchange, Violation
from contracts.registry import RULES
from contracts.target import Target, project_spec
from mockserver import Settings, create_app
from mockserver.running import start_in_thread
from mockserver.spec import SpecDocument
from tests.designer_edits import add_version_3, write_spec

V3 = "application/json;version=3"


def _exchange_of(response: httpx.Response) -> Exchange:
    request = response.request
    return Exchange(
        method=request.method,
        url=str(request.url.copy_with(query=None)),
        params=(),
        request_headers=tuple(request.headers.multi_items()),
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        body=response.content,
    )


def test_a_target_judges_by_the_project_spec_unless_given_another(tmp_path: Path) -> None:
    assert Target("http://127.0.0.1:1/v0", "t", "a", ("x",)).spec.document == project_spec().document
    draft = SpecDocument.load(write_spec(tmp_path / "draft.yaml", add_version_3))
    target = Target("http://127.0.0.1:1/v0", "t", "a", ("x",), versions=frozenset({1, 2, 3}), spec=draft)
    assert "application/json;version=3" in target.responses.media_types(200)


def test_two_runs_in_one_process_judge_one_answer_by_their_own_specs(tmp_path: Path) -> None:
    """A version-3 answer is what the draft allows and what the project's spec does not."""
    path = write_spec(tmp_path / "draft.yaml", add_version_3)
    draft = SpecDocument.load(path)
    check = RULES["responses_match_the_spec"].check
    with start_in_thread(create_app(Settings(spec=path, port=0, versions_from_spec=True))) as mock:
        answered = httpx.get(
            f"{mock.base_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={"Authorization": "Bearer valid-token", "Accept": V3},
        )
    exchange = _exchange_of(answered)
    assert check(exchange, Served(frozenset({1, 2, 3}), Target("http://h/v0", "t", "a", ("x",), spec=draft).responses))
    with pytest.raises(Violation, match="version=3"):  # the project's spec declares no version 3
        check(exchange, Served(frozenset({1, 2})))
