"""The judge's power: every deliberately faulty server is caught by a rule it breaks, and no correct
server, however it decides the contract's open points, draws a false alarm."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from contracts.cli import main
from contracts.failures import FAILED
from contracts.registry import RULES
from contracts.selftest.cli import judge_correct, judge_fault, judge_variant, rules_for
from contracts.selftest.planted_bugs import PLANTED_BUGS
from contracts.selftest.variants import VARIANTS

# The bugs found in independently written servers, each its own fault.
REPORTED_BUGS = {
    "bare_token_accepted",
    "not_found_before_bad_parameter",
    "no_accept_served_v1",
    "duration_in_milliseconds",
    "duration_rounded",
}


def test_at_least_60_single_condition_faults_across_every_area() -> None:
    assert len(PLANTED_BUGS) >= 60
    assert REPORTED_BUGS <= set(PLANTED_BUGS)
    categories = {fault.category for fault in PLANTED_BUGS.values()}
    assert {
        "auth",
        "check order",
        "negotiation",
        "v1 choice",
        "v2 order",
        "v2 filter and size",
        "v2 parameters",
        "durations",
        "error bodies",
        "headers",
    } <= categories


def test_every_fault_names_registered_rules_and_runs_only_them() -> None:
    for fault in PLANTED_BUGS.values():
        assert set(fault.caught_by) <= set(RULES), fault.name
        assert {r.id for r in rules_for(fault)} >= set(fault.caught_by)
        assert len(rules_for(fault)) < len(RULES) / 2, f"{fault.name} runs most of the judge"


def test_at_least_12_correct_variants() -> None:
    assert len(VARIANTS) >= 12


@pytest.mark.parametrize("versions", [frozenset({1, 2}), frozenset({1})], ids=["v1+v2", "v1-only"])
@pytest.mark.parametrize("known_data", [False, True], ids=["plain", "known-data"])
def test_no_false_alarm_on_the_mock_with_rich_data(versions: frozenset[int], known_data: bool) -> None:
    results = judge_correct(versions, max_examples=25, seed=0, known_data=known_data)
    assert [(r.rule.id, str(r.violation)) for r in results if r.outcome == FAILED] == []


@pytest.mark.parametrize("seed", [1, 2])
def test_no_false_alarm_under_other_seeds(seed: int) -> None:
    results = judge_correct(frozenset({1, 2}), max_examples=25, seed=seed)
    assert [(r.rule.id, str(r.violation)) for r in results if r.outcome == FAILED] == []


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_no_false_alarm_on_a_correct_variant(name: str) -> None:
    verdict = judge_variant(VARIANTS[name], max_examples=25, seed=0)
    assert verdict.alarms == ()


def test_tie_breaks_by_fractions_of_seconds_are_inconclusive_in_plain_mode_not_failed() -> None:
    verdict = judge_variant(VARIANTS["sub_second_times"], max_examples=10, seed=0)
    assert verdict.alarms == ()
    assert set(verdict.inconclusive) == {
        "v1_item_is_first_in_contract_order",
        "v2_order_is_start_descending_then_channel_guid",
    }


@pytest.mark.parametrize("name", sorted(PLANTED_BUGS))
def test_each_fault_is_caught_by_a_rule_it_breaks(name: str) -> None:
    verdict = judge_fault(PLANTED_BUGS[name], max_examples=25, seed=0)
    assert verdict.caught, f"{name} was caught only by {verdict.violated or 'no rule'}, expected {verdict.expected}"


def test_selftest_command_reports_the_kill_rate_and_false_alarm_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "selftest.xml"
    chosen = ["--fault", "no_vary", "--fault", "v2_oldest_first", "--fault", "no_direction"]
    code = main(["selftest", *chosen, "--junit-xml", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    assert "kill rate: 2/2 faults caught (100%); false-alarm rate: 0/1 correct servers (0%)" in out
    assert "no_direction" in out and "no false alarm" in out
    suite = ET.parse(report).getroot()
    assert {c.get("name") for c in suite.iter("testcase")} == {"no_vary", "v2_oldest_first", "no_direction"}
    assert suite.get("failures") == "0"


def test_selftest_lists_faults_and_variants_and_refuses_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in [*PLANTED_BUGS, *VARIANTS])
    assert main(["selftest", "--fault", "no-such-fault"]) == 2
    assert "unknown fault" in capsys.readouterr().err
