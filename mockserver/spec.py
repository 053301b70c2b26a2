"""The one typed model of an OpenAPI document, used by the mock, the judge and the diff.

Operations by path and method; each with its parameters, and its responses by status and by *full*
media type (`application/json;version=2`, parameters included and normalised as RFC 9110 says), with
their headers. `$ref`s are resolved (cycles are cut, not followed). Loadable from any path or text.

`api_of(spec)` gives what the mock takes from a document: the route and the version-2 parameters'
rules. Nothing here holds a document in force: the mock's is `api/served.py`'s `ServedApi`, the
judge's its `Target.spec`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

OPERATION_ID = "latestInteractions"
NO_CACHE_VARIABLE = "LATEST_INTERACTIONS_NO_SPEC_CACHE"
"""Set (to anything) to validate every document afresh, remembering nothing."""
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """A document that cannot be read as OpenAPI; the message says which and why."""


@lru_cache(maxsize=1024)
def normalise_media_type(value: str, *, drop: tuple[str, ...] = ()) -> str:
    """'Application/JSON; Version="2"' -> 'application/json;version=2'; parameters in `drop` left out.

    Type, subtype and parameter names are case-insensitive, spaces around `;` and `=` do not count
    and a quoted value is unquoted (RFC 9110 section 8.3.1); parameter values keep their case.
    """
    pieces = [piece.strip() for piece in value.split(";")]
    params = []
    for piece in pieces[1:]:
        if not piece:
            continue
        name, _, raw = piece.partition("=")
        if name.strip().lower() in drop:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.append(f"{name.strip().lower()}={raw}")
    return ";".join([pieces[0].lower(), *params])


@dataclass(frozen=True)
class MediaTypeSpec:
    name: str
    """As written in the document (the key of `content`)."""
    schema: dict[str, Any]
    """Resolved and inlined."""
    raw: dict[str, Any]
    """The media type object as written (examples, extensions)."""

    @property
    def examples(self) -> dict[str, Any]:
        found = {name: (e or {}).get("value") for name, e in (self.raw.get("examples") or {}).items()}
        if "example" in self.raw:
            found["example"] = self.raw["example"]
        return found

    @property
    def deprecated(self) -> bool:
        return bool(self.raw.get("deprecated") or self.raw.get("x-deprecated"))

    @property
    def sunset(self) -> str | None:
        value = self.raw.get("x-sunset")
        return None if value is None else str(value)

    @property
    def stability(self) -> str | None:
        value = self.raw.get("x-stability-level")
        return None if value is None else str(value)


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class ResponseSpec:
    status: str
    headers: dict[str, HeaderSpec]
    """By lower-case name."""
    content: dict[str, MediaTypeSpec]
    """By normalised media type."""


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    raw: dict[str, Any]


@dataclass(frozen=True)
class OperationSpec:
    path: str
    method: str
    raw: dict[str, Any]
    parameters: dict[tuple[str, str], ParameterSpec]
    """By (location, name); path-level parameters included."""
    responses: dict[str, ResponseSpec]
    request_content: dict[str, MediaTypeSpec]
    request_required: bool
    security: list[dict[str, list[str]]]

    @property
    def operation_id(self) -> str | None:
        value = self.raw.get("operationId")
        return None if value is None else str(value)

    @property
    def deprecated(self) -> bool:
        return bool(self.raw.get("deprecated"))

    @property
    def stability(self) -> str | None:
        value = self.raw.get("x-stability-level")
        return None if value is None else str(value)

    def query_schemas(self) -> dict[str, dict[str, Any]]:
        return {name: p.schema for (where, name), p in self.parameters.items() if where == "query"}


@dataclass(frozen=True)
class SpecDocument:
    document: dict[str, Any]
    source: str
    operations: dict[tuple[str, str], OperationSpec] = field(repr=False)
    """By (path template, lower-case method)."""

    @classmethod
    def load(cls, path: str | Path) -> SpecDocument:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SpecError(f"{path}: cannot read: {error}") from None
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str, *, source: str = "document") -> SpecDocument:
        try:
            document = yaml.load(text, Loader=_YAML_LOADER)
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise SpecError(f"{source}: not YAML or JSON: {error}") from None
        return cls.from_document(document, source=source)

    @classmethod
    def from_document(cls, document: Any, *, source: str = "document", validate: bool = True) -> SpecDocument:
        if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
            raise SpecError(f"{source}: not an OpenAPI 3 document (no 'openapi: 3.x' at the top)")
        if validate:
            _validate(document, source)
        resolver = _Resolver(document)
        operations: dict[tuple[str, str], OperationSpec] = {}
        for path, item in (document.get("paths") or {}).items():
            item = resolver.resolve(item)
            shared = [resolver.resolve(p) for p in item.get("parameters", [])]
            for method in METHODS:
                if method in item:
                    operations[(path, method)] = _operation(resolver, document, path, method, item[method], shared)
        return cls(document, source, operations)

    @property
    def base_path(self) -> str:
        servers = self.document.get("servers") or [{"url": "/"}]
        return urlsplit(str(servers[0].get("url", "/"))).path.rstrip("/")

    @property
    def security_schemes(self) -> dict[str, dict[str, Any]]:
        return dict((self.document.get("components") or {}).get("securitySchemes") or {})

    def operation(self, operation_id: str) -> OperationSpec:
        for operation in self.operations.values():
            if operation.operation_id == operation_id:
                return operation
        raise SpecError(f"{self.source} has no operation {operation_id!r}")


def _validate(document: dict[str, Any], source: str) -> None:
    """openapi-spec-validator's verdict, remembered by the document's digest: importing the validator
    alone costs about 0.35 s, three times what the rest of `contracts diff` costs, and the same
    documents (main's spec, the working copy's) are judged again and again."""
    remembered = _validated_marker(document)
    if remembered is not None and remembered.exists():
        return
    from openapi_spec_validator import validate as validate_spec

    try:
        validate_spec(_distinct_paths(_without_representation_deprecation(document)))
    except Exception as error:  # noqa: BLE001 - the validator's errors have no common base
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SpecError(f"{source}: not a valid OpenAPI document: {first}") from None
    if remembered is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            remembered.parent.mkdir(parents=True, exist_ok=True)
            remembered.touch()


def _validated_marker(document: dict[str, Any]) -> Path | None:
    """Where a document's positive verdict is kept: under $XDG_CACHE_HOME (or ~/.cache), keyed by the
    document and by the installed validator (a new one judges again). None: no cache."""
    if os.environ.get(NO_CACHE_VARIABLE):
        return None
    found = importlib.util.find_spec("openapi_spec_validator")
    if found is None or found.origin is None:
        return None
    try:
        validator_stamp = str(os.stat(found.origin).st_mtime_ns)
        text = json.dumps(document, sort_keys=True, default=str)
    except (OSError, ValueError, RecursionError):
        return None
    digest = hashlib.sha256(f"{validator_stamp}\n{text}".encode()).hexdigest()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "latest-interactions" / "valid-specs" / digest


def _distinct_paths(document: dict[str, Any]) -> dict[str, Any]:
    """The document with one path item of each shape: the validator walks every node of what it is
    given (about 2 ms an operation), and a path item's validity depends only on its content, its
    template's parameter names and the components, which every shape keeps. Duplicate
    operationIds, which this would hide, are checked here."""
    paths = document.get("paths")
    if not isinstance(paths, dict) or len(paths) < 50:
        return document
    seen_ids: dict[str, str] = {}
    shapes: dict[str, str] = {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            return document
        for method in METHODS:
            operation_id = (item.get(method) or {}).get("operationId") if isinstance(item.get(method), dict) else None
            if operation_id is not None:
                if operation_id in seen_ids:
                    raise SpecError(f"operationId {operation_id!r} is used twice ({seen_ids[operation_id]}, {path})")
                seen_ids[str(operation_id)] = path
        shape = json.dumps(
            [sorted(re.findall(r"\{([^}]+)\}", path)), _without_operation_ids(item)], sort_keys=True, default=str
        )
        shapes.setdefault(shape, path)
    return {**document, "paths": {path: paths[path] for path in shapes.values()}}


def _without_operation_ids(item: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {k: v for k, v in value.items() if k != "operationId"}
        if key in METHODS and isinstance(value, dict)
        else value
        for key, value in item.items()
    }


def _without_representation_deprecation(document: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 has no `deprecated` on a media type object; this project reads one there (with
    `x-sunset`), so the validator is shown the document without it."""
    copied: dict[str, Any] | None = None
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            for status, response in ((item.get(method) or {}).get("responses") or {}).items():
                for name, media in ((response or {}).get("content") or {}).items():
                    if isinstance(media, dict) and "deprecated" in media:
                        if copied is None:
                            copied = json.loads(json.dumps(document, default=str))
                        del copied["paths"][path][method]["responses"][status]["content"][name]["deprecated"]
    return document if copied is None else copied


def _operation(
    resolver: _Resolver,
    document: dict[str, Any],
    path: str,
    method: str,
    raw: dict[str, Any],
    shared: list[dict[str, Any]],
) -> OperationSpec:
    parameters: dict[tuple[str, str], ParameterSpec] = {}
    for parameter in [*shared, *(resolver.resolve(p) for p in raw.get("parameters", []))]:
        key = (str(parameter.get("in")), str(parameter.get("name")))
        parameters[key] = ParameterSpec(
            key[1], key[0], bool(parameter.get("required")), resolver.inline(parameter.get("schema", {})), parameter
        )
    responses = {}
    for status, response in (raw.get("responses") or {}).items():
        response = resolver.resolve(response)
        headers = {
            name.lower(): HeaderSpec(name, bool(h.get("required")), resolver.inline(h.get("schema", {})))
            for name, h in ((n, resolver.resolve(h)) for n, h in (response.get("headers") or {}).items())
        }
        responses[str(status)] = ResponseSpec(str(status), headers, _content(resolver, response.get("content")))
    body = resolver.resolve(raw.get("requestBody") or {})
    security = raw.get("security", document.get("security", []))
    return OperationSpec(
        path,
        method,
        raw,
        parameters,
        responses,
        _content(resolver, body.get("content")),
        bool(body.get("required")),
        list(security or []),
    )


def _content(resolver: _Resolver, content: Any) -> dict[str, MediaTypeSpec]:
    return {
        normalise_media_type(name): MediaTypeSpec(name, resolver.inline(media.get("schema", {})), media)
        for name, media in (content or {}).items()
    }


class _Resolver:
    """Local `$ref`s (`#/components/...`) resolved; a reference cycle is cut where it closes."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._inlined: dict[str, Any] = {}
        """A `$ref` inlined once, shared by every place that uses it (the model is read-only)."""

    def resolve(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            reference = node["$ref"]
            if reference in seen or not reference.startswith("#/"):
                return {}
            seen.add(reference)
            target: Any = self.document
            for part in reference.removeprefix("#/").split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise SpecError(f"unresolvable $ref {reference!r}")
                target = target[part]
            node = target
        return node

    def inline(self, node: Any, active: frozenset[str] = frozenset()) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str):
                if reference in active:
                    return {"x-recursive-ref": reference}
                if not active and reference in self._inlined:
                    return self._inlined[reference]
                inlined = self.inline(self.resolve(node), active | {reference})
                if not active:
                    self._inlined[reference] = inlined
                return inlined
            return {key: self.inline(value, active) for key, value in node.items()}
        if isinstance(node, list):
            return [self.inline(item, active) for item in node]
        return node


# -- what the mock takes from the spec --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiSpec:
    document: dict[str, Any]
    base_path: str
    path_template: str
    parameters: dict[str, dict[str, Any]]
    """The operation's query parameters' schemas, by name."""
    declared_versions: frozenset[int]
    """The `version=N` of the operation's 200 media types (`application/json;version=N`)."""

    @property
    def route_template(self) -> str:
        return self.base_path + self.path_template

    def route_pattern(self) -> re.Pattern[str]:
        """The route as a regex whose groups are the path parameters, each one path segment."""
        pattern = re.escape(self.route_template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        return re.compile(f"^{pattern}$")


def api_of(spec: SpecDocument) -> ApiSpec:
    operation = spec.operation(OPERATION_ID)
    return ApiSpec(
        spec.document, spec.base_path, operation.path, operation.query_schemas(), frozenset(declared_versions(spec))
    )


def declared_versions(spec: SpecDocument) -> list[int]:
    """The versions of the operation's 200 (`application/json;version=N`, N written without leading
    zeros), ascending."""
    try:
        response = spec.operation(OPERATION_ID).responses.get("200")
    except SpecError:
        return []
    found = []
    for name in response.content if response is not None else ():
        base, *parameters = name.split(";")
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if base == "application/json" and key == "version" and value.isdecimal() and value == str(int(value)):
                found.append(int(value))
    return sorted(found)


def version_view(spec: SpecDocument, version: int) -> dict[str, Any]:
    """A copy of the document holding version `version` alone: every other `;version=N` media type
    of every response is left out, so generic tools that pick a response's first schema pick it,
    and so are the parameters of other versions (`x-versions`)."""
    document: dict[str, Any] = json.loads(json.dumps(spec.document))
    wanted = f"version={version}"
    found = False
    for item in document.get("paths", {}).values():
        for method in METHODS:
            for response in (item.get(method) or {}).get("responses", {}).values():
                content: Mapping[str, Any] = response.get("content") or {}
                versioned = {n: c for n, c in content.items() if "version=" in normalise_media_type(n)}
                kept = {n: c for n, c in versioned.items() if wanted in normalise_media_type(n).split(";")[1:]}
                found = found or bool(kept)
                for name in set(versioned) - set(kept):
                    del response["content"][name]
        for operation in (item.get(method) for method in METHODS):
            if isinstance(operation, dict) and "parameters" in operation:
                named = _versions_named(document, operation["parameters"])
                operation["parameters"] = [
                    p for p in operation["parameters"] if _in_version(document, p, version, named)
                ]
    if not found:
        raise SpecError(f"{spec.source} declares no media type with version={version}")
    info = document.setdefault("info", {})
    info["title"] = f"{info.get('title', 'API')} (version {version} only)"
    return document


def _in_version(document: dict[str, Any], parameter: dict[str, Any], version: int, named: set[int]) -> bool:
    """Whether the parameter belongs to `version`: `x-versions` lists it, or it is absent; a version
    later than 2 that no parameter names takes version 2's (it is served with version 2's rules)."""
    versions = _Resolver(document).resolve(parameter).get("x-versions")
    if versions is None or version in versions:
        return True
    return version > 2 and version not in named and 2 in versions


def _versions_named(document: dict[str, Any], parameters: list[Any]) -> set[int]:
    resolver = _Resolver(document)
    named: set[int] = set()
    for parameter in parameters:
        versions = resolver.resolve(parameter).get("x-versions")
        if isinstance(versions, list):
            named.update(v for v in versions if isinstance(v, int))
    return named
