"""The rules over a pair of exchanges (contracts/pair_rules.py), as tables of (earlier, later, verdict),
and the one registry they share with the other moments (contracts/registry.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import contracts.checks  # noqa: F401  (registers every rule)
from contracts.failures import Exchange, Violation
from contracts.pair_rules import Seen, run_key
from contracts.registry import EXCHANGE, MOMENTS, PAIR, RULES

URL = "http://h/v0/a/agents/x/latestInteractions"


def _exchange(version: int, items: list[dict[str, Any]], **query: str) -> Exchange:
    return Exchange(
        "GET",
        URL,
        tuple(query.items()),
        (("Authorization", "Bearer t"), ("Accept", f"application/json;version={version}")),
        200,
        {"content-type": f"application/json;version={version}"},
        json.dumps({"interactions": items}).encode(),
    )


def _seen(version: int, items: list[dict[str, Any]], **query: str) -> Seen:
    return Seen.of(_exchange(version, items, **query), version, items, query)


def v2(channel: str, type_: str = "Phone", ended: bool = True, guid: str = "g") -> dict[str, Any]:
    return {
        "type": type_,
        "start": "2026-01-01T00:00:00Z",
        "guid": guid,
        "channelGuid": channel,
        "duration": 5 if ended else None,
    }


def v1(guid: str = "g", ended: bool = True) -> dict[str, Any]:
    return {"start": "2026-01-01T00:00:00Z", "guid": guid, "hasEnded": ended}


A, B, C = v2("a"), v2("b", "Chat"), v2("c")

CASES = [
    # size=k is a prefix of size=n
    ("window_v2_size_cuts_a_prefix", _seen(2, [A], size="1"), _seen(2, [A, B], size="2"), None),
    ("window_v2_size_cuts_a_prefix", _seen(2, [B], size="1"), _seen(2, [A, B], size="2"), Violation),
    ("window_v2_size_cuts_a_prefix", _seen(2, [A], size="1", type="Phone"), _seen(2, [B, A], size="2"), "n/a"),
    # type=T is the T items of type=All
    (
        "window_v2_type_is_a_filter_of_all",
        _seen(2, [A, B, C], size="10"),
        _seen(2, [A, C], size="10", type="Phone"),
        None,
    ),
    (
        "window_v2_type_is_a_filter_of_all",
        _seen(2, [A, B, C], size="10"),
        _seen(2, [C], size="10", type="Phone"),
        Violation,
    ),
    ("window_v2_type_is_a_filter_of_all", _seen(2, [A, B], size="10"), _seen(2, [A], size="10", type="All"), "n/a"),
    # v1's item is in a complete v2 list, active as there
    ("window_v1_agrees_with_v2", _seen(1, [v1()]), _seen(2, [v2("a")], size="10"), None),
    ("window_v1_agrees_with_v2", _seen(1, [v1(ended=False)]), _seen(2, [v2("a")], size="10"), Violation),
    ("window_v1_agrees_with_v2", _seen(1, []), _seen(2, [v2("a")], size="10"), Violation),
    ("window_v1_agrees_with_v2", _seen(1, [v1()]), _seen(2, [v2("a")], size="1"), "n/a"),  # v2 cut: not complete
]


@pytest.mark.parametrize(("rule_id", "earlier", "later", "verdict"), CASES)
def test_pair_rules(rule_id: str, earlier: Seen, later: Seen, verdict: object) -> None:
    got = RULES[rule_id].check(earlier, later)
    if verdict is None:
        assert got is None
    elif verdict is Violation:
        assert isinstance(got, Violation)
    else:
        assert got is not None and not isinstance(got, Violation)  # the pair does not bear on it


def test_one_registry_holds_every_moment_in_a_declared_order() -> None:
    ordered = RULES.in_order()
    moments = [rule.moment for rule in ordered]
    assert set(moments) == set(MOMENTS)
    assert moments == sorted(moments, key=MOMENTS.index)
    assert {rule.id for rule in RULES.of(PAIR)} == {c[0] for c in CASES}
    assert all(rule.check is not None for rule in RULES.of(EXCHANGE) + RULES.of(PAIR))


def test_in_check_a_pair_shares_credentials_account_and_agent() -> None:
    assert run_key(_exchange(1, [])) == ("Bearer t", "a", "x")
    other = Exchange("GET", "http://h/v0/other", (), (), 404)
    assert run_key(other) is None
