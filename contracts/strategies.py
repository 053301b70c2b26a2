"""Hypothesis strategies for what a client may send, each drawn with the answer the contract expects.

The expected answer is computed from the structure drawn (which versions, which q), never by
parsing the rendered text, so the judge does not share a parser's bugs with the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

# -- Accept ---------------------------------------------------------------------------------------


NAMED_VERSIONS = ("1", "2", "3")
"""The versions a drawn range may name: a range is expected to select its version only when the server is
judged as serving it, so one alphabet fits every spec (a draft's version 3 too)."""
UNDECLARED_VERSION = "9"
"""A version no server here serves: a range naming it alone is refused (406)."""
# A range naming each version, one naming a version nobody serves, and ranges that name none: generic
# tools only ever send */* and so never reach version 2.
RANGE_KINDS = (
    *(f"v{v}" for v in NAMED_VERSIONS),
    f"v{UNDECLARED_VERSION}",
    "json",
    "any",
    "application-any",
    "html",
)
QUALITIES = (None, "1", "1.0", "0.9", "0.5", "0.50", "0.1", "0.001", "0", "0.0")


@dataclass(frozen=True)
class MediaRangeDraw:
    kind: str
    quality: str | None
    type_case: int
    param_case: int
    quoted: bool
    spaced: bool

    def render(self) -> str:
        media_type = {"any": "*/*", "application-any": "application/*", "html": "text/html"}.get(
            self.kind, "application/json"
        )
        media_type = (media_type, media_type.upper(), media_type.title())[self.type_case]
        separator = " ; " if self.spaced else ";"
        parameters = []
        if self.kind.startswith("v"):
            name = ("version", "VERSION", "Version")[self.param_case]
            value = self.kind[1:]
            parameters.append(f'{name}="{value}"' if self.quoted else f"{name}={value}")
        if self.quality is not None:
            parameters.append(f"{'qQ'[self.param_case % 2]}={self.quality}")
        return separator.join([media_type, *parameters])

    @property
    def version(self) -> int | None:
        """The version this range names, if any."""
        return int(self.kind[1:]) if self.kind.startswith("v") else None

    @property
    def q(self) -> float:
        return 1.0 if self.quality is None else float(self.quality)


@dataclass(frozen=True)
class AcceptDraw:
    ranges: tuple[MediaRangeDraw, ...]
    joiner: str

    @property
    def header(self) -> str:
        return self.joiner.join(r.render() for r in self.ranges)

    def expected_version(self, served: frozenset[int]) -> int | None:
        """Highest q among served versions named; q=0 refuses; a tie goes to the higher version."""
        best: dict[int, float] = {}
        for media_range in self.ranges:
            version = media_range.version
            if version in served:
                best[version] = max(best.get(version, 0.0), media_range.q)
        acceptable = {v: q for v, q in best.items() if q > 0}
        return max(acceptable, key=lambda v: (acceptable[v], v)) if acceptable else None


media_ranges = st.builds(
    MediaRangeDraw,
    kind=st.sampled_from(RANGE_KINDS),
    quality=st.sampled_from(QUALITIES),
    type_case=st.integers(0, 2),
    param_case=st.integers(0, 2),
    quoted=st.booleans(),
    spaced=st.booleans(),
)
joiners = st.sampled_from([",", ", ", " , "])


@st.composite
def _both_versions(draw: st.DrawFn) -> AcceptDraw:
    """Both versions named, often at the same q: where ties and q-values decide."""
    quality = draw(st.sampled_from(QUALITIES))
    tie = draw(st.booleans())
    first = draw(media_ranges.map(lambda r: replace(r, kind="v1", quality=quality)))
    second = draw(media_ranges.map(lambda r: replace(r, kind="v2", quality=quality if tie else r.quality)))
    noise = draw(st.lists(media_ranges, max_size=2))
    return AcceptDraw(tuple(draw(st.permutations([first, second, *noise]))), draw(joiners))


def _plain(
    kind: str, quality: str | None = None, *, case: int = 0, quoted: bool = False, spaced: bool = False
) -> MediaRangeDraw:
    return MediaRangeDraw(kind, quality, case, case, quoted, spaced)


# The cases a table would hold, tried before the generated ones.
CANONICAL_ACCEPTS = [
    AcceptDraw((_plain("v1"),), ","),
    AcceptDraw((_plain("v2"),), ","),
    AcceptDraw((_plain("v1"), _plain("v2")), ", "),  # a tie goes to the higher version
    AcceptDraw((_plain("v2", "0.5"), _plain("v1", "0.5")), ","),
    AcceptDraw((_plain("v2", "0.4"), _plain("v1", "0.6")), ","),
    AcceptDraw((_plain("v1", "0.4"), _plain("v2", "0.6")), ","),
    AcceptDraw((_plain("v2", "0"), _plain("v1", "0.1")), ","),
    AcceptDraw((_plain("v2", "0"),), ","),
    AcceptDraw((_plain("v2", case=1),), ","),
    AcceptDraw((_plain("v1", case=2, quoted=True, spaced=True),), " , "),
    AcceptDraw((_plain("v2", quoted=True),), ","),
    AcceptDraw((_plain("any"), _plain("v1", "0.1")), ","),
    AcceptDraw((_plain("json"), _plain(f"v{UNDECLARED_VERSION}")), ","),
]

accept_headers = st.one_of(
    st.builds(AcceptDraw, ranges=st.lists(media_ranges, min_size=1, max_size=4).map(tuple), joiner=joiners),
    _both_versions(),
)

# -- version-2 query ------------------------------------------------------------------------------

TYPES = ("All", "Phone", "Chat", "Email")
# Not `Size` or `TYPE`: whether parameter names compare case-insensitively (as ASP.NET binds them)
# is left open by CONTRACT.md.
UNKNOWN_PARAMETERS = st.lists(
    st.tuples(st.sampled_from(["page", "sizes", "types", "live", "x"]), st.sampled_from(["", "0", "abc", "Fax"])),
    max_size=2,
)


@st.composite
def valid_v2_queries(draw: st.DrawFn) -> list[tuple[str, str]]:
    query: list[tuple[str, str]] = []
    if draw(st.booleans()):
        query.append(("size", str(draw(st.integers(1, 100)))))
    if draw(st.booleans()):
        query.append(("type", draw(st.sampled_from(TYPES))))
    if draw(st.booleans()):
        query.append(("activeLiveFirst", draw(st.sampled_from(["true", "false"]))))
    query.extend(draw(UNKNOWN_PARAMETERS))
    return draw(st.permutations(query))


# Values every careful implementer refuses with a 400 (CONTRACT.md: size 0, 101, abc; type Fax,
# exact case; activeLiveFirst yes).
INVALID_VALUES = {
    "size": ["0", "101", "-1", "abc", "1.5", "1000", "1e2", "ten", "00", "0101", "99999999999999999999"],
    "type": ["Fax", "phone", "PHONE", "all", "chat", "Phone,Chat", "", "Voice"],
    "activeLiveFirst": ["yes", "no", "1", "0", "on", "truee"],
}


@dataclass(frozen=True)
class InvalidQuery:
    parameter: str
    value: str
    others: tuple[tuple[str, str], ...]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(self.parameter, self.value), *self.others]


@st.composite
def invalid_v2_queries(draw: st.DrawFn) -> InvalidQuery:
    parameter = draw(st.sampled_from(sorted(INVALID_VALUES)))
    value = draw(st.sampled_from(INVALID_VALUES[parameter]))
    others = [pair for pair in draw(valid_v2_queries()) if pair[0] != parameter]
    valid_others = tuple(p for p in others if p[0] in ("size", "type", "activeLiveFirst"))
    return InvalidQuery(parameter, value, valid_others)


any_v2_values = st.lists(
    st.tuples(
        st.sampled_from(["size", "type", "activeLiveFirst"]),
        st.one_of(
            st.sampled_from([v for values in INVALID_VALUES.values() for v in values] + ["1", "100", "Phone", "true"]),
            st.text(max_size=8),
        ),
    ),
    max_size=4,
)

# -- auth -----------------------------------------------------------------------------------------

credential_free_authorizations = st.sampled_from(
    ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "Digest username=x", "bearer", "Bearerabc", "NTLM TlRMTVNTUAAB"]
)
unknown_tokens = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='",\\'), min_size=8, max_size=40
).map(lambda text: "zz-unknown-" + text)
unknown_ids = st.text(
    st.characters(min_codepoint=0x30, max_codepoint=0x7A, categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=12
).map(lambda text: "no-such-agent-" + text)
