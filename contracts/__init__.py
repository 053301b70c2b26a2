"""Conformance judge of the Latest Interactions API: one rule per clause of CONTRACT.md."""

from contracts.failures import CannotJudge, Exchange, NotExercised, Violation
from contracts.registry import RULES, Rule, rule
from contracts.runner import RuleResult, run
from contracts.target import Target

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
