"""Faults of the Accept header: which representation, 406, Content-Type and Vary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from contracts.selftest.planted_bugs.base import planted_bug, versions_named, with_headers
from mockserver.api.negotiation import parse_accept
from mockserver.api.operation import LatestInteractions
from mockserver.api.query import V2Query
from mockserver.api.representation import MEDIA_TYPES
from mockserver.errors import ApiError, NotAcceptable
from mockserver.model import Agent
from mockserver.responses import Response


@planted_bug(
    "negotiation", "q-values are ignored: the first range naming a version wins", "accept_header_selects_the_version"
)
class IgnoresQValues(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        for version, _quality in versions_named(accept):
            if version in self.versions:
                return version
        raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])


@planted_bug("negotiation", "a q tie goes to the lower version", "accept_header_selects_the_version")
class TieGoesToLowerVersion(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        best: dict[int, float] = {}
        for version, quality in versions_named(accept):
            if version in self.versions:
                best[version] = max(best.get(version, 0.0), quality)
        acceptable = [(q, -v) for v, q in best.items() if q > 0]
        if not acceptable:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return -max(acceptable)[1]


@planted_bug("negotiation", "the media type is compared case-sensitively", "accept_header_selects_the_version")
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


@planted_bug(
    "negotiation", "a request without Accept gets version 1 instead of 406", "unacceptable_is_406_naming_media_types"
)
class NoAcceptServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return not accept


@planted_bug(
    "negotiation",
    "Accept: */* gets version 1 instead of 406",
    "unacceptable_is_406_naming_media_types",
    "accept_header_selects_the_version",
)
class WildcardServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "*/*" in _ranges(accept)


@planted_bug(
    "negotiation", "Accept: application/* gets version 1 instead of 406", "unacceptable_is_406_naming_media_types"
)
class ApplicationWildcardServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "application/*" in _ranges(accept)


@planted_bug(
    "negotiation",
    "Accept: application/json without a version gets version 1 instead of 406",
    "unacceptable_is_406_naming_media_types",
    "accept_header_selects_the_version",
)
class UnversionedJsonServedV1(_FallsBackToV1):
    def falls_back(self, accept: Sequence[str]) -> bool:
        return "application/json" in _ranges(accept)


@planted_bug(
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


@planted_bug(
    "negotiation",
    "the media type is not checked when a version is named (text/plain;version=1 is served)",
    "unacceptable_is_406_naming_media_types",
)
class AnyTypeWithVersionServed(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate([re.sub(r"^[^;,]+(?=;\s*version)", "application/json", a) for a in accept])


@planted_bug(
    "negotiation",
    "spaces around ';' are not allowed (application/json ; version=2 is refused)",
    "accept_header_selects_the_version",
)
class SpacesAroundSemicolonRefused(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        if any(re.search(r"\s;|;\s", a) for a in accept):
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return super().negotiate(accept)


@planted_bug(
    "negotiation",
    "the parameter name is compared case-sensitively (VERSION=2 is refused)",
    "accept_header_selects_the_version",
)
class ParameterNameCaseSensitive(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate(
            [re.sub(r"(?i)version=", lambda m: "x=" if m[0] != "version=" else m[0], a) for a in accept]
        )


@planted_bug("negotiation", "only the first Accept header is read", "several_accept_headers_are_one_list")
class OnlyFirstAcceptHeaderRead(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate(list(accept[:1]))


@planted_bug(
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


@planted_bug("negotiation", "the highest version named wins whatever its q", "accept_header_selects_the_version")
class HighestVersionWinsWhateverQ(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        named = [v for v, q in versions_named(accept) if v in self.versions and q > 0]
        if not named:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return max(named)


@planted_bug("negotiation", "q=0 is treated as acceptable", "accept_header_selects_the_version")
class QZeroIsAcceptable(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        named = [(q, v) for v, q in versions_named(accept) if v in self.versions]
        if not named:
            raise NotAcceptable([MEDIA_TYPES[v] for v in sorted(self.versions)])
        return max(named)[1]


@planted_bug("negotiation", 'a quoted version (version="2") is not understood', "accept_header_selects_the_version")
class QuotedVersionRefused(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate([a.replace('"1"', "x").replace('"2"', "x") for a in accept])


@planted_bug(
    "headers",
    "200 answers say Content-Type: application/json without the version",
    "ok_carries_versioned_content_type_and_vary",
    "responses_match_the_spec",
)
class UnversionedContentType(LatestInteractions):
    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        return with_headers(
            super().render(agent, version, query), lambda h: h.update({"Content-Type": "application/json"})
        )


@planted_bug(
    "headers",
    "200 answers carry no Vary: Accept",
    "ok_carries_versioned_content_type_and_vary",
    "responses_match_the_spec",
)
class NoVary(LatestInteractions):
    def render(self, agent: Agent, version: int, query: V2Query | None) -> Response:
        return with_headers(super().render(agent, version, query), lambda h: h.pop("Vary", None))
