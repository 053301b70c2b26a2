"""One public request's inputs, read from the ASGI scope once and passed as a value from there on."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Scope


@dataclass(frozen=True, slots=True)
class PublicRequest:
    method: str
    path: str
    account: str | None
    """None (with `agent`) for a path the mock does not serve: it is journaled all the same."""
    agent: str | None
    query_string: bytes
    accept: tuple[str, ...]
    authorization: tuple[str, ...]

    @property
    def on_route(self) -> bool:
        return self.account is not None and self.agent is not None

    @classmethod
    def of(cls, scope: Scope, account: str | None, agent: str | None) -> PublicRequest:
        headers = scope["headers"]
        return cls(
            method=scope["method"],
            path=scope["path"],
            account=account,
            agent=agent,
            query_string=scope["query_string"],
            accept=tuple(v.decode("latin-1") for k, v in headers if k == b"accept"),
            authorization=tuple(v.decode("latin-1") for k, v in headers if k == b"authorization"),
        )
