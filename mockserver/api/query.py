"""The version-2 query string: size, type, activeLiveFirst (400 when invalid).

Bounds, enums and defaults come from the spec. Under version 1 this module is never called:
the contract says v1 ignores these parameters whatever their value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.errors import InvalidParameter
from mockserver.spec import SpecError

TYPE_REQUIRED = "The InteractionType field is required."
_DIGITS = re.compile(r"^[0-9]+$")


V2_PARAMETERS = ("size", "type", "activeLiveFirst")
"""The version-2 query parameters, as the spec names them."""


@dataclass(frozen=True, slots=True)
class V2Query:
    size: int
    type: str
    active_live_first: bool


@dataclass(frozen=True, slots=True)
class QueryRules:
    size_minimum: int
    size_maximum: int
    size_default: int
    types: tuple[str, ...]
    type_default: str
    active_live_first_default: bool

    @classmethod
    def from_spec(cls, parameters: Mapping[str, Mapping[str, Any]]) -> QueryRules:
        """The rules the spec's parameters give, or SpecError naming what the mock needs and did not find."""
        needed = {
            "size": ("minimum", "maximum", "default"),
            "type": ("enum", "default"),
            "activeLiveFirst": ("default",),
        }
        missing = [
            f"{name}.{key}" if name in parameters else name
            for name, keys in needed.items()
            for key in keys
            if name not in parameters or key not in parameters[name]
        ]
        if missing:
            raise SpecError(
                "the operation's query parameters must give what version 2's rules read: "
                f"{', '.join(dict.fromkeys(missing))} missing"
            )
        size, type_, first = parameters["size"], parameters["type"], parameters["activeLiveFirst"]
        return cls(
            size_minimum=size["minimum"],
            size_maximum=size["maximum"],
            size_default=size["default"],
            types=tuple(type_["enum"]),
            type_default=type_["default"],
            active_live_first_default=first["default"],
        )

    def parse(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        """Every problem is found before answering, so one 400 names all the bad parameters."""
        problems: list[InvalidParameter] = []
        size = self._one(query, "size", problems)
        type_ = self._one(query, "type", problems)
        first = self._one(query, "activeLiveFirst", problems)

        size_value = self.size_default
        if size is not None:
            # Leading zeros aside, a valid size has as many digits as the maximum at most: no
            # unbounded int() of a hostile 5,000-digit value (Python refuses past 4,300).
            significant = size.lstrip("0")
            if (
                _DIGITS.match(size)
                and len(significant) <= len(str(self.size_maximum))
                and self.size_minimum <= int(significant or "0") <= self.size_maximum
            ):
                size_value = int(significant)
            else:
                problems.append(
                    InvalidParameter(
                        "size",
                        f"Invalid query parameter 'size': must be an integer from {self.size_minimum} "
                        f"to {self.size_maximum}, got {_shown(size)}.",
                    )
                )
        type_value = self.type_default
        if type_ == "":
            problems.append(InvalidParameter("type", TYPE_REQUIRED))
        elif type_ is not None:
            if type_ in self.types:
                type_value = type_
            else:
                problems.append(
                    InvalidParameter(
                        "type",
                        f"Invalid query parameter 'type': must be one of {'|'.join(self.types)}, got {_shown(type_)}.",
                    )
                )
        first_value = self.active_live_first_default
        if first is not None:
            if first in ("true", "false"):
                first_value = first == "true"
            else:
                problems.append(
                    InvalidParameter(
                        "activeLiveFirst",
                        f"Invalid query parameter 'activeLiveFirst': must be true or false, got {_shown(first)}.",
                    )
                )
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise InvalidParameter(",".join(p.parameter for p in problems), " ".join(p.message for p in problems))
        return V2Query(size_value, type_value, first_value)

    @staticmethod
    def _one(query: Mapping[str, Sequence[str]], name: str, problems: list[InvalidParameter]) -> str | None:
        values = query.get(name)
        if not values:
            return None
        if len(values) > 1:
            problems.append(
                InvalidParameter(
                    name, f"Invalid query parameter '{name}': give it at most once, got {len(values)} values."
                )
            )
            return None
        return values[0]


def _shown(value: str) -> str:
    """The value as the message quotes it, cut so that a 10 KB value does not make a 10 KB message."""
    return repr(value) if len(value) <= 40 else repr(value[:37]) + "..."
