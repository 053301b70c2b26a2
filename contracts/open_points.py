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
