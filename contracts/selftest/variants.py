"""Correct servers that decide CONTRACT.md's open points differently from the mock.

The judge must pass every one: a verdict against one of them is a false alarm. Each replaces a step
of `mockserver.api.operation.LatestInteractions`, wraps the whole server (`asgi`) for what is decided before
the operation (methods), or loads the selftest's data differently (`document`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from contracts.registry import Registry
from mockserver.api.auth import parse_authorization
from mockserver.api.operation import LatestInteractions
from mockserver.api.query import V2Query
from mockserver.api.representation import MEDIA_TYPES
from mockserver.api.request import PublicRequest
from mockserver.errors import ApiError, InvalidParameter, NotAcceptable, Unauthorized
from mockserver.model import Agent, State, Token
from mockserver.responses import Response

Asgi = Callable[..., Any]
Document = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    endpoint_class: type[LatestInteractions] = LatestInteractions
    asgi: Callable[[Asgi], Asgi] | None = None
    document: Callable[[Document], Document] | None = None


VARIANTS: Registry[Variant] = Registry("variant")


def variant(
    description: str,
    *,
    asgi: Callable[[Asgi], Asgi] | None = None,
    document: Callable[[Document], Document] | None = None,
) -> Callable[[type[LatestInteractions]], type[LatestInteractions]]:
    def register(cls: type[LatestInteractions]) -> type[LatestInteractions]:
        name = "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.__name__).lstrip("_")
        VARIANTS.add(name, Variant(name, description, cls, asgi, document))
        return cls

    return register


def _headers(response: Response, change: Callable[[dict[str, str]], object]) -> Response:
    headers = dict(response.headers)
    change(headers)
    return replace(response, headers=headers)


class _Answers(LatestInteractions):
    """A variant that reshapes answers: `reshape` sees every response of the operation."""

    def reshape(self, response: Response) -> Response:
        return response

    def respond(self, *args: Any, **kwargs: Any) -> Response:
        return self.reshape(super().respond(*args, **kwargs))


# -- headers and bodies ---------------------------------------------------------------------------------


@variant("errors carry no Vary (CONTRACT.md asks Vary: Accept of a 200 only)")
class NoVaryOnErrors(_Answers):
    def reshape(self, response: Response) -> Response:
        return response if response.status == 200 else _headers(response, lambda h: h.pop("Vary", None))


@variant("error answers say Content-Type: application/json; charset=utf-8")
class CharsetOnErrors(_Answers):
    def reshape(self, response: Response) -> Response:
        if response.status == 200:
            return response
        return _headers(response, lambda h: h.update({"Content-Type": "application/json; charset=utf-8"}))


@variant("200s say 'application/json; version=N' (a space) and Vary: Accept, Accept-Encoding")
class SpacedContentTypeAndLongerVary(_Answers):
    def reshape(self, response: Response) -> Response:
        if response.status != 200:
            return response
        media_type = response.headers["Content-Type"].replace(";", "; ")
        return _headers(response, lambda h: h.update({"Content-Type": media_type, "Vary": "Accept, Accept-Encoding"}))


@variant("JSON bodies indented, with keys in another order")
class PrettyJson(_Answers):
    def reshape(self, response: Response) -> Response:
        body = json.loads(response.body)
        return replace(response, body=json.dumps(_reversed_keys(body), indent=2).encode())


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


@variant("version-2 items never carry direction (the page calls it nice to have)")
class NoDirection(_Answers):
    def reshape(self, response: Response) -> Response:
        if response.status != 200 or response.headers["Content-Type"] != MEDIA_TYPES[2]:
            return response
        body = json.loads(response.body)
        for item in body["interactions"]:
            item.pop("direction", None)
        return replace(response, body=json.dumps(body).encode())


# -- hostile input: the open points it touches ------------------------------------------------------------


@variant("an agent id longer than 1,000 characters is a 400 (after the token and the account are checked)")
class LongIdsRefused(LatestInteractions):
    def find_agent(self, state: State, account_key: str, agent_id: str) -> Agent:
        if len(agent_id) > 1_000:
            raise InvalidParameter("agentId", "The agent id is longer than 1,000 characters.")
        return super().find_agent(state, account_key, agent_id)


@variant("of several Authorization lines, the first one is read")
class FirstAuthorizationLineRead(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        return super().authenticate(list(authorization[:1]), state)


# -- messages and challenges ------------------------------------------------------------------------------


@variant("every error message worded differently (the 404's and the empty type's are the page's own)")
class OtherMessages(LatestInteractions):
    def respond(self, state: State, request: PublicRequest) -> Response:
        try:
            return self._answer(state, request)
        except InvalidParameter as error:
            if error.message == "The InteractionType field is required.":
                return error.to_response()
            return ApiError(400, f"Bad request: the {error.parameter} parameter is not valid.").to_response()
        except NotAcceptable:
            supported = " or ".join(MEDIA_TYPES[v] for v in sorted(self.versions))
            return ApiError(406, f"Please ask for {supported}.").to_response()
        except Unauthorized as error:
            return replace(error.to_response(), body=b'{"message":"Unauthorized."}')
        except ApiError as error:
            if error.status == 403:
                return ApiError(403, "Forbidden.").to_response()
            return error.to_response()


@variant('challenges carry a realm and an unquoted error (Bearer realm="cc", error=invalid_token)')
class RealmInChallenge(_Answers):
    def reshape(self, response: Response) -> Response:
        if response.status != 401:
            return response
        challenge = response.headers["WWW-Authenticate"].replace('"invalid_token"', "invalid_token")
        challenge = challenge.replace("Bearer", 'Bearer realm="cc",', 1).rstrip(",")
        return _headers(response, lambda h: h.update({"WWW-Authenticate": challenge}))


@variant("the scheme must be spelt 'Bearer' exactly ('bearer <token>' is a 401)")
class ExactSchemeCase(LatestInteractions):
    def authenticate(self, authorization: Sequence[str], state: State) -> Token:
        if authorization and not authorization[0].startswith("Bearer "):
            raise Unauthorized("Send 'Authorization: Bearer <token>'.", token_sent=False)
        return super().authenticate(authorization, state)


# -- query parameters -------------------------------------------------------------------------------------


@variant("a repeated parameter takes its first value")
class RepeatedParameterFirstWins(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return super().parse_query({k: v[:1] for k, v in query.items()})


@variant("a repeated parameter takes its last value")
class RepeatedParameterLastWins(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        return super().parse_query({k: v[-1:] for k, v in query.items()})


@variant("size with leading zeros (007) is a 400")
class LeadingZerosRefused(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        size = (query.get("size") or [""])[0]
        if len(size) > 1 and size.startswith("0"):
            raise InvalidParameter("size", "Invalid query parameter 'size': no leading zeros, please.")
        return super().parse_query(query)


@variant("lenient like .NET binding: size ' 5' or '+5', activeLiveFirst 'True'; empty means the default")
class LenientBinding(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        lenient: dict[str, list[str]] = {}
        for name, values in query.items():
            value = values[0].strip() if len(values) == 1 else None
            if value is not None and name == "size" and re.fullmatch(r"\+?[0-9]+", value):
                lenient[name] = [value.lstrip("+")]
            elif value is not None and name == "activeLiveFirst" and value.lower() in ("true", "false"):
                lenient[name] = [value.lower()]
            elif value == "" and name in ("size", "activeLiveFirst"):
                continue
            else:
                lenient[name] = list(values)
        return super().parse_query(lenient)


@variant("query parameter names compare case-insensitively (SIZE=5 is size), as ASP.NET binds them")
class CaseInsensitiveParameterNames(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        canonical = {name.lower(): name for name in ("size", "type", "activeLiveFirst")}
        merged: dict[str, list[str]] = {}
        for name, values in query.items():
            merged.setdefault(canonical.get(name.lower(), name), []).extend(values)
        return super().parse_query(merged)


@variant("when several parameters are invalid, the 400 names the first only")
class FirstInvalidParameterOnly(LatestInteractions):
    def parse_query(self, query: Mapping[str, Sequence[str]]) -> V2Query:
        for name in ("size", "type", "activeLiveFirst"):
            if name in query:
                self.rules.parse({name: query[name]})
        return super().parse_query(query)


# -- methods (decided before the operation) ------------------------------------------------------------------


def _methods(allow: str, *, head: bool, auth_first: bool) -> Callable[[Asgi], Asgi]:
    def wrap(app: Asgi) -> Asgi:
        async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
            method = scope.get("method", "GET")
            if scope["type"] != "http" or "/latestInteractions" not in scope["path"] or method == "GET":
                await app(scope, receive, send)
                return
            if method == "HEAD" and head:
                await app(scope, receive, send)
                return
            if auth_first and not _valid_token(app, scope):
                await app({**scope, "method": "GET"}, receive, send)  # the 401 or 403 of a GET
                return
            body = json.dumps({"message": f"{method} is not allowed here."}).encode()
            headers = [(b"content-type", b"application/json"), (b"allow", allow.encode())]
            await send({"type": "http.response.start", "status": 405, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        serve.backend = app.backend  # type: ignore[attr-defined]
        return serve

    return wrap


def _valid_token(app: Any, scope: dict[str, Any]) -> bool:
    state: State = app.backend.held()
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = parse_authorization(value.decode("latin-1")).bearer_token
            known = state.tokens.get(token) if token is not None else None
            return known is not None and not known.expired_at(state.clock.now())
    return False


@variant(
    "HEAD is not served: any method but GET is a 405 with Allow: GET",
    asgi=_methods("GET", head=False, auth_first=False),
)
class GetOnly(LatestInteractions):
    pass


@variant(
    "credentials are checked before the method (a POST without a token is a 401); Allow: HEAD, GET",
    asgi=_methods("HEAD, GET", head=True, auth_first=True),
)
class AuthBeforeMethod(LatestInteractions):
    pass


# -- data ------------------------------------------------------------------------------------------------------


def with_fractions(document: Document) -> Document:
    """The selftest's data with fractions of seconds: channels shown starting in the same second are
    ordered by fractions the API does not show, and durations floor the exact difference."""
    copied: Document = json.loads(json.dumps(document))
    for account in copied["accounts"]:
        for agent in account["agents"]:
            for interaction in agent["interactions"]:
                for channel in interaction["channels"]:
                    # Later fractions for higher channelGuids: the reverse of the tie-break.
                    fraction = 0.05 + 0.9 * int(channel["channelGuid"][:4], 16) / 0xFFFF
                    start = _shifted(channel["start"], fraction)
                    channel["start"] = start
                    if channel["end"] is not None:
                        # Never before its start (a channel of zero seconds stays one).
                        channel["end"] = max(_shifted(channel["end"], fraction * 0.5), start, key=_instant)
    return copied


def _instant(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _shifted(moment: str, seconds: float) -> str:
    shifted = datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return shifted.isoformat().replace("+00:00", "Z")


@variant("keeps fractions of seconds: order and durations follow the exact times", document=with_fractions)
class SubSecondTimes(LatestInteractions):
    pass
