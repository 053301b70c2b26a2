"""The served API as one value: everything the mock takes from one spec document, built once.

`create_app` builds a `ServedApi` from `Settings.spec` (or is given one) and passes it to every part
that needs the spec: the endpoint (versions, query rules, representations), the fixture checker and
the control requests (the extra fields items may carry), the scenario loader, the spec's views
(`/v0/openapi.vN.json`). `--watch` builds a new one and adopts it whole. Nothing else reads a spec:
two mocks with two specs live side by side in one process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mockserver.api.query import QueryRules
from mockserver.api.shapes import ExtraField, Representations, extra_fields
from mockserver.resources import SPEC_PATH
from mockserver.spec import ApiSpec, SpecDocument, SpecError, api_of


@dataclass(frozen=True)
class ServedApi:
    spec: SpecDocument
    api: ApiSpec
    """The operation's route, base path, query parameters and declared versions."""
    versions: frozenset[int]
    """The versions served: some or all of those the spec declares."""
    representations: Representations
    rules: QueryRules
    extras: Mapping[str, ExtraField] = field(repr=False)
    """The fields the spec's items declare that the mock does not know, which data may give."""

    @classmethod
    def of(cls, spec: SpecDocument, versions: frozenset[int] | None = None) -> ServedApi:
        """`versions` of `spec` (None: every version it declares), or a SpecError saying why not."""
        api = api_of(spec)
        chosen = api.declared_versions if versions is None else versions
        check_versions_declared(chosen, api.declared_versions)
        return cls(
            spec=spec,
            api=api,
            versions=chosen,
            representations=Representations.from_spec(spec, chosen),
            rules=QueryRules.from_spec(api.parameters),
            extras=extra_fields(spec),
        )

    @classmethod
    def load(cls, path: Path = SPEC_PATH, versions: frozenset[int] | None = None) -> ServedApi:
        return cls.of(SpecDocument.load(path), versions)

    @property
    def base_path(self) -> str:
        return self.api.base_path

    @property
    def route_template(self) -> str:
        return self.api.route_template

    @cached_property
    def route(self) -> re.Pattern[str]:
        return self.api.route_pattern()

    @property
    def listing_versions(self) -> frozenset[int]:
        """The served versions that answer a list (version 2's selection), not the latest channel alone."""
        return frozenset(v for v in self.versions if self.representations.lists(v))


def check_versions_declared(versions: frozenset[int], declared: frozenset[int]) -> None:
    """A version the spec does not declare cannot be served: a SpecError naming both sets."""
    if not versions:
        raise SpecError("the spec declares no version (application/json;version=N) for the mock to serve")
    undeclared = versions - declared
    if undeclared:
        served = ",".join(map(str, sorted(versions & declared))) or "..."
        raise SpecError(
            f"the spec declares version(s) {', '.join(map(str, sorted(declared))) or 'none'}; "
            f"the mock was asked to serve {', '.join(map(str, sorted(undeclared)))} too (try --versions {served})"
        )
