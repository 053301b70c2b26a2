"""Version-2 query parameters: bounds, enums, defaults, 400 naming the parameter; ignored by v1."""

from __future__ import annotations

import httpx
import pytest

from mockserver.api.query import TYPE_REQUIRED, V2Query
from mockserver.api.served import ServedApi
from mockserver.errors import InvalidParameter
from tests.conftest import V1, V2, get

RULES = ServedApi.load().rules

VALID = [
    ({}, V2Query(1, "All", False)),
    ({"size": ["1"]}, V2Query(1, "All", False)),
    ({"size": ["100"]}, V2Query(100, "All", False)),
    ({"size": ["007"]}, V2Query(7, "All", False)),
    ({"type": ["Phone"]}, V2Query(1, "Phone", False)),
    ({"type": ["Chat"], "size": ["5"]}, V2Query(5, "Chat", False)),
    ({"type": ["Email"]}, V2Query(1, "Email", False)),
    ({"type": ["All"]}, V2Query(1, "All", False)),
    ({"activeLiveFirst": ["true"]}, V2Query(1, "All", True)),
    ({"activeLiveFirst": ["false"]}, V2Query(1, "All", False)),
    ({"unknown": ["x"], "sizes": ["0"]}, V2Query(1, "All", False)),
]

INVALID = [
    ({"size": ["0"]}, "size"),
    ({"size": ["101"]}, "size"),
    ({"size": ["-1"]}, "size"),
    ({"size": ["abc"]}, "size"),
    ({"size": [""]}, "size"),
    ({"size": ["1.5"]}, "size"),
    ({"size": ["1e2"]}, "size"),
    ({"size": [" 5"]}, "size"),
    ({"size": ["+5"]}, "size"),
    ({"size": ["99999999999999999999999"]}, "size"),
    ({"size": ["1", "2"]}, "size"),
    ({"type": ["Fax"]}, "type"),
    ({"type": ["phone"]}, "type"),
    ({"type": ["PHONE"]}, "type"),
    ({"type": ["all"]}, "type"),
    ({"type": [" Phone"]}, "type"),
    ({"type": ["Phone", "Chat"]}, "type"),
    ({"activeLiveFirst": ["yes"]}, "activeLiveFirst"),
    ({"activeLiveFirst": ["True"]}, "activeLiveFirst"),
    ({"activeLiveFirst": ["1"]}, "activeLiveFirst"),
    ({"activeLiveFirst": [""]}, "activeLiveFirst"),
]


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_valid_queries(query: dict[str, list[str]], expected: V2Query) -> None:
    assert RULES.parse(query) == expected


@pytest.mark.parametrize(("query", "parameter"), INVALID)
def test_invalid_queries_name_the_parameter(query: dict[str, list[str]], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        RULES.parse(query)
    assert parameter in refused.value.message


def test_empty_type_has_the_pages_message() -> None:
    with pytest.raises(InvalidParameter) as refused:
        RULES.parse({"type": [""]})
    assert refused.value.message == TYPE_REQUIRED == "The InteractionType field is required."


def test_several_bad_parameters_are_all_named() -> None:
    with pytest.raises(InvalidParameter) as refused:
        RULES.parse({"size": ["0"], "activeLiveFirst": ["yes"]})
    assert "size" in refused.value.message and "activeLiveFirst" in refused.value.message


def test_rules_come_from_the_spec() -> None:
    assert (RULES.size_minimum, RULES.size_maximum, RULES.size_default) == (1, 100, 1)
    assert RULES.types == ("All", "Phone", "Chat", "Email")


# -- over HTTP ------------------------------------------------------------------------------------


def _query_string(query: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in query.items() for value in values]


@pytest.mark.parametrize(("query", "parameter"), INVALID)
def test_invalid_v2_parameter_is_400(client: httpx.Client, query: dict[str, list[str]], parameter: str) -> None:
    response = get(client, "1234", accept=V2, params=_query_string(query))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert parameter in response.json()["message"]


def test_empty_type_is_400_with_the_pages_message(client: httpx.Client) -> None:
    response = client.get(
        "/v0/a1b2c3d4e5/agents/1234/latestInteractions?type=",
        headers={"Authorization": "Bearer valid-token", "Accept": V2},
    )
    assert response.status_code == 400
    assert response.json() == {"message": "The InteractionType field is required."}


@pytest.mark.parametrize(("query", "parameter"), INVALID + [({"type": [""]}, "type")])
def test_v1_ignores_v2_parameters_whatever_their_value(
    client: httpx.Client, query: dict[str, list[str]], parameter: str
) -> None:
    plain = get(client, "1234", accept=V1)
    response = get(client, "1234", accept=V1, params=_query_string(query))
    assert response.status_code == 200
    assert response.json() == plain.json()


def test_unknown_parameters_are_ignored(client: httpx.Client) -> None:
    plain = get(client, "1234", accept=V2)
    response = get(client, "1234", accept=V2, params={"page": "2", "Size": "0", "TYPE": "Fax"})
    assert response.status_code == 200
    assert response.json() == plain.json()


def test_percent_encoded_values_are_decoded(client: httpx.Client) -> None:
    response = client.get(
        "/v0/a1b2c3d4e5/agents/1234/latestInteractions?type=%50hone&size=%31%30",
        headers={"Authorization": "Bearer valid-token", "Accept": V2},
    )
    assert response.status_code == 200
    assert [i["type"] for i in response.json()["interactions"]] == ["Phone"]
