"""Conformance judge of the Latest Interactions API: one rule per clause of CONTRACT.md.

The public surface is imported on first use, so `contracts diff` and `contracts --help` load no
HTTP client, Hypothesis or Schemathesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.failures import CannotJudge, Exchange, NotExercised, Violation
    from contracts.registry import RULES, Rule, rule
    from contracts.runner import RuleResult, run
    from contracts.target import Target

_HOMES = {
    "CannotJudge": "contracts.failures",
    "Exchange": "contracts.failures",
    "NotExercised": "contracts.failures",
    "RULES": "contracts.runner",
    "Rule": "contracts.registry",
    "RuleResult": "contracts.runner",
    "Target": "contracts.target",
    "Violation": "contracts.failures",
    "rule": "contracts.registry",
    "run": "contracts.runner",
}

__all__ = [
    "CannotJudge",
    "Exchange",
    "NotExercised",
    "RULES",
    "Rule",
    "RuleResult",
    "Target",
    "Violation",
    "rule",
    "run",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contracts' has no attribute {name!r}")
    # RULES is read from the runner, which registers every rule on import.
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
