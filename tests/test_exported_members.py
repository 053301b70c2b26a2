"""The public surfaces are pinned: every name in __all__ exists, and the list is sorted."""

from __future__ import annotations

import pytest

import contracts
import mockserver


@pytest.mark.parametrize("module", [mockserver, contracts], ids=["mockserver", "contracts"])
def test_all_is_complete_and_sorted(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert names == sorted(names)
    for name in names:
        assert hasattr(module, name), name
