"""JUnit XML, the one writer: `contracts check`, `contracts proxy`, `contracts selftest` and
`contracts diff` each say what their test cases are; this module writes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from contracts.failures import ERROR, FAILED, INCONCLUSIVE, NOT_EXERCISED

if TYPE_CHECKING:
    from contracts.runner import RuleResult


@dataclass(frozen=True)
class JUnitCase:
    classname: str
    name: str
    seconds: float | None = None
    outcome: str = "passed"
    """passed, failure, error or skipped."""
    message: str | None = None
    type: str | None = None
    text: str | None = None
    """The failure's or error's details; for a passed case, what it printed (system-out)."""


def junit_xml(suite: str, cases: Sequence[JUnitCase]) -> str:
    element = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(sum(c.outcome == "failure" for c in cases)),
        errors=str(sum(c.outcome == "error" for c in cases)),
        skipped=str(sum(c.outcome == "skipped" for c in cases)),
        time=f"{sum(c.seconds or 0.0 for c in cases):.3f}",
    )
    for c in cases:
        case = ET.SubElement(element, "testcase", classname=c.classname, name=c.name)
        if c.seconds is not None:
            case.set("time", f"{c.seconds:.3f}")
        if c.outcome == "passed":
            if c.text is not None:
                ET.SubElement(case, "system-out").text = c.text
            continue
        child = ET.SubElement(case, c.outcome)
        if c.message is not None:
            child.set("message", c.message)
        if c.type is not None:
            child.set("type", c.type)
        if c.text is not None:
            child.text = c.text
    return ET.tostring(element, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(suite: str, cases: Sequence[JUnitCase], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(suite, cases), encoding="utf-8")


def rule_cases(results: Sequence[RuleResult]) -> list[JUnitCase]:
    """`contracts check`: one case per rule (failed, skipped when not exercised or inconclusive, error)."""
    return [_rule_case(r) for r in results]


def _rule_case(r: RuleResult) -> JUnitCase:
    classname, name, seconds = f"contracts.{r.rule.section}", r.rule.id, r.seconds
    if r.outcome == FAILED and r.violation is not None:
        lines = [r.rule.title, f"expected: {r.violation.expected}", f"received: {r.violation.received}"]
        if r.violation.exchange is not None:
            lines.append(f"reproduce: {r.violation.exchange.curl()}")
        message = f"expected {r.violation.expected}"
        return JUnitCase(classname, name, seconds, "failure", message, "ContractViolation", "\n".join(lines))
    if r.outcome == ERROR:
        return JUnitCase(classname, name, seconds, "error", r.reason or "error", None, r.reason)
    if r.outcome == NOT_EXERCISED:
        return JUnitCase(classname, name, seconds, "skipped", r.reason or "not exercised")
    if r.outcome == INCONCLUSIVE:
        return JUnitCase(classname, name, seconds, "skipped", f"inconclusive: {r.reason}", "inconclusive")
    return JUnitCase(classname, name, seconds)
