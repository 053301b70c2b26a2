"""Rules over a pair of exchanges: answers to the same token, account and agent within a window of
seconds must tell one story (`size` prefixes, `type` subsets, v1 against v2). A violation says that data
changing between the two requests could explain it: live traffic is not a snapshot.

Registered in the judge's one registry (`contracts/registry.py`, moment PAIR): `contracts proxy` judges
live traffic with them, and `contracts check` every pair of the exchanges its probing rules made. There,
a pair that disagrees is a violation in known-data mode (`--expect-state`: the data holds still), and
without it inconclusive, with the pair shown (the data may have moved between the two requests)."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contracts.exchange_rules import path_ids, request_header, served_version, v2_query
from contracts.failures import Exchange, NotExercised, Violation
from contracts.registry import PAIR, RULES, Rule

if TYPE_CHECKING:
    from contracts.context import Context

FULL = 100
CAVEAT = " (data changing between the two requests could explain it)"


@dataclass(frozen=True)
class Seen:
    """A 200 as the window rules compare it, read once when it enters the window (each is compared
    with up to `per_key` others, both ways)."""

    exchange: Exchange
    version: int
    items: list[dict[str, Any]]
    query: dict[str, str]
    size: int
    type: str
    live_first: str
    guids: list[str]

    @classmethod
    def of(cls, exchange: Exchange, version: int, items: list[dict[str, Any]], query: dict[str, str]) -> Seen:
        return cls(
            exchange,
            version,
            items,
            query,
            int(query.get("size", "1")),
            query.get("type", "All"),
            query.get("activeLiveFirst", "false"),
            [str(i.get("channelGuid")) for i in items],
        )


class _NotApplicable:
    """The pair does not bear on the rule (other parameters, another version)."""


_NOT_APPLICABLE = _NotApplicable()
Verdict = Violation | None | _NotApplicable


PairCheck = Callable[[Seen, Seen], Verdict]
"""(earlier, later): a Violation, or None when they agree, or _NOT_APPLICABLE when they do not bear on each other."""
SECTION = "Cross-version invariants, and version 2's cut"
RUN_WINDOW = 3600.0
"""`contracts check` compares any two exchanges of its run (the proxy's window is --window)."""


def pair_rule(rule_id: str, title: str, versions: tuple[int, int]) -> Callable[[PairCheck], PairCheck]:
    """A rule over a pair of answers; `versions`: those of the two answers it compares, in its arguments'
    order (the other pairs are not asked)."""

    def register(check: PairCheck) -> PairCheck:
        def over_every_pair(context: Context) -> None:
            _judge_pairs(RULES[rule_id], context)

        RULES.add(rule_id, Rule(rule_id, title, SECTION, over_every_pair, PAIR, check, versions))
        return check

    return register


def _judge_pairs(rule: Rule, context: Context) -> None:
    window, exercised, judged = Window(RUN_WINDOW, rules=[rule]), 0, set()
    context.judged = 0
    for exchange in context.seen:
        key = run_key(exchange)
        if key is None or id(exchange) in context.reported:
            continue
        for _, verdict in window.add(key, exchange):
            exercised += 1
            judged.add(id(exchange))
            context.judged = len(judged)  # the exchanges of the run a pair of which it compared
            if verdict is None:
                continue
            if context.target.known_data is not None:
                raise verdict
            context.doubt(f"{verdict} (the data may have moved between the two requests; --expect-state judges it)")
    if not exercised:
        raise NotExercised("no two exchanges of the run bear on it")


def run_key(exchange: Exchange) -> tuple[str, str, str] | None:
    """What a pair shares in `contracts check`: the same credentials (as sent), account and agent."""
    ids = path_ids(exchange)
    if ids is None:
        return None
    return (" ".join(request_header(exchange, "authorization")), *ids)


class Window:
    """The recent 200s per (token fingerprint, account, agent), bounded in keys and in entries."""

    def __init__(
        self, seconds: float, *, keys: int = 10_000, per_key: int = 16, rules: list[Rule] | None = None
    ) -> None:
        self.seconds = seconds
        self.keys = keys
        self.per_key = per_key
        self.rules = RULES.of(PAIR) if rules is None else rules
        """The pair rules judged (every one unless told)."""
        self._recent: OrderedDict[tuple[str, str, str], deque[Seen]] = OrderedDict()

    def add(self, key: tuple[str, str, str], exchange: Exchange) -> Iterator[tuple[str, Violation | None]]:
        """Compare the exchange with the recent ones of its key; yields (rule id, violation or None
        when the pair exercised the rule and agreed)."""
        seen = _seen(exchange)
        if seen is None:
            return
        recent = self._recent.get(key)
        if recent is None:
            recent = self._recent[key] = deque(maxlen=self.per_key)
            if len(self._recent) > self.keys:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        for index, earlier in enumerate(recent):
            if (earlier.version, earlier.query, earlier.exchange.body) == (seen.version, seen.query, exchange.body):
                # The same answer to the same question: compared already; keep the fresher one.
                del recent[index]
                recent.append(seen)
                return
        for earlier in list(recent):
            if exchange.at - earlier.exchange.at > self.seconds or not _may_bear(earlier, seen):
                continue
            for rule in self.rules:
                for first, second in ((earlier, seen), (seen, earlier)):
                    if rule.versions != (first.version, second.version):
                        continue
                    verdict = rule.check(first, second)
                    if not isinstance(verdict, _NotApplicable):
                        yield rule.id, verdict
        recent.append(seen)


def _may_bear(one: Seen, other: Seen) -> bool:
    """False for the pairs no rule compares, decided before calling every rule both ways: two v1
    answers; two v2 answers to other `activeLiveFirst` values, or to the same `type` and `size`."""
    if one.version != 2 or other.version != 2:
        return one.version != other.version
    return one.live_first == other.live_first and (one.type != other.type or one.size != other.size)


def _seen(exchange: Exchange) -> Seen | None:
    if exchange.status != 200 or exchange.method != "GET":
        return None
    version = served_version(exchange)
    query = v2_query(exchange)
    payload = exchange.json()
    items = payload.get("interactions") if isinstance(payload, dict) else None
    if version not in (1, 2) or not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    if version == 2 and not isinstance(query, dict):
        return None
    return Seen.of(exchange, version, items, query if isinstance(query, dict) else {})


def _v2(seen: Seen) -> tuple[int, str, str]:
    return seen.size, seen.type, seen.live_first


def _guids(items: list[dict[str, Any]]) -> list[str]:
    return [str(i.get("channelGuid")) for i in items]


@pair_rule(
    "window_v2_size_cuts_a_prefix",
    "Within the window, size=k is a prefix of a larger size (same type, order)",
    versions=(2, 2),
)
def size_prefix(small: Seen, large: Seen) -> Verdict:
    if small.version != 2 or large.version != 2:
        return _NOT_APPLICABLE
    (k, type_k, first_k), (n, type_n, first_n) = _v2(small), _v2(large)
    if (type_k, first_k) != (type_n, first_n) or k >= n:
        return _NOT_APPLICABLE
    expected = large.guids[:k]
    if small.guids != expected:
        return Violation(
            f"size={k}: the first {k} of size={n} ({large.exchange.full_url}): {expected}{CAVEAT}",
            str(small.guids),
            small.exchange,
        )
    return None


@pair_rule(
    "window_v2_type_is_a_filter_of_all",
    "Within the window, type=T is the T items of type=All, in order",
    versions=(2, 2),
)
def type_subset(everything: Seen, filtered: Seen) -> Verdict:
    if everything.version != 2 or filtered.version != 2:
        return _NOT_APPLICABLE
    (n, type_n, first_n), (k, type_k, first_k) = _v2(everything), _v2(filtered)
    if type_n != "All" or type_k == "All" or first_n != first_k or first_n == "true":
        return _NOT_APPLICABLE
    expected = [i for i in everything.items if i.get("type") == type_k][:k]
    complete = len(everything.items) < n  # type=All was not cut: every T item is in it
    shown = filtered.items if complete else filtered.items[: len(expected)]
    if _guids(shown) != _guids(expected):
        return Violation(
            f"type={type_k}: the {type_k} items of type=All ({everything.exchange.full_url}): {_guids(expected)}{CAVEAT}",
            str(_guids(filtered.items)),
            filtered.exchange,
        )
    return None


@pair_rule(
    "window_v1_agrees_with_v2",
    "Within the window, v1's item is in a complete v2 list, active as there",
    versions=(1, 2),
)
def v1_agrees_with_v2(v1: Seen, v2: Seen) -> Verdict:
    if v1.version != 1 or v2.version != 2:
        return _NOT_APPLICABLE
    size, type_, first = _v2(v2)
    if type_ != "All" or len(v2.items) >= size:
        return _NOT_APPLICABLE  # only a complete list of every channel can be compared
    chosen = v1.items[0] if v1.items else None
    if chosen is None:
        if v2.items:
            return Violation(f"a v1 item, since v2 shows {len(v2.items)} channels{CAVEAT}", "[]", v1.exchange)
        return None
    same = [i for i in v2.items if i.get("guid") == chosen.get("guid") and i.get("start") == chosen.get("start")]
    if not any((i.get("duration") is not None) == chosen.get("hasEnded") for i in same):
        return Violation(
            f"v1's item in v2 ({v2.exchange.full_url}) with a matching duration{CAVEAT}", str(chosen), v1.exchange
        )
    if any(i.get("duration") is None for i in v2.items) and chosen.get("hasEnded") is not False:
        return Violation(f"an active v1 item, since v2 shows an active channel{CAVEAT}", str(chosen), v1.exchange)
    return None
