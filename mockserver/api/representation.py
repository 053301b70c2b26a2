"""How a channel is written in each version: the JSON items and RFC 3339 `Z` timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mockserver.api.selection import AgentChannel

V1_MEDIA_TYPE = "application/json;version=1"
V2_MEDIA_TYPE = "application/json;version=2"
MEDIA_TYPES = {1: V1_MEDIA_TYPE, 2: V2_MEDIA_TYPE}


def media_type(version: int) -> str:
    """The media type of any version the spec declares (`application/json;version=3`...)."""
    return MEDIA_TYPES.get(version) or f"application/json;version={version}"


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is not UTC or moment.microsecond:
        moment = moment.astimezone(UTC).replace(microsecond=0)
    # isoformat is several times faster than strftime, which matters for 100,000-channel states.
    return moment.isoformat()[:19] + "Z"


def precise_rfc3339(moment: datetime) -> str:
    """A stored time as fixture documents write it: UTC `Z`, with its fraction of a second if any."""
    moment = moment.astimezone(UTC)
    if not moment.microsecond:
        return rfc3339(moment)
    return moment.isoformat(timespec="microseconds")[:26].rstrip("0") + "Z"


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


def v2_item_json(item: AgentChannel) -> bytes:
    """v2_item as compact JSON, written directly: every value is a validated UUID, enum, timestamp
    or integer, so nothing needs escaping (a property test checks it equals dumps(v2_item(item)))."""
    channel = item.channel
    duration = "null" if channel.end is None else str(item.duration)
    direction = item.interaction.direction
    return (
        f'{{"type":"{item.interaction.type}","start":"{rfc3339(channel.start)}","guid":"{item.interaction.guid}",'
        f'"duration":{duration},'
        + (f'"direction":"{direction}",' if direction is not None else "")
        + f'"channelGuid":"{channel.channel_guid}"}}'
    ).encode()


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
