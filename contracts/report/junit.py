"""JUnit XML: one test case per rule (failed, skipped when not exercised or inconclusive, error)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from contracts.runner import ERROR, FAILED, INCONCLUSIVE, NOT_EXERCISED, RuleResult


def write_junit(results: Sequence[RuleResult], path: Path, *, suite: str = "latest-interactions-contract") -> None:
    element = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(sum(r.outcome == FAILED for r in results)),
        errors=str(sum(r.outcome == ERROR for r in results)),
        skipped=str(sum(r.outcome in (NOT_EXERCISED, INCONCLUSIVE) for r in results)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for r in results:
        case = ET.SubElement(
            element, "testcase", classname=f"contracts.{r.rule.section}", name=r.rule.id, time=f"{r.seconds:.3f}"
        )
        if r.outcome == FAILED and r.violation is not None:
            failure = ET.SubElement(
                case, "failure", message=f"expected {r.violation.expected}", type="ContractViolation"
            )
            lines = [r.rule.title, f"expected: {r.violation.expected}", f"received: {r.violation.received}"]
            if r.violation.exchange is not None:
                lines.append(f"reproduce: {r.violation.exchange.curl()}")
            failure.text = "\n".join(lines)
        elif r.outcome == ERROR:
            ET.SubElement(case, "error", message=r.reason or "error").text = r.reason
        elif r.outcome == NOT_EXERCISED:
            ET.SubElement(case, "skipped", message=r.reason or "not exercised")
        elif r.outcome == INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {r.reason}", type="inconclusive")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(element).write(path, encoding="utf-8", xml_declaration=True)
