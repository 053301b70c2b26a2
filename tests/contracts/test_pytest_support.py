"""The documented way to run the judge from a QA team's own pytest suite."""

from __future__ import annotations

import pytest

from contracts import RULES, Target
from contracts.failures import FAILED, NOT_EXERCISED
from contracts.runner import RuleResult
from contracts.testing import assert_rule_holds, judge_once
from mockserver.running import RunningMock


def test_every_rule_holds_on_the_mock_through_the_helpers(mock: RunningMock) -> None:
    target = Target(
        mock.base_url,
        "valid-token",
        "a1b2c3d4e5",
        ("agent-7", "1234", "agent-ended"),
        foreign_token="other-account-token",
    )
    verdicts = judge_once(target, max_examples=10)
    assert set(verdicts) == set(RULES)
    for result in verdicts.values():
        if result.outcome == NOT_EXERCISED:
            with pytest.raises(pytest.skip.Exception):
                assert_rule_holds(result)
        else:
            assert_rule_holds(result)


def test_a_violation_fails_with_expected_received_and_curl(mock_v1_only: RunningMock) -> None:
    target = Target(mock_v1_only.base_url, "valid-token", "a1b2c3d4e5", ("agent-7",))
    result: RuleResult = judge_once(target, max_examples=5)["version_2_is_served"]
    assert result.outcome == FAILED
    with pytest.raises(AssertionError) as failed:
        assert_rule_holds(result)
    message = str(failed.value)
    assert "expected: status 200" in message and "reproduce: curl" in message
