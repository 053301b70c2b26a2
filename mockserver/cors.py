"""CORS on request (`mockserver run --cors`): a browser page on another origin may call the mock.

Off by default: the real service answers an `OPTIONS` preflight with the contract's 405, and so does
the mock. With origins given, a preflight from one of them is answered (the public path allows GET
and HEAD, the control plane its own methods) and every answer to such an origin carries the
`Access-Control-*` headers; Starlette's CORSMiddleware does the work, one per plane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.api.operation import ALLOWED_METHODS

ADMIN_METHODS = ("GET", "POST", "PUT", "DELETE")
EXPOSED = ("WWW-Authenticate", "Retry-After", "X-Mock-Fault", "Allow", "Vary")
"""Answer headers a browser client may read besides the simple ones (Content-Type among them)."""


@dataclass(frozen=True)
class Cors:
    public: ASGIApp
    admin: ASGIApp
    inner: ASGIApp
    origins: frozenset[str]

    @classmethod
    def around(cls, app: ASGIApp, origins: Sequence[str]) -> Cors:
        def plane(methods: tuple[str, ...]) -> ASGIApp:
            return CORSMiddleware(
                app,
                allow_origins=list(origins),
                allow_methods=list(methods),
                allow_headers=["*"],  # echoes what a preflight asks for: Authorization, Accept, Content-Type
                expose_headers=list(EXPOSED),
                max_age=600,
            )

        return cls(plane(ALLOWED_METHODS), plane(ADMIN_METHODS), app, frozenset(origins))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = next((value for name, value in scope["headers"] if name == b"origin"), None)
        if origin is None or ("*" not in self.origins and origin.decode("latin-1") not in self.origins):
            # Not a browser on an allowed origin: answered as without --cors (an OPTIONS is a 405).
            await self.inner(scope, receive, send)
            return
        path: str = scope["path"]
        plane = self.admin if path == "/__admin" or path.startswith("/__admin/") else self.public
        await plane(scope, receive, send)


def parse_origins(text: str) -> tuple[str, ...]:
    """'*' (any origin) or a comma-separated list of origins such as 'http://localhost:3000'."""
    origins = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
    if not origins:
        raise ValueError("--cors needs '*' or one or more origins such as http://localhost:3000")
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(
                f"--cors: an origin is scheme://host[:port], such as http://localhost:3000, got {origin!r}"
            )
    return origins
