"""Which representation to serve, from the Accept header (406 when none is acceptable).

A range names a version when its type is application/json (any case) with a `version`
parameter of a served version, the value possibly quoted. The highest q wins, q=0 refuses,
a tie goes to the higher version. Wildcards and unversioned ranges name no version.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from mockserver.api.representation import media_type
from mockserver.errors import NotAcceptable

_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
_VERSION = re.compile(r"[1-9][0-9]{0,8}")
"""A version as the spec writes it: decimal, no sign, no leading zero (`version=01` names none)."""


@dataclass(frozen=True, slots=True)
class MediaRange:
    media_type: str
    parameters: dict[str, str]

    @property
    def quality(self) -> float | None:
        """The q value, or None when it is not a valid qvalue."""
        raw = self.parameters.get("q", "1")
        return float(raw) if _QVALUE.match(raw) else None


def choose_version(accept: Sequence[str], served: Iterable[int]) -> int:
    return choose(accept, served)[0]


def choose(accept: Sequence[str], served: Iterable[int]) -> tuple[int, MediaRange]:
    """The version served and the range that chose it (the first of those naming it with its highest q)."""
    served = frozenset(served)
    decided = _decide(tuple(accept), served)
    if decided is None:
        raise NotAcceptable([media_type(v) for v in sorted(served)])
    return decided


@functools.lru_cache(maxsize=1024)
def _decide(accept: tuple[str, ...], served: frozenset[int]) -> tuple[int, MediaRange] | None:
    """Remembered: a client sends the same Accept header on every request, and parsing it was a fifth
    of a request's own time (benchmarks/profile_request.py)."""
    best: dict[int, tuple[float, MediaRange]] = {}
    for media_range in parse_accept(", ".join(accept)):
        version = _named_version(media_range)
        quality = media_range.quality
        if version in served and quality is not None and quality > best.get(version, (-1.0, media_range))[0]:
            best[version] = (quality, media_range)
    acceptable = [(quality, version, chosen) for version, (quality, chosen) in best.items() if quality > 0]
    if not acceptable:
        return None
    _, version, chosen = max(acceptable, key=lambda found: found[:2])
    return version, chosen


def _named_version(media_range: MediaRange) -> int | None:
    if media_range.media_type != "application/json":
        return None
    version = media_range.parameters.get("version")
    return int(version) if version is not None and _VERSION.fullmatch(version) else None


def parse_accept(header: str) -> Iterator[MediaRange]:
    """Each well-formed media range of the header; malformed ones are skipped, never an error."""
    for part in _split(header, ","):
        pieces = _split(part, ";")
        media_type = pieces[0].strip().lower() if pieces else ""
        if media_type.count("/") != 1:
            continue
        parameters: dict[str, str] = {}
        well_formed = True
        for piece in pieces[1:]:
            name, equals, value = piece.partition("=")
            name = name.strip().lower()
            if not equals or not name or name in parameters:
                well_formed = False
                break
            parameters[name] = _unquote(value.strip())
        if well_formed:
            yield MediaRange(media_type, parameters)


def _split(text: str, separator: str) -> list[str]:
    """Split on `separator` outside double quotes."""
    if '"' not in text:
        plain = text.split(separator)
        return [part for part in plain if part.strip()] if separator == "," else plain
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
    return [part for part in parts if part.strip()] if separator == "," else parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value
