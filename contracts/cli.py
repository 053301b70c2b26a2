"""`contracts check ...` and `contracts selftest`: parse arguments -> Target -> runner -> reports.

Exit 0: every rule holds; 1: a rule is violated; 2: could not judge (usage, unreachable, token refused).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.diff.changes import LEVELS
from contracts.diff.render import FORMATS
from mockserver.resources import SPEC_PATH
from mockserver.settings import parse_versions

if TYPE_CHECKING:
    from contracts.oracle import KnownData
    from contracts.target import Target
    from contracts.tokens import Grant
    from mockserver.spec import SpecDocument

# Each command imports what it runs when it runs: `contracts diff` and `--help` load no HTTP client,
# Hypothesis or Schemathesis (tests/contracts/test_cli_imports.py).

EXIT_OK, EXIT_VIOLATED, EXIT_CANNOT_JUDGE = 0, 1, 2
SPEC_VARIABLE = "LATEST_INTERACTIONS_SPEC"
"""Another spec to judge by, from the environment (as `--spec`; `--spec` wins). Read here only: the
document read is carried by the run's Target (and the proxy's settings)."""


def _versions(text: str) -> frozenset[int]:
    try:
        versions = parse_versions(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--versions ")) from None
    return versions


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contracts", description="Judge an implementation of the Latest Interactions API."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="judge a server against every rule of the contract")
    check.add_argument(
        "--base-url", required=True, help="server URL ending in the path version, e.g. http://127.0.0.1:8080/v0"
    )
    check.add_argument(
        "--token", help="a valid bearer token of --account (with --expect-state: the document's, when not given)"
    )
    check.add_argument(
        "--account", help="the account key the token opens (with --expect-state: the document's first it opens)"
    )
    check.add_argument(
        "--agent",
        action="append",
        dest="agents",
        metavar="ID",
        help="an agent id of the account (repeatable; with --expect-state: the account's first ten, when not given)",
    )
    check.add_argument(
        "--foreign-token",
        help="a valid token of another account, for the 403 rule (with --expect-state: one the document holds)",
    )
    check.add_argument(
        "--expired-token",
        help="an expired token of the account, for the expiry rule (with --expect-state: one the document holds)",
    )
    fetched = check.add_argument_group(
        "tokens the judge fetches itself (OAuth 2.0 client credentials; instead of --token and --foreign-token)"
    )
    fetched.add_argument(
        "--token-url", metavar="URL", help="the token endpoint, e.g. http://127.0.0.1:8080/Auth/connect/token"
    )
    fetched.add_argument("--client-id", help="a client of --account: its token is the run's --token")
    fetched.add_argument(
        "--client-secret-env",
        metavar="VARIABLE",
        help="the variable holding its secret (default: $LATEST_INTERACTIONS_CLIENT_SECRET); never on the command line",
    )
    fetched.add_argument("--client-secret-file", type=Path, metavar="PATH", help="a file holding its secret instead")
    fetched.add_argument("--scope", help="the scope to ask for (default: none, so the client's own)")
    fetched.add_argument(
        "--foreign-client-id", help="a client of another account: its token is the run's --foreign-token"
    )
    fetched.add_argument(
        "--foreign-client-secret-env", metavar="VARIABLE", help="the variable holding that client's secret"
    )
    fetched.add_argument("--foreign-client-secret-file", type=Path, metavar="PATH", help="a file holding it instead")
    check.add_argument("--html", type=Path, metavar="PATH", help="write one offline HTML report here")
    check.add_argument(
        "--hostile",
        action="store_true",
        help="send more and larger hostile inputs (ids, headers, parameters) than the default bounded set",
    )
    check.add_argument(
        "--expect-state",
        type=Path,
        metavar="FIXTURES",
        help="known-data mode: the fixture document the server holds; answers are then compared exactly",
    )
    _common(check)

    selftest = commands.add_parser(
        "selftest", help="measure the judge: run it on the mock and on deliberately faulty servers"
    )
    selftest.add_argument("--fault", action="append", dest="faults", help="run only this fault (repeatable)")
    selftest.add_argument("--list", action="store_true", help="list the faults and exit")
    selftest.add_argument(
        "--min-kill-rate", type=float, default=1.0, help="exit 1 when fewer faults are caught (default: 1.0)"
    )
    _common(selftest, versions=False)

    differ = commands.add_parser(
        "diff", help="the changes between two specs, and which clients (representations) each breaks"
    )
    differ.add_argument("old", help="the old spec: a file, or REV:PATH read from git (main:openapi.yaml)")
    differ.add_argument("new", help="the new spec: a file, or REV:PATH")
    differ.add_argument(
        "--format",
        choices=(*FORMATS, "html"),
        default="text",
        help="output format (default: text; html: one offline page)",
    )
    differ.add_argument(
        "--fail-on",
        choices=LEVELS,
        default="error",
        help="exit 1 when a change is at or above this level (default: error)",
    )
    differ.add_argument(
        "--accept-table",
        action="store_true",
        help="text output: list every Accept value's resolution even when none changed (default: only when one did)",
    )
    differ.add_argument(
        "--today", type=_date, help="the date sunsets are compared with, YYYY-MM-DD (default: today, UTC)"
    )

    proxy = commands.add_parser(
        "proxy", help="a transparent proxy in front of a server: judges the live traffic, changes none of it"
    )
    proxy.add_argument(
        "--upstream", required=True, help="the server's URL ending in the path version, e.g. http://127.0.0.1:8080/v0"
    )
    proxy.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    proxy.add_argument("--port", type=int, default=8081, help="port to listen on (default: 8081; 0 picks one)")
    _spec_option(proxy)
    proxy.add_argument(
        "--versions",
        type=_versions,
        default=None,
        help="the versions the server serves, any the spec declares: '1,2', '1', '2', '1,2,3'... "
        "(default: all the spec declares)",
    )
    proxy.add_argument("--junit-xml", type=Path, help="at the end, one test case per rule")
    proxy.add_argument("--report", type=Path, help="at the end, the JSON report")
    proxy.add_argument("--html", type=Path, metavar="PATH", help="at the end, one offline HTML report")
    proxy.add_argument("--record", type=Path, help="at the end, what the traffic showed as a fixture document")
    proxy.add_argument(
        "--window", type=float, default=60.0, help="seconds within which answers are compared (default: 60)"
    )

    spec = commands.add_parser("spec", help="write openapi.yaml holding one version alone, for generic tools")
    spec.add_argument("--version", type=int, required=True, choices=(1, 2), help="the version to keep")
    spec.add_argument("--format", choices=("yaml", "json"), default="yaml", help="output format (default: yaml)")
    spec.add_argument("--spec", type=Path, default=SPEC_PATH, help="the source document (default: openapi.yaml)")
    return parser


def _spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="the OpenAPI document to judge by (default: the project's openapi.yaml; also $LATEST_INTERACTIONS_SPEC)",
    )


def _common(parser: argparse.ArgumentParser, *, versions: bool = True) -> None:
    """Options of both commands; with versions=False (selftest) --versions and --rule are left out."""
    if versions:
        _spec_option(parser)
        parser.add_argument(
            "--versions",
            type=_versions,
            default=None,
            help="the versions the server serves, any the spec declares: '1,2', '1' for a version-1-only "
            "server, '2' for a version-2-only one, '1,2,3'... (default: all the spec declares)",
        )
    parser.add_argument("--junit-xml", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--max-examples", type=_positive, default=25, help="examples per property rule (default: 25)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the generated inputs, to replay a run (default: 0)"
    )
    if versions:
        parser.add_argument(
            "--rule",
            action="append",
            dest="rules",
            metavar="RULE",
            help="run only this rule (repeatable; an unknown name is refused with the list of rules)",
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("check", "proxy"):
        # Read once, here: the run judges by this document and no other.
        args.spec = _judged_spec(parser, args.spec)
    return _run(parser, args)


def _judged_spec(parser: argparse.ArgumentParser, given: Path | None) -> SpecDocument:
    from mockserver.spec import SpecDocument, SpecError, api_of

    path = given or (Path(os.environ[SPEC_VARIABLE]) if os.environ.get(SPEC_VARIABLE) else SPEC_PATH)
    try:
        spec = SpecDocument.load(path)
        api_of(spec)
    except SpecError as error:
        parser.error(f"--spec {path}: {error}")
    return spec


def _judged_versions(spec: SpecDocument, given: frozenset[int] | None) -> tuple[frozenset[int], str | None]:
    """The versions to judge (given, else every version the spec declares, as the mock does) and why
    they cannot be judged, if so: the judge reads each one's schema from the spec."""
    from mockserver.spec import declared_versions

    declared = frozenset(declared_versions(spec))
    versions = given or declared or frozenset({1, 2})
    missing = sorted(versions - declared)
    if not missing:
        return versions, None
    return versions, (
        f"--versions {','.join(map(str, sorted(versions)))}: the spec declares version(s) "
        f"{', '.join(map(str, sorted(declared))) or 'none'}, not {', '.join(map(str, missing))}"
    )


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "diff":
        return run_diff(args)
    if args.command == "spec":
        return write_version_view(args)
    if args.command in ("check", "proxy"):
        args.versions, undeclared = _judged_versions(args.spec, args.versions)
        if undeclared:
            parser.error(undeclared)
    if args.command == "proxy":
        from contracts.proxy.server import ProxySettings, run_proxy

        try:
            settings = ProxySettings(
                upstream=args.upstream,
                host=args.host,
                port=args.port,
                versions=args.versions,
                junit_xml=args.junit_xml,
                report=args.report,
                html=args.html,
                record=args.record,
                window=args.window,
                spec=args.spec,
            )
        except ValueError as error:
            parser.error(str(error))
        return run_proxy(settings)
    if args.command == "selftest":
        from contracts.selftest.cli import run_selftest

        return int(run_selftest(args))
    return _check(parser, args)


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import contracts.checks  # noqa: F401  (registers the rules)
    from contracts.failures import CannotJudge
    from contracts.oracle import KnownData
    from contracts.registry import RULES
    from contracts.target import Target

    unknown = [r for r in args.rules or () if r not in RULES]
    if unknown:
        parser.error(f"unknown rule(s) {', '.join(unknown)}; the rules are: {', '.join(sorted(RULES))}")
    try:
        known = KnownData.load(args.expect_state) if args.expect_state else None
        grants = _fetched_tokens(args)
        given = _given_or_known(args, known)
        target = Target(
            base_url=args.base_url,
            token=given.token,
            account=given.account,
            agents=given.agents,
            foreign_token=given.foreign_token,
            expired_token=given.expired_token,
            versions=args.versions,
            known_data=known,
            hostile=args.hostile,
            spec=args.spec,
            token_url=args.token_url,
            grant=grants[0],
        )
    except ValueError as error:
        parser.error(str(error))
    except CannotJudge as error:
        print(f"contracts: cannot judge: {error}", file=sys.stderr)
        return EXIT_CANNOT_JUDGE
    return judge(
        target,
        max_examples=args.max_examples,
        seed=args.seed,
        junit_xml=args.junit_xml,
        rule_ids=args.rules,
        html=args.html,
    )


def _fetched_tokens(args: argparse.Namespace) -> tuple[Grant | None, Grant | None]:
    """With --client-id (and --foreign-client-id), the tokens fetched from --token-url, set as the run's
    --token (and --foreign-token); a token given as well is refused (one source each)."""
    import httpx

    from contracts.tokens import ClientCredentials, fetch_token

    wanted = [("client", args.client_id, "token"), ("foreign_client", args.foreign_client_id, "foreign_token")]
    if not any(client_id for _, client_id, _ in wanted):
        if args.token_url:
            raise ValueError("--token-url needs --client-id (and --foreign-client-id for the 403 rule)")
        return None, None
    if not args.token_url:
        raise ValueError("--client-id needs --token-url, the token endpoint to fetch its token from")
    grants: list[Grant | None] = []
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        for prefix, client_id, token_option in wanted:
            if not client_id:
                grants.append(None)
                continue
            if getattr(args, token_option):
                raise ValueError(
                    f"give --{token_option.replace('_', '-')} or --{prefix.replace('_', '-')}-id, not both"
                )
            credentials = ClientCredentials.read(
                args.token_url,
                client_id,
                secret_env=getattr(args, f"{prefix}_secret_env"),
                secret_file=getattr(args, f"{prefix}_secret_file"),
                scope=args.scope,
            )
            grant = fetch_token(credentials, client)
            setattr(args, token_option, grant.access_token)
            grants.append(grant)
    return grants[0], grants[1]


@dataclass(frozen=True)
class _Credentials:
    token: str
    account: str
    agents: tuple[str, ...]
    foreign_token: str | None
    expired_token: str | None


def _given_or_known(args: argparse.Namespace, known: KnownData | None) -> _Credentials:
    """What the command line gives; in known-data mode, what it leaves out taken from the document
    (its first account a token opens, that account's first ten agents, tokens of the right kinds)."""
    if known is None:
        missing = [
            flag
            for flag, value in (("--token", args.token), ("--account", args.account), ("--agent", args.agents))
            if not value
        ]
        if missing:
            raise ValueError(f"give {', '.join(missing)} (or --expect-state, to take them from the document)")
        return _Credentials(args.token, args.account, tuple(args.agents), args.foreign_token, args.expired_token)
    account = args.account or next((a for a in known.accounts() if known.agents_of(a) and known.valid_token(a)), None)
    if account is None:
        raise ValueError(f"{known.source} has no account with agents that one of its tokens opens: give --account")
    token = args.token or known.valid_token(account)
    if token is None:
        raise ValueError(f"{known.source} holds no valid token of account {account!r}: give --token")
    agents = tuple(args.agents or known.agents_of(account)[:10])
    if not agents:
        raise ValueError(f"{known.source} holds no agent of account {account!r}: give --agent")
    foreign = args.foreign_token or next(
        (t for t in (known.valid_token(other) for other in _other_accounts(known, account)) if t), None
    )
    return _Credentials(token, account, agents, foreign, args.expired_token or known.expired_token(account))


def _other_accounts(known: KnownData, account: str) -> list[str]:
    return [t.account for t in known.tokens if t.account != account]


def run_diff(args: argparse.Namespace) -> int:
    from contracts.diff import diff
    from contracts.diff.render import render
    from contracts.diff.sources import load_source
    from mockserver.spec import SpecError

    try:
        old, new = load_source(args.old), load_source(args.new)
    except SpecError as error:
        print(f"contracts diff: {error}", file=sys.stderr)
        return EXIT_CANNOT_JUDGE
    report = diff(old, new, today=args.today)
    if args.format == "html":
        from contracts.report import html as html_report

        sys.stdout.write(html_report.render(html_report.from_diff(report, fail_on=args.fail_on)))
    else:
        sys.stdout.write(render(report, args.format, accept_table=args.accept_table))
    return EXIT_VIOLATED if report.at_or_above(args.fail_on) else EXIT_OK


def write_version_view(args: argparse.Namespace) -> int:
    import yaml

    from mockserver.spec import SpecDocument, SpecError, version_view

    try:
        view = version_view(SpecDocument.load(args.spec), args.version)
    except SpecError as error:
        print(f"contracts spec: {error}", file=sys.stderr)
        return EXIT_CANNOT_JUDGE
    if args.format == "json":
        sys.stdout.write(json.dumps(view, indent=2) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(view, sort_keys=False, allow_unicode=True))
    return EXIT_OK


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def judge(
    target: Target,
    *,
    max_examples: int,
    seed: int,
    junit_xml: Path | None = None,
    rule_ids: Sequence[str] | None = None,
    stream: object = None,
    html: Path | None = None,
) -> int:
    from contracts.failures import ERROR, FAILED, CannotJudge
    from contracts.registry import RULES
    from contracts.report.console import ConsoleReport
    from contracts.report.junit import rule_cases, write_junit
    from contracts.runner import RuleResult, run

    rules = [RULES[r] for r in rule_ids] if rule_ids else RULES.in_order()
    report = ConsoleReport(len(rules), stream or sys.stdout)  # type: ignore[arg-type]
    print(
        f"Judging {target.base_url} (account {target.account}, agents {', '.join(target.agents)}, "
        f"versions {','.join(map(str, sorted(target.versions)))}), seed {seed}",
        file=report.stream,
    )
    results: list[RuleResult] = []
    try:
        for result in run(target, max_examples=max_examples, seed=seed, rules=rules):
            report.progress(result)
            results.append(result)
    except CannotJudge as error:
        print(f"contracts: cannot judge: {error}", file=sys.stderr)
        return EXIT_CANNOT_JUDGE
    report.summary(results)
    if junit_xml is not None:
        write_junit("latest-interactions-contract", rule_cases(results), junit_xml)
        print(f"JUnit report: {junit_xml}", file=report.stream)
    if html is not None:
        from contracts.report import html as html_report

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(html_report.render(html_report.from_check(results, target.base_url)), encoding="utf-8")
        print(f"HTML report: {html}", file=report.stream)
    if any(r.outcome == FAILED for r in results):
        return EXIT_VIOLATED
    if any(r.outcome == ERROR for r in results):
        return EXIT_CANNOT_JUDGE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
