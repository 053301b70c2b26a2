"""One offline HTML report for `contracts check --html`, `contracts proxy --html` and `contracts diff
--format html`: a single self-contained file (styles inline, no script, no asset from any host) with
the verdict first, then the warnings that could make a pass meaningless, then a drill-down by
contract section and rule (expected, received, the reproducing curl with `$TOKEN`), then coverage.

One renderer (`render`), fed by three adapters from the typed results the console and JUnit use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from contracts.failures import ERROR, FAILED, INCONCLUSIVE, NOT_EXERCISED, PASSED

if TYPE_CHECKING:
    from contracts.diff import DiffReport
    from contracts.runner import RuleResult


@dataclass(frozen=True)
class Row:
    name: str
    title: str
    outcome: str
    """passed, failed, not exercised, inconclusive, error (a diff's: error, warning, info)."""
    expected: str | None = None
    received: str | None = None
    curl: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Report:
    title: str
    passed: bool
    verdict: str
    warnings: list[str] = field(default_factory=list)
    sections: dict[str, list[Row]] = field(default_factory=dict)
    coverage: list[tuple[str, str]] = field(default_factory=list)


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}.verdict{font-size:1.3rem;padding:.8rem 1rem;border-radius:6px}
.pass{background:#e3f4e6;border:1px solid #2e7d32}.fail{background:#fdecea;border:1px solid #c62828}
.warnings{background:#fff8e1;border:1px solid #f9a825;padding:.5rem 1rem;border-radius:6px}
details{border:1px solid #ddd;border-radius:6px;margin:.3rem 0;padding:.3rem .7rem}
summary{cursor:pointer}.outcome{font-weight:600;display:inline-block;min-width:8.5rem}
.failed,.error{color:#c62828}.passed,.info{color:#2e7d32}.warning,.inconclusive,.not-exercised{color:#8d6e00}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.5rem;border-radius:4px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .6rem;text-align:left}
"""


def render(report: Report) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="verdict {"pass" if report.passed else "fail"}" id="verdict">{escape(report.verdict)}</p>',
    ]
    if report.warnings:
        parts.append('<section class="warnings" id="warnings"><h2>Warnings</h2><ul>')
        parts += [f"<li>{escape(warning)}</li>" for warning in report.warnings]
        parts.append("</ul></section>")
    for section, rows in report.sections.items():
        parts.append(f"<section><h2>{escape(section)}</h2>")
        for row in rows:
            css = row.outcome.replace(" ", "-")
            opened = " open" if row.outcome in (FAILED, ERROR, "error") else ""
            parts.append(
                f'<details id="{escape(row.name)}"{opened}><summary><span class="outcome {css}">'
                f"{escape(row.outcome)}</span> <code>{escape(row.name)}</code> {escape(row.title)}</summary>"
            )
            for label, value in (
                ("expected", row.expected),
                ("received", row.received),
                ("reproduce", row.curl),
                ("why", row.detail),
            ):
                if value:
                    parts.append(f'<p>{label}:</p><pre class="{label}">{escape(value)}</pre>')
            parts.append("</details>")
        parts.append("</section>")
    if report.coverage:
        parts.append('<section id="coverage"><h2>Coverage</h2><table>')
        parts += [f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in report.coverage]
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- the three adapters ---------------------------------------------------------------------------------


def from_check(results: Sequence[RuleResult], target: str) -> Report:
    counts = {
        outcome: sum(r.outcome == outcome for r in results)
        for outcome in (PASSED, FAILED, NOT_EXERCISED, INCONCLUSIVE, ERROR)
    }
    passed = not counts[FAILED] and not counts[ERROR]
    verdict = (
        f"{'PASSED' if passed else 'FAILED'}: {counts[PASSED]} passed, {counts[FAILED]} failed, "
        f"{counts[NOT_EXERCISED]} not exercised, {counts[INCONCLUSIVE]} inconclusive, {counts[ERROR]} errors "
        f"({len(results)} rules, {target})"
    )
    warnings = [f"{r.rule.id} was not exercised: {r.reason}" for r in results if r.outcome == NOT_EXERCISED]
    if results and all(r.outcome != PASSED for r in results):
        warnings.insert(0, "No rule passed: the server may have refused every request (a wrong token or base URL?).")
    sections: dict[str, list[Row]] = {}
    for r in results:
        violation = r.violation
        sections.setdefault(r.rule.section, []).append(
            Row(
                r.rule.id,
                r.rule.title,
                r.outcome,
                violation.expected if violation else None,
                violation.received if violation else None,
                violation.exchange.curl() if violation and violation.exchange else None,
                r.reason,
            )
        )
    coverage = [
        ("requests sent", str(sum(r.requests for r in results))),
        ("rules exercised", f"{len(results) - counts[NOT_EXERCISED]} of {len(results)}"),
    ]
    return Report("contracts check", passed, verdict, warnings, sections, coverage)


def from_proxy(report: dict[str, Any]) -> Report:
    rules = report["coverage"]["rules"]
    violated = [rule for rule, seen in rules.items() if seen["violations"]]
    passed = not violated
    verdict = (
        f"{'PASSED' if passed else 'FAILED'}: {len(violated)} rule(s) violated over {report['exchanges']} exchanges "
        f"judged ({report['upstream_errors']} without an upstream answer)"
    )
    warnings = [f"{rule} was not exercised by the traffic" for rule in report["coverage"]["not_exercised"]]
    representations = report["coverage"]["representations"]
    if not any("version=2" in str(r) for r in representations):
        warnings.insert(0, "No version-2 answer was seen: the rules of version 2 judged nothing.")
    if report["exchanges"] and set(map(str, report["coverage"]["statuses"])) <= {"401", "403", "406"}:
        warnings.insert(0, "Every request was refused: the rules of an answer judged nothing.")
    first = {v["rule"]: v for v in reversed(report["violations"])}
    rows = []
    for rule, seen in rules.items():
        found = first.get(rule)
        outcome = FAILED if seen["violations"] else PASSED if seen["exercised"] else NOT_EXERCISED
        rows.append(
            Row(
                rule,
                seen["title"],
                outcome,
                found["expected"] if found else None,
                found["received"] if found else None,
                found["curl"] if found else None,
                f"exercised by {seen['exercised']} exchange(s), {seen['violations']} violation(s)",
            )
        )
    coverage = [
        (name, ", ".join(f"{k}: {v}" for k, v in sorted(report["coverage"][name].items())) or "none")
        for name in ("statuses", "representations", "parameters")
    ]
    return Report("contracts proxy", passed, verdict, warnings, {"Rules": rows}, coverage)


def from_diff(report: DiffReport, *, fail_on: str = "error") -> Report:
    failing = report.at_or_above(fail_on)
    passed = not failing
    levels = {level: sum(c.level == level for c in report.changes) for level in ("error", "warning", "info")}
    verdict = (
        f"{'PASSED' if passed else 'FAILED'}: {len(report.changes)} change(s): {levels['error']} error(s), "
        f"{levels['warning']} warning(s), {levels['info']} info (failing at {fail_on})"
    )
    sections: dict[str, list[Row]] = {}
    for change in report.changes:
        clients = ", ".join(change.media_types) or "every client"
        sections.setdefault(f"Changes ({clients})", []).append(
            Row(change.id, change.message, change.level, change.old, change.new, None, None)
        )
    moved = [r for r in report.resolution if r.old != r.new]
    coverage = [(r.accept or "(no Accept)", f"{r.old or '406'} -> {r.new or '406'}") for r in moved]
    return Report("contracts diff", passed, verdict, [], sections, coverage)
