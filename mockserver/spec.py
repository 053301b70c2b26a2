"""What the mock takes from openapi.yaml: the route and the version-2 parameters' rules.

The spec is the single source of truth; reading these once at start-up means the request path
never re-reads it, and a change of bounds or enums in the spec changes the mock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mockserver.resources import SPEC_PATH

OPERATION_ID = "latestInteractions"


@dataclass(frozen=True, slots=True)
class ApiSpec:
    document: dict[str, Any]
    base_path: str
    path_template: str
    parameters: dict[str, dict[str, Any]]
    """The operation's query parameters' schemas, by name."""

    @property
    def route_template(self) -> str:
        return self.base_path + self.path_template

    def route_pattern(self) -> re.Pattern[str]:
        """The route as a regex whose groups are the path parameters, each one path segment."""
        pattern = re.escape(self.route_template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        return re.compile(f"^{pattern}$")


@cache
def load_spec(path: Path = SPEC_PATH) -> ApiSpec:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    base_path = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
    for path_template, item in document["paths"].items():
        operation = item.get("get", {})
        if operation.get("operationId") == OPERATION_ID:
            parameters = {
                p["name"]: _resolve(document, p)["schema"]
                for p in (_resolve(document, ref) for ref in operation.get("parameters", []))
                if p["in"] == "query"
            }
            return ApiSpec(document, base_path, path_template, parameters)
    raise LookupError(f"{path} has no GET operation {OPERATION_ID!r}")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
