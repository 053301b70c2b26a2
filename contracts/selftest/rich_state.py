"""A rich state for the selftest: ties, several live channels, a long history, subtle end orders.

Times are relative to the moment it is built (the mock's clock is not frozen), so live channels
look live and ended ones recent, as on a real deployment.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT = "a1b2c3d4e5"
OTHER_ACCOUNT = "f6g7h8i9j0"
TOKEN, FOREIGN_TOKEN, EXPIRED_TOKEN = "selftest-token", "selftest-foreign-token", "selftest-expired-token"
AGENTS = ("live-phone", "phone-and-chats", "ended-only", "ties", "multi-channel", "idle", "long-history")


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"selftest:{name}"))


def _at(now: datetime, seconds_ago: int) -> str:
    return (now - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _interaction(
    now: datetime, name: str, type_: str, *channels: tuple[int, int | None], direction: str | None = "Inbound"
) -> dict[str, Any]:
    rendered: dict[str, Any] = {"guid": _guid(name), "type": type_}
    if direction:
        rendered["direction"] = direction
    rendered["channels"] = [
        {"channelGuid": _guid(f"{name}/{n}"), "start": _at(now, start), "end": None if end is None else _at(now, end)}
        for n, (start, end) in enumerate(channels)
    ]
    return rendered


def build(now: datetime | None = None) -> dict[str, Any]:
    now = (now or datetime.now(UTC)).replace(microsecond=0)

    def i(
        name: str, type_: str, *channels: tuple[int, int | None], direction: str | None = "Inbound"
    ) -> dict[str, Any]:
        return _interaction(now, name, type_, *channels, direction=direction)

    long_history = [
        i(
            f"history-{n}",
            ("Phone", "Chat", "Email")[n % 3],
            (90_000 - n * 600, 90_000 - n * 600 - 120 - n),
            direction=None if n % 4 else "Outbound",
        )
        for n in range(130)
    ]
    long_history.append(i("history-live-phone", "Phone", (80_000, None)))
    agents = {
        "live-phone": [
            i("call", "Phone", (600, None)),
            i("old-chat", "Chat", (5000, 4000)),
            i("old-email", "Email", (7000, 100), direction="Outbound"),
        ],
        "phone-and-chats": [
            i("call", "Phone", (900, None), direction="Outbound"),
            i("chat-1", "Chat", (300, None)),
            i("chat-2", "Chat", (200, None), direction=None),
            i("ended-call", "Phone", (100, 50)),
        ],
        # Started earlier but ended later wins v1; floors of durations matter.
        "ended-only": [
            i("email", "Email", (2000, 1900)),
            i("chat", "Chat", (3000, 1950)),
            i("call", "Phone", (1990, 1980)),
        ],
        "ties": [
            i("tie-a", "Chat", (1000, None)),
            i("tie-b", "Chat", (1000, None)),
            i("tie-c", "Email", (1000, None)),
            i("tie-ended-a", "Phone", (3000, 2000)),
            i("tie-ended-b", "Phone", (2500, 2000)),
        ],
        "multi-channel": [
            i("transfer", "Phone", (4000, 3500), (3400, 3000), (2900, None), direction="Internal"),
            i("after", "Chat", (2000, 1000)),
        ],
        "idle": [],
        "long-history": long_history,
    }
    # Agents the judge is not given (--agent): only known-data mode, which visits every agent of the
    # document, sees them.
    unlisted = {"unlisted-instant": [i("instant-chat", "Chat", (500, 500)), i("later-call", "Phone", (300, 200))]}
    return {
        "tokens": [
            {"token": TOKEN, "account": ACCOUNT},
            {"token": EXPIRED_TOKEN, "account": ACCOUNT, "expires": _at(now, 3600)},
            {"token": FOREIGN_TOKEN, "account": OTHER_ACCOUNT},
        ],
        "accounts": [
            {
                "key": ACCOUNT,
                "agents": [{"id": agent, "interactions": agents[agent]} for agent in AGENTS]
                + [{"id": agent, "interactions": found} for agent, found in unlisted.items()],
            },
            {"key": OTHER_ACCOUNT, "agents": [{"id": "live-phone", "interactions": []}]},
        ],
    }
