"""Control-plane requests turned into Changes: the payload read and checked, and everything left
to chance or to the clock decided here (generated GUIDs and tokens, the time it happens at).

Each function reads the state it is given only for its clock; `changes.apply` judges the change
against the state, so a request resolved on one worker applies alike on every other.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from mockserver.api.representation import precise_rfc3339
from mockserver.api.shapes import ExtraField, extra_values
from mockserver.clock import SystemClock
from mockserver.errors import ControlError
from mockserver.fixtures.check import check_client, is_scope
from mockserver.model import DIRECTIONS, INTERACTION_TYPES, State
from mockserver.payload import Payload
from mockserver.state.changes import Change


def add_agent(state: State, account_key: str, body: Any) -> Change:
    agent_id = Payload(body, ("id",)).text("id", required=True)
    if "/" in str(agent_id):
        raise ControlError(400, f"Field 'id' must not contain '/' (it is one URL path segment), got {agent_id!r}.")
    return Change("add_agent", {"account": account_key, "id": agent_id})


def start_interaction(
    state: State, account_key: str, agent_id: str, body: Any, extras: Mapping[str, ExtraField]
) -> Change:
    """`extras`: the fields the served spec's items declare that the mock does not know."""
    payload = Payload(body, ("type", "direction", "guid", "channelGuid", *extras))
    type_ = payload.choice("type", INTERACTION_TYPES, required=True)
    direction = payload.choice("direction", DIRECTIONS)
    extra = _extra(payload, extras)
    now = _now(state)
    return Change(
        "start_interaction",
        {
            "account": account_key,
            "agent": agent_id,
            "guid": payload.guid("guid"),
            "type": type_,
            "direction": direction,
            "channelGuid": payload.guid("channelGuid"),
            "at": now,
            "now": now,
            **({"extra": extra} if extra else {}),
        },
    )


def add_channel(
    state: State, account_key: str, agent_id: str, guid: str, body: Any, extras: Mapping[str, ExtraField]
) -> Change:
    payload = Payload(body, ("channelGuid", *extras))
    channel_guid = payload.guid("channelGuid")
    extra = _extra(payload, extras)
    now = _now(state)
    return Change(
        "add_channel",
        {
            "account": account_key,
            "agent": agent_id,
            "guid": guid,
            "channelGuid": channel_guid,
            "at": now,
            "now": now,
            **({"extra": extra} if extra else {}),
        },
    )


def _extra(payload: Payload, extras: Mapping[str, ExtraField]) -> dict[str, Any]:
    """The fields the spec's items declare that the body gives, each checked against its schema."""
    values, problems = extra_values(payload.body, extras)
    if problems:
        raise ControlError(400, " ".join(f"Field '{name}' {why}." for name, why in problems))
    return values


def end_channel(state: State, account_key: str, agent_id: str, channel_guid: str, body: Any) -> Change:
    at = Payload(body, ("at",)).moment("at")
    now = _now(state)
    return Change(
        "end_channel",
        {
            "account": account_key,
            "agent": agent_id,
            "channelGuid": channel_guid,
            "at": precise_rfc3339(at) if at else now,
            "now": now,
        },
    )


def add_token(state: State, body: Any) -> Change:
    payload = Payload(body, ("token", "account", "expires"))
    token = payload.text("token") or f"token-{secrets.token_hex(12)}"
    if any(c.isspace() for c in token):
        raise ControlError(400, "Field 'token' must not contain white space.")
    account = payload.text("account", required=True)
    expires = payload.moment("expires")
    return Change(
        "add_token", {"token": token, "account": account, "expires": precise_rfc3339(expires) if expires else None}
    )


def add_client(state: State, body: Any) -> Change:
    client = check_client(body)
    return Change(
        "add_client",
        {
            "client_id": client.client_id,
            "client_secret": client.secret,
            "account": client.account,
            "scopes": list(client.scopes),
            "token_lifetime": client.token_lifetime,
        },
    )


def remove_client(state: State, client_id: str) -> Change:
    return Change("remove_client", {"client_id": client_id})


def set_required_scope(state: State, body: Any) -> Change:
    payload = Payload(body, ("scope",))
    if "scope" not in payload.body:
        raise ControlError(400, "Field 'scope' is required: a scope, or null for none.")
    scope = payload.body["scope"]
    if scope is not None and not is_scope(scope):
        raise ControlError(
            400, f"Field 'scope' must be one scope (printable characters, no space) or null, got {scope!r}."
        )
    return Change("set_required_scope", {"scope": scope})


def revoke_token(state: State, token: str) -> Change:
    return Change("revoke_token", {"token": token})


def freeze_clock(state: State, body: Any) -> Change:
    at = Payload(body, ("now",)).moment("now") or state.clock.now()
    return Change("set_clock", {"now": precise_rfc3339(at)})


def advance_clock(state: State, body: Any) -> Change:
    seconds = Payload(body, ("seconds",)).seconds("seconds")
    try:
        moved = state.clock.now() + timedelta(seconds=seconds)
    except OverflowError:
        raise ControlError(400, f"Moving the clock by {seconds} s leaves the calendar (years 1 to 9999).") from None
    return Change("set_clock", {"now": precise_rfc3339(moved)})


def release_clock(state: State) -> Change:
    return Change("set_clock", {"now": None, "released_at": precise_rfc3339(SystemClock().now())})


def _now(state: State) -> str:
    return precise_rfc3339(state.clock.now())
