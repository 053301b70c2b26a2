"""Deliberately faulty servers: the mock with one realistic bug each.

Each fault replaces one step of `mockserver.api.operation.LatestInteractions` (or post-processes its answer)
and names the rules expected to catch it. `contracts selftest` runs the judge against each one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from contracts.registry import Registry
from contracts.selftest.variants import with_fractions
from mockserver.api.negotiation import parse_accept
from mockserver.api.operation import LatestInteractions, parse_query
from mockserver.api.query import TYPE_REQUIRED, V2Query
from mockserver.api.representation import MEDIA_TYPES, dumps, v1_item, v2_item
from mockserver.api.request import PublicRequest
from mockserver.api.selection import AgentChannel, V2Listing, agent_channels, order_v2
from mockserver.errors import AgentNotFound, ApiError, InvalidParameter, NotAcceptable, Unauthorized
from mockserver.model import Agent, State, Token
from mockserver.responses import Response


@dataclass(frozen=True)
class Fault:
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


FAULTS: Registry[Fault] = Registry("fault")


def fault(
    category: str,
    description: str,
    *caught_by: str,
    known_data: bool = False,
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[[type[LatestInteractions]], type[LatestInteractions]]:
    def register(cls: type[LatestInteractions]) -> type[LatestInteractions]:
        name = _snake(cls.__name__)
        FAULTS.add(name, Fault(name, category, description, caught_by, cls, known_data, document))
        return cls

    return register


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# -- helpers: the same answers computed the slow way, so a fault can bend one rule ----------------


def _versions_named(accept: Sequence[str]) -> list[tuple[int, float]]:
    """(version, q) of each range naming a version, in header order."""
    named = []
    for media_range in parse_accept(", ".join(accept)):
        version = {"1": 1, "2": 2}.get(media_range.parameters.get("version", ""))
        if media_range.media_type == "application/json" and version and media_range.quality is not None:
            named.append((version, media_range.quality))
    return named


def _with_headers(response: Response, change: Callable[[dict[str, str]], object]) -> Response:
    headers = dict(response.headers)
    change(headers)
    return replace(response, headers=headers)


# -- bases: each fault below replaces one thing ------------------------------------------------------


class _CheckedEarly(LatestInteractions):
    """A fault in the check order: `early` runs a later check before the contract says."""

    def early(
        self,
        state: State,
        account_key: str,
        agent_id: str,
        authorization: Sequence[str],
        accept: Sequence[str],
        query: Mapping[str, Sequence[str]],
    ) -> None:
        raise NotImplementedError

    def _answer(self, state: State, request: PublicRequest) -> Response:
        assert request.account is not None and request.agent is not None
        query = parse_query(request.query_string)
        self.early(state, request.account, request.agent, request.authorization, request.accept, query)
        return super()._answer(state, request)


class _V1Choice(LatestInteractions):
    """A fault in v1's choice: `choose` replaces the contract's order."""

    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        raise NotImplementedError

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        if version == 2:
            return super().render(agent, version, query)
        chosen = self.choose(agent_channels(agent))
        body = dumps({"interactions": [] if chosen is None else [v1_item(chosen)]})
        return Response(200, {"Content-Type": MEDIA_TYPES[1], "Vary": "Accept"}, body)


class _V2Listing(LatestInteractions):
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


# -- auth and check order -------------------------------------------------------------------------


@fault("auth", "expired tokens are still accepted", "expired_token_is_401_invalid_token")
class ExpiredTokenAccepted(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        far_future = replace(state, clock=_Frozen(datetime(1970, 1, 1, tzinfo=UTC)))
        return super().authenticate(authorization, far_future)


class _Frozen:
    def __init__(self, moment: datetime) -> None:
        self.frozen_at = moment

    def now(self) -> datetime:
        return self.frozen_at


@fault("auth", "a token of another account opens any account", "foreign_token_is_403", "checks_run_in_contract_order")
class ForeignTokenNotChecked(LatestInteractions):
    def authorize(self, token: Token, account_key: str) -> None:
        return None


@fault(
    "check order",
    "the agent is looked up before the account is authorized (404 leaks existence)",
    "foreign_token_is_403",
    "checks_run_in_contract_order",
)
class NotFoundBeforeForbidden(_CheckedEarly):
    def early(
        self,
        state: State,
        account_key: str,
        agent_id: str,
        authorization: Sequence[str],
        accept: Sequence[str],
        query: Mapping[str, Sequence[str]],
    ) -> None:
        self.authenticate(authorization, state)
        if not any(agent_id in account.agents for account in state.accounts.values()):
            raise AgentNotFound()


@fault("check order", "query parameters are validated before the Accept header", "checks_run_in_contract_order")
class ValidationBeforeNegotiation(_CheckedEarly):
    def early(
        self,
        state: State,
        account_key: str,
        agent_id: str,
        authorization: Sequence[str],
        accept: Sequence[str],
        query: Mapping[str, Sequence[str]],
    ) -> None:
        self.authorize(self.authenticate(authorization, state), account_key)
        if 2 in self.versions:
            self.parse_query(query)


@fault("headers", "401 answers carry no WWW-Authenticate", "missing_credentials_are_401", "responses_match_the_spec")
class NoWwwAuthenticate(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        return _with_headers(super().respond(*args, **kwargs), lambda h: h.pop("WWW-Authenticate", None))


@fault("auth", 'an invalid token gets a challenge without error="invalid_token"', "unknown_token_is_401_invalid_token")
class InvalidTokenWithoutErrorCode(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            raise Unauthorized(error.message, token_sent=False) from None


@fault("auth", "tokens are compared case-insensitively", "unknown_token_is_401_invalid_token")
class TokenCaseInsensitive(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        scheme, _, presented = (authorization[0] if authorization else "").partition(" ")
        for known in state.tokens:
            if known.lower() == presented.strip().lower():
                return super().authenticate([f"{scheme} {known}"], state)
        return super().authenticate(authorization, state)


@fault("auth", "account keys are compared case-insensitively", "account_keys_compare_exactly")
class AccountKeyCaseInsensitive(LatestInteractions):
    def authorize(self, token: Token, account_key: str) -> None:
        super().authorize(token, token.account if token.account.lower() == account_key.lower() else account_key)

    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        key = next((k for k in state.accounts if k.lower() == account_key.lower()), account_key)
        return super().find_agent(state, key, agent_id)


@fault("errors", "agent ids are compared case-insensitively", "unknown_agent_is_404_with_the_pages_body")
class AgentIdCaseInsensitive(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        account = state.accounts.get(account_key)
        known = next((a for a in (account.agents if account else {}) if a.lower() == agent_id.lower()), agent_id)
        return super().find_agent(state, account_key, known)


@fault(
    "v1 choice",
    "an agent without interactions is answered 404",
    "valid_token_is_accepted",
    "v1_empty_exactly_when_v2_empty",
)
class IdleAgentNotFound(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent = super().find_agent(state, account_key, agent_id)
        if not agent.interactions:
            raise AgentNotFound()
        return agent


# -- negotiation ----------------------------------------------------------------------------------


@fault(
    "negotiation", "q-values are ignored: the first range naming a version wins", "accept_header_selects_the_version"
)
class IgnoresQValues(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        for version, _quality in _versions_named(accept):
            if version in self.versions:
                return version
        raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])


@fault("negotiation", "a q tie goes to the lower version", "accept_header_selects_the_version")
class TieGoesToLowerVersion(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        best: dict[int, float] = {}
        for version, quality in _versions_named(accept):
            if version in self.versions:
                best[version] = max(best.get(version, 0.0), quality)
        acceptable = [(q, -v) for v, q in best.items() if q > 0]
        if not acceptable:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return -max(acceptable)[1]


@fault("negotiation", "the media type is compared case-sensitively", "accept_header_selects_the_version")
class CaseSensitiveMediaType(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        header = ", ".join(accept)
        if "application/json" not in header or "version" not in header:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return super().negotiate(accept)


class _FallsBackToV1(LatestInteractions):
    """A fault in negotiation: `falls_back` says which refused Accept headers get version 1 anyway."""

    def falls_back(self, accept: Sequence[str]) -> bool:
        raise NotImplementedError

    def negotiate(self, accept: Sequence[str]) -> int:
        try:
            return super().negotiate(accept)
        except NotAcceptable:
            if self.falls_back(accept):
                return 1
            raise


def _ranges(accept: Sequence[str]) -> list[str]:
    return [
        r.media_type + "".join(f";{k}={v}" for k, v in r.parameters.items()) for r in parse_accept(", ".join(accept))
    ]


@fault(
    "negotiation", "a request without Accept gets version 1 instead of 406", "unacceptable_is_406_naming_media_types"
)
class NoAcceptServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return not accept


@fault(
    "negotiation",
    "Accept: */* gets version 1 instead of 406",
    "unacceptable_is_406_naming_media_types",
    "accept_header_selects_the_version",
)
class WildcardServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "*/*" in _ranges(accept)


@fault("negotiation", "Accept: application/* gets version 1 instead of 406", "unacceptable_is_406_naming_media_types")
class ApplicationWildcardServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "application/*" in _ranges(accept)


@fault(
    "negotiation",
    "Accept: application/json without a version gets version 1 instead of 406",
    "unacceptable_is_406_naming_media_types",
    "accept_header_selects_the_version",
)
class UnversionedJsonServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "application/json" in _ranges(accept)


@fault(
    "negotiation",
    "an unsupported version (version=3) gets the latest version instead of 406",
    "unacceptable_is_406_naming_media_types",
    "accept_header_selects_the_version",
)
class UnknownVersionServedAsLatest(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        try:
            return super().negotiate(accept)
        except NotAcceptable:
            if any(r.startswith("application/json;version=") for r in _ranges(accept)):
                return max(self.versions)
            raise


@fault(
    "negotiation",
    "the media type is not checked when a version is named (text/plain;version=1 is served)",
    "unacceptable_is_406_naming_media_types",
)
class AnyTypeWithVersionServed(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate([re.sub(r"^[^;,]+(?=;\s*version)", "application/json", a) for a in accept])


@fault(
    "negotiation",
    "spaces around ';' are not allowed (application/json ; version=2 is refused)",
    "accept_header_selects_the_version",
)
class SpacesAroundSemicolonRefused(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        if any(re.search(r"\s;|;\s", a) for a in accept):
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return super().negotiate(accept)


@fault(
    "negotiation",
    "the parameter name is compared case-sensitively (VERSION=2 is refused)",
    "accept_header_selects_the_version",
)
class ParameterNameCaseSensitive(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate(
            [re.sub(r"(?i)version=", lambda m: "x=" if m[0] != "version=" else m[0], a) for a in accept]
        )


@fault("negotiation", "only the first Accept header is read", "several_accept_headers_are_one_list")
class OnlyFirstAcceptHeaderRead(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate(list(accept[:1]))


@fault(
    "negotiation",
    "the 406 message does not name the supported media types",
    "unacceptable_is_406_naming_media_types",
)
class NotAcceptableMessageVague(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        try:
            return super().negotiate(accept)
        except NotAcceptable:
            raise ApiError(406, "Not acceptable.") from None


@fault("negotiation", "the highest version named wins whatever its q", "accept_header_selects_the_version")
class HighestVersionWinsWhateverQ(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        named = [v for v, q in _versions_named(accept) if v in self.versions and q > 0]
        if not named:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return max(named)


@fault("negotiation", "q=0 is treated as acceptable", "accept_header_selects_the_version")
class QZeroIsAcceptable(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        named = [(q, v) for v, q in _versions_named(accept) if v in self.versions]
        if not named:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return max(named)[1]


@fault("negotiation", 'a quoted version (version="2") is not understood', "accept_header_selects_the_version")
class QuotedVersionRefused(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate([a.replace('"1"', "x").replace('"2"', "x") for a in accept])


@fault(
    "headers",
    "200 answers say Content-Type: application/json without the version",
    "ok_carries_versioned_content_type_and_vary",
    "responses_match_the_spec",
)
class UnversionedContentType(LatestInteractions):
    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        return _with_headers(
            super().render(agent, version, query), lambda h: h.update({"Content-Type": "application/json"})
        )


@fault(
    "headers",
    "200 answers carry no Vary: Accept",
    "ok_carries_versioned_content_type_and_vary",
    "responses_match_the_spec",
)
class NoVary(LatestInteractions):
    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        return _with_headers(super().render(agent, version, query), lambda h: h.pop("Vary", None))


# -- version 1 ------------------------------------------------------------------------------------


@fault(
    "v1 choice",
    "v1 answers the most recently started channel, active or not",
    "v1_item_is_first_in_contract_order",
    "v1_is_active_when_v2_shows_an_active_channel",
    "v1_prefers_phone_among_active",
)
class V1LatestStartWins(_V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        ordered = order_v2(channels)
        return ordered[0] if ordered else None


@fault(
    "v1 choice",
    "v1 ignores the Phone priority among active channels",
    "v1_prefers_phone_among_active",
    "v1_item_is_first_in_contract_order",
)
class V1IgnoresPhonePriority(_V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        return min(
            channels,
            key=lambda c: (not c.active, -c.state_changed_at.timestamp(), c.channel.channel_guid),
            default=None,
        )


@fault("v1 choice", "v1 orders ended channels by start instead of end", "v1_item_is_first_in_contract_order")
class V1OrdersEndedByStart(_V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        return min(
            channels,
            key=lambda c: (
                not c.active,
                c.active and c.type != "Phone",
                -c.channel.start.timestamp(),
                c.channel.channel_guid,
            ),
            default=None,
        )


@fault("v1 choice", "v1 validates the version-2 parameters (400 for size=0)", "v1_ignores_v2_parameters")
class V1ValidatesV2Parameters(_CheckedEarly):
    def early(
        self,
        state: State,
        account_key: str,
        agent_id: str,
        authorization: Sequence[str],
        accept: Sequence[str],
        query: Mapping[str, Sequence[str]],
    ) -> None:
        self.authorize(self.authenticate(authorization, state), account_key)
        self.negotiate(accept)
        self.parse_query(query)


# -- version 2: order, filter, size ---------------------------------------------------------------


@fault("v2 order", "v2 lists the oldest channel first", "v2_order_is_start_descending_then_channel_guid")
class V2OldestFirst(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        oldest_first = list(reversed(order_v2(channels)))
        return V2Listing.of(oldest_first).select(
            type=query.type, active_live_first=query.active_live_first, size=query.size
        )


@fault("v2 order", "v2 breaks start ties by channelGuid descending", "known_data_v2_lists_are_exact", known_data=True)
class V2TiesDescending(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        ordered = sorted(channels, key=lambda c: c.channel.channel_guid, reverse=True)
        ordered.sort(key=lambda c: c.channel.start, reverse=True)
        return V2Listing.of(ordered).select(type=query.type, active_live_first=query.active_live_first, size=query.size)


@fault(
    "v2 filter and size",
    "size is applied before the type filter",
    "v2_type_filter_applies_before_size",
    "v2_size_cuts_a_prefix",
)
class V2SizeBeforeFilter(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        cut = V2Listing.of(order_v2(channels)).select(
            type="All", active_live_first=query.active_live_first, size=query.size
        )
        return [c for c in cut if query.type in ("All", c.type)]


@fault(
    "v2 filter and size",
    "size=k answers k+1 items",
    "v2_size_cuts_a_prefix",
    "v2_valid_parameters_are_accepted",
    "v2_type_filter_applies_before_size",
)
class V2SizeOffByOne(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        return super().listing(channels, replace(query, size=query.size + 1))


@fault("v2 order", "activeLiveFirst=true is ignored", "v2_active_live_first_puts_active_phones_first")
class V2ActiveLiveFirstIgnored(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return replace(super().parse_query(query), active_live_first=False)


@fault(
    "v2 order",
    "activeLiveFirst=true puts every active channel first, chats too",
    "v2_active_live_first_puts_active_phones_first",
)
class V2ActiveLiveFirstAllActive(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        if not query.active_live_first:
            return super().listing(channels, query)
        ordered = [c for c in order_v2(channels) if query.type in ("All", c.type)]
        return ([c for c in ordered if c.active] + [c for c in ordered if not c.active])[: query.size]


@fault(
    "v2 parameters",
    "size above 100 is accepted",
    "v2_invalid_parameters_are_400_naming_them",
    "schemathesis_v2_negative_data_rejected",
)
class V2SizeAbove100Accepted(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        size = (query.get("size") or [""])[0]
        if size.isdigit() and 100 < int(size) <= 1000:
            return replace(super().parse_query({**query, "size": ["100"]}), size=int(size))
        return super().parse_query(query)


@fault(
    "v2 parameters",
    "type is matched case-insensitively (type=phone accepted)",
    "v2_invalid_parameters_are_400_naming_them",
)
class V2TypeCaseInsensitive(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        types = {t.lower(): t for t in self.rules.types}
        fixed = {k: [types.get(v.lower(), v) if k == "type" else v for v in vs] for k, vs in query.items()}
        return super().parse_query(fixed)


@fault(
    "error bodies",
    "an empty type gets a generic message instead of the page's",
    "v2_empty_type_is_the_pages_400",
    "v2_invalid_parameters_are_400_naming_them",
)
class V2EmptyTypeOtherMessage(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        if query.get("type") == [""]:
            raise ApiError(400, "Invalid query parameter 'type': must not be empty.")
        return super().parse_query(query)


# -- durations ------------------------------------------------------------------------------------


@fault("durations", "durations are in milliseconds", "v2_durations_fit_in_the_time_elapsed")
class DurationInMilliseconds(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if rendered["duration"] is not None:
            rendered["duration"] *= 1000
        return rendered


@fault(
    "durations",
    "a live channel's duration counts up instead of being null",
    "v1_item_appears_in_v2",
    "v2_ended_durations_do_not_change",
    "v2_active_live_first_puts_active_phones_first",
)
class DurationOfLiveChannel(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if rendered["duration"] is None:
            rendered["duration"] = int((self.state_source().clock.now() - channel.channel.start).total_seconds())
        return rendered


# -- error bodies and headers ---------------------------------------------------------------------


@fault(
    "error bodies",
    "errors are application/problem+json",
    "error_bodies_are_json_messages",
    "missing_credentials_are_401",
    "responses_match_the_spec",
)
class ProblemJsonErrors(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status < 400:
            return answer
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Error",
                "status": answer.status,
                "detail": json.loads(answer.body)["message"],
            }
        ).encode()
        return replace(
            _with_headers(answer, lambda h: h.update({"Content-Type": "application/problem+json"})), body=body
        )


@fault(
    "error bodies",
    "an unknown agent's 404 has another message",
    "unknown_agent_is_404_with_the_pages_body",
    "responses_match_the_spec",
)
class NotFoundMessageDiffers(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent = state.agent(account_key, agent_id)
        if agent is None:
            raise ApiError(404, f"Agent {agent_id} not found.")
        return agent


@fault(
    "errors",
    "a non-numeric size crashes the server (500)",
    "no_server_errors",
    "v2_invalid_parameters_are_400_naming_them",
)
class ServerErrorOnNonNumericSize(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        int((query.get("size") or ["1"])[0])  # the unhandled ValueError becomes the framework's 500
        return super().parse_query(query)


@fault(
    "v2 order",
    "a channel shared by several rows of a join is listed twice",
    "v2_channel_guids_are_unique",
    "v2_size_cuts_a_prefix",
)
class DuplicateChannelRows(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        chosen = super().listing(channels, query)
        return [c for c in chosen for _ in range(2 if c.type == "Phone" else 1)][: query.size]


# -- credential shapes ----------------------------------------------------------------------------


class _AcceptsShape(LatestInteractions):
    """A fault in reading Authorization: `token_of` finds a token where the contract sees none."""

    def token_of(self, header: str) -> str | None:
        raise NotImplementedError

    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        token = self.token_of(authorization[0]) if len(authorization) == 1 else None
        if token is not None and token in state.tokens:
            return super().authenticate([f"Bearer {token}"], state)
        return super().authenticate(authorization, state)


@fault("auth", "a bare token without the Bearer scheme is accepted", "missing_credentials_are_401")
class BareTokenAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header.strip()


@fault("auth", "any scheme is accepted with a valid token (Basic <token>)", "missing_credentials_are_401")
class AnySchemeAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header.partition(" ")[2].strip() or None


@fault("auth", "'Bearer<token>' without the space is accepted", "missing_credentials_are_401")
class SchemeWithoutSpaceAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        return header[6:] if header.startswith("Bearer") and not header.startswith("Bearer ") else None


@fault(
    "auth", "a token is matched by prefix (a truncated token opens the account)", "unknown_token_is_401_invalid_token"
)
class TokenPrefixAccepted(_AcceptsShape):
    def token_of(self, header: str) -> str | None:
        presented = header.partition(" ")[2].strip()
        known = self.state_source().tokens
        return next((t for t in known if presented and t.startswith(presented)), None)


@fault("auth", "an expired token is answered 403 instead of 401", "expired_token_is_401_invalid_token")
class ExpiredTokenIs403(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            if "expired" in error.message:
                raise ApiError(403, "The bearer token has expired.") from None
            raise


@fault("auth", "an unknown token is answered 403 instead of 401", "unknown_token_is_401_invalid_token")
class UnknownTokenIs403(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            if "not valid" in error.message:
                raise ApiError(403, "Access denied.") from None
            raise


@fault("auth", "a request without credentials is challenged with Basic", "missing_credentials_are_401")
class BasicChallenge(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        try:
            return super().authenticate(authorization, state)
        except Unauthorized as error:
            raise ApiError(401, error.message, {"WWW-Authenticate": 'Basic realm="api"'}) from None


# -- check order: each pair of checks ---------------------------------------------------------------


@fault(
    "check order",
    "the token's account is compared before its validity (an expired token of another account: 403)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class ForbiddenBeforeUnauthorized(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        known = state.tokens.get((authorization[0] if authorization else "").partition(" ")[2].strip())
        if known is not None and known.account != account_key:
            self.authorize(known, account_key)


@fault(
    "check order",
    "Accept is checked before the token (no token and text/html: 406)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotAcceptableBeforeUnauthorized(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.negotiate(accept)


@fault(
    "check order",
    "v2 parameters are validated before the token (an unknown token and size=0: 400)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class BadParameterBeforeUnauthorized(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        if _negotiated(self, accept) == 2:
            self.parse_query(query)


@fault(
    "check order",
    "the agent is looked up before the token (an unknown token and agent: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
    "checks_run_in_contract_order",
)
class NotFoundBeforeUnauthorized(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        if state.agent(account_key, agent_id) is None:
            raise AgentNotFound()


@fault(
    "check order",
    "Accept is checked before the account (another account's token and text/html: 406)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotAcceptableBeforeForbidden(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.authenticate(authorization, state)
        self.negotiate(accept)


@fault(
    "check order",
    "v2 parameters are validated before the account (another account's token and size=0: 400)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class BadParameterBeforeForbidden(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.authenticate(authorization, state)
        if _negotiated(self, accept) == 2:
            self.parse_query(query)


@fault(
    "check order",
    "the agent is looked up before Accept (an unknown agent and text/html: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
    "checks_run_in_contract_order",
)
class NotFoundBeforeNotAcceptable(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.authorize(self.authenticate(authorization, state), account_key)
        self.find_agent(state, account_key, agent_id)


@fault(
    "check order",
    "the agent is looked up before the v2 parameters (an unknown agent and size=0: 404)",
    "each_pair_of_failing_checks_answers_the_earlier",
)
class NotFoundBeforeBadParameter(_CheckedEarly):
    def early(self, state: State, account_key: str, agent_id: str, authorization: Sequence[str], accept: Sequence[str], query: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
        self.authorize(self.authenticate(authorization, state), account_key)
        self.negotiate(accept)
        self.find_agent(state, account_key, agent_id)


def _negotiated(endpoint: LatestInteractions, accept: Sequence[str]) -> int | None:
    try:
        return endpoint.negotiate(accept)
    except NotAcceptable:
        return None


# -- version 1 ------------------------------------------------------------------------------------


class _V1Item(LatestInteractions):
    """A fault in v1's item: `reshape` changes the one item the contract's choice gives."""

    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        answer = super().render(agent, version, query)
        if version == 2:
            return answer
        body = json.loads(answer.body)
        body["interactions"] = [self.reshape(item) for item in body["interactions"]]
        return replace(answer, body=dumps(body))


@fault("v1 choice", "v1's item carries a fourth key (type)", "v1_answers_one_item_of_three_keys")
class V1ItemExtraKey(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "type": "Phone"}


@fault("v1 choice", "v1's hasEnded is inverted", "v1_item_appears_in_v2")
class V1HasEndedInverted(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "hasEnded": not item["hasEnded"]}


@fault("v1 choice", "v1's start keeps milliseconds (2017-03-30T22:40:15.123Z)", "responses_match_the_spec")
class V1StartWithMilliseconds(_V1Item):
    def reshape(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "start": item["start"].replace("Z", ".123Z")}


@fault("v1 choice", "v1 answers an empty list when no channel is active", "v1_empty_exactly_when_v2_empty")
class V1EmptyWhenNothingActive(_V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        active = [c for c in channels if c.active]
        return min(
            active,
            key=lambda c: (c.type != "Phone", -c.channel.start.timestamp(), c.channel.channel_guid),
            default=None,
        )


@fault(
    "v1 choice",
    "v1 breaks ties of InteractionStateChangedAt by channelGuid descending",
    "known_data_v1_item_is_exact",
    known_data=True,
)
class V1TiesDescending(_V1Choice):
    def choose(self, channels: list[AgentChannel]) -> AgentChannel | None:
        ordered = sorted(channels, key=lambda c: c.channel.channel_guid, reverse=True)
        ordered.sort(key=lambda c: (not c.active, c.active and c.type != "Phone", -c.state_changed_at.timestamp()))
        return ordered[0] if ordered else None


# -- version 2 ------------------------------------------------------------------------------------


@fault(
    "v2 filter and size",
    "the type filter is ignored (type=Chat answers every type)",
    "v2_type_filter_applies_before_size",
    "v2_valid_parameters_are_accepted",
)
class V2TypeFilterIgnored(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return replace(super().parse_query(query), type="All")


@fault("v2 filter and size", "without size, every channel is answered", "v2_defaults_are_size_1_all_not_live_first")
class V2DefaultSizeIsEverything(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        parsed = super().parse_query(query)
        return parsed if "size" in query else replace(parsed, size=100)


@fault("v2 parameters", "size=0 is accepted (an empty list)", "v2_invalid_parameters_are_400_naming_them")
class V2SizeZeroAccepted(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        if query.get("size") == ["0"]:
            return replace(super().parse_query({**query, "size": ["1"]}), size=0)
        return super().parse_query(query)


@fault("v2 parameters", "activeLiveFirst=yes is read as true", "v2_invalid_parameters_are_400_naming_them")
class V2ActiveLiveFirstYesAccepted(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        values = {"yes": "true", "no": "false"}
        return super().parse_query({k: [values.get(v, v) for v in vs] for k, vs in query.items()})


@fault("v2 parameters", "an empty type means All", "v2_empty_type_is_the_pages_400")
class V2EmptyTypeMeansAll(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return super().parse_query({k: v for k, v in query.items() if not (k == "type" and v == [""])})


@fault("v2 parameters", "a 400 does not name the parameter", "v2_invalid_parameters_are_400_naming_them")
class V2MessageNamesNoParameter(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        try:
            return super().parse_query(query)
        except InvalidParameter as error:
            if error.message == TYPE_REQUIRED:
                raise
            raise ApiError(400, "The request is invalid.") from None


@fault(
    "v2 parameters",
    "a size of 20 digits overflows a 64-bit integer (500)",
    "no_server_errors",
    "v2_invalid_parameters_are_400_naming_them",
)
class V2SizeOverflows(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        size = (query.get("size") or [""])[0]
        if size.isdigit() and int(size) >= 2**63:
            raise OverflowError("Value was either too large or too small for an Int64.")
        return super().parse_query(query)


@fault("v2 parameters", "an unknown parameter (page=2) is a 400", "v2_valid_parameters_are_accepted")
class V2UnknownParameterRefused(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        unknown = sorted(set(query) - {"size", "type", "activeLiveFirst"})
        if unknown:
            raise InvalidParameter(unknown[0], f"Unknown query parameter '{unknown[0]}'.")
        return super().parse_query(query)


@fault("v2 order", "v2 items carry an extra key (agentId)", "responses_match_the_spec", "schemathesis_v2_conformance")
class V2ItemExtraKey(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        return {**v2_item(channel), "agentId": "x"}


@fault(
    "v2 order",
    "activeLiveFirst=true puts ended Phone channels first too",
    "v2_active_live_first_puts_active_phones_first",
)
class V2ActiveLiveFirstAllPhones(_V2Listing):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        if not query.active_live_first:
            return super().listing(channels, query)
        ordered = [c for c in order_v2(channels) if query.type in ("All", c.type)]
        return ([c for c in ordered if c.type == "Phone"] + [c for c in ordered if c.type != "Phone"])[: query.size]


@fault("v2 order", "v2's guid is the channel's, not the interaction's", "v1_item_appears_in_v2")
class V2GuidIsChannelGuid(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        return {**v2_item(channel), "guid": channel.channel.channel_guid}


# -- durations ------------------------------------------------------------------------------------


@fault(
    "durations",
    "durations are rounded instead of floored",
    "known_data_durations_are_floored",
    known_data=True,
    document=with_fractions,
)
class DurationRounded(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if channel.channel.end is not None:
            rendered["duration"] = round((channel.channel.end - channel.channel.start).total_seconds())
        return rendered


@fault(
    "durations",
    "a live channel's duration is 0 instead of null",
    "v1_item_appears_in_v2",
    "v2_active_live_first_puts_active_phones_first",
)
class DurationZeroWhileLive(_V2Listing):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        return {**rendered, "duration": 0} if rendered["duration"] is None else rendered


# -- errors ---------------------------------------------------------------------------------------


@fault(
    "error bodies",
    "the 404 body is plain text",
    "unknown_agent_is_404_with_the_pages_body",
    "error_bodies_are_json_messages",
)
class NotFoundPlainText(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status != 404:
            return answer
        return Response(404, {"Content-Type": "text/plain", "Vary": "Accept"}, b"Not Found")


@fault("error bodies", "the 404 body has a second key (code)", "unknown_agent_is_404_with_the_pages_body")
class NotFoundBodyExtraKey(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        if answer.status != 404:
            return answer
        return replace(answer, body=dumps({"message": AgentNotFound.MESSAGE, "code": 404}))


@fault("error bodies", "a 401 has an empty message", "missing_credentials_are_401", "error_bodies_are_json_messages")
class EmptyUnauthorizedMessage(LatestInteractions):
    def respond(self, *args: Any, **kwargs: Any) -> Response:
        answer = super().respond(*args, **kwargs)
        return replace(answer, body=b'{"message":""}') if answer.status == 401 else answer
