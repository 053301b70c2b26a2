"""Run the rules against a target and yield one result per rule; rendering is the report's job."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx
from hypothesis.errors import FlakyFailure

import contracts.checks  # noqa: F401  (registers the rules)
from contracts.context import Context
from contracts.failures import (
    ERROR,
    FAILED,
    INCONCLUSIVE,
    NOT_EXERCISED,
    PASSED,
    CannotJudge,
    Inconclusive,
    NotExercised,
    Violation,
    redact,
)
from contracts.registry import RULES, Rule
from contracts.target import V1, Target


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    outcome: str
    requests: int
    seconds: float
    violation: Violation | None = None
    reason: str | None = None
    judged: int | None = None
    """For a rule of one exchange: how many exchanges of the run it judged (it sends none itself)."""


def preflight(target: Target, client: httpx.Client) -> None:
    """Can this target be judged at all (reachable, the token opens the account)? Raises CannotJudge."""
    not_found = 0
    for agent in target.agents:
        url = target.url(agent)
        try:
            response = client.get(url, headers={"Authorization": f"Bearer {target.token}", "Accept": V1})
        except httpx.HTTPError as error:
            raise CannotJudge(f"cannot reach {url}: {error}") from None
        if response.status_code in (401, 403):
            raise CannotJudge(
                f"the server refused --token for account {target.account!r} ({response.status_code} {response.text[:200]})"
            )
        not_found += response.status_code == 404
    # One agent answered 404 is judged (valid_token_is_accepted reports it: an agent without
    # interactions answered 404 is a real bug); all of them is most likely a wrong address.
    if not_found == len(target.agents):
        raise CannotJudge(
            f"every agent answered 404 at {target.url(target.agents[0])}: does --base-url end in the path version "
            f"(e.g. http://127.0.0.1:8080/v0), and are the agents in account {target.account!r}?"
        )


def run(
    target: Target,
    *,
    max_examples: int = 25,
    seed: int = 0,
    rules: Iterable[Rule] | None = None,
    client: httpx.Client | None = None,
) -> Iterator[RuleResult]:
    owned = client is None
    session = client or httpx.Client(timeout=10, follow_redirects=False)
    try:
        preflight(target, session)
        context = Context(target, session, max_examples=max_examples, seed=seed)
        for rule in rules if rules is not None else RULES.in_order():
            yield run_rule(rule, context)
    finally:
        if owned:
            session.close()


def run_rule(rule: Rule, context: Context) -> RuleResult:
    before, started = context.requests, time.perf_counter()

    def result(outcome: str, **details: object) -> RuleResult:
        return RuleResult(
            rule,
            outcome,
            context.requests - before,
            time.perf_counter() - started,
            judged=context.judged,
            **details,  # type: ignore[arg-type]
        )

    def reported(violation: Violation) -> Violation:
        if violation.exchange is not None:
            context.reported.add(id(violation.exchange))
        return violation.redacted(context.target.secrets)

    context.doubts, context.judged = [], None
    try:
        rule(context)
        context.settle()
    except Violation as violation:
        return result(FAILED, violation=reported(violation))
    except FlakyFailure as flaky:
        # The server broke the rule once and not when asked again: still a violation, but say so,
        # since on a live deployment the data may have changed in between.
        first = next((e for e in flaky.exceptions if isinstance(e, Violation)), None)
        if first is None:
            return result(ERROR, reason=f"{type(flaky).__name__}: {flaky}")
        reported(first)
        unstable = Violation(first.expected, f"{first.received} (not reproduced when retried)", first.exchange)
        return result(FAILED, violation=reported(unstable))
    except NotExercised as skipped:
        return result(NOT_EXERCISED, reason=redact(skipped.reason, context.target.secrets))
    except Inconclusive as unsettled:
        return result(INCONCLUSIVE, reason=redact(unsettled.reason, context.target.secrets))
    except Exception as error:  # noqa: BLE001 - a judge bug or an unexpected answer must not hide other rules
        return result(ERROR, reason=redact(f"{type(error).__name__}: {error}", context.target.secrets))
    return result(PASSED)
