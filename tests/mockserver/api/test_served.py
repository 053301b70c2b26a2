"""The served API as a value (mockserver/api/served.py): built from one document, passed to every part."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.api.served import ServedApi
from mockserver.errors import FixtureError
from mockserver.running import start_in_thread
from mockserver.spec import SpecError
from tests.designer_edits import add_optional_queue_name, add_version_3, remove_version_1, write_spec

ACCOUNT, AGENT = "a1b2c3d4e5", "agent-7"
TOKEN = {"Authorization": "Bearer valid-token"}


def test_every_declared_version_is_served_unless_told(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "openapi.yaml", add_version_3)
    assert ServedApi.load(spec).versions == {1, 2, 3}
    assert ServedApi.load(spec, frozenset({2})).versions == {2}
    assert ServedApi.load(spec).listing_versions == {2, 3}


def test_a_version_the_spec_does_not_declare_is_refused_naming_both(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "openapi.yaml", remove_version_1)
    with pytest.raises(SpecError, match=r"declares version\(s\) 2; the mock was asked to serve 1 too"):
        ServedApi.load(spec, frozenset({1, 2}))


def test_the_extra_fields_come_from_its_own_document(tmp_path: Path) -> None:
    assert ServedApi.load().extras == {}
    assert set(ServedApi.load(write_spec(tmp_path / "openapi.yaml", add_optional_queue_name)).extras) == {"queueName"}


def test_two_mocks_with_two_specs_run_side_by_side_in_one_process(tmp_path: Path) -> None:
    draft = write_spec(tmp_path / "draft.yaml", add_version_3, add_optional_queue_name)
    project = create_app(Settings(port=0))
    designed = create_app(Settings(spec=draft, port=0, versions_from_spec=True))
    with start_in_thread(project) as plain, start_in_thread(designed) as drafted, httpx.Client(timeout=10) as client:
        v3 = {**TOKEN, "Accept": "application/json;version=3"}
        path = f"/v0/{ACCOUNT}/agents/{AGENT}/latestInteractions"
        assert client.get(plain.url + path, headers=v3).status_code == 406
        answered = client.get(drafted.url + path, headers=v3)
        assert answered.status_code == 200 and answered.headers["content-type"] == "application/json;version=3"
        assert "wrapUpCode" in answered.json()["interactions"][0]
        # Each mock's control plane checks extra fields against its own spec.
        body = {"type": "Phone", "queueName": "Sales"}
        start = f"/__admin/accounts/{ACCOUNT}/agents/agent-idle/interactions"
        assert client.post(drafted.url + start, json=body).status_code == 201
        refused = client.post(plain.url + start, json=body)
        assert refused.status_code == 400 and "queueName" in refused.json()["message"]
        # And each serves its own document's views.
        assert client.get(drafted.url + "/v0/openapi.v3.json").status_code == 200
        assert client.get(plain.url + "/v0/openapi.v3.json").status_code == 404
    assert plain.app.served.versions == {1, 2} and drafted.app.served.versions == {1, 2, 3}


def test_fixtures_are_checked_against_the_served_spec(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text(
        "tokens: [{token: t, account: k}]\n"
        "accounts: [{key: k, agents: [{id: x, interactions: [{guid: 015b212c-1487-46ba-bbb7-d78d6b1412a5,"
        " type: Phone, queueName: Sales, channels: [{channelGuid: 6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c,"
        " start: '2017-03-30T22:40:15Z', end: null}]}]}]}]\n"
    )
    draft = write_spec(tmp_path / "draft.yaml", add_optional_queue_name)
    served = create_app(Settings(spec=draft, fixtures=fixtures, port=0))
    assert served.backend.held().agent("k", "x") is not None
    with pytest.raises(FixtureError, match="queueName"):
        create_app(Settings(fixtures=fixtures, port=0))
