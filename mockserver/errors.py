"""The public API's errors, and the one place that renders them.

ApiError(status, message, headers)
 ├── Unauthorized          401, adds WWW-Authenticate
 ├── Forbidden             403
 ├── NotAcceptable         406
 ├── InvalidParameter      400
 ├── AgentNotFound         404, the page's exact message
 └── MethodNotAllowed      405, adds Allow
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Response:
    """A finished answer: what any entry point (Connexion, the fast path, tests) sends as is."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(eq=False)
class ApiError(Exception):
    status: int
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

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
