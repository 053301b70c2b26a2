"""Fine-grained state changes of the control plane, each a pure function State -> (State, created).

Each change edits a copy of the state's document along the path it touches and rebuilds the
State through the fixture loader, so every invariant of a fixture (unique guids, no time after the
clock, end not before start) holds after every change, and a refused change changes nothing.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from mockserver.clock import in_utc
from mockserver.fixtures import FixtureError, build_state, to_document
from mockserver.model import DIRECTIONS, INTERACTION_TYPES, State
from mockserver.representation import precise_rfc3339, rfc3339

Created = dict[str, Any]
MAX_CLOCK_MOVE_SECONDS = 100 * 366 * 86400


class ControlError(Exception):
    """A refused change: `status` is 400 (bad payload), 404 (unknown target) or 409 (conflict)."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


# -- payload reading --------------------------------------------------------------------------------


class Payload:
    """A JSON object body, read field by field; unknown fields are refused."""

    def __init__(self, body: Any, allowed: tuple[str, ...]) -> None:
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            raise ControlError(400, "The body must be a JSON object.")
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise ControlError(400, f"Unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed) or 'none'}.")
        self.body = body

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                raise ControlError(400, f"Field '{name}' is required.")
            return None
        if not isinstance(value, str) or not value:
            raise ControlError(400, f"Field '{name}' must be a non-empty string, got {value!r}.")
        return value

    def choice(self, name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in allowed:
            raise ControlError(400, f"Field '{name}' must be one of {'|'.join(allowed)}, got {value!r}.")
        return value

    def guid(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            return str(uuid.uuid4())
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ControlError(400, f"Field '{name}' must be a UUID, got {value!r}.") from None

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise ControlError(400, f"Field '{name}' must be an RFC 3339 date-time with a time zone, got {value!r}.")
        return in_utc(parsed)

    def seconds(self, name: str) -> int:
        value = self.body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_CLOCK_MOVE_SECONDS:
            raise ControlError(
                400,
                f"Field '{name}' must be a whole number of seconds within ±{MAX_CLOCK_MOVE_SECONDS} (100 years), "
                f"got {value!r}.",
            )
        return value


# -- locating things in a document copy -------------------------------------------------------------


# Every change edits a fresh canonical document (fixtures.to_document), so the things it touches
# can be changed in place: nothing is shared with the state being replaced.


def _account(document: dict[str, Any], key: str) -> dict[str, Any]:
    for account in document["accounts"]:
        if account["key"] == key:
            return account  # type: ignore[no-any-return]
    raise ControlError(404, f"Unknown account {key!r}.")


def _agent(document: dict[str, Any], account_key: str, agent_id: str) -> dict[str, Any]:
    for agent in _account(document, account_key)["agents"]:
        if agent["id"] == agent_id:
            return agent  # type: ignore[no-any-return]
    raise ControlError(404, f"Unknown agent {agent_id!r} in account {account_key!r}.")


def _interaction(agent: dict[str, Any], guid: str) -> dict[str, Any]:
    for interaction in agent["interactions"]:
        if interaction["guid"] == guid.lower():
            return interaction  # type: ignore[no-any-return]
    raise ControlError(404, f"Unknown interaction {guid!r} of agent {agent['id']!r}.")


def _channel_guids(agent: Mapping[str, Any]) -> set[str]:
    return {c["channelGuid"] for i in agent["interactions"] for c in i["channels"]}


def _rebuild(state: State, document: dict[str, Any]) -> State:
    try:
        return build_state(document, source="state")
    except FixtureError as error:
        raise ControlError(
            409, "The change would leave an invalid state: " + "; ".join(error.errors), error.errors
        ) from None


# -- the changes ----------------------------------------------------------------------------------------


def add_agent(state: State, account_key: str, body: Any) -> tuple[State, Created]:
    payload = Payload(body, ("id",))
    agent_id = payload.text("id", required=True)
    document = to_document(state)
    account = _account(document, account_key)
    if any(agent["id"] == agent_id for agent in account["agents"]):
        raise ControlError(409, f"Agent {agent_id!r} already exists in account {account_key!r}.")
    created: Created = {"id": agent_id, "interactions": []}
    account["agents"].append(created)
    return _rebuild(state, document), created


def start_interaction(state: State, account_key: str, agent_id: str, body: Any) -> tuple[State, Created]:
    payload = Payload(body, ("type", "direction", "guid", "channelGuid"))
    type_ = payload.choice("type", INTERACTION_TYPES, required=True)
    direction = payload.choice("direction", DIRECTIONS)
    guid, channel_guid = payload.guid("guid"), payload.guid("channelGuid")
    document = to_document(state)
    agent = _agent(document, account_key, agent_id)
    if any(i["guid"] == guid for i in agent["interactions"]):
        raise ControlError(409, f"Interaction {guid} already exists for agent {agent_id!r}.")
    if channel_guid in _channel_guids(agent):
        raise ControlError(409, f"Channel {channel_guid} already exists for agent {agent_id!r}.")
    channel = {"channelGuid": channel_guid, "start": precise_rfc3339(state.clock.now()), "end": None}
    created: Created = {
        "guid": guid,
        "type": type_,
        **({"direction": direction} if direction else {}),
        "channels": [channel],
    }
    agent["interactions"].append(created)
    return _rebuild(state, document), created


def add_channel(state: State, account_key: str, agent_id: str, guid: str, body: Any) -> tuple[State, Created]:
    payload = Payload(body, ("channelGuid",))
    channel_guid = payload.guid("channelGuid")
    document = to_document(state)
    agent = _agent(document, account_key, agent_id)
    interaction = _interaction(agent, guid)
    if channel_guid in _channel_guids(agent):
        raise ControlError(409, f"Channel {channel_guid} already exists for agent {agent_id!r}.")
    created = {"channelGuid": channel_guid, "start": precise_rfc3339(state.clock.now()), "end": None}
    interaction["channels"].append(created)
    return _rebuild(state, document), {"guid": interaction["guid"], **created}


def end_channel(state: State, account_key: str, agent_id: str, channel_guid: str, body: Any) -> tuple[State, Created]:
    payload = Payload(body, ("at",))
    now = state.clock.now()
    at = payload.moment("at") or now
    document = to_document(state)
    agent = _agent(document, account_key, agent_id)
    wanted = channel_guid.lower()
    for interaction in agent["interactions"]:
        for channel in interaction["channels"]:
            if channel["channelGuid"] != wanted:
                continue
            if channel["end"] is not None:
                raise ControlError(409, f"Channel {wanted} already ended at {channel['end']}.")
            if at < datetime.fromisoformat(channel["start"]):
                raise ControlError(400, f"'at' {rfc3339(at)} is before the channel's start {channel['start']}.")
            if at > now:
                raise ControlError(400, f"'at' {rfc3339(at)} is after the mock's clock ({rfc3339(now)}).")
            channel["end"] = precise_rfc3339(at)
            return _rebuild(state, document), {"guid": interaction["guid"], **channel}
    raise ControlError(404, f"Unknown channel {channel_guid!r} of agent {agent_id!r}.")


def add_token(state: State, body: Any) -> tuple[State, Created]:
    payload = Payload(body, ("token", "account", "expires"))
    token = payload.text("token") or f"token-{secrets.token_hex(12)}"
    if any(c.isspace() for c in token):
        raise ControlError(400, "Field 'token' must not contain white space.")
    account = payload.text("account", required=True)
    expires = payload.moment("expires")
    if token in state.tokens:
        raise ControlError(409, "That token already exists.")
    document = to_document(state)
    created: Created = {
        "token": token,
        "account": account,
        **({"expires": precise_rfc3339(expires)} if expires else {}),
    }
    document["tokens"].append(created)
    return _rebuild(state, document), created


def revoke_token(state: State, token: str) -> tuple[State, Created]:
    if token not in state.tokens:
        raise ControlError(404, "Unknown token.")
    document = to_document(state)
    document["tokens"] = [t for t in document["tokens"] if t["token"] != token]
    revoked = state.tokens[token]
    return _rebuild(state, document), {"account": revoked.account, "revoked": True}


def clock_view(state: State) -> Created:
    frozen = state.clock.frozen_at
    return {"now": precise_rfc3339(state.clock.now()), "frozen": frozen is not None}


def freeze_clock(state: State, body: Any) -> tuple[State, Created]:
    at = Payload(body, ("now",)).moment("now") or state.clock.now()
    return _set_clock(state, at)


def advance_clock(state: State, body: Any) -> tuple[State, Created]:
    seconds = Payload(body, ("seconds",)).seconds("seconds")
    try:
        moved = state.clock.now() + timedelta(seconds=seconds)
    except OverflowError:
        raise ControlError(400, f"Moving the clock by {seconds} s leaves the calendar (years 1 to 9999).") from None
    return _set_clock(state, moved)


def release_clock(state: State) -> tuple[State, Created]:
    document = to_document(state)
    document.pop("now", None)
    released = _rebuild(state, document)
    return released, clock_view(released)


def _set_clock(state: State, at: datetime) -> tuple[State, Created]:
    document = {**to_document(state), "now": precise_rfc3339(at)}
    frozen = _rebuild(state, document)
    return frozen, clock_view(frozen)
