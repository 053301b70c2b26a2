"""The plugin reference's complete example of a client test (docs/reference/plugin.md), kept runnable."""

from __future__ import annotations

import httpx

ACCOUNT = "a1b2c3d4e5"


class LatestInteractionsClient:  # your code under test
    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json;version=1"}
        )

    def on_a_live_interaction(self, agent: str) -> bool:
        items = self.http.get(f"/{ACCOUNT}/agents/{agent}/latestInteractions").json()["interactions"]
        return bool(items) and not items[0]["hasEnded"]


def test_agent_goes_live_then_idle(mock_state):
    client = LatestInteractionsClient(mock_state.base_url, token="valid-token")
    assert not client.on_a_live_interaction("agent-idle")

    call = mock_state.start_interaction(ACCOUNT, "agent-idle", type="Phone", direction="Inbound")
    assert client.on_a_live_interaction("agent-idle")

    mock_state.end_channel(ACCOUNT, "agent-idle", call["channels"][0]["channelGuid"])
    assert not client.on_a_live_interaction("agent-idle")

    sent = mock_state.journal(agent="agent-idle")
    assert [e["status"] for e in sent] == [200, 200, 200]
    assert sent[0]["authorization"]["token"]["fingerprint"] == mock_state.token_fingerprint("valid-token")
