"""The judge's one registry of rules, with their three moments, and the small generic `Registry` (the
selftest's planted bugs and correct variants use it too).

A rule is judged at one of three moments, each registered by its own decorator:

- `@rule`, a probing rule: it sends the requests it needs (`contracts/checks/`);
- `@exchange_rule`, a rule of one exchange: any request and its answer (`contracts/exchange_rules.py`);
- `@pair_rule`, a rule over a pair of exchanges: two answers about one agent (`contracts/pair_rules.py`).

`contracts check` runs them all, in the order of MOMENTS (the rules of one exchange and of pairs over
every exchange the probing rules made); `contracts proxy` runs the last two over live traffic. Every
rule is named in one place, whatever the command judging it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from contracts.failures import NotExercised

if TYPE_CHECKING:
    from contracts.context import Context

CheckFunction = Callable[["Context"], None]
T = TypeVar("T")
PROBE, EXCHANGE, PAIR = "probe", "exchange", "pair"
MOMENTS = (PROBE, EXCHANGE, PAIR)
"""In the order `contracts check` runs and reports them: the rules of exchanges judge what the probes saw."""


class Registry(dict[str, T]):
    """Named items in registration order; a name registered twice is refused when it is registered."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def add(self, name: str, item: T) -> T:
        if name in self:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self[name] = item
        return item


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    section: str
    """The CONTRACT.md section the rule comes from."""
    function: CheckFunction
    """How `contracts check` judges it (for the rules of exchanges: over every exchange of the run)."""
    moment: str = PROBE
    check: Any = None
    """A rule of exchanges' own check, as the proxy calls it: `(exchange, served) -> exercised` for one
    exchange, `(earlier, later) -> verdict` for a pair."""
    versions: tuple[int, int] | None = None
    """A pair rule's versions of the two answers it compares, in its arguments' order."""

    def __call__(self, context: Context) -> None:
        self.function(context)


class Rules(Registry[Rule]):
    def of(self, moment: str) -> list[Rule]:
        return [rule for rule in self.values() if rule.moment == moment]

    def in_order(self) -> list[Rule]:
        """Every rule, in the order `contracts check` runs them (MOMENTS, then registration)."""
        return [rule for moment in MOMENTS for rule in self.of(moment)]


RULES = Rules("rule")


def rule(id: str, title: str, section: str) -> Callable[[CheckFunction], CheckFunction]:
    """A probing rule: it sends the requests it needs through the Context."""

    def register(function: CheckFunction) -> CheckFunction:
        RULES.add(id, Rule(id, title, section, function))
        return function

    return register


def precondition(test: Callable[[Context], str | None]) -> Callable[[CheckFunction], CheckFunction]:
    """A decorator that skips the rule (not exercised) when `test` returns a reason."""

    def decorate(function: CheckFunction) -> CheckFunction:
        def guarded(context: Context) -> None:
            reason = test(context)
            if reason:
                raise NotExercised(reason)
            function(context)

        guarded.__name__ = function.__name__
        guarded.__doc__ = function.__doc__
        return guarded

    return decorate


requires_v1 = precondition(
    lambda c: None if c.target.serves_v1 else "version 1 is not served (judged as a version-2-only service)"
)
requires_v2 = precondition(lambda c: None if c.target.serves_v2 else "the server is judged in version-1-only mode")
requires_v1_only = precondition(
    lambda c: None if not c.target.serves_v2 else "the server is judged as serving version 2"
)
requires_foreign_token = precondition(lambda c: None if c.target.foreign_token else "no --foreign-token given")
requires_expired_token = precondition(lambda c: None if c.target.expired_token else "no --expired-token given")
requires_known_data = precondition(
    lambda c: None if c.target.known_data is not None else "no --expect-state given (known-data mode)"
)
