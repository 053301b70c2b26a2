"""CONTRACT.md, 'Representation negotiation': the Accept header picks the version, or 406."""

from __future__ import annotations

from contracts import expect
from contracts.context import Context
from contracts.failures import Violation
from contracts.registry import requires_v1_only, requires_v2, rule
from contracts.strategies import CANONICAL_ACCEPTS, AcceptDraw, accept_headers
from contracts.target import V1, V2

SECTION = "Representation negotiation (the Accept header)"
UNACCEPTABLE = [
    None,
    "*/*",
    "application/json",
    "text/html",
    "application/*",
    "text/plain;version=1",
    # JSON-ish types with a version: none is application/json, so none names a supported media type.
    "text/json;version=1",
    "application/*+json;version=1",
    "application/vnd.x+json;version=1",
    "application/problem+json;version=2",
    "application/jsonx;version=1",
]


@rule(
    "accept_header_selects_the_version",
    "Case, spaces, quotes, q-values, several ranges: the highest q wins, ties to the higher version",
    SECTION,
)
def accept_header_selects_the_version(context: Context) -> None:
    def check(draw: AcceptDraw) -> None:
        expected = draw.expected_version(context.target.versions)
        answer = context.request(context.target.agents[0], accept=draw.header)
        if expected is None:
            expect.error(answer, 406, f"no served version is acceptable in {expect.shown(draw.header)}")
        else:
            expect.version_served(answer, expected)

    context.explore(accept_headers, check, must_try=CANONICAL_ACCEPTS)


@rule(
    "unacceptable_is_406_naming_media_types",
    "No Accept, */*, unversioned or unknown versions: 406 naming the supported media types",
    SECTION,
)
def unacceptable_is_406(context: Context) -> None:
    versions = context.target.versions
    # Versions the server does not claim to serve: the next one, and a declared one it leaves out.
    not_served = sorted({max(versions) + 1, *(v for v in (1, 2) if v not in versions)})
    for accept in [*UNACCEPTABLE, *(f"application/json;version={v}" for v in not_served)]:
        answer = context.request(context.target.agents[0], accept=accept)
        message = expect.error(answer, 406, f"Accept {expect.shown(accept)} names no supported version")
        missing = [m for m in context.target.media_types() if m not in message.replace(" ", "")]
        if missing:
            raise Violation(f"a message naming {', '.join(context.target.media_types())}", answer.summary(), answer)


@rule(
    "ok_carries_versioned_content_type_and_vary",
    "A 200 carries Content-Type application/json;version=N and Vary: Accept",
    SECTION,
)
def ok_carries_content_type_and_vary(context: Context) -> None:
    for version in sorted(context.target.versions):
        accept = f"application/json;version={version}"
        for agent in context.target.agents:
            answer = context.request(agent, accept=accept)
            expect.version_served(answer, version)
            vary = [part.strip().lower() for part in (answer.header("vary") or "").split(",")]
            if "accept" not in vary and "*" not in vary:
                raise Violation("Vary: Accept", expect.header_shown(answer, "Vary"), answer)


@rule("version_2_is_served", "A server that serves version 2 answers application/json;version=2", SECTION)
@requires_v2
def version_2_is_served(context: Context) -> None:
    expect.version_served(context.request(context.target.agents[0], accept=V2), 2)


@rule(
    "version_1_only_refuses_version_2", "A version-1-only server answers 406 to a request for version 2 alone", SECTION
)
@requires_v1_only
def version_1_only_refuses_version_2(context: Context) -> None:
    for accept in (V2, 'application/json;version="2"', "APPLICATION/JSON;VERSION=2"):
        expect.error(context.request(context.target.agents[0], accept=accept), 406, "version 2 is not served")


@rule(
    "several_accept_headers_are_one_list",
    "Several Accept header lines are one comma-separated list (RFC 9110): a version named in any of them counts",
    SECTION,
)
def several_accept_headers_are_one_list(context: Context) -> None:
    agent = context.target.agents[0]
    served, ok = context.target.first_version, context.target.ok_accept
    # The version in the first line, the last and the middle: a server reading one line only is seen.
    for lines, version in [
        (["text/html", ok], served),
        ([ok, "text/html"], served),
        (["text/html", ok, "application/xml"], served),
        (["text/html", "application/xml", ok], served),
        *(
            [([V2, f"{V1};q=0.5"], 2), ([f"{V1};q=0.5", V2], 2), ([f"{V2};q=0.5", "text/html", V1], 1)]
            if context.target.versions == {1, 2}
            else []
        ),
    ]:
        first, *others = lines
        answer = context.request(agent, accept=first, extra_headers=[("Accept", line) for line in others])
        expect.version_served(answer, version)
