"""Faults under hostile input (CONTRACT.md: no 5xx for any client input; a bad token is a 401 first),
and of the methods and the places a credential can hide."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from contracts.selftest.planted_bugs.base import planted_bug
from mockserver.api.operation import LatestInteractions
from mockserver.api.request import PublicRequest
from mockserver.errors import InvalidParameter
from mockserver.model import Agent, State, Token
from mockserver.responses import Response

Asgi = Any


@planted_bug(
    "hostile input",
    "an agent id longer than 1,000 characters crashes the server (500)",
    "hostile_input_is_answered_below_500",
)
class LongAgentIdServerError(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        if len(agent_id) > 1_000:
            raise RuntimeError("the id column holds 1,000 characters")  # the framework's 500
        return super().find_agent(state, account_key, agent_id)


@planted_bug("hostile input", "a non-ASCII agent id crashes the server (500)", "hostile_input_is_answered_below_500")
class NonAsciiAgentIdServerError(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        agent_id.encode("ascii")  # an unhandled UnicodeEncodeError: the framework's 500
        return super().find_agent(state, account_key, agent_id)


@planted_bug("hostile input", "an agent id holding NUL crashes the server (500)", "hostile_input_is_answered_below_500")
class NulAgentIdServerError(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        if "\x00" in agent_id:
            raise ValueError("embedded null character")
        return super().find_agent(state, account_key, agent_id)


@planted_bug("hostile input", "two Authorization headers crash the server (500)", "hostile_input_is_answered_below_500")
class RepeatedAuthorizationServerError(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        (only,) = authorization or ("",)  # ValueError on two: the framework's 500
        return super().authenticate([only] if only else [], state)


@planted_bug("hostile input", "a malformed q-value crashes the server (500)", "hostile_input_is_answered_below_500")
class MalformedQServerError(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        for line in accept:
            for part in line.split(","):
                if ";q=" in part.replace(" ", ""):
                    float(part.replace(" ", "").split(";q=")[1].split(";")[0])  # ValueError on q=abc
        return super().negotiate(accept)


@planted_bug(
    "hostile input", "invalid UTF-8 in the query crashes the server (500)", "hostile_input_is_answered_below_500"
)
class InvalidUtf8QueryServerError(LatestInteractions):
    def respond(self, state: State, request: PublicRequest) -> Response:
        from urllib.parse import unquote_to_bytes

        unquote_to_bytes(request.query_string.decode("latin-1")).decode("utf-8")  # UnicodeDecodeError
        return super().respond(state, request)


@planted_bug(
    "hostile input",
    "a long agent id is refused (400) before the token is checked",
    "a_bad_token_is_401_whatever_else_is_wrong",
)
class LongAgentIdRefusedBeforeToken(LatestInteractions):
    def _answer(self, state: State, request: PublicRequest) -> Response:
        if request.agent is not None and len(request.agent) > 1_000:
            raise InvalidParameter("agentId", "The agent id is too long.")
        return super()._answer(state, request)


@planted_bug(
    "hostile input",
    "malformed v2 parameters are refused (400) before the token is checked",
    "a_bad_token_is_401_whatever_else_is_wrong",
)
class InvalidUtf8ParameterBeforeToken(LatestInteractions):
    def _answer(self, state: State, request: PublicRequest) -> Response:
        if b"%FF" in request.query_string.upper():
            raise InvalidParameter("size", "Invalid query parameter 'size'.")
        return super()._answer(state, request)


@planted_bug(
    "auth",
    "a token in ?access_token= is accepted when Authorization is absent",
    "a_token_outside_authorization_is_no_credential",
)
class TokenInQueryAccepted(LatestInteractions):
    def _answer(self, state: State, request: PublicRequest) -> Response:
        if not request.authorization:
            for pair in request.query_string.decode("latin-1").split("&"):
                name, _, value = pair.partition("=")
                if name == "access_token" and value:
                    request = PublicRequest(
                        request.method, request.path, request.account, request.agent,
                        request.query_string, request.accept, (f"Bearer {value}",),
                    )  # fmt: skip
        return super()._answer(state, request)


def _cookie_as_credentials(app: Asgi) -> Asgi:
    async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = list(scope.get("headers") or [])
        if scope["type"] == "http" and not any(name == b"authorization" for name, _ in headers):
            for name, value in headers:
                if name == b"cookie" and value.startswith(b"access_token="):
                    headers.append((b"authorization", b"Bearer " + value.split(b"=", 1)[1].split(b";")[0]))
                    scope = {**scope, "headers": headers}
                    break
        await app(scope, receive, send)

    return serve


@planted_bug(
    "auth",
    "a token in a cookie is accepted when Authorization is absent",
    "a_token_outside_authorization_is_no_credential",
    asgi=_cookie_as_credentials,
)
class TokenInCookieAccepted(LatestInteractions):
    pass


KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _answering(status: int, body: dict[str, Any], when: Callable[[str], bool]) -> Callable[[Asgi], Asgi]:
    """A server that answers `status` with `body` itself to the methods `when` picks."""

    def wrap(app: Asgi) -> Asgi:
        async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not when(scope["method"]):
                await app(scope, receive, send)
                return
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": json.dumps(body).encode()})

        return serve

    return wrap


@planted_bug(
    "methods",
    "OPTIONS is answered 200",
    "other_methods_are_405_with_allow",
    asgi=_answering(200, {"methods": ["GET", "HEAD"]}, lambda method: method == "OPTIONS"),
)
class OptionsAnswered200(LatestInteractions):
    pass


@planted_bug(
    "methods",
    "an unknown method is answered 501",
    "other_methods_are_405_with_allow",
    asgi=_answering(501, {"message": "Not implemented."}, lambda method: method not in KNOWN_METHODS),
)
class UnknownMethodAnswered501(LatestInteractions):
    pass


@planted_bug("negotiation", "only the last Accept header is read", "several_accept_headers_are_one_list")
class OnlyLastAcceptHeaderRead(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        return super().negotiate(list(accept[-1:]))


@planted_bug(
    "negotiation",
    "any JSON-ish type with a version is taken for application/json (text/json;version=1 is served)",
    "unacceptable_is_406_naming_media_types",
)
class JsonishTypesServed(LatestInteractions):
    def negotiate(self, accept: Sequence[str]) -> int:
        import re

        jsonish = re.compile(r"\b(text/json|application/[\w.*-]*\+json|application/\*\+json)(?=\s*;)", re.I)
        return super().negotiate([jsonish.sub("application/json", line) for line in accept])
