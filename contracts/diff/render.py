"""The diff's outputs: text, json, markdown (a pull-request comment), junit and github annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from contracts.diff import DiffReport
from contracts.diff.changes import LEVELS, Change
from contracts.report.junit import JUnitCase, junit_xml

FORMATS = ("text", "json", "markdown", "junit", "github")


def render(report: DiffReport, format: str, *, accept_table: bool = False) -> str:
    """`accept_table`: the text output lists every Accept value's resolution even when none changed."""
    if format == "text":
        return _text(report, accept_table=accept_table)
    renderers: dict[str, Callable[[DiffReport], str]] = {
        "json": _json,
        "markdown": _markdown,
        "junit": _junit,
        "github": _github,
    }
    return renderers[format](report)


def _clients(change: Change) -> str:
    return ", ".join(change.media_types) if change.media_types else "every client"


def _counts(report: DiffReport) -> str:
    counts = {level: sum(c.level == level for c in report.changes) for level in LEVELS}
    return ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items())


def _text(report: DiffReport, *, accept_table: bool) -> str:
    if not report.changes:
        lines = ["No changes."]
    else:
        lines = [f"{len(report.changes)} changes: {_counts(report)}", ""]
        for change in report.changes:
            lines.append(f"{change.level.upper():<7} {change.id}  [{_clients(change)}]")
            lines.append(f"        {change.message}")
            lines.append(f"        old: {change.old or '-'}")
            lines.append(f"        new: {change.new or '-'}")
    changed = [r for r in report.resolution if r.old != r.new]
    if report.resolution and (changed or accept_table):
        lines += ["", "Accept resolution (old -> new; ! marks a change):"]
        width = max(len(r.accept or "(no Accept)") for r in report.resolution)
        for r in report.resolution:
            mark = "  " if r.old == r.new else "! "
            lines.append(f"{mark}{r.accept or '(no Accept)':<{width}}  {r.old or '406'} -> {r.new or '406'}")
    elif report.resolution:
        lines += ["", "Every Accept value resolves as before (--accept-table lists them)."]
    return "\n".join(lines) + "\n"


def _json(report: DiffReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def _markdown(report: DiffReport) -> str:
    icons = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}
    lines = ["### API changes", ""]
    if not report.changes:
        lines.append("No changes.")
    else:
        lines += [f"{_counts(report)}", "", "| level | change | clients | what |", "|---|---|---|---|"]
        for c in report.changes:
            message = c.message.replace("|", "\\|")
            lines.append(f"| {icons[c.level]} {c.level} | `{c.id}` | {_clients(c)} | {message} |")
    changed = [r for r in report.resolution if r.old != r.new]
    if changed:
        lines += ["", "#### Accept resolution that changed", "", "| Accept | before | after |", "|---|---|---|"]
        for r in changed:
            lines.append(f"| `{r.accept or '(none)'}` | {r.old or '406'} | {r.new or '406'} |")
    return "\n".join(lines) + "\n"


def _junit(report: DiffReport) -> str:
    return junit_xml(
        "contracts-diff",
        [
            JUnitCase(
                f"diff.{c.level}",
                f"{c.id} {c.new or c.old}",
                None,
                "failure",
                c.message,
                c.id,
                f"clients: {_clients(c)}\nold: {c.old}\nnew: {c.new}",
            )
            if c.level == "error"
            else JUnitCase(f"diff.{c.level}", f"{c.id} {c.new or c.old}", text=f"{c.level}: {c.message}")
            for c in report.changes
        ],
    )


def _github(report: DiffReport) -> str:
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for c in report.changes:
        message = f"{c.message} [{_clients(c)}]".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(f"::{commands[c.level]} title={c.id}::{message}")
    return "\n".join(lines) + ("\n" if lines else "")
