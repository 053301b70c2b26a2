"""A small typed client of a running mock's control plane, for tests written against it.

mock.start_interaction("a1b2c3d4e5", "agent-7", type="Chat")
mock.end_channel("a1b2c3d4e5", "agent-7", channel_guid)
assert mock.journal(agent="agent-7")[-1]["status"] == 200
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mockserver.state.journal import fingerprint


class ControlRefused(Exception):
    """The control plane refused a change (4xx); nothing was changed."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message, self.errors = status, message, errors or []


class MockClient:
    def __init__(self, url: str, *, base_path: str = "/v0", admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.base_url = self.url + base_path
        self._headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self._client: httpx.Client | None = None

    @property
    def _http(self) -> httpx.Client:
        # Made on first use: an httpx client costs milliseconds (its TLS context), and many tests
        # take the fixture without driving the control plane.
        if self._client is None:
            self._client = httpx.Client(base_url=self.url + "/__admin", headers=self._headers, timeout=10)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> MockClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def endpoint(self, account: str, agent: str) -> str:
        """The public URL of an agent's latest interactions."""
        return f"{self.base_url}/{account}/agents/{agent}/latestInteractions"

    @property
    def token_url(self) -> str:
        """The token endpoint (OAuth 2.0 client credentials) on the mock's own port."""
        return f"{self.url}/Auth/connect/token"

    def _call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        response = self._http.request(method, path, json=body, params=params)
        payload = response.json()
        if response.status_code >= 400:
            raise ControlRefused(response.status_code, payload.get("message", response.text), payload.get("errors"))
        return payload

    # -- state --------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """What /__admin/health says: status, version, uptime, state version, store."""
        return dict(self._call("GET", "/health"))

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state"))

    def set_state(self, document: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("PUT", "/state", document))

    def reset(self) -> None:
        self._call("POST", "/reset")

    def add_agent(self, account: str, agent_id: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/accounts/{account}/agents", {"id": agent_id}))

    def start_interaction(
        self,
        account: str,
        agent: str,
        *,
        type: str,
        direction: str | None = None,
        guid: str | None = None,
        channel_guid: str | None = None,
    ) -> dict[str, Any]:
        """Start an interaction whose first channel starts now; returns it (guid, channels...)."""
        body = _without_none(type=type, direction=direction, guid=guid, channelGuid=channel_guid)
        return dict(self._call("POST", f"/accounts/{account}/agents/{agent}/interactions", body))

    def add_channel(self, account: str, agent: str, guid: str, *, channel_guid: str | None = None) -> dict[str, Any]:
        body = _without_none(channelGuid=channel_guid)
        return dict(self._call("POST", f"/accounts/{account}/agents/{agent}/interactions/{guid}/channels", body))

    def end_channel(self, account: str, agent: str, channel_guid: str, *, at: str | None = None) -> dict[str, Any]:
        return dict(
            self._call("POST", f"/accounts/{account}/agents/{agent}/channels/{channel_guid}/end", _without_none(at=at))
        )

    def answers(self, account: str, agent: str, **query: str) -> dict[str, Any]:
        """What each version served answers for the agent now (size=, type=, activeLiveFirst= for
        version 2); read through the control plane, so not journaled."""
        return dict(self._call("GET", f"/accounts/{account}/agents/{agent}/answers", params=query or None))

    # -- tokens -------------------------------------------------------------------------------

    def add_token(self, account: str, *, token: str | None = None, expires: str | None = None) -> str:
        created = self._call("POST", "/tokens", _without_none(account=account, token=token, expires=expires))
        return str(created["token"])

    def revoke_token(self, token: str) -> None:
        self._call("DELETE", f"/tokens/{token}")

    # -- clients of the token endpoint --------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        account: str,
        *,
        scopes: list[str] | None = None,
        token_lifetime: int | None = None,
    ) -> dict[str, Any]:
        """A client that `POST /Auth/connect/token` (`token_url`) issues tokens of `account` to."""
        body = _without_none(
            client_id=client_id,
            client_secret=client_secret,
            account=account,
            scopes=scopes,
            token_lifetime=token_lifetime,
        )
        return dict(self._call("POST", "/clients", body))

    def remove_client(self, client_id: str) -> dict[str, Any]:
        """The client goes, and every token issued to it stops working."""
        return dict(self._call("DELETE", f"/clients/{client_id}"))

    def required_scope(self) -> str | None:
        scope = self._call("GET", "/required-scope")["required_scope"]
        return None if scope is None else str(scope)

    def require_scope(self, scope: str | None) -> None:
        """Require `scope` of issued tokens (403 insufficient_scope without it); None: require none."""
        self._call("PUT", "/required-scope", {"scope": scope})

    # -- clock --------------------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "/clock"))

    def freeze_clock(self, at: str | None = None) -> dict[str, Any]:
        return dict(self._call("PUT", "/clock", _without_none(now=at)))

    def advance_clock(self, seconds: int) -> dict[str, Any]:
        return dict(self._call("POST", "/clock/advance", {"seconds": seconds}))

    def release_clock(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "/clock"))

    # -- faults -------------------------------------------------------------------------------

    def inject_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        """kind delay (delay_ms=int or {min, max}), status (status=503, retry_after=...) or drop;
        scope with account=, agent=, count= (next N), probability= and seed=."""
        return dict(self._call("POST", "/faults", {"kind": kind, **options}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["faults"])

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # -- scenarios ----------------------------------------------------------------------------

    def play(self, scenario: dict[str, Any] | str | Path) -> dict[str, Any]:
        """Play a scenario document (a dict, YAML or JSON text, or a file) from now on the mock's clock;
        with the clock frozen, `advance_clock` steps it. Returns where it is (`scenario()`)."""
        if isinstance(scenario, Path):
            scenario = scenario.read_text(encoding="utf-8")
        if isinstance(scenario, str):
            response = self._http.put("/scenario", content=scenario.encode())
            payload = response.json()
            if response.status_code >= 400:
                raise ControlRefused(response.status_code, payload.get("message", response.text), payload.get("errors"))
            return dict(payload)
        return dict(self._call("PUT", "/scenario", scenario))

    def simulate(
        self, *, agents: int | None = None, seed: int | None = None, history: int | None = None
    ) -> dict[str, Any]:
        """Play a seeded contact centre from now: `agents` simulated agents join every account; it runs,
        pauses and steps like a scenario (`scenario()`, `advance_clock`...)."""
        return dict(self._call("PUT", "/simulation", _without_none(agents=agents, seed=seed, history=history)))

    def scenario(self) -> dict[str, Any]:
        """Where the scenario is: status, position, events fired, the next one, those that could not apply."""
        return dict(self._call("GET", "/scenario"))

    def pause_scenario(self) -> dict[str, Any]:
        return dict(self._call("POST", "/scenario/pause"))

    def resume_scenario(self) -> dict[str, Any]:
        return dict(self._call("POST", "/scenario/resume"))

    def seek_scenario(self, seconds: int) -> dict[str, Any]:
        """Jump forward to `seconds` into the scenario; the events skipped over happen at their times."""
        return dict(self._call("POST", "/scenario/seek", {"seconds": seconds}))

    def stop_scenario(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "/scenario"))

    # -- journal ------------------------------------------------------------------------------

    def journal(self, **filters: str) -> list[dict[str, Any]]:
        """The requests served, oldest first; filters compare a field's text (agent="agent-7", status="200")."""
        return list(self._call("GET", "/journal", params=filters)["requests"])

    def clear_journal(self) -> None:
        self._call("DELETE", "/journal")

    @staticmethod
    def token_fingerprint(token: str) -> str:
        """What the journal records for a token, to check which one a client sent."""
        return fingerprint(token)


def _without_none(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}
