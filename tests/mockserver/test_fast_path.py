"""The fast path answers exactly as the operation routed through Connexion does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.strategies import accept_headers, any_v2_values
from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread

COMPARED_HEADERS = ("content-type", "vary", "www-authenticate", "allow", "content-length")


@pytest.fixture(scope="module")
def both() -> Iterator[tuple[RunningMock, RunningMock]]:
    with (
        start_in_thread(create_app(Settings())) as fast,
        start_in_thread(create_app(Settings(through_connexion=True))) as routed,
    ):
        yield fast, routed


def _answer(
    client: httpx.Client, method: str, url: str, headers: dict[str, str], params: list[tuple[str, str]]
) -> tuple[object, ...]:
    response = client.request(method, url, headers=headers, params=params)
    return (response.status_code, tuple(response.headers.get(h) for h in COMPARED_HEADERS), response.content)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "GET", "GET", "HEAD", "POST"]),
    agent=st.sampled_from(["agent-7", "1234", "agent-ended", "agent-idle", "nobody"]),
    account=st.sampled_from(["a1b2c3d4e5", "f6g7h8i9j0"]),
    token=st.sampled_from([None, "valid-token", "expired-token", "other-account-token", "nope"]),
    accept=st.one_of(st.none(), accept_headers.map(lambda d: d.header)),
    params=any_v2_values,
)
def test_fast_path_and_connexion_answer_the_same(
    both: tuple[RunningMock, RunningMock],
    method: str,
    agent: str,
    account: str,
    token: str | None,
    accept: str | None,
    params: list[tuple[str, str]],
) -> None:
    fast, routed = both
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if accept is not None:
        headers["Accept"] = accept.strip()
    url = f"/v0/{account}/agents/{agent}/latestInteractions"
    with httpx.Client(base_url=fast.url) as a, httpx.Client(base_url=routed.url) as b:
        assert _answer(a, method, url, headers, params) == _answer(b, method, url, headers, params)
