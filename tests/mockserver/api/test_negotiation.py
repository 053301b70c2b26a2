"""The Accept header decides the representation; 406 when nothing served is acceptable."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.api.negotiation import choose_version
from mockserver.errors import NotAcceptable
from tests.conftest import V1, V2, get

BOTH = frozenset({1, 2})
ONLY_V1 = frozenset({1})

CHOSEN = [
    # the two supported media types
    ("application/json;version=1", 1),
    ("application/json;version=2", 2),
    # case-insensitive type and parameter names
    ("APPLICATION/JSON;VERSION=2", 2),
    ("Application/Json;Version=1", 1),
    # spaces around ; and ,
    ("application/json ; version=2", 2),
    ("application/json;   version=1", 1),
    ("text/html , application/json ;version=2", 2),
    # quoted version values
    ('application/json;version="2"', 2),
    ('application/json; version="1"', 1),
    # other parameters are allowed
    ("application/json;charset=utf-8;version=2", 2),
    # several ranges: highest q wins
    ("application/json;version=1;q=0.5, application/json;version=2;q=0.9", 2),
    ("application/json;version=1;q=0.9, application/json;version=2;q=0.5", 1),
    ("application/json;version=2;q=0.001, application/json;version=1;q=0.002", 1),
    # a tie goes to the higher version
    ("application/json;version=1, application/json;version=2", 2),
    ("application/json;version=2;q=0.5, application/json;version=1;q=0.5", 2),
    ("application/json;version=1;q=1.0, application/json;version=2;q=1", 2),
    # q=0 means not acceptable
    ("application/json;version=2;q=0, application/json;version=1;q=0.1", 1),
    ("application/json;version=1;q=0, application/json;version=2", 2),
    # a version named twice takes its highest q
    ("application/json;version=2;q=0.1, application/json;version=1;q=0.5, application/json;version=2;q=0.9", 2),
    # unversioned and wildcard ranges do not count, but do not spoil the others
    ("*/*, application/json;version=1", 1),
    ("application/json, application/json;version=2;q=0.1", 2),
    # a malformed range is skipped
    ("application/json;version=2;q=abc, application/json;version=1;q=0.1", 1),
    ("garbage, application/json;version=1", 1),
    # quoted commas do not split ranges
    ('application/json;foo="a,b";version=2', 2),
]

REFUSED = [
    "",
    "*/*",
    "application/*",
    "application/json",
    "application/json;version=3",
    "application/json;version=0",
    "application/json;version=1.0",
    "application/json;version=",
    "application/json;version",
    "text/html",
    "text/json;version=1",
    "application/xml;version=1",
    "application/json;version=1;q=0",
    "application/json;version=1;q=0.000, application/json;version=2;q=0",
    "application/json;version=1;q=2",
    "application/json;version=1;q=-1",
    "application/json;version=1;q=0.0001",
    "application/json;version=1;version=2",
    ",,,",
    ";;;",
    'application/json;version="1',
]


@pytest.mark.parametrize(("accept", "version"), CHOSEN)
def test_chooses(accept: str, version: int) -> None:
    assert choose_version([accept], BOTH) == version


@pytest.mark.parametrize("accept", REFUSED)
def test_refuses(accept: str) -> None:
    with pytest.raises(NotAcceptable):
        choose_version([accept], BOTH)


def test_no_accept_header_is_refused() -> None:
    with pytest.raises(NotAcceptable):
        choose_version([], BOTH)


def test_several_accept_headers_read_as_one_list() -> None:
    assert choose_version(["application/json;version=1;q=0.2", "application/json;version=2;q=0.3"], BOTH) == 2


@pytest.mark.parametrize(
    ("accept", "version"),
    [
        ("application/json;version=1", 1),
        ("application/json;version=2, application/json;version=1;q=0.1", 1),
        ("application/json;version=1;q=0.1, application/json;version=2", 1),
    ],
)
def test_version_1_only_server_never_chooses_2(accept: str, version: int) -> None:
    assert choose_version([accept], ONLY_V1) == version


def test_version_1_only_server_refuses_version_2_alone() -> None:
    with pytest.raises(NotAcceptable) as refused:
        choose_version(["application/json;version=2"], ONLY_V1)
    assert "application/json;version=1" in refused.value.message
    assert "version=2" not in refused.value.message


def test_a_remembered_decision_is_the_same_decision() -> None:
    """The decision is remembered per header value and versions served: a refusal stays a refusal,
    and what one server set decided does not leak into another's."""
    for _ in range(2):
        with pytest.raises(NotAcceptable):
            choose_version(["application/json;version=2"], ONLY_V1)
        assert choose_version(["application/json;version=2, application/json;version=1;q=0.5"], {1, 2}) == 2
        assert choose_version(["application/json;version=2, application/json;version=1;q=0.5"], ONLY_V1) == 1


ranges = st.sampled_from(
    ["application/json;version=1", "application/json;version=2", "*/*", "application/json", "text/html"]
)
qualities = st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=1", ";q=0.999"])


@given(st.lists(st.tuples(ranges, qualities), min_size=1, max_size=5), st.randoms())
def test_order_of_ranges_never_matters(items: list[tuple[str, str]], random: object) -> None:
    header = ", ".join(r + q for r, q in items)
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    other = ", ".join(r + q for r, q in shuffled)

    def outcome(value: str) -> int | None:
        try:
            return choose_version([value], BOTH)
        except NotAcceptable:
            return None

    assert outcome(header) == outcome(other)


@given(st.lists(st.tuples(ranges, qualities), min_size=1, max_size=5))
def test_chosen_version_has_the_highest_quality(items: list[tuple[str, str]]) -> None:
    def quality(q: str) -> float:
        return float(q.removeprefix(";q=")) if q else 1.0

    best = {1: 0.0, 2: 0.0}
    for media_range, q in items:
        if media_range.endswith("version=1"):
            best[1] = max(best[1], quality(q))
        if media_range.endswith("version=2"):
            best[2] = max(best[2], quality(q))
    header = ", ".join(r + q for r, q in items)
    if max(best.values()) == 0:
        with pytest.raises(NotAcceptable):
            choose_version([header], BOTH)
    else:
        assert choose_version([header], BOTH) == (2 if best[2] >= best[1] else 1)


# -- over HTTP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "version"), CHOSEN)
def test_served_representation_matches_negotiation(client: httpx.Client, accept: str, version: int) -> None:
    response = get(client, "agent-7", accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"application/json;version={version}"
    assert response.headers["vary"] == "Accept"
    item = response.json()["interactions"][0]
    assert ("hasEnded" in item) == (version == 1)


@pytest.mark.parametrize("accept", [*REFUSED, None])
def test_unacceptable_is_406_naming_the_supported_media_types(client: httpx.Client, accept: str | None) -> None:
    response = get(client, "agent-7", accept=accept)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json"
    message = response.json()["message"]
    assert V1 in message and V2 in message


def test_version_1_only_mode_serves_v1(client_v1_only: httpx.Client) -> None:
    response = get(client_v1_only, "agent-7", accept="application/json;version=2;q=1, application/json;version=1;q=0.5")
    assert response.status_code == 200
    assert response.headers["content-type"] == V1


@pytest.mark.parametrize("accept", [V2, 'application/json;version="2"', "APPLICATION/JSON;VERSION=2"])
def test_version_1_only_mode_refuses_v2(client_v1_only: httpx.Client, accept: str) -> None:
    response = get(client_v1_only, "agent-7", accept=accept)
    assert response.status_code == 406
    assert V1 in response.json()["message"]
    assert V2 not in response.json()["message"]


def test_version_1_only_mode_ignores_v2_parameters(client_v1_only: httpx.Client) -> None:
    response = get(client_v1_only, "agent-7", accept=V1, params={"size": "0", "type": ""})
    assert response.status_code == 200
