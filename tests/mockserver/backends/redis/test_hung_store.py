"""A Redis that hangs (SIGSTOP: connections accepted, nothing answered) costs a public request at most
a bounded wait; control calls answer 503 with a message; once it answers again (SIGCONT) every worker
serves the latest state, and read-your-writes holds throughout."""

from __future__ import annotations

import os
import signal
import statistics
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import V1, get
from tests.fleet import Fleet, RedisServer, StallingProxy, private_redis, running_fleet

AGENT = "/__admin/accounts/a1b2c3d4e5/agents"


@pytest.fixture
def fleet_on_its_own_redis() -> Iterator[tuple[RedisServer, Fleet]]:
    with private_redis() as server, running_fleet(server.url) as fleet:
        yield server, fleet
        if server.process is not None:
            os.kill(server.process.pid, signal.SIGCONT)  # never leave it stopped for the teardown


def started_once_answering(client: httpx.Client, type_: str) -> dict[str, object]:
    """Start an interaction as soon as the store answers again (within 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        answer = client.post(f"{AGENT}/agent-idle/interactions", json={"type": type_})
        if answer.status_code == 201:
            return dict(answer.json())
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.1)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def bounded_p99(measure: Callable[[], list[float]], bound: float = 0.2) -> None:
    """The p99 of `measure()` is within `bound`, in one of two rounds taken while the outage lasts:
    on two shared cores a neighbouring test can stall a worker once for 0.4 s, which is no wait on
    Redis; a worker that waits on Redis fails both rounds."""
    rounds = []
    for _ in range(2):
        rounds.append(p99(measure()))
        if rounds[-1] <= bound:
            return
    raise AssertionError(f"p99 {', then '.join(f'{r:.3f} s' for r in rounds)} (bound {bound} s)")


def test_public_requests_go_on_within_a_bounded_wait(fleet_on_its_own_redis: tuple[RedisServer, Fleet]) -> None:
    server, fleet = fleet_on_its_own_redis
    assert server.process is not None
    with fleet.client() as client:
        started = client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Phone"}).json()
        for _ in range(4):
            assert get(client, "agent-idle").json()["interactions"][0]["guid"] == started["guid"]
        os.kill(server.process.pid, signal.SIGSTOP)

        def measure() -> list[float]:
            took = []
            for _ in range(60):  # 30 on each worker
                began = time.perf_counter()
                answer = get(client, "agent-idle", accept=V1)
                took.append(time.perf_counter() - began)
                assert answer.status_code == 200
                assert answer.json()["interactions"][0]["guid"] == started["guid"]
            return took

        bounded_p99(measure)

        began = time.perf_counter()
        refused = client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Chat"})
        assert refused.status_code == 503 and "nothing was changed" in refused.json()["message"]
        assert time.perf_counter() - began < 1.5  # the store's timeout is 0.9 s; the rest is two shared cores

        os.kill(server.process.pid, signal.SIGCONT)
        chat = started_once_answering(client, "Chat")["guid"]
        for _ in range(4):  # read-your-writes on both workers, the moment the change is acknowledged
            listed = get(client, "agent-idle", accept="application/json;version=2", params={"size": "10"}).json()
            assert chat in [item["guid"] for item in listed["interactions"]]


def test_packets_dropped_between_the_workers_and_redis() -> None:
    """The same outage seen through a relay that stops forwarding: public answers stay bounded, a
    change made once it flows again is served by every worker."""
    with private_redis() as server:
        proxy = StallingProxy(server.port)
        try:
            with running_fleet(proxy.url) as fleet, fleet.client() as client:
                for _ in range(4):
                    assert get(client, "agent-7").status_code == 200
                proxy.stall()

                def measure() -> list[float]:
                    took = []
                    for _ in range(40):
                        began = time.perf_counter()
                        assert get(client, "agent-7").status_code == 200
                        took.append(time.perf_counter() - began)
                    return took

                bounded_p99(measure)
                proxy.resume()
                deadline = time.monotonic() + 10
                while (
                    changed := client.post(f"{AGENT}/agent-idle/interactions", json={"type": "Email"})
                ).status_code != 201:
                    assert time.monotonic() < deadline, changed.text
                    time.sleep(0.1)
                for _ in range(4):
                    shown = get(client, "agent-idle").json()["interactions"]
                    assert shown and shown[0]["guid"] == changed.json()["guid"]
        finally:
            proxy.close()
