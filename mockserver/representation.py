"""How a channel is written in each version: the JSON items and RFC 3339 `Z` timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mockserver.selection import AgentChannel

V1_MEDIA_TYPE = "application/json;version=1"
V2_MEDIA_TYPE = "application/json;version=2"
MEDIA_TYPES = {1: V1_MEDIA_TYPE, 2: V2_MEDIA_TYPE}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_item(item: AgentChannel) -> dict[str, Any]:
    return {
        "start": rfc3339(item.channel.start),
        "guid": item.interaction.guid,
        "hasEnded": not item.active,
    }


def v2_item(item: AgentChannel) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "type": item.type,
        "start": rfc3339(item.channel.start),
        "guid": item.interaction.guid,
        "duration": item.duration,
    }
    if item.interaction.direction is not None:
        rendered["direction"] = item.interaction.direction
    rendered["channelGuid"] = item.channel.channel_guid
    return rendered


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
