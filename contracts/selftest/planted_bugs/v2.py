"""Faults of version 2: parameters, filter, size, order, durations and items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from contracts.selftest.planted_bugs.base import V2Items, planted_bug
from contracts.selftest.variants import with_fractions
from mockserver.api.operation import LatestInteractions
from mockserver.api.query import TYPE_REQUIRED, V2Query
from mockserver.api.representation import v2_item
from mockserver.api.selection import AgentChannel, V2Listing, order_v2
from mockserver.errors import ApiError, InvalidParameter


@planted_bug("v2 order", "v2 lists the oldest channel first", "v2_order_is_start_descending_then_channel_guid")
class V2OldestFirst(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        oldest_first = list(reversed(order_v2(channels)))
        return V2Listing.of(oldest_first).select(
            type=query.type, active_live_first=query.active_live_first, size=query.size
        )


@planted_bug(
    "v2 order", "v2 breaks start ties by channelGuid descending", "known_data_v2_lists_are_exact", known_data=True
)
class V2TiesDescending(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        ordered = sorted(channels, key=lambda c: c.channel.channel_guid, reverse=True)
        ordered.sort(key=lambda c: c.channel.start, reverse=True)
        return V2Listing.of(ordered).select(type=query.type, active_live_first=query.active_live_first, size=query.size)


@planted_bug(
    "v2 filter and size",
    "size is applied before the type filter",
    "v2_type_filter_applies_before_size",
    "v2_size_cuts_a_prefix",
)
class V2SizeBeforeFilter(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        cut = V2Listing.of(order_v2(channels)).select(
            type="All", active_live_first=query.active_live_first, size=query.size
        )
        return [c for c in cut if query.type in ("All", c.type)]


@planted_bug(
    "v2 filter and size",
    "size=k answers k+1 items",
    "v2_size_cuts_a_prefix",
    "v2_valid_parameters_are_accepted",
    "v2_type_filter_applies_before_size",
)
class V2SizeOffByOne(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        return super().listing(channels, replace(query, size=query.size + 1))


@planted_bug("v2 order", "activeLiveFirst=true is ignored", "v2_active_live_first_puts_active_phones_first")
class V2ActiveLiveFirstIgnored(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return replace(super().parse_query(query), active_live_first=False)


@planted_bug(
    "v2 order",
    "activeLiveFirst=true puts every active channel first, chats too",
    "v2_active_live_first_puts_active_phones_first",
)
class V2ActiveLiveFirstAllActive(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        if not query.active_live_first:
            return super().listing(channels, query)
        ordered = [c for c in order_v2(channels) if query.type in ("All", c.type)]
        return ([c for c in ordered if c.active] + [c for c in ordered if not c.active])[: query.size]


@planted_bug(
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


@planted_bug(
    "v2 parameters",
    "type is matched case-insensitively (type=phone accepted)",
    "v2_invalid_parameters_are_400_naming_them",
)
class V2TypeCaseInsensitive(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        types = {t.lower(): t for t in self.rules.types}
        fixed = {k: [types.get(v.lower(), v) if k == "type" else v for v in vs] for k, vs in query.items()}
        return super().parse_query(fixed)


@planted_bug("durations", "durations are in milliseconds", "v2_durations_fit_in_the_time_elapsed")
class DurationInMilliseconds(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if rendered["duration"] is not None:
            rendered["duration"] *= 1000
        return rendered


@planted_bug(
    "durations",
    "a live channel's duration counts up instead of being null",
    "v1_item_appears_in_v2",
    "v2_ended_durations_do_not_change",
    "v2_active_live_first_puts_active_phones_first",
)
class DurationOfLiveChannel(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if rendered["duration"] is None:
            rendered["duration"] = int((self.state_source().clock.now() - channel.channel.start).total_seconds())
        return rendered


@planted_bug(
    "v2 order",
    "a channel shared by several rows of a join is listed twice",
    "v2_channel_guids_are_unique",
    "v2_size_cuts_a_prefix",
)
class DuplicateChannelRows(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        chosen = super().listing(channels, query)
        return [c for c in chosen for _ in range(2 if c.type == "Phone" else 1)][: query.size]


@planted_bug(
    "v2 filter and size",
    "the type filter is ignored (type=Chat answers every type)",
    "v2_type_filter_applies_before_size",
    "v2_valid_parameters_are_accepted",
)
class V2TypeFilterIgnored(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return replace(super().parse_query(query), type="All")


@planted_bug(
    "v2 filter and size", "without size, every channel is answered", "v2_defaults_are_size_1_all_not_live_first"
)
class V2DefaultSizeIsEverything(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        parsed = super().parse_query(query)
        return parsed if "size" in query else replace(parsed, size=100)


@planted_bug("v2 parameters", "size=0 is accepted (an empty list)", "v2_invalid_parameters_are_400_naming_them")
class V2SizeZeroAccepted(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        if query.get("size") == ["0"]:
            return replace(super().parse_query({**query, "size": ["1"]}), size=0)
        return super().parse_query(query)


@planted_bug("v2 parameters", "activeLiveFirst=yes is read as true", "v2_invalid_parameters_are_400_naming_them")
class V2ActiveLiveFirstYesAccepted(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        values = {"yes": "true", "no": "false"}
        return super().parse_query({k: [values.get(v, v) for v in vs] for k, vs in query.items()})


@planted_bug("v2 parameters", "an empty type means All", "v2_empty_type_is_the_pages_400")
class V2EmptyTypeMeansAll(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return super().parse_query({k: v for k, v in query.items() if not (k == "type" and v == [""])})


@planted_bug("v2 parameters", "a 400 does not name the parameter", "v2_invalid_parameters_are_400_naming_them")
class V2MessageNamesNoParameter(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        try:
            return super().parse_query(query)
        except InvalidParameter as error:
            if error.message == TYPE_REQUIRED:
                raise
            raise ApiError(400, "The request is invalid.") from None


@planted_bug(
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


@planted_bug("v2 parameters", "an unknown parameter (page=2) is a 400", "v2_valid_parameters_are_accepted")
class V2UnknownParameterRefused(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        unknown = sorted(set(query) - {"size", "type", "activeLiveFirst"})
        if unknown:
            raise InvalidParameter(unknown[0], f"Unknown query parameter '{unknown[0]}'.")
        return super().parse_query(query)


@planted_bug(
    "v2 order", "v2 items carry an extra key (agentId)", "responses_match_the_spec", "schemathesis_v2_conformance"
)
class V2ItemExtraKey(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        return {**v2_item(channel), "agentId": "x"}


@planted_bug(
    "v2 order",
    "activeLiveFirst=true puts ended Phone channels first too",
    "v2_active_live_first_puts_active_phones_first",
)
class V2ActiveLiveFirstAllPhones(V2Items):
    def listing(self, channels: list[AgentChannel], query: V2Query) -> Sequence[AgentChannel]:
        if not query.active_live_first:
            return super().listing(channels, query)
        ordered = [c for c in order_v2(channels) if query.type in ("All", c.type)]
        return ([c for c in ordered if c.type == "Phone"] + [c for c in ordered if c.type != "Phone"])[: query.size]


@planted_bug("v2 order", "v2's guid is the channel's, not the interaction's", "v1_item_appears_in_v2")
class V2GuidIsChannelGuid(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        return {**v2_item(channel), "guid": channel.channel.channel_guid}


@planted_bug(
    "durations",
    "durations are rounded instead of floored",
    "known_data_durations_are_floored",
    known_data=True,
    document=with_fractions,
)
class DurationRounded(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        if channel.channel.end is not None:
            rendered["duration"] = round((channel.channel.end - channel.channel.start).total_seconds())
        return rendered


@planted_bug(
    "durations",
    "a live channel's duration is 0 instead of null",
    "v1_item_appears_in_v2",
    "v2_active_live_first_puts_active_phones_first",
)
class DurationZeroWhileLive(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        return {**rendered, "duration": 0} if rendered["duration"] is None else rendered


@planted_bug(
    "durations",
    "an ended channel of zero seconds shows duration null (as if live), on an agent the judge is not given",
    "known_data_v2_lists_are_exact",
    "known_data_durations_are_floored",
    known_data=True,
)
class ZeroDurationShownAsNull(V2Items):
    def item(self, channel: AgentChannel) -> dict[str, Any]:
        rendered = v2_item(channel)
        return {**rendered, "duration": None} if rendered["duration"] == 0 else rendered
