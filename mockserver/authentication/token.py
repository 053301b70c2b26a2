"""`POST /Auth/connect/token`: the client credentials grant, as CONTRACT.md's "Getting a token" says.

    client credentials   the form's client_id and client_secret, or HTTP Basic (never both, RFC 6749 2.3)
    grant_type           client_credentials only (400 unsupported_grant_type)
    scope                space-separated; each one the client was given (400 invalid_scope); none: all of them
    answer               200 {access_token, token_type: "bearer", expires_in[, scope]}, Cache-Control: no-store

Refusals are RFC 6749 5.2's `{"error", "error_description"}` (this endpoint speaks OAuth, not the API's
`{"message"}`). A grant is a change of the state (`issue_token`), so a token issued by one worker of a
fleet is valid on every worker, and it expires on the mock's clock: `clock/advance` by its lifetime and
the next call with it is a 401 invalid_token. No answer, log or error ever holds a secret or a token
but the one the grant answers.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import Receive, Scope, Send

from mockserver.api.representation import precise_rfc3339
from mockserver.errors import ControlError
from mockserver.model import Client, State
from mockserver.responses import Response, send_response
from mockserver.state.changes import Change, Created

TOKEN_PATH = "/Auth/connect/token"
MAX_BODY_BYTES = 16 * 1024
"""A client credentials form is a few hundred bytes; more is refused (400) before it is read whole."""
FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """RFC 6749 5.2: a refusal of the token endpoint."""

    def __init__(self, status: int, error: str, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status, self.error, self.description, self.headers = status, error, description, headers or {}

    def to_response(self) -> Response:
        body = json.dumps({"error": self.error, "error_description": self.description}).encode()
        return Response(self.status, {"Content-Type": "application/json", **NO_STORE, **self.headers}, body)


@dataclass(frozen=True)
class Grant:
    client: Client
    scopes: tuple[str, ...]
    asked_scope: str | None


@dataclass
class TokenEndpoint:
    current: Callable[[], Awaitable[State]]
    commit: Callable[[Callable[[State], Change]], Awaitable[Created]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            answer = await self._answer(scope, receive)
        except OAuthError as refused:
            answer = refused.to_response()
        await send_response(answer, scope, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        if scope["method"] != "POST":
            raise OAuthError(
                405, "invalid_request", f"The token endpoint takes POST, not {scope['method']}.", {"Allow": "POST"}
            )
        headers = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope["headers"]]
        form = _form(headers, await _body(receive))
        state = await self.current()
        grant = _grant(form, _basic(headers), state)
        token = secrets.token_urlsafe(32)
        lifetime = grant.client.token_lifetime
        expires = precise_rfc3339(state.clock.now() + timedelta(seconds=lifetime))
        try:
            await self.commit(
                lambda _state: Change(
                    "issue_token",
                    {
                        "token": token,
                        "client": grant.client.client_id,
                        "scopes": list(grant.scopes),
                        "expires": expires,
                    },
                )
            )
        except ControlError as error:  # the client was removed meanwhile, or the fleet's store is out of reach
            if error.status >= 500:
                raise OAuthError(503, "temporarily_unavailable", error.message) from None
            raise OAuthError(401, "invalid_client", "Client authentication failed.") from None
        granted = " ".join(grant.scopes)
        body: dict[str, Any] = {"access_token": token, "token_type": "bearer", "expires_in": lifetime}
        if granted != (grant.asked_scope or ""):
            body["scope"] = granted
        return Response(200, {"Content-Type": "application/json", **NO_STORE}, json.dumps(body).encode())


async def _body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise OAuthError(400, "invalid_request", "The request ended before its body.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise OAuthError(
                400, "invalid_request", f"The body is over {MAX_BODY_BYTES} bytes; a form is a few hundred."
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _form(headers: list[tuple[str, str]], body: bytes) -> dict[str, str]:
    content_type = next((value for name, value in headers if name == "content-type"), "")
    if content_type.split(";")[0].strip().lower() != FORM:
        raise OAuthError(400, "invalid_request", f"The body must be a form ({FORM}), got {content_type or 'none'!r}.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise OAuthError(400, "invalid_request", "The form is not UTF-8.") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise OAuthError(400, "invalid_request", "The body is not a form (name=value pairs joined by '&').") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # RFC 6749 3.2: no parameter more than once
            raise OAuthError(400, "invalid_request", f"Parameter {name!r} is given more than once.")
        form[name] = value
    return form


def _basic(headers: list[tuple[str, str]]) -> tuple[str, str] | None:
    values = [value for name, value in headers if name == "authorization"]
    if not values:
        return None
    scheme, _, encoded = values[0].strip().partition(" ")
    if len(values) > 1 or scheme.lower() != "basic":
        raise OAuthError(
            400, "invalid_request", "Client credentials go in one 'Authorization: Basic' header or the form."
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(
            401, "invalid_client", "The Basic credentials are not base64 of 'id:secret'.", {"WWW-Authenticate": "Basic"}
        ) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError(
            401, "invalid_client", "The Basic credentials are not 'id:secret'.", {"WWW-Authenticate": "Basic"}
        )
    # RFC 6749 2.3.1: both are form-urlencoded before they are joined.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def _grant(form: dict[str, str], basic: tuple[str, str] | None, state: State) -> Grant:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "Parameter 'grant_type' is required (client_credentials).")
    if grant_type != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", f"Only client_credentials is granted here, not {grant_type[:40]!r}."
        )
    in_form = "client_id" in form or "client_secret" in form
    if basic is not None and in_form:
        raise OAuthError(400, "invalid_request", "Authenticate the client one way: HTTP Basic or the form, not both.")
    client_id, secret = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
    if not client_id or secret is None:
        missing = "client_id" if not client_id else "client_secret"
        raise OAuthError(400, "invalid_request", f"Parameter {missing!r} is required (or HTTP Basic).")
    client = state.clients.get(client_id)
    # Compared whatever the client id, so that an unknown client costs what a wrong secret does.
    expected = client.secret if client is not None else secrets.token_hex(16)
    if client is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        challenge = {"WWW-Authenticate": 'Basic realm="token"'} if basic is not None else {}
        raise OAuthError(
            401, "invalid_client", "Client authentication failed (unknown client or wrong secret).", challenge
        )
    asked = form.get("scope")
    if asked is None or not asked.strip():
        return Grant(client, client.scopes, None)
    scopes = tuple(dict.fromkeys(asked.split()))
    refused = [scope for scope in scopes if scope not in client.scopes]
    if refused:
        raise OAuthError(400, "invalid_scope", f"The client was not granted the scope(s) {' '.join(refused)[:200]!r}.")
    return Grant(client, scopes, asked)
