"""CONTRACT.md, 'Checks happen in this order': 401, 403, 406, 400 (v2 only), 404; the first failing answers."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from contracts import expect
from contracts.context import Context
from contracts.failures import NotExercised, Violation
from contracts.registry import rule
from contracts.target import V1, V2

SECTION = "Checks happen in this order"


@dataclass(frozen=True)
class Attempt:
    credential: str  # missing | unknown | expired | foreign | valid
    accept: str  # v1 | v2 | unacceptable
    bad_parameter: bool
    known_agent: bool

    def __str__(self) -> str:
        token = {"missing": "no token", "valid": "a valid token"}.get(self.credential, f"an {self.credential} token")
        token = "a token of another account" if self.credential == "foreign" else token
        accept = {"v1": "Accept version 1", "v2": "Accept version 2", "unacceptable": "an unacceptable Accept"}
        parameter = ", an invalid v2 parameter" if self.bad_parameter else ""
        agent = "a known agent" if self.known_agent else "an unknown agent"
        return f"{token}, {accept[self.accept]}{parameter}, {agent}"

    def expected_status(self, versions: frozenset[int]) -> int:
        if self.credential in ("missing", "unknown", "expired"):
            return 401
        if self.credential == "foreign":
            return 403
        if self.accept == "unacceptable" or {"v1": 1, "v2": 2}[self.accept] not in versions:
            return 406
        if self.accept == "v2" and self.bad_parameter:
            return 400
        return 200 if self.known_agent else 404


def _attempts(context: Context) -> st.SearchStrategy[Attempt]:
    credentials = ["missing", "unknown", "valid", "valid"]
    if context.target.expired_token:
        credentials.append("expired")
    if context.target.foreign_token:
        credentials.append("foreign")
    return st.builds(
        Attempt,
        credential=st.sampled_from(credentials),
        accept=st.sampled_from(["v1", "v2", "unacceptable"]),
        bad_parameter=st.booleans(),
        known_agent=st.booleans(),
    )


@rule("checks_run_in_contract_order", "401, then 403, then 406, then 400 (v2 only), then 404", SECTION)
def checks_run_in_contract_order(context: Context) -> None:
    target = context.target
    tokens = {
        "unknown": "zz-unknown-token",
        "valid": target.token,
        "expired": target.expired_token,
        "foreign": target.foreign_token,
    }
    accepts = {"v1": V1, "v2": V2, "unacceptable": "text/html"}

    def check(attempt: Attempt) -> None:
        answer = context.request(
            target.agents[0] if attempt.known_agent else "no-such-agent-zz",
            token=None if attempt.credential == "missing" else tokens[attempt.credential],
            accept=accepts[attempt.accept],
            params=[("size", "0"), ("type", "Fax")] if attempt.bad_parameter else [],
        )
        expected = attempt.expected_status(target.versions)
        if answer.status != expected:
            raise Violation(f"status {expected} for {attempt}", answer.summary(), answer)

    context.explore(_attempts(context), check)


@rule(
    "bad_token_hides_agent_existence",
    "A bad token answers the same for a known and an unknown agent or account",
    SECTION,
)
def bad_token_hides_agent_existence(context: Context) -> None:
    known = context.v1(context.target.agents[0], token="zz-unknown-token")
    expect.status(known, 401)
    for agent, account in (("no-such-agent-zz", None), (context.target.agents[0], "no-such-account-zz")):
        other = context.v1(agent, token="zz-unknown-token", account=account)
        if (other.status, other.json()) != (known.status, known.json()):
            raise Violation(f"the same answer as for a known agent ({known.summary()})", other.summary(), other)


CHECKS = (401, 403, 406, 400, 404)


@rule(
    "each_pair_of_failing_checks_answers_the_earlier",
    "A request failing exactly two of the checks (each of the ten pairs) answers the earlier one",
    SECTION,
)
def each_pair_of_failing_checks_answers_the_earlier(context: Context) -> None:
    target = context.target
    skipped = []
    for index, first in enumerate(CHECKS):
        for second in CHECKS[index + 1 :]:
            pair = {first, second}
            if 400 in pair and not target.serves_v2:
                skipped.append(f"{first}+{second}")  # a version-1-only server has no 400
                continue
            if 403 in pair and not target.foreign_token and 401 not in pair:
                skipped.append(f"{first}+{second}")
                continue
            token: str | None = target.token
            account = None
            if pair == {401, 403}:
                # Fails both: a token that is not valid, used on an account it was not issued for.
                token, account = target.expired_token or "zz-unknown-token", "zz-other-account"
            elif 401 in pair:
                token = "zz-unknown-token"
            elif 403 in pair:
                token = target.foreign_token
            answer = context.request(
                "no-such-agent-zz" if 404 in pair else target.agents[0],
                account=account,
                token=token,
                accept="text/html" if 406 in pair else (V2 if target.serves_v2 else V1),
                params=[("size", "0")] if 400 in pair else [],
            )
            if answer.status != first:
                raise Violation(
                    f"{first}: the request fails checks {first} and {second}, {first} comes first",
                    answer.summary(),
                    answer,
                )
    if len(skipped) == 10:
        raise NotExercised("no pair can be sent")
