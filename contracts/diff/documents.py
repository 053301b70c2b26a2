"""Changes between two documents: paths, operations, parameters, responses, headers, media types,
request bodies, security and examples. Representations are paired by their full media type
(`application/json;version=1` with the same in the other document, parameters normalised), never
by type and subtype alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.diff.changes import ERROR, INFO, WARNING, Change, json_path
from contracts.diff.schemas import REQUEST, RESPONSE, Where, diff_schema
from mockserver.spec import MediaTypeSpec, OperationSpec, ResponseSpec, SpecDocument


def diff_documents(old: SpecDocument, new: SpecDocument) -> Iterator[Change]:
    """What is not inside an operation both documents have: schemes, paths and operations added or
    removed. `diff_operation` compares the operations both have."""
    yield from _security_schemes(old, new)
    old_paths = {path for path, _ in old.operations}
    new_paths = {path for path, _ in new.operations}
    for path in sorted(old_paths - new_paths):
        operations = [op for (p, _), op in old.operations.items() if p == path]
        deprecated = all(op.deprecated for op in operations)
        yield Change(
            "api-path-removed-with-deprecation" if deprecated else "api-path-removed-without-deprecation",
            WARNING if deprecated else ERROR,
            (),
            json_path("paths", path),
            None,
            f"path {path} removed{' (it was deprecated)' if deprecated else ''}",
        )
    for path in sorted(new_paths - old_paths):
        yield Change("endpoint-added", INFO, (), None, json_path("paths", path), f"path {path} added")
    for key in sorted(old.operations.keys() | new.operations.keys()):
        path, method = key
        if path not in old_paths or path not in new_paths:
            continue
        before, after = old.operations.get(key), new.operations.get(key)
        if after is None:
            assert before is not None
            yield Change(
                "api-removed-with-deprecation" if before.deprecated else "api-removed-without-deprecation",
                WARNING if before.deprecated else ERROR,
                (),
                json_path("paths", path, method),
                None,
                f"{method.upper()} {path} removed{' (it was deprecated)' if before.deprecated else ''}",
            )
        elif before is None:
            yield Change(
                "endpoint-added", INFO, (), None, json_path("paths", path, method), f"{method.upper()} {path} added"
            )


def diff_operation(old: OperationSpec, new: OperationSpec) -> Iterator[Change]:
    name = f"{old.method.upper()} {old.path}"
    base = ("paths", old.path, old.method)
    if new.deprecated and not old.deprecated:
        yield Change("endpoint-deprecated", INFO, (), json_path(*base), json_path(*base), f"{name} is deprecated")
    yield from _parameters(old, new, base)
    yield from _request_body(old, new, base)
    yield from _responses(old, new, base)
    yield from _operation_security(old, new, base)


def _parameters(old: OperationSpec, new: OperationSpec, base: tuple[str, ...]) -> Iterator[Change]:
    for key in sorted(old.parameters.keys() | new.parameters.keys()):
        where_in, name = key
        before, after = old.parameters.get(key), new.parameters.get(key)
        at = json_path(*base, "parameters", f"{where_in}:{name}")
        subject = f"{where_in} parameter '{name}'"
        if after is None:
            yield Change("request-parameter-removed", WARNING, (), at, None, f"{subject} removed")
            continue
        if before is None:
            required = after.required
            yield Change(
                "new-required-request-parameter" if required else "new-optional-request-parameter",
                ERROR if required else INFO,
                (),
                None,
                at,
                f"{subject} added{', required' if required else ''}",
            )
            continue
        if after.required and not before.required:
            yield Change("request-parameter-became-required", ERROR, (), at, at, f"{subject} became required")
        elif before.required and not after.required:
            yield Change("request-parameter-became-optional", INFO, (), at, at, f"{subject} became optional")
        step = ("parameters", f"{where_in}:{name}", "schema")
        yield from diff_schema(
            before.schema, after.schema, Where(base + step, base + step, REQUEST, "request-parameter", subject)
        )


def _request_body(old: OperationSpec, new: OperationSpec, base: tuple[str, ...]) -> Iterator[Change]:
    at = json_path(*base, "requestBody")
    if new.request_required and not old.request_required:
        yield Change("request-body-became-required", ERROR, (), at, at, "the request body became required")
    for media_type in sorted(old.request_content.keys() | new.request_content.keys()):
        before, after = old.request_content.get(media_type), new.request_content.get(media_type)
        step = ("requestBody", "content", media_type)
        if after is None:
            yield Change(
                "request-body-media-type-removed",
                ERROR,
                (media_type,),
                json_path(*base, *step),
                None,
                f"request body {media_type} removed",
            )
        elif before is None:
            yield Change(
                "request-body-media-type-added",
                INFO,
                (media_type,),
                None,
                json_path(*base, *step),
                f"request body {media_type} added",
            )
        else:
            where = Where(
                base + step + ("schema",),
                base + step + ("schema",),
                REQUEST,
                "request-property",
                "the request body",
                (media_type,),
            )
            yield from diff_schema(before.schema, after.schema, where)


def _responses(old: OperationSpec, new: OperationSpec, base: tuple[str, ...]) -> Iterator[Change]:
    for status in sorted(old.responses.keys() | new.responses.keys()):
        before, after = old.responses.get(status), new.responses.get(status)
        at = ("responses", status)
        success = status.startswith("2")
        kind = "success" if success else "non-success"
        if after is None:
            yield Change(
                f"response-{kind}-status-removed",
                ERROR if success else WARNING,
                (),
                json_path(*base, *at),
                None,
                f"response {status} removed",
            )
        elif before is None:
            yield Change(
                f"response-{kind}-status-added", INFO, (), None, json_path(*base, *at), f"response {status} added"
            )
        else:
            yield from _headers(before, after, base + at)
            yield from _contents(before, after, base + at, status)


def _headers(old: ResponseSpec, new: ResponseSpec, base: tuple[str, ...]) -> Iterator[Change]:
    for key in sorted(old.headers.keys() | new.headers.keys()):
        before, after = old.headers.get(key), new.headers.get(key)
        at = base + ("headers", (before or after).name if (before or after) else key)  # type: ignore[union-attr]
        subject = f"response {old.status} header {(before or after).name}"  # type: ignore[union-attr]
        if after is None:
            assert before is not None
            yield Change(
                "required-response-header-removed" if before.required else "optional-response-header-removed",
                ERROR if before.required else WARNING,
                (),
                json_path(*at),
                None,
                f"{subject} removed",
            )
        elif before is None:
            yield Change("response-header-added", INFO, (), None, json_path(*at), f"{subject} added")
        else:
            if before.required and not after.required:
                yield Change(
                    "response-header-became-optional",
                    ERROR,
                    (),
                    json_path(*at),
                    json_path(*at),
                    f"{subject} became optional",
                )
            elif after.required and not before.required:
                yield Change(
                    "response-header-became-required",
                    INFO,
                    (),
                    json_path(*at),
                    json_path(*at),
                    f"{subject} became required",
                )
            yield from diff_schema(
                before.schema,
                after.schema,
                Where(at + ("schema",), at + ("schema",), RESPONSE, "response-header", subject),
            )


def _contents(old: ResponseSpec, new: ResponseSpec, base: tuple[str, ...], status: str) -> Iterator[Change]:
    for media_type in sorted(old.content.keys() | new.content.keys()):
        before, after = old.content.get(media_type), new.content.get(media_type)
        old_at = base + ("content", before.name) if before else None
        new_at = base + ("content", after.name) if after else None
        if after is None:
            assert old_at is not None
            yield Change(
                "response-media-type-removed",
                ERROR,
                (media_type,),
                json_path(*old_at),
                None,
                f"response {status} no longer has the representation {media_type}",
            )
            continue
        if before is None:
            assert new_at is not None
            yield Change(
                "response-media-type-added",
                INFO,
                (media_type,),
                None,
                json_path(*new_at),
                f"response {status} has a new representation {media_type}",
            )
            yield from _examples(None, after, new_at, media_type)
            continue
        assert old_at is not None and new_at is not None
        if after.deprecated and not before.deprecated:
            sunset = f", sunset {after.sunset}" if after.sunset else ""
            yield Change(
                "response-media-type-deprecated",
                INFO,
                (media_type,),
                json_path(*old_at),
                json_path(*new_at),
                f"{media_type} is deprecated{sunset}",
            )
        where = Where(
            old_at + ("schema",),
            new_at + ("schema",),
            RESPONSE,
            "response-property",
            f"the {status} body",
            (media_type,),
        )
        yield from diff_schema(before.schema, after.schema, where)
        yield from _examples(before, after, new_at, media_type)


def _examples(old: MediaTypeSpec | None, new: MediaTypeSpec, at: tuple[str, ...], media_type: str) -> Iterator[Change]:
    """Examples that a change made invalid (an example that did not change, under a schema that
    did not change, is not this diff's business)."""
    if not new.schema or not new.examples:
        return
    if old is not None and old.schema == new.schema and old.examples == new.examples:
        return
    from openapi_schema_validator import OAS30Validator  # only when an example may have been broken

    validator = OAS30Validator(new.schema)
    for name, value in new.examples.items():
        error = next(iter(validator.iter_errors(value)), None)
        if error is None:
            continue
        step = ("example",) if name == "example" and "example" in new.raw else ("examples", name)
        yield Change(
            "response-example-invalid",
            WARNING,
            (media_type,),
            json_path(*at, *step) if old is not None and name in old.examples else None,
            json_path(*at, *step),
            f"example '{name}' of {media_type} no longer validates against its schema: {error.message}",
        )


def _security_schemes(old: SpecDocument, new: SpecDocument) -> Iterator[Change]:
    before, after = old.security_schemes, new.security_schemes
    for name in sorted(before.keys() | after.keys()):
        at = json_path("components", "securitySchemes", name)
        if name not in after:
            yield Change("security-scheme-removed", ERROR, (), at, None, f"security scheme {name} removed")
        elif name not in before:
            yield Change("security-scheme-added", INFO, (), None, at, f"security scheme {name} added")
        else:
            old_kind = _scheme_kind(before[name])
            new_kind = _scheme_kind(after[name])
            if old_kind != new_kind:
                yield Change(
                    "security-scheme-type-changed",
                    ERROR,
                    (),
                    at,
                    at,
                    f"security scheme {name}: {old_kind} became {new_kind}",
                )


def _scheme_kind(scheme: Any) -> str:
    if not isinstance(scheme, dict):
        return "(invalid)"
    parts = [str(scheme.get(k)) for k in ("type", "scheme", "in", "name") if scheme.get(k) is not None]
    return " ".join(parts)


def _operation_security(old: OperationSpec, new: OperationSpec, base: tuple[str, ...]) -> Iterator[Change]:
    before = {frozenset(requirement) for requirement in old.security}
    after = {frozenset(requirement) for requirement in new.security}
    if before == after:
        return
    at = json_path(*base, "security")
    name = f"{old.method.upper()} {old.path}"
    if not before or frozenset() in before:
        yield Change("api-security-added", ERROR, (), None, at, f"{name} now requires {_requirements(after)}")
    elif not after or frozenset() in after:
        yield Change("api-security-removed", INFO, (), at, None, f"{name} no longer requires {_requirements(before)}")
    elif not after >= before:
        yield Change(
            "api-security-changed",
            ERROR,
            (),
            at,
            at,
            f"{name}: security {_requirements(before)} became {_requirements(after)}",
        )
    else:
        yield Change(
            "api-security-alternative-added", INFO, (), at, at, f"{name} also accepts {_requirements(after - before)}"
        )


def _requirements(requirements: set[frozenset[str]]) -> str:
    return " or ".join(sorted("+".join(sorted(r)) or "(none)" for r in requirements)) or "(none)"
