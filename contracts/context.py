"""What a check works with: the target, a recording HTTP client, and a bounded Hypothesis explorer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st

from contracts.failures import Exchange, Inconclusive, Violation
from contracts.target import V1, V2, Target

T = TypeVar("T")
Observer = Callable[[Exchange], None]
_DEFAULT = object()
_FIRST_SERVED = object()
"""The Accept of the first version served (1, else 2): for the rules about something else than versions."""


class Context:
    def __init__(
        self,
        target: Target,
        client: httpx.Client,
        *,
        max_examples: int,
        seed: int,
        observers: Iterable[Observer] = (),
    ) -> None:
        self.target = target
        self.client = client
        self.max_examples = max_examples
        self.seed = seed
        self.observers = list(observers)
        self.requests = 0
        self.seen: list[Exchange] = []
        """Every exchange of the run, for the rules that judge all answers (no 5xx, spec, error bodies)."""
        self.doubts: list[str] = []
        """What the rule being run could not settle from outside; it ends inconclusive if it found no violation."""
        self.reported: set[int] = set()
        """Exchanges (by id) a rule already reported a violation on: one broken answer is one violation."""
        self.judged: int | None = None
        """How many exchanges of the run the rule being run judged, for the rules of one exchange."""

    def doubt(self, reason: str) -> None:
        if reason not in self.doubts:
            self.doubts.append(reason)

    def settle(self) -> None:
        """Called by the runner after a rule: its doubts, if any, make it inconclusive."""
        doubts, self.doubts = self.doubts, []
        if doubts:
            more = f" (and {len(doubts) - 1} more)" if len(doubts) > 1 else ""
            raise Inconclusive(doubts[0] + more)

    # -- requests -------------------------------------------------------------------------------

    def request(
        self,
        agent: str | None = None,
        *,
        account: str | None = None,
        token: Any = _DEFAULT,
        authorization: str | None = None,
        accept: str | None | object = _FIRST_SERVED,
        params: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        method: str = "GET",
        extra_headers: Iterable[tuple[str, str]] = (),
        raw_url: str | None = None,
    ) -> Exchange:
        """One request to the operation; `token=None` sends no Authorization, `authorization` sends it raw,
        `accept=None` sends no Accept at all (not the HTTP client's default `*/*`); `raw_url` is sent as
        written (path segments and query already percent-encoded, however oddly), instead of the agent's."""
        headers: list[tuple[str, str]] = []
        if authorization is not None:
            headers.append(("Authorization", authorization))
        elif token is not None:
            headers.append(("Authorization", f"Bearer {self.target.token if token is _DEFAULT else token}"))
        if accept is _FIRST_SERVED:
            accept = self.target.ok_accept
        if isinstance(accept, str):
            headers.append(("Accept", accept))
        headers.extend(extra_headers)
        pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)
        url = raw_url or self.target.url(agent if agent is not None else self.target.agents[0], account)
        recorded = pairs
        if raw_url is not None and "?" in raw_url:
            # The rules read the parameters as a server would parse them (bytes that are not UTF-8 kept apart).
            recorded = tuple(parse_qsl(raw_url.split("?", 1)[1], keep_blank_values=True, errors="surrogateescape"))
        self.requests += 1
        try:
            # httpx replaces a URL's query with `params` when given, even empty: a raw URL keeps its own.
            query = list(pairs) if pairs or raw_url is None else None
            request = self.client.build_request(method, url, headers=headers, params=query)
            if accept is None and not any(name.lower() == "accept" for name, _ in headers):
                del request.headers["accept"]
            response = self.client.send(request)
            exchange = Exchange(
                method,
                url,
                recorded,
                tuple(headers),
                response.status_code,
                {k.lower(): v for k, v in response.headers.items()},
                response.content,
                at=time.time(),
            )
        except httpx.HTTPError as error:
            exchange = Exchange(
                method, url, recorded, tuple(headers), 0, error=f"{type(error).__name__}: {error}", at=time.time()
            )
        self.seen.append(exchange)
        for observe in self.observers:
            observe(exchange)
        if exchange.error:
            raise Violation("an answer", exchange.summary(), exchange)
        return exchange

    def v1(self, agent: str, **kwargs: Any) -> Exchange:
        return self.request(agent, accept=V1, **kwargs)

    def v2(self, agent: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = (), **kwargs: Any) -> Exchange:
        return self.request(agent, accept=V2, params=params, **kwargs)

    def ok_items(self, exchange: Exchange, version: int) -> list[dict[str, Any]]:
        """The items of a 200 of the given version, or a violation saying why there are none."""
        expected = f"200 {'application/json;version=' + str(version)}"
        if exchange.status != 200:
            raise Violation(expected, exchange.summary(), exchange)
        try:
            payload = json.loads(exchange.body)
            items = payload["interactions"]
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise Violation('a body {"interactions": [item, ...]}', exchange.summary(), exchange) from None
        return items

    # -- exploration ----------------------------------------------------------------------------

    def explore(
        self,
        strategy: st.SearchStrategy[T],
        test: Callable[[T], None],
        *,
        examples: int | None = None,
        must_try: Sequence[T] = (),
    ) -> None:
        """Run `test` on `must_try`, then on values drawn from `strategy`; a Violation comes back shrunk."""
        budget = examples or self.max_examples

        @seed(self.seed)
        @settings(
            max_examples=budget,
            database=None,
            deadline=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
        )
        @given(strategy)
        def run(value: T) -> None:
            test(value)

        for value in reversed(must_try):
            run = example(value)(run)
        run()
