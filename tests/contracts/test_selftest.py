"""The judge's power: every deliberately faulty server is caught by a rule it breaks; no false alarm."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from contracts.cli import main
from contracts.runner import FAILED
from contracts.selftest.cli import judge_correct, judge_fault
from contracts.selftest.faults import FAULTS


def test_there_are_at_least_20_faults_across_every_area() -> None:
    assert len(FAULTS) >= 20
    categories = {fault.category for fault in FAULTS.values()}
    assert {
        "auth",
        "check order",
        "negotiation",
        "v1 choice",
        "v2 order",
        "v2 filter and size",
        "durations",
        "error bodies",
        "headers",
    } <= categories


@pytest.mark.parametrize("versions", [frozenset({1, 2}), frozenset({1})], ids=["v1+v2", "v1-only"])
def test_no_false_alarm_on_a_correct_server_with_rich_data(versions: frozenset[int]) -> None:
    results = judge_correct(versions, max_examples=25, seed=0)
    assert [(r.rule.id, str(r.violation)) for r in results if r.outcome == FAILED] == []


@pytest.mark.parametrize("seed", [1, 2])
def test_no_false_alarm_under_other_seeds(seed: int) -> None:
    results = judge_correct(frozenset({1, 2}), max_examples=25, seed=seed)
    assert [(r.rule.id, str(r.violation)) for r in results if r.outcome == FAILED] == []


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_is_caught_by_a_rule_it_breaks(name: str) -> None:
    verdict = judge_fault(FAULTS[name], max_examples=25, seed=0)
    assert verdict.caught, f"{name} was not caught"
    assert verdict.named, f"{name} caught only by {verdict.violated}, expected one of {verdict.expected}"


def test_selftest_command_reports_the_kill_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "selftest.xml"
    code = main(["selftest", "--fault", "no_vary", "--fault", "v2_oldest_first", "--junit-xml", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    assert "kill rate: 2/2 faults caught (100%)" in out
    assert "no false alarm" in out
    suite = ET.parse(report).getroot()
    assert {c.get("name") for c in suite.iter("testcase")} >= {"no_vary", "v2_oldest_first"}


def test_selftest_lists_faults_and_refuses_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in FAULTS)
    assert main(["selftest", "--fault", "no-such-fault"]) == 2
    assert "unknown fault" in capsys.readouterr().err
