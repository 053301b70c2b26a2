"""The selftest's planted bugs (faulty servers; not the mock's injected faults, `mockserver/state/faults.py`):
what a planted bug is, its registry, and the bases each one bends.

Each fault replaces one step of `mockserver.api.operation.LatestInteractions` (or post-processes its
answer) and names the rules expected to catch it. `contracts selftest` runs the judge against each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contracts.registry import Registry
from mockserver.api.negotiation import parse_accept
from mockserver.api.operation import LatestInteractions, parse_query
from mockserver.api.query import V2Query
from mockserver.api.representation import MEDIA_TYPES, dumps, v1_item, v2_item
from mockserver.api.request import PublicRequest
from mockserver.api.selection import AgentChannel, V2Listing, agent_channels, order_v2
from mockserver.model import Agent, State
from mockserver.responses import Response


@dataclass(frozen=True)
class PlantedBug:
    name: str
    category: str
    description: str
    caught_by: tuple[str, ...]
    """Rules any one of which must report it."""
    endpoint_class: type[LatestInteractions]
    known_data: bool = False
    """Only known-data mode can see it (a tie-break, a rounding): judged with --expect-state."""
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """The selftest's data changed so that the fault shows (fractions of seconds for a rounding)."""
    asgi: Callable[[Any], Any] | None = None
    """A wrapper of the whole server, for a fault decided before the operation (a method, a path)."""


PLANTED_BUGS: Registry[PlantedBug] = Registry("planted bug")


def planted_bug(
    category: str,
    description: str,
    *caught_by: str,
    known_data: bool = False,
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    asgi: Callable[[Any], Any] | None = None,
) -> Callable[[type[LatestInteractions]], type[LatestInteractions]]:
    def register(cls: type[LatestInteractions]) -> type[LatestInteractions]:
        name = _snake(cls.__name__)
        PLANTED_BUGS.add(name, PlantedBug(name, category, description, caught_by, cls, known_data, document, asgi))
        return cls

    return register


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# -- helpers: the same answers computed the slow way, so a fault can bend one rule ----------------


def versions_named(accept: Sequence[str]) -> list[tuple[int, float]]:
    """(version, q) of each range naming a version, in header order."""
    named = []
    for media_range in parse_accept(", ".join(accept)):
        version = {"1": 1, "2": 2}.get(media_range.parameters.get("version", ""))
        if media_range.media_type == "application/json" and version and media_range.quality is not None:
            named.append((version, media_range.quality))
    return named


def with_headers(response: Response, change: Callable[[dict[str, str]], object]) -> Response:
    headers = dict(response.headers)
    change(headers)
    return replace(response, headers=headers)


@dataclass(frozen=True)
class Asked:
    """What a check run early reads of the request."""

    account: str
    agent: str
    authorization: Sequence[str]
    accept: Sequence[str]
    query: Mapping[str, Sequence[str]]


# -- bases: each fault replaces one thing ------------------------------------------------------


class CheckedEarly(LatestInteractions):
    """A fault in the check order: `early` runs a later check before the contract says."""

    def early(self, state: State, asked: Asked) -> None:
        raise NotImplementedError

    def _answer(self, state: State, request: PublicRequest) -> Response:
        assert request.account is not None and request.agent is not None
        asked = Asked(
            request.account, request.agent, request.authorization, request.accept, parse_query(request.query_string)
        )
        self.early(state, asked)
        return super()._answer(state, request)


class V1Choice(LatestInteractions):
    """A fault in v1's choice: `choose` replaces the contract's order."""

    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        raise NotImplementedError

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        if version == 2:
            return super().render(agent, version, query)
        chosen = self.choose(agent_channels(agent))
        body = dumps({"interactions": [] if chosen is None else [v1_item(chosen)]})
        return Response(200, {"Content-Type": MEDIA_TYPES[1], "Vary": "Accept"}, body)


class V2Items(LatestInteractions):
    """A fault in v2's list: `listing` replaces the selection, `item` the rendering of one channel."""

    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        return V2Listing.of(order_v2(channels)).select(
            type=query.type, active_live_first=query.active_live_first, size=query.size
        )

    def item(self, channel: AgentChannel) -> dict[str, Any]:
        return v2_item(channel)

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        if query is None:
            return super().render(agent, version, query)
        body = dumps({"interactions": [self.item(c) for c in self.listing(agent_channels(agent), query)]})
        return Response(200, {"Content-Type": MEDIA_TYPES[2], "Vary": "Accept"}, body)
