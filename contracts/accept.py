"""The judge's own reading of `Accept` (RFC 9110 section 12.5.1 and CONTRACT.md's negotiation rules).

Independent of the mock's parser (`mockserver/api/negotiation.py`) so the two cannot share a bug.
`resolve` says which of the representations a document declares an Accept value selects: a range
names a representation when its type, subtype and parameters other than `q` are the
representation's (case-insensitive names, spaces and quotes aside); wildcards and ranges naming no
declared representation select nothing; the highest q wins, q=0 refuses, a tie goes to the higher
version (the later declared when there is no version).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]
    """Lower-case names, unquoted values, `q` left out, sorted."""
    q: float | None
    """None when the q parameter is not a valid qvalue: the range is then ignored."""

    @property
    def media_type(self) -> str:
        return ";".join([f"{self.type}/{self.subtype}", *(f"{n}={v}" for n, v in self.parameters)])


def parse(values: Sequence[str]) -> list[MediaRange]:
    """Every well-formed range of one or several Accept header lines, in order."""
    return list(_parsed(tuple(values)))


@functools.lru_cache(maxsize=1024)
def _parsed(values: tuple[str, ...]) -> tuple[MediaRange, ...]:
    """Remembered per header value: a client sends the same Accept on every request, and the proxy
    judges each of them (benchmarks/proxy_judging.py)."""
    ranges = []
    for line in values:
        for element in _split(line, ","):
            parsed = _range(element)
            if parsed is not None:
                ranges.append(parsed)
    return tuple(ranges)


def _range(element: str) -> MediaRange | None:
    pieces = _split(element, ";")
    if not pieces:
        return None
    type_, slash, subtype = pieces[0].strip().partition("/")
    if not slash or not _TOKEN.fullmatch(type_) or not _TOKEN.fullmatch(subtype):
        return None
    parameters: dict[str, str] = {}
    q: float | None = 1.0
    for piece in pieces[1:]:
        name, equals, value = piece.strip().partition("=")
        name, value = name.strip().lower(), value.strip()
        if not equals or not _TOKEN.fullmatch(name) or name in parameters:
            return None
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if name == "q":
            q = float(value) if _QVALUE.fullmatch(value) else None
            parameters[name] = value
            continue
        parameters[name] = value
    parameters.pop("q", None)
    return MediaRange(type_.lower(), subtype.lower(), tuple(sorted(parameters.items())), q)


def _split(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def resolve(accept: Sequence[str], representations: Sequence[str]) -> str | None:
    """The representation (a normalised media type such as `application/json;version=2`) that
    `accept` selects among `representations`, or None for a 406. No Accept header at all is a 406."""
    return _resolved(tuple(accept), tuple(representations))


@functools.lru_cache(maxsize=1024)
def _resolved(accept: tuple[str, ...], representations: tuple[str, ...]) -> str | None:
    declared = {_key(r): r for r in representations}
    best: dict[str, float] = {}
    for media_range in _parsed(accept):
        chosen = declared.get(media_range.media_type)
        if chosen is not None and media_range.q is not None:
            best[chosen] = max(best.get(chosen, 0.0), media_range.q)
    acceptable = [r for r, q in best.items() if q > 0]
    if not acceptable:
        return None
    order = {r: index for index, r in enumerate(representations)}
    return max(acceptable, key=lambda r: (best[r], _version(r), order[r]))


def _key(representation: str) -> str:
    parsed = _range(representation)
    return parsed.media_type if parsed is not None else representation


def _version(representation: str) -> float:
    match = re.search(r"(?:^|;)version=([0-9]+(?:\.[0-9]+)?)(?:;|$)", _key(representation))
    return float(match[1]) if match else -1.0
