"""mkdocs hooks: pages generated from the code at build time, so they cannot drift from it.

`<!-- generated: cli -->` becomes the help of every command, from the argument parsers;
`<!-- generated: rules -->` becomes the judge's rules, from the registry; `<!-- generated: control-plane -->`
the control plane's routes, from its served document.
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


def control_plane_reference() -> str:
    """The control plane's routes, from the document the mock serves (the one home of its routes)."""
    from mockserver.control.document import served_document

    document = served_document()

    def resolved(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def body(operation: dict[str, Any]) -> str:
        content = resolved(operation.get("requestBody", {})).get("content", {})
        if not content:
            return ""
        schema = resolved(next(iter(content.values())).get("schema", {}))
        if "oneOf" in schema and "discriminator" in schema:
            return (
                "by `" + schema["discriminator"]["propertyName"] + "`: " + ", ".join(schema["discriminator"]["mapping"])
            )
        if (
            "x-json-schema" in schema
            or schema.get("required") == ["tokens", "accounts"]
            or "events" in schema.get("properties", {})
        ):
            kinds = " or ".join(name.split("/")[1].upper() for name in content)
            return f"a document ({kinds})"
        required = set(schema.get("required", []))
        fields = [f"{name}{'' if name in required else '?'}" for name in schema.get("properties", {})]
        return "`{" + ", ".join(fields) + "}`" if fields else ""

    lines = ["| method | path | what it does | body | answers |", "|---|---|---|---|---|"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            statuses = ", ".join(sorted(operation.get("responses", {})))
            summary = operation.get("summary", "").replace("|", "\\|")
            lines.append(f"| {method.upper()} | `{path}` | {summary} | {body(operation)} | {statuses} |")
    return "\n".join(lines) + "\n"


GENERATED = {"cli": cli_reference, "rules": rules_reference, "control-plane": control_plane_reference}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    for name, make in GENERATED.items():
        marker = f"<!-- generated: {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
