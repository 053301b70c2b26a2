"""Untrusted JSON and YAML read within bounds, so that no shape of input can exhaust a parser.

The bounds are checked on the text before a parser builds anything (nesting depth, size) or as
the parser meets them (the length of a number), and a breach is a `DocumentRejected` naming the
limit: never a RecursionError, nor the ValueError Python raises past 4,300 digits, turned into a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

MAX_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
"""A fixture document nests 7 deep; nothing the mock reads needs more than a few levels beyond."""
MAX_NUMBER_LENGTH = 100

_KEPT_FOR_DEPTH = b'[]{}"\\'
_ALL_BUT_KEPT = bytes(b for b in range(256) if b not in _KEPT_FOR_DEPTH)
_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")


class DocumentRejected(ValueError):
    """The text breaks a bound or is not a document of the expected syntax; `str()` says which."""


class NotJson(DocumentRejected):
    """The text is within the bounds but is not JSON (it may still be YAML)."""


def parse_json(text: str) -> Any:
    """JSON text -> value, within the bounds; DocumentRejected otherwise."""
    _check_size(text)
    _check_json_depth(text)
    try:
        return json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except DocumentRejected:
        raise
    except RecursionError:
        raise DocumentRejected(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise NotJson(f"not valid JSON: {error}") from None


def parse_yaml(text: str) -> Any:
    """YAML text -> value, within the bounds; DocumentRejected otherwise (yaml.YAMLError for syntax)."""
    _check_size(text)
    try:
        value = yaml.safe_load(text)
    except RecursionError:
        raise DocumentRejected(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # an integer past Python's digit limit, a bad date
        raise DocumentRejected(f"a value cannot be read: {error}") from None
    check_value_bounds(value)
    return value


def check_value_bounds(value: Any) -> None:
    """The same bounds on an already built value (a YAML document, or one passed from Python)."""
    for depth, item in _walk(value):
        if depth > MAX_DEPTH:
            raise DocumentRejected(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > MAX_NUMBER_LENGTH * 3.33:
            raise DocumentRejected(f"a number is longer than {MAX_NUMBER_LENGTH} digits")


def _walk(value: Any) -> Iterator[tuple[int, Any]]:
    stack = [(1, value)]
    while stack:
        depth, item = stack.pop()
        yield depth, item
        if depth > MAX_DEPTH:
            return
        if isinstance(item, dict):
            stack.extend((depth + 1, child) for pair in item.items() for child in pair)
        elif isinstance(item, list | tuple):
            stack.extend((depth + 1, child) for child in item)


def _check_size(text: str) -> None:
    if len(text) > MAX_BYTES:
        raise DocumentRejected(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")


def _check_json_depth(text: str) -> None:
    """Each pass removes the innermost pairs; a document `MAX_DEPTH` deep is empty after as many passes.

    C-speed steps only (a 30 MB document takes about 0.1 s): keep the brackets, quotes and
    backslashes, drop the strings, keep the brackets.
    """
    kept = text.encode("utf-8", "surrogatepass").translate(None, _ALL_BUT_KEPT)
    if b"\\" not in kept:
        # Strings without brackets are now "": dropping every adjacent pair of quotes drops them, or
        # merges two strings across separators that held no bracket, which changes no depth.
        kept = kept.replace(b'""', b"")
    if b'"' in kept:
        kept = _STRING.sub(b"", kept)
    brackets = kept.translate(None, _ALL_BUT_BRACKETS)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        shorter = _INNERMOST_PAIR.sub(b"", brackets)
        if shorter == brackets:
            return  # unbalanced: the parser names the syntax error
        brackets = shorter
    if brackets:
        raise DocumentRejected(f"nested deeper than {MAX_DEPTH} levels")


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_LENGTH:
        raise DocumentRejected(f"a number is longer than {MAX_NUMBER_LENGTH} digits")
    return int(digits)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise DocumentRejected(f"a number is longer than {MAX_NUMBER_LENGTH} digits")
    return float(text)


def _no_constant(name: str) -> float:
    raise DocumentRejected(f"{name} is not JSON")
