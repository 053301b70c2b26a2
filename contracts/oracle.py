"""The oracle of known-data mode: what CONTRACT.md says a server holding a fixture document answers.

Written from the contract alone and independent of `mockserver/` (importing the mock's selection
would share its bugs): a team loads the document into its server (a staging database seeded from
it, or the mock itself) and `contracts check --expect-state` compares every answer with this.
Times keep their fractions: order and durations follow the times held, answers show whole seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml


class KnownDataError(ValueError):
    """The document cannot serve as known data; the message says where and why."""


@dataclass(frozen=True)
class KnownChannel:
    guid: str
    type: str
    direction: str | None
    channel_guid: str
    start: datetime
    end: datetime | None

    @property
    def active(self) -> bool:
        return self.end is None

    @property
    def state_changed_at(self) -> datetime:
        return self.end if self.end is not None else self.start

    @property
    def duration(self) -> int | None:
        return None if self.end is None else math.floor((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class KnownToken:
    token: str
    account: str
    expires: datetime | None

    def valid_at(self, moment: datetime) -> bool:
        return self.expires is None or self.expires > moment


@dataclass(frozen=True)
class KnownData:
    agents: Mapping[tuple[str, str], tuple[KnownChannel, ...]]
    """(account key, agent id) -> the agent's channels, in the document's order."""
    source: str = "known data"
    tokens: tuple[KnownToken, ...] = ()
    now: datetime | None = None
    """The document's `now` (a frozen clock), if it gives one."""

    def moment(self) -> datetime:
        """The time tokens are judged valid at: the document's `now`, else the present."""
        return self.now or datetime.now(UTC)

    def valid_token(self, account: str) -> str | None:
        """A token of the document that opens `account` now, if any."""
        at = self.moment()
        return next((t.token for t in self.tokens if t.account == account and t.valid_at(at)), None)

    def expired_token(self, account: str) -> str | None:
        at = self.moment()
        return next((t.token for t in self.tokens if t.account == account and not t.valid_at(at)), None)

    def accounts(self) -> list[str]:
        return list(dict.fromkeys(account for account, _ in self.agents))

    def agents_of(self, account: str) -> list[str]:
        return [agent for key, agent in self.agents if key == account]

    @classmethod
    def load(cls, path: str | Path) -> KnownData:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise KnownDataError(f"{path}: cannot read: {error}") from None
        try:
            document = yaml.safe_load(text)
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise KnownDataError(f"{path}: not YAML or JSON: {error}") from None
        return cls.from_document(document, source=str(path))

    @classmethod
    def from_document(cls, document: Any, *, source: str = "known data") -> KnownData:
        agents: dict[tuple[str, str], tuple[KnownChannel, ...]] = {}
        try:
            for a, account in enumerate(document["accounts"]):
                for g, agent in enumerate(account["agents"]):
                    channels = []
                    for i, interaction in enumerate(agent["interactions"]):
                        for c, channel in enumerate(interaction["channels"]):
                            where = f"accounts[{a}].agents[{g}].interactions[{i}].channels[{c}]"
                            channels.append(
                                KnownChannel(
                                    guid=str(interaction["guid"]).lower(),
                                    type=str(interaction["type"]),
                                    direction=interaction.get("direction"),
                                    channel_guid=str(channel["channelGuid"]).lower(),
                                    start=_moment(channel["start"], f"{where}.start"),
                                    end=None if channel.get("end") is None else _moment(channel["end"], f"{where}.end"),
                                )
                            )
                    agents[(str(account["key"]), str(agent["id"]))] = tuple(channels)
            tokens = tuple(
                KnownToken(
                    str(token["token"]),
                    str(token["account"]),
                    None if token.get("expires") is None else _moment(token["expires"], f"tokens[{n}].expires"),
                )
                for n, token in enumerate(document.get("tokens") or [])
            )
            now = None if document.get("now") is None else _moment(document["now"], "now")
        except (KeyError, TypeError, AttributeError) as error:
            raise KnownDataError(f"{source}: not a fixture document ({type(error).__name__}: {error})") from None
        return cls(agents, source, tokens, now)

    def channels(self, account: str, agent: str) -> tuple[KnownChannel, ...] | None:
        return self.agents.get((account, agent))

    # -- what the contract implies ------------------------------------------------------------------

    def v1_items(self, account: str, agent: str) -> list[dict[str, Any]]:
        """Active before ended; among active, Phone first; InteractionStateChangedAt descending; channelGuid."""
        channels = self.agents[(account, agent)]
        if not channels:
            return []
        first = min(
            channels,
            key=lambda c: (
                not c.active,
                c.active and c.type != "Phone",
                -c.state_changed_at.timestamp(),
                c.channel_guid,
            ),
        )
        return [{"start": shown(first.start), "guid": first.guid, "hasEnded": not first.active}]

    def v2_items(
        self, account: str, agent: str, *, type: str = "All", active_live_first: bool = False, size: int = 1
    ) -> list[dict[str, Any]]:
        """Filter by type, order by start descending then channelGuid, active Phone first if asked, cut."""
        kept = [c for c in self.agents[(account, agent)] if type == "All" or c.type == type]
        kept.sort(key=lambda c: (-c.start.timestamp(), c.channel_guid))
        if active_live_first:
            kept = [c for c in kept if c.active and c.type == "Phone"] + [
                c for c in kept if not (c.active and c.type == "Phone")
            ]
        return [
            {
                "type": c.type,
                "start": shown(c.start),
                "guid": c.guid,
                "duration": c.duration,
                **({"direction": c.direction} if c.direction is not None else {}),
                "channelGuid": c.channel_guid,
            }
            for c in kept[:size]
        ]


def shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            raise KnownDataError(f"{where}: not an RFC 3339 time: {str(value)[:60]!r}") from None
    if parsed.tzinfo is None:
        raise KnownDataError(f"{where}: a time without a time zone: {str(value)[:60]!r}")
    return parsed
