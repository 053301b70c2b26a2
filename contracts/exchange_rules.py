"""Rules of one exchange: what CONTRACT.md says of any single request and its answer.

Registered once in the judge's one registry (`contracts/registry.py`, moment EXCHANGE) and used twice:
`contracts check` applies them to every exchange its probing rules made, `contracts proxy` to every
exchange it relays. A rule receives the exchange and what the judge knows of the server (the versions
it serves, the spec), and raises a Violation; it returns False when the exchange does not exercise it
(the proxy's coverage).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from contracts import expect
from contracts.accept import parse, resolve
from contracts.failures import Exchange, NotExercised, Violation
from contracts.open_points import is_malformed_id, is_open_value, reroutes
from contracts.registry import EXCHANGE, RULES, Rule
from contracts.spec_conformance import SpecResponses, normalise_media_type

if TYPE_CHECKING:
    from contracts.context import Context

V2_PARAMETERS = ("size", "type", "activeLiveFirst")
TYPES = ("All", "Phone", "Chat", "Email")
NOT_FOUND = "The requested resource was not found."
TYPE_REQUIRED = "The InteractionType field is required."
_SIZE = re.compile(r"[1-9][0-9]{0,2}")
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +\S+")
_PATH_IDS = re.compile(r"/(?P<account>[^/]*)/agents/(?P<agent>[^/]*)/latestInteractions$")


def _project_responses() -> SpecResponses:
    from contracts.target import project_spec

    return SpecResponses(project_spec())


@dataclass(frozen=True)
class Served:
    """What the judge knows of the server: the versions it serves, and the spec's responses it is judged by."""

    versions: frozenset[int] = frozenset({1, 2})
    responses: SpecResponses = field(default_factory=_project_responses, repr=False, compare=False)

    @property
    def media_types(self) -> list[str]:
        return [f"application/json;version={v}" for v in sorted(self.versions)]


ExchangeCheck = Callable[[Exchange, Served], bool]
"""Raises a Violation; returns whether the exchange exercised the rule."""


def exchange_rule(rule_id: str, title: str, section: str) -> Callable[[ExchangeCheck], ExchangeCheck]:
    """A rule of one exchange; `contracts check` judges it over every exchange of the run."""

    def register(check: ExchangeCheck) -> ExchangeCheck:
        def over_every_exchange(context: Context) -> None:
            served = Served(context.target.versions, context.target.responses)
            context.judged = 0
            for exchange in context.seen:
                if id(exchange) in context.reported:
                    continue  # another rule reported this answer already
                context.judged += check(exchange, served)
            if not context.judged:
                raise NotExercised("no exchange of the run exercised it")

        RULES.add(rule_id, Rule(rule_id, title, section, over_every_exchange, EXCHANGE, check))
        return check

    return register


# -- reading the request -----------------------------------------------------------------------------


def request_header(exchange: Exchange, name: str) -> list[str]:
    return [value for key, value in exchange.request_headers if key.lower() == name.lower()]


def path_ids(exchange: Exchange) -> tuple[str, str] | None:
    """(account key, agent id) of the request, decoded (bytes that are not UTF-8 as surrogates)."""
    path = urlsplit(exchange.url).path
    found = _PATH_IDS.search(path)
    if found is None:
        return None
    return unquote(found["account"], errors="surrogateescape"), unquote(found["agent"], errors="surrogateescape")


def has_bearer_token(exchange: Exchange, *, exact_scheme: bool = False) -> bool:
    """One Authorization header of the form 'Bearer <token>' (the scheme in any case, unless
    `exact_scheme`: whether 'bearer <token>' is credentials is left open)."""
    values = request_header(exchange, "authorization")
    if len(values) != 1 or _BEARER.fullmatch(values[0].strip()) is None:
        return False
    return not exact_scheme or values[0].strip().startswith("Bearer ")


def asked_version(exchange: Exchange, served: Served) -> int | None | str:
    """The version the request's Accept selects among those served, None for a 406, or "open"
    when the header holds a range CONTRACT.md does not settle (malformed, or with a bad q)."""
    values = request_header(exchange, "accept")
    elements = [element for value in values for element in value.split(",") if element.strip()]
    ranges = parse(values)
    if len(ranges) != len(elements) or any(r.q is None for r in ranges):
        return "open"
    chosen = resolve(values, served.media_types)
    return None if chosen is None else int(chosen.rsplit("=", 1)[1])


def v2_query(exchange: Exchange) -> dict[str, str] | str:
    """The v2 parameters: {name: value} when each is valid, "invalid" when one certainly is not,
    "open" when the contract leaves it to the server (a repeated parameter, `007`, `True`...).
    Shared between the rules that ask (never change it)."""
    return _v2_query(exchange.params)


@functools.lru_cache(maxsize=1024)
def _v2_query(params: tuple[tuple[str, str], ...]) -> dict[str, str] | str:
    names = [name for name, _ in params]
    if any(n.lower() in (p.lower() for p in V2_PARAMETERS) and n not in V2_PARAMETERS for n in names):
        return "open"
    found: dict[str, str] = {}
    verdict = "valid"
    for name, value in params:
        if name not in V2_PARAMETERS:
            continue
        if name in found:
            return "open"
        found[name] = value
        if _valid(name, value):
            continue
        if is_open_value(name, value):
            verdict = "open" if verdict == "valid" else verdict
        else:
            verdict = "invalid"
    return found if verdict == "valid" else verdict


def _valid(name: str, value: str) -> bool:
    if name == "size":
        return _SIZE.fullmatch(value) is not None and 1 <= int(value) <= 100
    if name == "type":
        return value in TYPES
    return value in ("true", "false")


def served_version(exchange: Exchange) -> int | None:
    media_type = normalise_media_type(exchange.header("content-type") or "", drop=("charset",))
    return {"application/json;version=1": 1, "application/json;version=2": 2}.get(media_type)


def body(exchange: Exchange) -> Any:
    return exchange.json()


# -- the rules ---------------------------------------------------------------------------------------


@exchange_rule("no_server_errors", "No 5xx and no dropped connection, for any input", "Errors")
def no_server_errors(exchange: Exchange, served: Served) -> bool:
    if exchange.error or exchange.status >= 500:
        raise Violation("an answer below 500", exchange.summary(), exchange)
    return True


@exchange_rule(
    "responses_match_the_spec",
    "Every answer has a documented status, media type, headers and body schema",
    "openapi.yaml",
)
def responses_match_the_spec(exchange: Exchange, served: Served) -> bool:
    if exchange.error:
        return False
    method = "HEAD" if exchange.method == "HEAD" else "GET"
    problems = served.responses.problems(exchange.status, exchange.headers, exchange.body, method=method)
    if problems:
        raise Violation("an answer the spec allows", "; ".join(problems), exchange)
    return True


@exchange_rule(
    "error_bodies_are_json_messages",
    'Every error body is {"message": "..."} with Content-Type: application/json',
    "Errors",
)
def error_bodies_are_json_messages(exchange: Exchange, served: Served) -> bool:
    if not 400 <= exchange.status < 500 or exchange.method == "HEAD":
        return False
    expect.error(exchange, exchange.status)
    return True


@exchange_rule(
    "unauthorized_carries_the_bearer_challenge",
    'A 401 carries WWW-Authenticate: Bearer, with error="invalid_token" when a token was sent',
    "Checks happen in this order (401)",
)
def unauthorized_carries_the_challenge(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 401:
        return False
    from contracts.checks.auth import unauthorized

    unauthorized(exchange, "the request was refused", token_sent=has_bearer_token(exchange, exact_scheme=True))
    return True


@exchange_rule(
    "no_answer_but_401_without_a_bearer_token",
    "A request without 'Bearer <token>' is answered 401 and nothing else (first of the checks)",
    "Checks happen in this order",
)
def no_answer_but_401_without_a_bearer_token(exchange: Exchange, served: Served) -> bool:
    # Other methods may be refused (405) before credentials are looked at, and whether several
    # Authorization lines hold credentials is open: neither is judged here.
    if has_bearer_token(exchange) or exchange.method not in ("GET", "HEAD"):
        return False
    if len(request_header(exchange, "authorization")) > 1:
        return False
    if exchange.status not in (0, 401) and exchange.status < 500:
        raise Violation("401: the request has no 'Authorization: Bearer <token>'", exchange.summary(), exchange)
    return True


@exchange_rule(
    "version_served_is_the_one_accept_asks_for",
    "A 200 is the version Accept selects (highest q, ties to the higher); a 406 only when none is acceptable",
    "Representation negotiation (the Accept header)",
)
def version_served_is_the_one_asked(exchange: Exchange, served: Served) -> bool:
    if exchange.method not in ("GET", "HEAD") or exchange.status not in (200, 400, 404, 406):
        return False
    asked = asked_version(exchange, served)
    if asked == "open":
        return False
    if exchange.status == 406:
        if asked is not None:
            raise Violation(f"application/json;version={asked}, which Accept selects", exchange.summary(), exchange)
        return True
    if asked is None:
        ids = path_ids(exchange)
        if exchange.status == 404 and ids is not None and any(reroutes(i) for i in ids):
            return False  # an id that decodes to another path: answered as a path not served, never negotiated
        raise Violation("406: Accept selects no served version", exchange.summary(), exchange)
    if exchange.status == 200:
        expect.version_served(exchange, int(asked))
    return True


@exchange_rule("ok_carries_vary_accept", "A 200 carries Vary: Accept", "Representation negotiation (the Accept header)")
def ok_carries_vary_accept(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 200:
        return False
    vary = [part.strip().lower() for part in (exchange.header("vary") or "").split(",")]
    if "accept" not in vary and "*" not in vary:
        raise Violation("Vary: Accept", expect.header_shown(exchange, "Vary"), exchange)
    return True


@exchange_rule(
    "v2_parameters_are_judged_before_the_agent",
    "Under v2, an invalid parameter is a 400 (before the 404), a valid query never one; v1 ignores them",
    "Checks happen in this order (400)",
)
def v2_parameters_are_judged(exchange: Exchange, served: Served) -> bool:
    if exchange.method not in ("GET", "HEAD") or exchange.status not in (200, 400, 404):
        return False
    ids = path_ids(exchange)
    if ids is not None and any(is_malformed_id(i) for i in ids):
        return False  # a 400 may be the id's, not a parameter's
    query = v2_query(exchange)
    version = served_version(exchange) if exchange.status == 200 else asked_version(exchange, served)
    if query == "open" or version == "open":
        return False
    if version == 1 and exchange.status == 400:
        raise Violation(
            "no 400 under version 1: it ignores size, type and activeLiveFirst", exchange.summary(), exchange
        )
    if version == 2 and query == "invalid" and exchange.status != 400:
        raise Violation("400: an invalid version-2 parameter", exchange.summary(), exchange)
    if version == 2 and isinstance(query, dict) and exchange.status == 400:
        raise Violation(f"no 400: {query or 'no parameter'} is valid", exchange.summary(), exchange)
    return version in (1, 2)


@exchange_rule(
    "not_found_is_the_pages_body",
    'A 404 is {"message": "The requested resource was not found."}',
    "Checks happen in this order (404)",
)
def not_found_is_the_pages_body(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 404 or exchange.method == "HEAD":
        return False
    ids = path_ids(exchange)
    if ids is not None and any(reroutes(i) for i in ids):
        return False  # another path once decoded: its 404 is any {"message"} (error_bodies_are_json_messages)
    expect.error(exchange, 404, message=NOT_FOUND)
    return True


@exchange_rule(
    "method_not_allowed_lists_get", "A 405 carries Allow with GET and without the method refused", "Endpoint"
)
def method_not_allowed_lists_get(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 405:
        return False
    allowed = {m.strip().upper() for m in (exchange.header("allow") or "").split(",")}
    if "GET" not in allowed or exchange.method in allowed:
        raise Violation("Allow: GET", expect.header_shown(exchange, "Allow"), exchange)
    return True


@exchange_rule("v1_body_is_one_item_of_three_keys", "A v1 200 has 0 or 1 item {start, guid, hasEnded}", "Version 1")
def v1_body_is_one_item(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 200 or served_version(exchange) != 1 or exchange.method == "HEAD":
        return False
    found = _items(exchange)
    if len(found) > 1 or any(set(item) != {"start", "guid", "hasEnded"} for item in found):
        raise Violation("0 or 1 item with exactly start, guid, hasEnded", exchange.summary(), exchange)
    return True


@exchange_rule(
    "v2_body_is_ordered_unique_filtered_and_cut",
    "A v2 200: start descending, each channelGuid once, only the type asked, at most size items, "
    "active Phone channels first when activeLiveFirst=true",
    "Version 2",
)
def v2_body_obeys_its_query(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 200 or served_version(exchange) != 2 or exchange.method == "HEAD":
        return False
    found = _items(exchange)
    query = v2_query(exchange)
    guids = [str(item.get("channelGuid")) for item in found]
    if len(set(guids)) != len(guids):
        raise Violation("each channelGuid once", str(guids), exchange)
    live_first = isinstance(query, dict) and query.get("activeLiveFirst") == "true"
    if live_first:
        live = [_active_phone(i) for i in found]
        if any(later and not earlier for earlier, later in zip(live, live[1:], strict=False)):
            raise Violation("active Phone channels before every other", str(live), exchange)
    # Starts shown with the same second may be in either order (fractions, or the channelGuid tie).
    for group in _live_first_groups(found) if live_first else [found]:
        starts = [str(item.get("start", "")) for item in group]
        if any(later > earlier for earlier, later in zip(starts, starts[1:], strict=False)):
            raise Violation("items in channel start descending", str(starts), exchange)
    if isinstance(query, dict):
        size = int(query.get("size", "1"))
        if len(found) > size:
            raise Violation(f"at most {size} items (size={size})", f"{len(found)} items", exchange)
        wanted = query.get("type", "All")
        if wanted != "All" and any(item.get("type") != wanted for item in found):
            raise Violation(f"only {wanted} items", str([i.get("type") for i in found]), exchange)
    return True


@exchange_rule(
    "v2_durations_are_whole_seconds_within_the_time_elapsed",
    "A v2 duration is null or whole seconds >= 0, at most the time elapsed since the start",
    "Version 2",
)
def v2_durations(exchange: Exchange, served: Served) -> bool:
    if exchange.status != 200 or served_version(exchange) != 2 or exchange.method == "HEAD":
        return False
    now = max(exchange.at or time.time(), _date(exchange)) + 5.0
    for item in _items(exchange):
        duration = item.get("duration")
        if duration is None:
            continue
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
            raise Violation("duration null or a whole number of seconds >= 0", expect.shown(duration), exchange)
        try:
            start = datetime.strptime(str(item.get("start")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue  # responses_match_the_spec reports the form
        if start <= now < start + duration:
            raise Violation(
                f"channel {item.get('channelGuid')} to have lasted at most the {int(now - start)} s since its start",
                f"duration {duration}",
                exchange,
            )
    return True


def _items(exchange: Exchange) -> list[dict[str, Any]]:
    payload = body(exchange)
    items = payload.get("interactions") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Violation('a body {"interactions": [item, ...]}', exchange.summary(), exchange)
    return items


def _active_phone(item: dict[str, Any]) -> bool:
    return item.get("type") == "Phone" and item.get("duration") is None


def _live_first_groups(found: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [[i for i in found if _active_phone(i)], [i for i in found if not _active_phone(i)]]


def _date(exchange: Exchange) -> float:
    try:
        return parsedate_to_datetime(exchange.header("date") or "").timestamp()
    except (TypeError, ValueError):
        return 0.0
