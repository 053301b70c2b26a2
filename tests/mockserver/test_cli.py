"""`mockserver run`: starts, prints what it loaded and where, refuses bad usage with exit 2."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import V1, V2, get

COMMAND = [sys.executable, "-m", "mockserver"]


@contextmanager
def running(*args: str) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """Start the command, wait for its banner; yield (root url, banner, process)."""
    process = subprocess.Popen(
        [*COMMAND, "run", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(7 if "--cors" in args else 6)]
        banner = "".join(lines)
        found = re.search(r"listening on (http://[^/\s]+)/v0", banner)
        assert found, banner + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield found.group(1), banner, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run_to_exit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)


def test_run_serves_the_default_fixtures_and_says_so() -> None:
    with running() as (root, banner, _):
        assert "2 accounts, 7 agents, 3 tokens" in banner
        assert f"{root}/v0/ui/" in banner
        assert "/__admin/state" in banner
        with httpx.Client(base_url=root) as client:
            assert get(client, "agent-7").json()["interactions"][0]["hasEnded"] is False
            assert get(client, "1234", accept=V2).status_code == 200


def test_versions_1_is_todays_production() -> None:
    with running("--versions", "1") as (root, banner, _):
        assert "application/json;version=2" not in banner
        with httpx.Client(base_url=root) as client:
            assert get(client, "agent-7", accept=V2).status_code == 406
            assert get(client, "agent-7", accept=V1).status_code == 200


def test_custom_fixtures(tmp_path: Path) -> None:
    fixtures = tmp_path / "state.json"
    fixtures.write_text(
        '{"tokens": [{"token": "t", "account": "k"}], "accounts": [{"key": "k", "agents": [{"id": "x", "interactions": []}]}]}'
    )
    with running("--fixtures", str(fixtures)) as (root, banner, _):
        assert "1 accounts, 1 agents, 1 tokens" in banner
        with httpx.Client(base_url=root) as client:
            assert get(client, "x", token="t", account="k").json() == {"interactions": []}


def test_non_loopback_without_admin_token_warns() -> None:
    with running("--host", "0.0.0.0") as (_, banner, process):
        assert process.stderr is not None
        warning = process.stderr.readline()
        assert "WARNING" in warning and "--admin-token" in warning
    with running("--host", "0.0.0.0", "--admin-token", "x") as (_, banner, _process):
        assert "(token required)" in banner


def test_bad_fixtures_exit_2_naming_the_path(tmp_path: Path) -> None:
    fixtures = tmp_path / "bad.yaml"
    fixtures.write_text(
        "tokens: []\naccounts: [{key: k, agents: [{id: a, interactions: [{guid: nope, type: Phone, channels: [{channelGuid: 6a0e8b1c-3f2d-4c5e-9a7b-1d2e3f4a5b6c, start: '2017-03-30T22:40:15Z'}]}]}]}]\n"
    )
    result = run_to_exit("run", "--fixtures", str(fixtures))
    assert result.returncode == 2
    assert "accounts[0].agents[0].interactions[0].guid: must be a UUID" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_fixtures_exit_2(tmp_path: Path) -> None:
    result = run_to_exit("run", "--fixtures", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


@pytest.mark.parametrize("versions", ["3", "1,3", "0", "abc", ""])
def test_bad_versions_exit_2(versions: str) -> None:
    result = run_to_exit("run", "--versions", versions)
    assert result.returncode == 2
    assert "--versions" in result.stderr


def test_an_unknown_http_server_exits_2_naming_the_choices() -> None:
    result = run_to_exit("run", "--http-server", "hypercorn")
    assert result.returncode == 2
    assert "--http-server" in result.stderr and "granian" in result.stderr and "uvicorn" in result.stderr


def test_port_in_use_exits_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_to_exit("run", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2
    assert "cannot listen" in result.stderr


def test_help_lists_the_options() -> None:
    result = run_to_exit("run", "--help")
    assert result.returncode == 0
    for option in ("--fixtures", "--host", "--port", "--versions", "--admin-token"):
        assert option in result.stdout


def test_cors_on_request() -> None:
    with running("--cors", "http://localhost:3000") as (root, banner, _):
        assert "cors:     http://localhost:3000" in banner
        answer = httpx.options(
            root + "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
        )
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_a_bad_cors_origin_is_a_usage_error() -> None:
    result = run_to_exit("run", "--cors", "localhost:3000")
    assert result.returncode == 2
    assert "scheme://host" in result.stderr


def test_a_ready_file_tells_a_launcher_where_the_mock_listens(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    with running("--ready-file", str(ready)) as (root, _, _process):
        deadline = time.monotonic() + 10
        while not ready.exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        found = json.loads(ready.read_text())
        assert found["url"] == root and found["base_url"] == root + "/v0"
        assert httpx.get(found["health_url"]).json()["status"] == "ok"


def test_versions_2_is_the_planned_version_2_only_service() -> None:
    with running("--versions", "2") as (root, banner, _):
        assert "application/json;version=1" not in banner.split("serves:")[1].splitlines()[0]
        with httpx.Client(base_url=root) as client:
            refused = get(client, "agent-7", accept=V1)
            assert refused.status_code == 406
            assert "application/json;version=2" in refused.json()["message"]
            assert "version=1" not in refused.json()["message"]
            served = get(client, "agent-7", accept=V2)
            assert served.status_code == 200 and served.headers["content-type"] == V2
            assert client.get("/v0/openapi.v2.json").status_code == 200
            assert client.get("/v0/openapi.v1.json").status_code == 404


def _checkout_without_version_1(tmp_path: Path) -> Path:
    """A copy of the checkout whose openapi.yaml no longer declares version 1 (the plan once v2 ships)."""
    root = Path(__file__).resolve().parents[2]
    for name in ("mockserver", "fixtures"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    document = yaml.safe_load((root / "openapi.yaml").read_text())
    del document["paths"]["/{accountKey}/agents/{agentId}/latestInteractions"]["get"]["responses"]["200"]["content"][
        "application/json;version=1"
    ]
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return tmp_path


def _run_from(checkout: Path, *args: str) -> subprocess.Popen[str]:
    code = f"import sys; sys.path.insert(0, {str(checkout)!r}); from mockserver.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LATEST_INTERACTIONS_NO_SPEC_CACHE": "1"},
    )


def test_a_spec_without_version_1_is_served_on_what_it_declares(tmp_path: Path) -> None:
    process = _run_from(_checkout_without_version_1(tmp_path))
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"listening on (http://[^/\s]+)/v0", banner)
        assert found, banner + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        root = found.group(1)
        headers = {"Authorization": "Bearer valid-token"}
        v2 = httpx.get(
            root + "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={**headers, "Accept": "application/json;version=2"},
        )
        assert v2.status_code == 200
        v1 = httpx.get(
            root + "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions",
            headers={**headers, "Accept": "application/json;version=1"},
        )
        assert v1.status_code == 406 and "version=2" in v1.json()["message"] and "version=1" not in v1.json()["message"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


def test_a_version_the_spec_does_not_declare_is_refused_naming_both(tmp_path: Path) -> None:
    process = _run_from(_checkout_without_version_1(tmp_path), "--versions", "1,2")
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "declares version(s) 2" in errors and "--versions 2" in errors and "Traceback" not in errors


def test_spec_serves_another_document(tmp_path: Path) -> None:
    spec = _checkout_without_version_1(tmp_path) / "openapi.yaml"
    with running("--spec", str(spec)) as (root, banner, _):
        assert "serves:   application/json;version=2\n" in banner
        headers = {"Authorization": "Bearer valid-token", "Accept": "application/json;version=1"}
        assert httpx.get(root + "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions", headers=headers).status_code == 406


def test_a_spec_that_cannot_be_read_exits_2_naming_it(tmp_path: Path) -> None:
    result = run_to_exit("run", "--spec", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2 and "--spec" in result.stderr and "Traceback" not in result.stderr
