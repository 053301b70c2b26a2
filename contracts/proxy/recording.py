"""`--record PATH`: what the traffic showed, written as a fixture document the mock loads.

Per account and agent, the channels seen in v2 answers (`guid`, `type`, `direction`, `channelGuid`,
`start`, `end` = start + duration, or null while live); where v2 was never asked, the item v1
showed (one channel of a Phone interaction, ending at its start if it had ended: what v1 shows of
it is the same). Tokens are replaced by placeholders (`token-1`, `token-2`, ... each with the account
it opened). An agent answered 200 with no items is recorded without interactions.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from contracts.exchange_rules import served_version
from contracts.failures import Exchange

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_AGENTS = 10_000
MAX_CHANNELS = 1_000


class Recorder:
    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, str]] = {}
        """token -> (placeholder, account); the real token lives only in memory, never on disk."""
        self.v2: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.v1: dict[tuple[str, str], dict[str, Any] | None] = {}

    def record(self, token: str, account: str, agent: str, exchange: Exchange) -> None:
        if exchange.status not in (200, 404) or exchange.method != "GET":
            return
        if token not in self.tokens:
            self.tokens[token] = (f"token-{len(self.tokens) + 1}", account)
        if exchange.status != 200:
            return
        key = (account, agent)
        if key not in self.v1 and key not in self.v2 and len(self.v1) + len(self.v2) >= MAX_AGENTS:
            return
        try:
            items = json.loads(exchange.body)["interactions"]
        except (ValueError, KeyError, TypeError):
            return
        version = served_version(exchange)
        if version == 2:
            channels = self.v2.setdefault(key, {})
            for item in items:
                if (
                    isinstance(item, dict)
                    and _UUID.match(str(item.get("channelGuid")))
                    and len(channels) < MAX_CHANNELS
                ):
                    channels[str(item["channelGuid"]).lower()] = item
        elif version == 1:
            self.v1[key] = items[0] if items and isinstance(items[0], dict) else None

    def document(self) -> dict[str, Any]:
        agents: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for account, agent in [*self.v2, *self.v1]:
            agents.setdefault(account, {}).setdefault(agent, [])
        for (account, agent), channels in self.v2.items():
            agents[account][agent] = _interactions(channels.values())
        for (account, agent), item in self.v1.items():
            if (account, agent) not in self.v2 and item is not None:
                agents[account][agent] = _from_v1(item)
        accounts = sorted({*agents, *(account for _, account in self.tokens.values())})
        return {
            "tokens": [{"token": placeholder, "account": account} for placeholder, account in self.tokens.values()],
            "accounts": [
                {"key": key, "agents": [{"id": a, "interactions": i} for a, i in agents.get(key, {}).items()]}
                for key in accounts
            ],
        }

    def placeholder(self, token: str) -> str | None:
        found = self.tokens.get(token)
        return None if found is None else found[0]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.document(), indent=2) + "\n", encoding="utf-8")


def _interactions(items: Any) -> list[dict[str, Any]]:
    interactions: dict[str, dict[str, Any]] = {}
    for item in items:
        try:
            start = datetime.strptime(str(item["start"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            continue
        guid = str(item.get("guid", "")).lower()
        if not _UUID.match(guid) or item.get("type") not in ("Phone", "Chat", "Email"):
            continue
        duration = item.get("duration")
        end = None if not isinstance(duration, int) else _shown(start + timedelta(seconds=duration))
        interaction = interactions.setdefault(
            guid,
            {
                "guid": guid,
                "type": item["type"],
                **({"direction": item["direction"]} if item.get("direction") else {}),
                "channels": [],
            },
        )
        interaction["channels"].append(
            {"channelGuid": str(item["channelGuid"]).lower(), "start": _shown(start), "end": end}
        )
    return list(interactions.values())


def _from_v1(item: dict[str, Any]) -> list[dict[str, Any]]:
    guid = str(item.get("guid", "")).lower()
    start = str(item.get("start", ""))
    if not _UUID.match(guid):
        return []
    channel = str(uuid.uuid5(uuid.NAMESPACE_URL, f"recorded-v1:{guid}:{start}"))
    end = start if item.get("hasEnded") else None
    return [{"guid": guid, "type": "Phone", "channels": [{"channelGuid": channel, "start": start, "end": end}]}]


def _shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
