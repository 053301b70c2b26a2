"""The judge's own expectation of negotiation agrees with an independent parser (the mock's)."""

from __future__ import annotations

from hypothesis import given, settings

from contracts.strategies import CANONICAL_ACCEPTS, AcceptDraw, accept_headers
from mockserver.api.negotiation import choose_version
from mockserver.errors import NotAcceptable


def _mock_choice(header: str, served: frozenset[int]) -> int | None:
    try:
        return choose_version([header], served)
    except NotAcceptable:
        return None


@settings(max_examples=500)
@given(accept_headers)
def test_expected_version_agrees_with_the_mock(draw: AcceptDraw) -> None:
    for served in (frozenset({1, 2}), frozenset({1})):
        assert draw.expected_version(served) == _mock_choice(draw.header, served), draw.header


def test_canonical_cases() -> None:
    expected = [1, 2, 2, 2, 1, 2, 1, None, 2, 1, 2, 1, None]
    assert [d.expected_version(frozenset({1, 2})) for d in CANONICAL_ACCEPTS] == expected
