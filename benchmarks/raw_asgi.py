"""The limit of Python here: a raw ASGI app answering fixed bytes (the v1 answer of agent-7), no framework."""

from __future__ import annotations

from typing import Any

BODY = b'{"interactions":[{"start":"2017-03-30T22:40:15Z","guid":"015b212c-1487-46ba-bbb7-d78d6b1412a5","hasEnded":false}]}'
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/json;version=1"),
        (b"vary", b"Accept"),
        (b"content-length", str(len(BODY)).encode()),
    ],
}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send(START)
    await send({"type": "http.response.body", "body": BODY})
