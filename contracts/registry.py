"""The judge's registries: one small generic `Registry` (rules, rules of one exchange, the selftest's
faults and correct variants), and the rules of CONTRACT.md, each a small function registered by
decorator, with stacked preconditions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from contracts.failures import NotExercised

if TYPE_CHECKING:
    from contracts.context import Context

CheckFunction = Callable[["Context"], None]
T = TypeVar("T")


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

    def __call__(self, context: Context) -> None:
        self.function(context)


RULES: Registry[Rule] = Registry("rule")


def rule(id: str, title: str, section: str) -> Callable[[CheckFunction], CheckFunction]:
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
