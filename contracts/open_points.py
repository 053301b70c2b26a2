"""What CONTRACT.md leaves open, where the judge must accept either answer a careful server gives."""

from __future__ import annotations

import re


def is_open_value(name: str, value: str) -> bool:
    """Values CONTRACT.md leaves open: a careful server may refuse them (400) or read them as valid.

    Empty `size` or `activeLiveFirst` (absent, or invalid?), `size` with leading zeros, a sign or
    surrounding spaces (`007`, `+5`, ` 5`), and `activeLiveFirst` in another case (`True`, as .NET reads
    booleans). `type` is exact case by the contract, and empty `type` is the page's 400.
    """
    stripped = value.strip()
    if name == "size":
        return stripped == "" or (
            _SIGNED_DIGITS.fullmatch(stripped) is not None and 1 <= int(stripped.lstrip("+").lstrip("0") or "0") <= 100
        )
    if name == "activeLiveFirst":
        return stripped.lower() in ("", "true", "false")
    return False


_SIGNED_DIGITS = re.compile(r"\+?[0-9]{1,8}")


MAX_PLAIN_ID = 256
"""Past this length an id is one a careful server may refuse (400) before looking it up."""


def is_malformed_id(segment: str) -> bool:
    """An account key or agent id (decoded, undecodable bytes as surrogates) that a careful server may
    refuse with a 400 rather than look up (404): very long, holding control characters, bytes that are
    not UTF-8, or a slash. The contract's ids are opaque strings, so 404 conforms too."""
    return (
        len(segment) > MAX_PLAIN_ID
        or "/" in segment
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xDC80 <= ord(c) <= 0xDCFF for c in segment)
    )


def reroutes(segment: str) -> bool:
    """An id that, decoded, makes another path (a slash, dot segments): a server routing on the
    decoded path answers it as a path it does not serve."""
    return "/" in segment or segment in (".", "..")
