"""The mock's data, as immutable values: a new state replaces the old one whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from mockserver.clock import Clock

INTERACTION_TYPES = ("Phone", "Chat", "Email")
DIRECTIONS = ("Inbound", "Outbound", "Internal")
NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Channel:
    channel_guid: str
    start: datetime
    end: datetime | None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)
    """Fields the spec declares that the mock does not know (mockserver.api.shapes), as the data gives them."""

    @property
    def active(self) -> bool:
        return self.end is None


@dataclass(frozen=True, slots=True)
class Interaction:
    guid: str
    type: str
    direction: str | None
    channels: tuple[Channel, ...]
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)
    """Fields the spec declares that the mock does not know, for each of its channels that gives none."""


DEFAULT_TOKEN_LIFETIME = 7200
"""Seconds a token issued by the token endpoint is valid (the platform's two hours)."""


@dataclass(frozen=True, slots=True)
class Token:
    token: str
    account: str
    expires: datetime | None
    scopes: tuple[str, ...] = ()
    """What it was granted (a token written in the fixtures has every scope the mock may require)."""
    client: str | None = None
    """The client it was issued to by the token endpoint; None for a token written in the fixtures."""

    def expired_at(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def has_scope(self, scope: str) -> bool:
        return self.client is None or scope in self.scopes


@dataclass(frozen=True, slots=True)
class Client:
    """An OAuth client of the platform's Authentication API: what the token endpoint issues tokens to."""

    client_id: str
    secret: str = field(repr=False)
    account: str
    scopes: tuple[str, ...] = ()
    """The scopes it may be granted (all of them when it asks for none)."""
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    interactions: tuple[Interaction, ...]
    answers: Any = field(compare=False, repr=False)
    """The agent's answers rendered once for its state (`mockserver.api.answers.AgentAnswers`, which builds
    them from this model): opaque here, so the model imports nothing above it."""


@dataclass(frozen=True, slots=True)
class Account:
    key: str
    agents: Mapping[str, Agent]


@dataclass(frozen=True, slots=True)
class State:
    """Everything a request reads, taken once per request from the store."""

    clock: Clock
    tokens: Mapping[str, Token]
    accounts: Mapping[str, Account]
    document: Mapping[str, Any] | None
    """The fixture document this state was loaded from, as given, which GET /__admin/state shows;
    None after a control change, which edits the state itself (fixtures.to_document renders it)."""
    clients: Mapping[str, Client] = field(default_factory=dict)
    """The token endpoint's clients, by client id."""
    required_scope: str | None = None
    """A scope the operation requires of tokens the token endpoint issued (403 insufficient_scope)."""

    def agent(self, account_key: str, agent_id: str) -> Agent | None:
        account = self.accounts.get(account_key)
        return None if account is None else account.agents.get(agent_id)

    def summary(self) -> dict[str, int]:
        agents = [agent for account in self.accounts.values() for agent in account.agents.values()]
        return {
            "accounts": len(self.accounts),
            "agents": len(agents),
            "tokens": len(self.tokens),
            "interactions": sum(len(agent.interactions) for agent in agents),
            "channels": sum(len(i.channels) for agent in agents for i in agent.interactions),
        }
