"""Every refusal the mock answers with, and the two places that render them.

MockError(status, message)        a refusal with an HTTP status
 ├── ApiError                     the public operation: {"message"}, rendered by ApiError.to_response
 │    ├── Unauthorized            401, adds WWW-Authenticate
 │    ├── Forbidden               403
 │    │    └── InsufficientScope  403, adds WWW-Authenticate: Bearer error="insufficient_scope"
 │    ├── NotAcceptable           406
 │    ├── InvalidParameter        400
 │    ├── AgentNotFound           404, the page's exact message
 │    └── MethodNotAllowed        405, adds Allow
 └── ControlError                 the control plane: {"message", "errors"?}, rendered by ControlError.to_response
      ├── FixtureError            400, a refused fixture document, each problem with its path (also a ValueError)
      ├── StoreUnavailable        503, a fleet's shared store cannot be reached; nothing was changed
      └── StoreFailed             500, the store answered with an error (a script's), named; nothing was changed

Errors of start-up, which the command line reports and no HTTP answer carries, stay beside their
cause: `SpecError` (mockserver.spec), `StoreSetupError` (mockserver.backends.redis.setup).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mockserver.responses import JSON, Response

_MAX_LISTED = 50


class MockError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# -- the public operation -------------------------------------------------------------------------------


class ApiError(MockError):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, message)
        self.headers: Mapping[str, str] = headers or {}

    def to_response(self, extra_headers: Mapping[str, str] | None = None) -> Response:
        body = json.dumps({"message": self.message}, separators=(",", ":")).encode()
        headers = {"Content-Type": JSON, **self.headers, **(extra_headers or {})}
        return Response(self.status, headers, body)


class Unauthorized(ApiError):
    def __init__(self, message: str, *, token_sent: bool) -> None:
        challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
        super().__init__(401, message, {"WWW-Authenticate": challenge})


class Forbidden(ApiError):
    def __init__(self, account_key: str) -> None:
        super().__init__(403, f"The bearer token does not grant access to account '{account_key}'.")


class InsufficientScope(Forbidden):
    def __init__(self, scope: str) -> None:
        ApiError.__init__(
            self,
            403,
            f"The bearer token was not granted the scope '{scope}' this operation requires.",
            {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


class NotAcceptable(ApiError):
    def __init__(self, supported: list[str]) -> None:
        listed = ", ".join(supported)
        super().__init__(406, f"No acceptable representation. Supported media types: {listed}.")


class InvalidParameter(ApiError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(400, message)
        self.parameter = parameter


class AgentNotFound(ApiError):
    MESSAGE = "The requested resource was not found."

    def __init__(self) -> None:
        super().__init__(404, self.MESSAGE)


class MethodNotAllowed(ApiError):
    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        allow = ", ".join(allowed)
        super().__init__(
            405,
            f"Method {method} is not allowed on this path; allowed methods are {allow}.",
            {"Allow": allow},
        )


# -- the control plane ----------------------------------------------------------------------------------


class ControlError(MockError):
    """A refused control call: 400 (bad payload), 401 (admin token), 404 (unknown target), 409 (conflict),
    503 (store unreachable). Nothing was changed."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(status, message)
        self.errors = errors

    def to_response(self) -> Response:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        headers = {"Content-Type": JSON}
        if self.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Response(self.status, headers, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


class FixtureError(ControlError, ValueError):
    """A fixture document that cannot be loaded; `errors` lists each problem as 'path: what'.

    `message` (what the control plane answers) names the first few on one line; `str()` (what the
    command line prints) lists them one a line."""

    def __init__(self, errors: list[str], source: str = "fixture document") -> None:
        self.source = source
        shown = "; ".join(errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        super().__init__(400, f"invalid {source}: {shown}{more}", errors)
        self.errors: list[str] = errors

    def __str__(self) -> str:
        listed = "\n".join(f"  {error}" for error in self.errors[:_MAX_LISTED])
        more = f"\n  ... and {len(self.errors) - _MAX_LISTED} more" if len(self.errors) > _MAX_LISTED else ""
        plural = "s" if len(self.errors) != 1 else ""
        return f"invalid {self.source} ({len(self.errors)} problem{plural}):\n{listed}{more}"


class StoreUnavailable(ControlError):
    """The shared store cannot be reached: the control call changed nothing."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


class StoreFailed(ControlError):
    """The shared store answered, with an error: reported as what it said, not as unreachable."""

    def __init__(self, message: str) -> None:
        super().__init__(500, message)
