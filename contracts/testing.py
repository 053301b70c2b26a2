"""Run the judge inside a pytest suite: one test per rule, against your own server.

    # test_contract.py
    import pytest
    from contracts import RULES, Target
    from contracts.testing import assert_rule_holds, judge_once

    TARGET = Target(base_url="http://127.0.0.1:8080/v0", token="valid-token", account="a1b2c3d4e5",
                    agents=("agent-7", "1234"), foreign_token="other-account-token")

    @pytest.fixture(scope="session")
    def verdicts():
        return judge_once(TARGET)

    @pytest.mark.parametrize("rule_id", RULES)
    def test_contract(verdicts, rule_id):
        assert_rule_holds(verdicts[rule_id])

A violated rule fails with what was expected, what came back and a curl; a rule that could not be
exercised is skipped with the reason; a target that cannot be judged fails the session fixture.
"""

from __future__ import annotations

import pytest

from contracts.failures import ERROR, FAILED, INCONCLUSIVE, NOT_EXERCISED, CannotJudge
from contracts.runner import RuleResult, run
from contracts.target import Target


def judge_once(target: Target, *, max_examples: int = 25, seed: int = 0) -> dict[str, RuleResult]:
    """Every rule's result, by rule id (the rules that judge all answers need the whole run)."""
    try:
        return {result.rule.id: result for result in run(target, max_examples=max_examples, seed=seed)}
    except CannotJudge as error:
        pytest.fail(f"cannot judge {target.base_url}: {error}", pytrace=False)


def assert_rule_holds(result: RuleResult) -> None:
    if result.outcome == NOT_EXERCISED:
        pytest.skip(f"{result.rule.id} not exercised: {result.reason}")
    if result.outcome == INCONCLUSIVE:
        pytest.skip(f"{result.rule.id} inconclusive from outside: {result.reason}")
    if result.outcome == ERROR:
        pytest.fail(f"{result.rule.id}: could not judge: {result.reason}", pytrace=False)
    if result.outcome == FAILED and result.violation is not None:
        lines = [
            f"{result.rule.id}: {result.rule.title}",
            f"  contract: {result.rule.section}",
            f"  expected: {result.violation.expected}",
            f"  received: {result.violation.received}",
        ]
        if result.violation.exchange is not None:
            lines.append(f"  reproduce: {result.violation.exchange.curl()}")
        raise AssertionError("\n".join(lines))
