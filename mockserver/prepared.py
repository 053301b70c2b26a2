"""Answers computed once per state, so a request only picks and joins bytes.

An agent's channels are sorted once, every item is rendered once, and the eight (type,
activeLiveFirst) selections are made with them, when the state is built. A request then costs a
slice and a join, whatever the length of the agent's history.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.model import Agent
from mockserver.representation import dumps, v1_item, v2_item_json
from mockserver.selection import agent_channels, latest_v1, order_v2, select_v2

_OPEN = b'{"interactions":['
_CLOSE = b"]}"


@dataclass(frozen=True, slots=True)
class RenderedItem:
    type: str
    is_active_phone: bool
    body: bytes


class PreparedAgent:
    def __init__(self, agent: Agent) -> None:
        channels = agent_channels(agent)
        latest = latest_v1(channels)
        self.v1_body = dumps({"interactions": [] if latest is None else [v1_item(latest)]})
        ordered = [RenderedItem(item.type, item.is_active_phone, v2_item_json(item)) for item in order_v2(channels)]
        self._selections = {
            (type_, first): [
                item.body for item in select_v2(ordered, type=type_, active_live_first=first, size=len(ordered))
            ]
            for type_ in ("All", "Phone", "Chat", "Email")
            for first in (False, True)
        }

    def v2_body(self, *, type: str, active_live_first: bool, size: int) -> bytes:
        return _OPEN + b",".join(self._selections[(type, active_live_first)][:size]) + _CLOSE
