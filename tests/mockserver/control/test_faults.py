"""Injected faults: delays, statuses, dropped connections; scoped, counted, seeded; clearable."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mockserver.errors import ControlError
from mockserver.state.faults import FaultInjector
from tests.conftest import V2, get

ALSO_ON_A_FLEET = True
"""Each test taking `client` runs on the in-process mock, on `mockserver run` (granian) and on a fleet of two on Redis."""


def inject(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/__admin/faults", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize(("status", "retry_after"), [(503, "1"), (429, "1"), (500, None), (502, None)])
def test_status_faults(client: httpx.Client, status: int, retry_after: str | None) -> None:
    inject(client, kind="status", status=status)
    response = get(client, "agent-7")
    assert response.status_code == status
    assert response.headers.get("retry-after") == retry_after
    assert "Injected fault" in response.json()["message"]
    assert response.headers["x-mock-fault"]
    inject_free = client.delete("/__admin/faults")
    assert inject_free.status_code == 200
    assert "x-mock-fault" not in get(client, "agent-7").headers


def test_retry_after_can_be_chosen(client: httpx.Client) -> None:
    inject(client, kind="status", status=503, retry_after=30)
    assert get(client, "agent-7").headers["retry-after"] == "30"


def test_next_n_requests_then_normal(client: httpx.Client) -> None:
    inject(client, kind="status", status=503, count=2)
    assert [get(client, "agent-7").status_code for _ in range(4)] == [503, 503, 200, 200]
    assert client.get("/__admin/faults").json() == {"faults": []}


def test_scoped_to_one_agent(client: httpx.Client) -> None:
    inject(client, kind="status", status=500, agent="1234")
    assert get(client, "1234").status_code == 500
    assert get(client, "agent-7").status_code == 200


def test_drop_cuts_the_connection(client: httpx.Client) -> None:
    inject(client, kind="drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        get(client, "agent-7")
    assert get(client, "agent-7").status_code == 200
    entries = client.get("/__admin/journal", params={"fault": "drop"}).json()["requests"]
    assert entries and entries[-1]["status"] is None


def test_delay_leaves_the_answer_unaltered(client: httpx.Client) -> None:
    plain = get(client, "1234", accept=V2, params={"size": "5"})
    inject(client, kind="delay", delay_ms=150)
    started = time.perf_counter()
    delayed = get(client, "1234", accept=V2, params={"size": "5"})
    assert time.perf_counter() - started >= 0.15
    assert (delayed.status_code, delayed.content, delayed.headers["content-type"]) == (
        plain.status_code,
        plain.content,
        plain.headers["content-type"],
    )


def test_faults_are_listed_removed_and_cleared(client: httpx.Client) -> None:
    first = inject(client, kind="delay", delay_ms={"min": 1, "max": 5}, seed=7)
    second = inject(client, kind="status", status=503, account="a1b2c3d4e5", probability=0.5, seed=1)
    assert [f["id"] for f in client.get("/__admin/faults").json()["faults"]] == [first["id"], second["id"]]
    assert client.delete(f"/__admin/faults/{first['id']}").status_code == 200
    assert client.delete(f"/__admin/faults/{first['id']}").status_code == 404
    assert client.delete("/__admin/faults/abc").status_code == 404
    assert client.delete("/__admin/faults").json() == {"cleared": 1}
    assert get(client, "agent-7").status_code == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "'kind' is required"),
        ({"kind": "explode"}, "delay|status|drop"),
        ({"kind": "delay"}, "'delay_ms' is required"),
        ({"kind": "delay", "delay_ms": -1}, "whole milliseconds"),
        ({"kind": "delay", "delay_ms": 999_999}, "whole milliseconds"),
        ({"kind": "delay", "delay_ms": {"min": 5, "max": 1}}, "above max"),
        ({"kind": "delay", "delay_ms": {"min": 5}}, "exactly min and max"),
        ({"kind": "status"}, "HTTP status from 400 to 599"),
        ({"kind": "status", "status": 200}, "HTTP status from 400 to 599"),
        ({"kind": "status", "status": 503, "retry_after": -1}, "retry_after"),
        ({"kind": "drop", "status": 503}, "belong to kind 'status'"),
        ({"kind": "status", "status": 503, "delay_ms": 5}, "belongs to kind 'delay'"),
        ({"kind": "drop", "count": 0}, "'count'"),
        ({"kind": "drop", "probability": 0}, "'probability'"),
        ({"kind": "drop", "probability": 1.5}, "'probability'"),
        ({"kind": "drop", "seed": "x"}, "'seed'"),
        ({"kind": "drop", "agent": ""}, "'agent'"),
        ({"kind": "drop", "when": "always"}, "Unknown field"),
    ],
)
def test_invalid_faults_are_refused(client: httpx.Client, body: dict[str, Any], words: str) -> None:
    response = client.post("/__admin/faults", json=body)
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert client.get("/__admin/faults").json() == {"faults": []}


def _replay(seed: int, body: dict[str, Any], requests: int = 50) -> list[tuple[float, int | None]]:
    injector = FaultInjector()
    injector.add({**body, "seed": seed})
    return [(d.delay_seconds, d.status) for d in (injector.decide("acc", "agent") for _ in range(requests))]


def test_random_delays_replay_from_their_seed() -> None:
    body = {"kind": "delay", "delay_ms": {"min": 0, "max": 1000}}
    assert _replay(42, body) == _replay(42, body)
    assert _replay(42, body) != _replay(43, body)
    assert len({delay for delay, _ in _replay(42, body)}) > 10


def test_random_failures_replay_from_their_seed() -> None:
    body = {"kind": "status", "status": 503, "probability": 0.3}
    outcomes = _replay(9, body, 200)
    assert outcomes == _replay(9, body, 200)
    failures = sum(status == 503 for _, status in outcomes)
    assert 30 < failures < 90


def test_the_first_failure_decides_delays_add_up() -> None:
    injector = FaultInjector()
    injector.add({"kind": "delay", "delay_ms": 100})
    injector.add({"kind": "status", "status": 503})
    injector.add({"kind": "status", "status": 500})
    injector.add({"kind": "delay", "delay_ms": 50})
    decision = injector.decide("a", "b")
    assert (decision.delay_seconds, decision.status) == (pytest.approx(0.15), 503)


def test_refused_fault_raises_control_error() -> None:
    with pytest.raises(ControlError):
        FaultInjector().add({"kind": "status", "status": 99})


def test_a_fault_is_listed_as_it_was_asked_for(client: httpx.Client) -> None:
    created = inject(client, kind="drop")
    assert created == {"id": created["id"], "kind": "drop", "remaining": None, "probability": 1.0}
    assert client.get("/__admin/faults").json()["faults"] == [created]
