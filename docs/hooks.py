"""mkdocs hooks: pages generated from the code at build time, so they cannot drift from it.

`<!-- generated: cli -->` becomes the help of every command, from the argument parsers;
`<!-- generated: rules -->` becomes the judge's rules, from the registry.
"""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stdout
from typing import Any


def _help(parser: argparse.ArgumentParser) -> str:
    with redirect_stdout(io.StringIO()) as out:
        parser.print_help()
    return out.getvalue()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    import os

    from contracts.cli import build_parser as contracts_parser
    from mockserver.cli import build_parser as mockserver_parser

    # argparse wraps its help to the terminal's width; the page is read at 100 columns.
    os.environ["COLUMNS"] = "100"
    sections = []
    for top in (mockserver_parser(), contracts_parser()):
        for name, parser in _subcommands(top).items():
            sections.append(f"## `{top.prog} {name}`\n\n```text\n{_help(parser)}```\n")
    return "\n".join(sections)


def rules_reference() -> str:
    import contracts.checks  # noqa: F401  (registers the rules)
    from contracts.registry import EXCHANGE, PAIR, RULES

    lines = [
        f"{len(RULES)} rules, in the order `contracts check` reports them. A rule marked *one exchange* is judged",
        "on every exchange `contracts check` made, and by `contracts proxy` on every exchange it relays; one",
        "marked *a pair* on every two answers about one agent (in `check`, a pair that disagrees is a",
        "violation in known-data mode and inconclusive otherwise: the data may have moved in between).",
    ]
    section = None
    for rule in RULES.in_order():
        if rule.section != section:
            section = rule.section
            lines += ["", f"## {section}", "", "| rule | what it holds the server to |", "|---|---|"]
        scope = {EXCHANGE: " *(one exchange)*", PAIR: " *(a pair)*"}.get(rule.moment, "")
        lines.append(f"| `{rule.id}` | {rule.title}{scope} |")
    return "\n".join(lines) + "\n"


GENERATED = {"cli": cli_reference, "rules": rules_reference}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    for name, make in GENERATED.items():
        marker = f"<!-- generated: {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
