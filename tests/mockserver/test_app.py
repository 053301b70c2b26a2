"""Only the canonical path is served; other methods are 405 with Allow; nothing answers 5xx."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SPEC, V1, auth


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_other_methods_are_405_with_allow(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions", headers=auth())
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.headers["content-type"] == "application/json"
    assert method in response.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/v0/a1b2c3d4e5/agents/recentinteraction",  # the page's curl examples: not served
        "/v0/a1b2c3d4e5/agents/agent-7/latestinteractions",
        "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions/",
        "/v1/a1b2c3d4e5/agents/agent-7/latestInteractions",
        "/a1b2c3d4e5/agents/agent-7/latestInteractions",
        "/v0/a1b2c3d4e5/agents//latestInteractions",
        "/v0/a1b2c3d4e5/agents/agent%2F7/latestInteractions",
        "/",
    ],
)
def test_other_paths_are_404_json(client: httpx.Client, url: str) -> None:
    response = client.get(url, headers={**auth(), "Accept": V1})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["message"]


def test_ids_may_be_any_opaque_segment(client: httpx.Client) -> None:
    response = client.get(
        "/v0/a1b2c3d4e5/agents/0f8e7d6c-5b4a-4392-8180-7f6e5d4c3b2a/latestInteractions",
        headers={**auth(), "Accept": V1},
    )
    assert response.status_code == 200
    spaced = client.get("/v0/a1b2c3d4e5/agents/agent%207/latestInteractions", headers={**auth(), "Accept": V1})
    assert spaced.status_code == 404


def test_docs_are_served(client: httpx.Client) -> None:
    assert client.get("/v0/ui/").status_code == 200
    spec = client.get("/v0/openapi.json").json()
    assert "/{accountKey}/agents/{agentId}/latestInteractions" in spec["paths"]


header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
segments = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/?#%"), min_size=1, max_size=20
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    authorization=st.one_of(st.none(), header_text, st.sampled_from(["Bearer valid-token", "Bearer expired-token"])),
    accept=st.one_of(
        st.none(), header_text, st.sampled_from(["application/json;version=1", "application/json;version=2"])
    ),
    agent=st.one_of(segments, st.sampled_from(["agent-7", "1234", "agent-idle"])),
    query=st.lists(st.tuples(st.sampled_from(["size", "type", "activeLiveFirst", "x"]), header_text), max_size=4),
)
def test_no_request_shape_gets_a_5xx_or_breaks_the_spec(
    client: httpx.Client, authorization: str | None, accept: str | None, agent: str, query: list[tuple[str, str]]
) -> None:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.strip()
    if accept is not None:
        headers["Accept"] = accept.strip()
    # the client's response hook checks every answer against the spec and for 5xx
    response = client.get(f"/v0/a1b2c3d4e5/agents/{agent}/latestInteractions", headers=headers, params=query)
    assert response.status_code in {200, 400, 401, 403, 404, 406}
    assert not SPEC.problems(response.status_code, dict(response.headers), response.content)
