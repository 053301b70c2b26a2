"""A control change as data, and its effect on a State: deterministic, so every worker applies it alike.

`control.py` turns a request into a `Change` with everything decided (generated GUIDs and tokens,
the time it happens at); `apply(state, change)` then gives the same new State on any worker that
holds the same state, which is what lets a fleet share one log of changes. A change touches only
what it names: starting or ending a channel re-renders that channel alone, never the state.
Each one checks the fixture document's invariants it could break, so a refused change (raised as
ControlError) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from mockserver.api.answers import answers_of, prepare_agent
from mockserver.api.representation import precise_rfc3339, rfc3339
from mockserver.clock import FrozenClock, SystemClock, in_utc
from mockserver.errors import ControlError
from mockserver.fixtures.documents import (
    SECRET_SHOWN,
    channel_document,
    client_document,
    interaction_document,
    token_document,
)
from mockserver.model import NO_EXTRA, Account, Agent, Channel, Client, Interaction, State, Token

Created = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    op: str
    args: Mapping[str, Any]
    """JSON values only: a change travels between workers as JSON."""

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "args": dict(self.args)}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Change:
        return cls(str(value["op"]), dict(value["args"]))


def apply(state: State, change: Change) -> tuple[State, Created]:
    try:
        operation = _OPERATIONS[change.op]
    except KeyError:
        raise ControlError(400, f"Unknown change {change.op!r}.") from None
    return operation(state, change.args)


def moment(text: str) -> datetime:
    return in_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


# -- where a change lands ---------------------------------------------------------------------------


def _account(state: State, key: str) -> Account:
    account = state.accounts.get(key)
    if account is None:
        raise ControlError(404, f"Unknown account {key!r}.")
    return account


def _agent(state: State, account_key: str, agent_id: str) -> Agent:
    agent = _account(state, account_key).agents.get(agent_id)
    if agent is None:
        raise ControlError(404, f"Unknown agent {agent_id!r} in account {account_key!r}.")
    return agent


def _with_agent(state: State, account_key: str, agent: Agent) -> State:
    account = _account(state, account_key)
    batch = _BATCH.get()
    if batch is not None:
        return batch.with_agent(state, account, agent)
    changed = Account(account.key, {**account.agents, agent.id: agent})
    return replace(state, accounts={**state.accounts, account.key: changed}, document=None)


class _Batch:
    """The account maps copied once for a batch of changes and edited in place (`apply_batch`): one
    change costs what it touches, not a copy of every agent of its account (a simulation of 10,000
    agents per account fires thousands of events per clock move). Only the batch's last state is
    ever published, and the state it started from is never edited."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] | None = None
        self.owned: dict[str, dict[str, Agent]] = {}

    def with_agent(self, state: State, account: Account, agent: Agent) -> State:
        if state.accounts is not self.accounts:  # a change that rebuilt the accounts: own them again
            self.accounts, self.owned = dict(state.accounts), {}
        agents = self.owned.get(account.key)
        if agents is None:
            agents = self.owned[account.key] = dict(account.agents)
            self.accounts[account.key] = Account(account.key, agents)
        agents[agent.id] = agent
        return replace(state, accounts=self.accounts, document=None)


_BATCH: ContextVar[_Batch | None] = ContextVar("changes_batch", default=None)


def apply_batch(state: State, events: Sequence[Sequence[Change]], failed: Sequence[Callable[[str], object]]) -> State:
    """Several events' changes in one transition: each event's changes in order, the first that cannot
    apply ending that event there (`failed[i](message)` is told why), as `apply` one by one would."""
    token = _BATCH.set(_Batch())
    try:
        for changes, tell in zip(events, failed, strict=True):
            for change in changes:
                try:
                    state, _ = apply(state, change)
                except ControlError as error:
                    tell(error.message)
                    break
    finally:
        _BATCH.reset(token)
    return state


def _has_channel(agent: Agent, channel_guid: str) -> bool:
    return channel_guid in answers_of(agent).channel_at


def _extra(args: Mapping[str, Any]) -> Mapping[str, Any]:
    given = args.get("extra")
    return MappingProxyType(dict(given)) if given else NO_EXTRA


def _not_after_clock(at: datetime, now: datetime) -> None:
    if at > now:
        raise ControlError(400, f"'at' {rfc3339(at)} is after the mock's clock ({rfc3339(now)}).")


# -- the changes ----------------------------------------------------------------------------------------


def _add_agent(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    account, agent_id = _account(state, args["account"]), args["id"]
    if agent_id in account.agents:
        raise ControlError(409, f"Agent {agent_id!r} already exists in account {account.key!r}.")
    return _with_agent(state, account.key, prepare_agent(agent_id, ())), {"id": agent_id, "interactions": []}


def _start_interaction(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    agent = _agent(state, args["account"], args["agent"])
    guid, channel_guid, at = args["guid"], args["channelGuid"], moment(args["at"])
    if guid in answers_of(agent).interaction_at:
        raise ControlError(409, f"Interaction {guid} already exists for agent {agent.id!r}.")
    if _has_channel(agent, channel_guid):
        raise ControlError(409, f"Channel {channel_guid} already exists for agent {agent.id!r}.")
    _not_after_clock(at, moment(args["now"]))
    channel = Channel(channel_guid, at, None)
    interaction = Interaction(guid, args["type"], args.get("direction"), (channel,), _extra(args))
    index = len(agent.interactions)
    changed = Agent(
        agent.id,
        (*agent.interactions, interaction),
        answers_of(agent).with_channel_started(interaction, channel, index),
    )
    return _with_agent(state, args["account"], changed), interaction_document(interaction)


def _add_channel(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    agent = _agent(state, args["account"], args["agent"])
    guid, channel_guid, at = args["guid"].lower(), args["channelGuid"], moment(args["at"])
    index = answers_of(agent).interaction_at.get(guid)
    if index is None:
        raise ControlError(404, f"Unknown interaction {args['guid']!r} of agent {agent.id!r}.")
    if _has_channel(agent, channel_guid):
        raise ControlError(409, f"Channel {channel_guid} already exists for agent {agent.id!r}.")
    _not_after_clock(at, moment(args["now"]))
    channel = Channel(channel_guid, at, None, _extra(args))
    before = agent.interactions[index]
    interaction = replace(before, channels=(*before.channels, channel))
    interactions = _put(agent.interactions, index, interaction)
    changed = Agent(agent.id, interactions, answers_of(agent).with_channel_started(interaction, channel, index))
    return _with_agent(state, args["account"], changed), {"guid": guid, **channel_document(channel)}


def _end_channel(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    agent = _agent(state, args["account"], args["agent"])
    wanted, at = args["channelGuid"].lower(), moment(args["at"])
    where = answers_of(agent).channel_at.get(wanted)
    if where is None:
        raise ControlError(404, f"Unknown channel {args['channelGuid']!r} of agent {agent.id!r}.")
    index, position = where
    before = agent.interactions[index]
    channel = before.channels[position]
    if channel.end is not None:
        raise ControlError(409, f"Channel {wanted} already ended at {precise_rfc3339(channel.end)}.")
    if at < channel.start:
        raise ControlError(400, f"'at' {rfc3339(at)} is before the channel's start {precise_rfc3339(channel.start)}.")
    _not_after_clock(at, moment(args["now"]))
    ended = replace(channel, end=at)
    interaction = replace(before, channels=_put(before.channels, position, ended))
    interactions = _put(agent.interactions, index, interaction)
    changed = Agent(agent.id, interactions, answers_of(agent).with_channel_ended(interaction, ended))
    return _with_agent(state, args["account"], changed), {"guid": interaction.guid, **channel_document(ended)}


def _add_token(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    value, account = args["token"], args["account"]
    if value in state.tokens:
        raise ControlError(409, "That token already exists.")
    expires = moment(args["expires"]) if args.get("expires") else None
    token = Token(value, account, expires)
    return replace(state, tokens={**state.tokens, value: token}, document=None), token_document(token)


def _issue_token(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    """A grant of the token endpoint: a new token of the client's account, valid until `expires`."""
    client = state.clients.get(args["client"])
    if client is None:
        raise ControlError(404, f"Unknown client {args['client']!r}.")
    if args["token"] in state.tokens:
        raise ControlError(409, "That token already exists.")
    token = Token(args["token"], client.account, moment(args["expires"]), tuple(args["scopes"]), client.client_id)
    return replace(state, tokens={**state.tokens, token.token: token}, document=None), {"expires": args["expires"]}


def _add_client(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    if args["client_id"] in state.clients:
        raise ControlError(409, f"Client {args['client_id']!r} already exists.")
    client = Client(
        args["client_id"], args["client_secret"], args["account"], tuple(args["scopes"]), args["token_lifetime"]
    )
    shown = {**client_document(client), "client_secret": SECRET_SHOWN}
    return replace(state, clients={**state.clients, client.client_id: client}, document=None), shown


def _remove_client(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    """The client goes, and every token issued to it stops working."""
    client_id = args["client_id"]
    if client_id not in state.clients:
        raise ControlError(404, f"Unknown client {client_id!r}.")
    clients = {key: client for key, client in state.clients.items() if key != client_id}
    tokens = {key: token for key, token in state.tokens.items() if token.client != client_id}
    revoked = len(state.tokens) - len(tokens)
    return replace(state, clients=clients, tokens=tokens, document=None), {
        "removed": client_id,
        "revoked_tokens": revoked,
    }


def _set_required_scope(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    return replace(state, required_scope=args["scope"], document=None), {"required_scope": args["scope"]}


def _revoke_token(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    revoked = state.tokens.get(args["token"])
    if revoked is None:
        raise ControlError(404, "Unknown token.")
    tokens = {value: token for value, token in state.tokens.items() if value != revoked.token}
    return replace(state, tokens=tokens, document=None), {"account": revoked.account, "revoked": True}


def _forget_ended(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    """Drop an agent's channels that ended before `before`, and interactions left without channels: a
    simulation keeps a bounded history this way, as a real service's retention would."""
    agent = _agent(state, args["account"], args["agent"])
    before = moment(args["before"])
    kept, forgotten = [], 0
    for interaction in agent.interactions:
        channels = tuple(c for c in interaction.channels if c.end is None or c.end >= before)
        forgotten += len(interaction.channels) - len(channels)
        if channels:
            kept.append(
                interaction if len(channels) == len(interaction.channels) else replace(interaction, channels=channels)
            )
    if not forgotten:
        return state, {"forgotten": 0}
    return _with_agent(state, args["account"], prepare_agent(agent.id, kept)), {"forgotten": forgotten}


def _set_clock(state: State, args: Mapping[str, Any]) -> tuple[State, Created]:
    """Freeze the clock at `now`, or release it (`now` null) to the system clock at `released_at`."""
    frozen = moment(args["now"]) if args.get("now") else None
    clock = FrozenClock(frozen) if frozen is not None else SystemClock()
    limit = frozen if frozen is not None else moment(args["released_at"])
    for account in state.accounts.values():
        for agent in account.agents.values():
            latest = answers_of(agent).latest_moment
            if latest is not None and latest > limit:
                raise ControlError(
                    409,
                    f"The change would leave an invalid state: agent {agent.id!r} of account {account.key!r} has a "
                    f"channel time {precise_rfc3339(latest)} after the mock's clock ({rfc3339(limit)}).",
                )
    changed = replace(state, clock=clock, document=None)
    return changed, clock_view(changed)


def clock_view(state: State) -> Created:
    return {"now": precise_rfc3339(state.clock.now()), "frozen": state.clock.frozen_at is not None}


def _put(items: tuple[T, ...], index: int, item: T) -> tuple[T, ...]:
    """`items` with `item` in place of the one at `index`."""
    return (*items[:index], item, *items[index + 1 :])


_OPERATIONS: dict[str, Callable[[State, Mapping[str, Any]], tuple[State, Created]]] = {
    "add_agent": _add_agent,
    "forget_ended": _forget_ended,
    "start_interaction": _start_interaction,
    "add_channel": _add_channel,
    "end_channel": _end_channel,
    "add_token": _add_token,
    "issue_token": _issue_token,
    "add_client": _add_client,
    "remove_client": _remove_client,
    "set_required_scope": _set_required_scope,
    "revoke_token": _revoke_token,
    "set_clock": _set_clock,
}
