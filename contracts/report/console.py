"""The console report: progress while running, then a table, then each violation with a curl."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from contracts.failures import ERROR, FAILED, INCONCLUSIVE, NOT_EXERCISED, PASSED

if TYPE_CHECKING:
    from contracts.runner import RuleResult

MARKS = {
    PASSED: "passed",
    FAILED: "FAILED",
    NOT_EXERCISED: "not exercised",
    INCONCLUSIVE: "inconclusive",
    ERROR: "ERROR",
}


class ConsoleReport:
    def __init__(self, total: int, stream: TextIO = sys.stdout) -> None:
        self.total = total
        self.stream = stream
        self.done = 0

    def progress(self, result: RuleResult) -> None:
        self.done += 1
        width = len(str(self.total))
        line = f"[{self.done:>{width}}/{self.total}] {result.rule.id:<52} {MARKS[result.outcome]}"
        print(f"{line}  ({_work(result)}, {result.seconds:.1f}s)", file=self.stream, flush=True)

    def summary(self, results: Sequence[RuleResult]) -> None:
        out = self.stream
        print("", file=out)
        width = max(len(r.rule.id) for r in results)
        print(f"{'rule':<{width}}  {'result':<13}  {'sent':>5}  detail", file=out)
        print(f"{'-' * width}  {'-' * 13}  -----  ------", file=out)
        for r in results:
            detail = r.reason or (r.violation.expected if r.violation else "")
            if not detail and r.judged is not None:
                detail = f"judged on {_exchanges(r.judged)} of the run"
            detail = detail if len(detail) <= 80 else detail[:77] + "..."
            print(f"{r.rule.id:<{width}}  {MARKS[r.outcome]:<13}  {r.requests:>5}  {detail}", file=out)
        violations = [r for r in results if r.outcome in (FAILED, ERROR)]
        for r in violations:
            print(f"\n=== {r.rule.id}: {r.rule.title}", file=out)
            print(f"    contract: {r.rule.section}", file=out)
            if r.violation is not None:
                print(f"    expected: {r.violation.expected}", file=out)
                print(f"    received: {r.violation.received}", file=out)
                if r.violation.exchange is not None:
                    print(f"    reproduce: {r.violation.exchange.curl()}", file=out)
            else:
                print(f"    error in the judge or an unexpected answer: {r.reason}", file=out)
        for r in results:
            if r.outcome == INCONCLUSIVE:
                print(f"\n--- {r.rule.id}: inconclusive from outside (not a violation)\n    why: {r.reason}", file=out)
        counts = Counter(r.outcome for r in results)
        print(
            f"\n{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[NOT_EXERCISED]} not exercised"
            + (f", {counts[INCONCLUSIVE]} inconclusive" if counts[INCONCLUSIVE] else "")
            + (f", {counts[ERROR]} {'error' if counts[ERROR] == 1 else 'errors'}" if counts[ERROR] else ""),
            file=out,
        )


def _work(result: RuleResult) -> str:
    """What a rule did: the requests it sent, or for a rule of one exchange the exchanges it judged."""
    if result.judged is not None:
        return f"judged {_exchanges(result.judged)} of the run"
    return f"{result.requests} request{'' if result.requests == 1 else 's'}"


def _exchanges(count: int) -> str:
    return f"{count} exchange{'' if count == 1 else 's'}"
