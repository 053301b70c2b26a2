"""A body read as JSON once, however many rules read it.

The judge parses the same bytes many times: the schema check, the rules of one exchange, the
window; and in live traffic the same answer comes back to many requests (an agent polled while
nothing changes). Parsed values are shared, so no rule may change what it reads.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Final


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Final = _NotJson()


@functools.lru_cache(maxsize=512)
def parse_json(body: bytes) -> Any:
    """The JSON value of `body`, or NOT_JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return NOT_JSON
