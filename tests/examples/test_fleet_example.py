"""The fleet how-to's load-balancer example (docs/how-to/fleet.md), run as written: nginx in front of two mock hosts on one Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ACCOUNT, get
from tests.fleet import Fleet, RedisServer, free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fleet" / "nginx.conf"


@pytest.fixture
def balanced(redis_server: RedisServer, tmp_path: Path) -> Iterator[str]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed: .ci/run installs it (Debian package nginx)")
        pytest.skip("nginx is not installed")
    fleet = Fleet(redis_server.url, f"test-{uuid.uuid4().hex[:12]}:")
    try:
        fleet.start_worker()
        fleet.start_worker()
        # The example as written, with free ports and this test's own files in place of its defaults.
        front = free_port()
        config = EXAMPLE.read_text()
        config = config.replace("127.0.0.1:8080", f"127.0.0.1:{front}")
        config = config.replace("127.0.0.1:8081", f"127.0.0.1:{fleet.ports[0]}")
        config = config.replace("127.0.0.1:8082", f"127.0.0.1:{fleet.ports[1]}")
        config = config.replace("/tmp/latest-interactions-nginx", str(tmp_path / "nginx"))
        (tmp_path / "nginx.conf").write_text(config)
        process = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{front}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    httpx.get(url + "/__admin/clock", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stderr.read() if process.stderr else ""
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            process.wait(10)
            if process.stderr:
                process.stderr.close()
    finally:
        fleet.stop()


def test_nginx_in_front_of_two_hosts_is_one_mock(balanced: str) -> None:
    with httpx.Client(base_url=balanced, timeout=10) as client:
        client.delete("/__admin/journal").raise_for_status()
        started = client.post(f"/__admin/accounts/{ACCOUNT}/agents/agent-idle/interactions", json={"type": "Phone"})
        assert started.status_code == 201
        for _ in range(10):
            with httpx.Client(base_url=balanced, timeout=10) as fresh:
                assert get(fresh, "agent-idle").json()["interactions"][0]["guid"] == started.json()["guid"]
        entries = client.get("/__admin/journal").json()["requests"]
        assert len(entries) == 10
        assert len({entry["worker"] for entry in entries}) == 2


def test_a_token_with_a_slash_is_revoked_through_nginx(balanced: str) -> None:
    with httpx.Client(base_url=balanced, timeout=10) as client:
        token = "b64/token/with/slash="
        client.post("/__admin/tokens", json={"account": ACCOUNT, "token": token}).raise_for_status()
        assert get(client, "agent-7", token=token).status_code == 200
        assert client.delete("/__admin/tokens/b64%2Ftoken%2Fwith%2Fslash=").json()["revoked"] is True
        assert get(client, "agent-7", token=token).status_code == 401
