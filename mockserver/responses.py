"""A finished HTTP answer as a value, and the one function that sends it over ASGI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import Scope, Send

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Response:
    """What any entry point (Connexion, the fast path, the control plane, tests) sends as is."""

    status: int
    headers: Mapping[str, str]
    body: bytes


async def send_response(response: Response, scope: Scope, send: Send) -> None:
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    raw_headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    body = b"" if scope["method"] == "HEAD" else response.body
    await send({"type": "http.response.body", "body": body})
