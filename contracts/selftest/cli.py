"""`contracts selftest`: the judge against the correct mock (no false alarm) and every fault (caught?)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from contracts.runner import FAILED, RuleResult, run
from contracts.selftest import rich_state
from contracts.selftest.faults import FAULTS, Fault
from contracts.target import Target
from mockserver.api import LatestInteractions
from mockserver.app import create_app
from mockserver.fixtures import build_state
from mockserver.running import start_in_thread
from mockserver.settings import Settings


@dataclass(frozen=True)
class FaultVerdict:
    name: str
    description: str
    violated: tuple[str, ...]
    expected: tuple[str, ...]
    seconds: float

    @property
    def caught(self) -> bool:
        return bool(self.violated)

    @property
    def named(self) -> bool:
        """Caught by one of the rules the fault breaks, not only by a side effect."""
        return bool(set(self.violated) & set(self.expected))


@contextmanager
def serving(
    endpoint_class: type[LatestInteractions] = LatestInteractions, versions: frozenset[int] = frozenset({1, 2})
) -> Iterator[Target]:
    state = build_state(rich_state.build())
    app = create_app(Settings(port=0, versions=versions), state=state, endpoint_class=endpoint_class)
    # The faulty servers' own tracebacks (a 500 is one of the faults) would drown the report.
    with start_in_thread(app, log_level="critical") as running:
        yield Target(
            base_url=running.base_url,
            token=rich_state.TOKEN,
            account=rich_state.ACCOUNT,
            agents=rich_state.AGENTS,
            foreign_token=rich_state.FOREIGN_TOKEN,
            expired_token=rich_state.EXPIRED_TOKEN,
            versions=versions,
        )


def judge_fault(fault: Fault, *, max_examples: int, seed: int) -> FaultVerdict:
    started = time.perf_counter()
    with serving(fault.endpoint_class) as target:
        results = list(run(target, max_examples=max_examples, seed=seed))
    violated = tuple(r.rule.id for r in results if r.outcome == FAILED)
    return FaultVerdict(fault.name, fault.description, violated, fault.caught_by, time.perf_counter() - started)


def judge_correct(versions: frozenset[int], *, max_examples: int, seed: int) -> list[RuleResult]:
    with serving(versions=versions) as target:
        return list(run(target, max_examples=max_examples, seed=seed))


def run_selftest(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.list:
        for fault in FAULTS.values():
            print(f"{fault.name:<36} [{fault.category}] {fault.description}", file=out)
        return 0
    unknown = sorted(set(args.faults or ()) - set(FAULTS))
    if unknown:
        print(f"contracts selftest: unknown fault(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    faults = [FAULTS[name] for name in args.faults] if args.faults else list(FAULTS.values())

    false_alarms: list[str] = []
    for versions in (frozenset({1, 2}), frozenset({1})):
        label = ",".join(map(str, sorted(versions)))
        results = judge_correct(versions, max_examples=args.max_examples, seed=args.seed)
        failed = [r for r in results if r.outcome == FAILED]
        false_alarms += [f"versions {label}: {r.rule.id}: {r.violation}" for r in failed]
        print(
            f"correct mock (versions {label}): {'no false alarm' if not failed else f'{len(failed)} FALSE ALARMS'}",
            file=out,
            flush=True,
        )

    verdicts: list[FaultVerdict] = []
    for fault in faults:
        verdict = judge_fault(fault, max_examples=args.max_examples, seed=args.seed)
        verdicts.append(verdict)
        mark = "caught " if verdict.caught else "MISSED "
        rules = ", ".join(verdict.violated) if verdict.violated else "no rule failed"
        print(f"{mark} {fault.name:<36} {rules}", file=out, flush=True)

    caught = sum(v.caught for v in verdicts)
    rate = caught / len(verdicts) if verdicts else 1.0
    print("", file=out)
    for alarm in false_alarms:
        print(f"FALSE ALARM: {alarm}", file=out)
    print(
        f"kill rate: {caught}/{len(verdicts)} faults caught ({rate:.0%}); false alarms on the correct mock: {len(false_alarms)}",
        file=out,
    )
    print(f"{caught} passed, {len(verdicts) - caught + len(false_alarms)} failed", file=out)
    if args.junit_xml:
        _write_junit(verdicts, false_alarms, args.junit_xml)
    return 0 if rate >= args.min_kill_rate and not false_alarms else 1


def _write_junit(verdicts: Sequence[FaultVerdict], false_alarms: Sequence[str], path: Path) -> None:
    suite = ET.Element(
        "testsuite",
        name="contracts-selftest",
        tests=str(len(verdicts) + 1),
        failures=str(sum(not v.caught for v in verdicts) + bool(false_alarms)),
    )
    correct = ET.SubElement(suite, "testcase", classname="selftest", name="no_false_alarm_on_the_correct_mock")
    if false_alarms:
        ET.SubElement(correct, "failure", message="false alarms").text = "\n".join(false_alarms)
    for v in verdicts:
        case = ET.SubElement(suite, "testcase", classname="selftest.faults", name=v.name, time=f"{v.seconds:.3f}")
        if not v.caught:
            ET.SubElement(case, "failure", message=f"not caught: {v.description}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
