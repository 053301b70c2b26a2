"""The mock's data, as immutable values: a new state replaces the old one whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mockserver.clock import Clock

if TYPE_CHECKING:
    from mockserver.prepared import PreparedAgent

INTERACTION_TYPES = ("Phone", "Chat", "Email")
DIRECTIONS = ("Inbound", "Outbound", "Internal")


@dataclass(frozen=True, slots=True)
class Channel:
    channel_guid: str
    start: datetime
    end: datetime | None

    @property
    def active(self) -> bool:
        return self.end is None


@dataclass(frozen=True, slots=True)
class Interaction:
    guid: str
    type: str
    direction: str | None
    channels: tuple[Channel, ...]


@dataclass(frozen=True, slots=True)
class Token:
    token: str
    account: str
    expires: datetime | None

    def expired_at(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now


@dataclass(frozen=True)
class Agent:
    id: str
    interactions: tuple[Interaction, ...]

    @cached_property
    def responses(self) -> PreparedAgent:
        # Imported here: model is the bottom layer and must not depend on rendering at import time.
        from mockserver.prepared import PreparedAgent

        return PreparedAgent(self)


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
    document: Mapping[str, Any]
    """The fixture document this state was built from, as given; what GET /__admin/state shows."""

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
