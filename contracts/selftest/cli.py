"""`contracts selftest`: the judge against the correct mock (no false alarm) and every fault (caught?)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from contracts.failures import FAILED, INCONCLUSIVE
from contracts.oracle import KnownData
from contracts.registry import EXCHANGE, RULES, Rule
from contracts.report.junit import JUnitCase, write_junit
from contracts.runner import RuleResult, run
from contracts.selftest import rich_state
from contracts.selftest.planted_bugs import PLANTED_BUGS, PlantedBug
from contracts.selftest.variants import VARIANTS, Variant
from contracts.target import Target
from mockserver.api.operation import LatestInteractions
from mockserver.app import create_app
from mockserver.fixtures.check import build_state
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
        """Caught by one of the rules the fault breaks (a side effect elsewhere does not count)."""
        return bool(set(self.violated) & set(self.expected))

    @property
    def named(self) -> bool:
        return self.caught


@dataclass(frozen=True)
class CorrectVerdict:
    name: str
    description: str
    alarms: tuple[str, ...]
    """Each rule that failed on this correct server, with its violation: a false alarm."""
    inconclusive: tuple[str, ...]
    seconds: float


# A fault is judged by the rules it breaks alone (plus, for the rules that judge every answer
# seen, a few rules that make traffic), so the selftest stays fast as faults are added.
TRAFFIC = (
    "missing_credentials_are_401",
    "unacceptable_is_406_naming_media_types",
    "valid_token_is_accepted",
    "v2_invalid_parameters_are_400_naming_them",
    "other_methods_are_405_with_allow",
)
OBSERVED = tuple(rule.id for rule in RULES.of(EXCHANGE))


def rules_for(fault: PlantedBug) -> list[Rule]:
    wanted = set(fault.caught_by)
    if wanted <= set(OBSERVED):
        wanted |= set(TRAFFIC)
    return [rule for rule in RULES.in_order() if rule.id in wanted]


@contextmanager
def serving(
    endpoint_class: type[LatestInteractions] = LatestInteractions,
    versions: frozenset[int] = frozenset({1, 2}),
    *,
    document: dict[str, Any] | None = None,
    wrap: Callable[[Any], Any] | None = None,
    known_data: bool = False,
) -> Iterator[Target]:
    document = document if document is not None else rich_state.build()
    app = create_app(Settings(port=0, versions=versions), state=build_state(document), endpoint_class=endpoint_class)
    # The faulty servers' own tracebacks (a 500 is one of the faults) would drown the report.
    with start_in_thread(app, log_level="critical", wrapped=wrap(app) if wrap else None) as running:
        yield Target(
            base_url=running.base_url,
            token=rich_state.TOKEN,
            account=rich_state.ACCOUNT,
            agents=rich_state.AGENTS,
            foreign_token=rich_state.FOREIGN_TOKEN,
            expired_token=rich_state.EXPIRED_TOKEN,
            versions=versions,
            known_data=KnownData.from_document(document, source="the selftest's state") if known_data else None,
        )


def judge_fault(fault: PlantedBug, *, max_examples: int, seed: int) -> FaultVerdict:
    started = time.perf_counter()
    document = rich_state.build()
    if fault.document is not None:
        document = fault.document(document)
    with serving(fault.endpoint_class, document=document, wrap=fault.asgi, known_data=fault.known_data) as target:
        results = list(run(target, max_examples=max_examples, seed=seed, rules=rules_for(fault)))
    violated = tuple(r.rule.id for r in results if r.outcome == FAILED)
    return FaultVerdict(fault.name, fault.description, violated, fault.caught_by, time.perf_counter() - started)


def judge_correct(
    versions: frozenset[int], *, max_examples: int, seed: int, known_data: bool = False
) -> list[RuleResult]:
    with serving(versions=versions, known_data=known_data) as target:
        return list(run(target, max_examples=max_examples, seed=seed))


def judge_variant(variant: Variant, *, max_examples: int, seed: int) -> CorrectVerdict:
    """Both modes at once: known-data mode runs every plain rule, and the exact ones beside them."""
    started = time.perf_counter()
    document = rich_state.build()
    if variant.document is not None:
        document = variant.document(document)
    with serving(variant.endpoint_class, document=document, wrap=variant.asgi, known_data=True) as target:
        results = list(run(target, max_examples=max_examples, seed=seed))
    return CorrectVerdict(
        variant.name,
        variant.description,
        tuple(f"{r.rule.id}: {r.violation}" for r in results if r.outcome == FAILED),
        tuple(r.rule.id for r in results if r.outcome == INCONCLUSIVE),
        time.perf_counter() - started,
    )


def run_selftest(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.list:
        for fault in PLANTED_BUGS.values():
            print(f"{fault.name:<40} [{fault.category}] {fault.description}", file=out)
        for listed in VARIANTS.values():
            print(f"{listed.name:<40} [correct] {listed.description}", file=out)
        return 0
    unknown = sorted(set(args.faults or ()) - set(PLANTED_BUGS) - set(VARIANTS))
    if unknown:
        print(f"contracts selftest: unknown fault(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    chosen = args.faults or [*VARIANTS, *PLANTED_BUGS]
    faults = [PLANTED_BUGS[name] for name in chosen if name in PLANTED_BUGS]
    variants = [VARIANTS[name] for name in chosen if name in VARIANTS]

    corrects: list[CorrectVerdict] = []
    if not args.faults:
        for versions, known in ((frozenset({1, 2}), False), (frozenset({1, 2}), True), (frozenset({1}), True)):
            started = time.perf_counter()
            results = judge_correct(versions, max_examples=args.max_examples, seed=args.seed, known_data=known)
            label = f"mock (versions {','.join(map(str, sorted(versions)))}{', known data' if known else ''})"
            corrects.append(
                CorrectVerdict(
                    label,
                    "the mock itself",
                    tuple(f"{r.rule.id}: {r.violation}" for r in results if r.outcome == FAILED),
                    tuple(r.rule.id for r in results if r.outcome == INCONCLUSIVE),
                    time.perf_counter() - started,
                )
            )
            _print_correct(corrects[-1], out)
    for chosen_variant in variants:
        corrects.append(judge_variant(chosen_variant, max_examples=args.max_examples, seed=args.seed))
        _print_correct(corrects[-1], out)

    verdicts: list[FaultVerdict] = []
    for fault in faults:
        verdict = judge_fault(fault, max_examples=args.max_examples, seed=args.seed)
        verdicts.append(verdict)
        mark = "caught " if verdict.caught else "MISSED "
        rules = ", ".join(verdict.violated) if verdict.violated else "no rule failed"
        print(f"{mark} {fault.name:<40} {rules}", file=out, flush=True)

    caught = sum(v.caught for v in verdicts)
    alarmed = [c for c in corrects if c.alarms]
    print("", file=out)
    for correct in alarmed:
        for alarm in correct.alarms:
            print(f"FALSE ALARM on {correct.name}: {alarm}", file=out)
    rate = caught / len(verdicts) if verdicts else 1.0
    alarm_rate = len(alarmed) / len(corrects) if corrects else 0.0
    print(
        f"kill rate: {caught}/{len(verdicts)} faults caught ({rate:.0%}); "
        f"false-alarm rate: {len(alarmed)}/{len(corrects)} correct servers ({alarm_rate:.0%})",
        file=out,
    )
    if args.junit_xml:
        write_junit("contracts-selftest", _junit_cases(verdicts, corrects), args.junit_xml)
    return 0 if rate >= args.min_kill_rate and not alarmed else 1


def _print_correct(verdict: CorrectVerdict, out: TextIO) -> None:
    if verdict.alarms:
        mark = f"{len(verdict.alarms)} FALSE ALARMS"
    else:
        mark = "no false alarm" + (
            f" (inconclusive: {', '.join(verdict.inconclusive)})" if verdict.inconclusive else ""
        )
    print(f"correct {verdict.name:<40} {mark}", file=out, flush=True)


def _junit_cases(verdicts: Sequence[FaultVerdict], corrects: Sequence[CorrectVerdict]) -> list[JUnitCase]:
    cases = [
        JUnitCase("selftest.correct", c.name, c.seconds, "failure", "false alarms", None, "\n".join(c.alarms))
        if c.alarms
        else JUnitCase("selftest.correct", c.name, c.seconds)
        for c in corrects
    ]
    cases += [
        JUnitCase("selftest.faults", v.name, v.seconds)
        if v.caught
        else JUnitCase(
            "selftest.faults", v.name, v.seconds, "failure", f"not caught by {', '.join(v.expected)}: {v.description}"
        )
        for v in verdicts
    ]
    return cases
