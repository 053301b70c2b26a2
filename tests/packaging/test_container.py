"""The Dockerfile, built and run here with podman (runc, host network; the base image built locally
by .ci/container-base-image, since no registry is reachable) and driven over HTTP: the mock on the
fixtures, as a non-root user, the admin token from the environment, the health check, mounted
fixtures, `contracts` in the same image, and a clean exit on stop."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.fixtures.load import load_fixture_file
from tests.conftest import V1, auth, path
from tests.fleet import free_port

ROOT = Path(__file__).resolve().parents[2]
BASE = "localhost/latest-interactions-base:bookworm"
PODMAN = ["podman", "--runtime", "runc"]
CONTEXT_FILES = ["Dockerfile", ".dockerignore", "pyproject.toml", "README.md", "openapi.yaml"]
CONTEXT_DIRECTORIES = ["mockserver", "contracts", "fixtures"]

pytestmark = pytest.mark.skipif(
    shutil.which("podman") is None
    or shutil.which("debootstrap", path="/usr/sbin:/usr/bin") is None
    or os.getuid() != 0,
    reason="needs root, podman and debootstrap (.ci/run installs them; rootless podman is not set up here)",
)


def podman(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    built = subprocess.run(
        [str(ROOT / ".ci" / "container-base-image"), BASE], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, built.stderr
    context = tmp_path_factory.mktemp("context")
    for name in CONTEXT_FILES:
        shutil.copy(ROOT / name, context / name)
    for name in CONTEXT_DIRECTORIES:
        shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__"))
    # The build has no network here: the project and its dependencies go in as wheels, as the
    # Dockerfile's offline path says.
    # async-timeout too: redis-py needs it below Python 3.11.3, and Debian bookworm has 3.11.2.
    wheels = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(context / "wheels"), str(context)]
        + ["async-timeout>=4.0.3"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert wheels.returncode == 0, wheels.stderr
    tag = f"localhost/latest-interactions-mock:test-{uuid.uuid4().hex[:8]}"
    build = podman(
        "build", "--network=host", "--format", "docker", "--build-arg", f"BASE={BASE}", "-t", tag, str(context)
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    yield tag
    podman("rmi", "-f", tag)


def run_detached(image: str, *args: str, env: dict[str, str] | None = None, volumes: list[str] = ()) -> tuple[str, str]:
    """Start a container; returns its name and the mock's root URL once it answers."""
    port = free_port()
    name = f"mock-test-{uuid.uuid4().hex[:8]}"
    options = ["--network=host", "--name", name]
    for key, value in (env or {}).items():
        options += ["-e", f"{key}={value}"]
    for volume in volumes:
        options += ["-v", volume]
    started = podman("run", "-d", *options, image, "--port", str(port), *args)
    assert started.returncode == 0, started.stderr
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(root + "/__admin/health", timeout=1).status_code == 200:
                return name, root
        except httpx.HTTPError:
            time.sleep(0.2)
    logs = podman("logs", name).stderr
    podman("rm", "-f", name)
    raise AssertionError(f"the container did not answer: {logs}")


def stop(name: str) -> int:
    podman("stop", "-t", "10", name)
    code = int(podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip())
    podman("rm", "-f", name)
    return code


def test_the_image_serves_the_default_fixtures_as_a_non_root_user_and_stops_cleanly(image: str) -> None:
    name, root = run_detached(image, env={"LATEST_INTERACTIONS_ADMIN_TOKEN": "s3cret"})
    try:
        answer = httpx.get(root + path("agent-7"), headers={**auth(), "Accept": V1})
        assert answer.status_code == 200
        assert answer.json()["interactions"][0]["hasEnded"] is False
        assert podman("exec", name, "id", "-u").stdout.strip() == "10001"
        health = httpx.get(root + "/__admin/health").json()
        assert health["status"] == "ok" and health["store"]["kind"] == "in-process"
    finally:
        assert stop(name) == 0


def test_the_admin_token_comes_from_the_environment(image: str) -> None:
    name, root = run_detached(image, env={"LATEST_INTERACTIONS_ADMIN_TOKEN": "s3cret"})
    try:
        assert httpx.get(root + "/__admin/state").status_code == 401
        assert httpx.get(root + "/__admin/state", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert "WARNING" not in podman("logs", name).stderr
    finally:
        stop(name)


def test_without_a_token_the_control_plane_is_open_and_the_start_says_so(image: str) -> None:
    name, root = run_detached(image)
    try:
        assert httpx.get(root + "/__admin/state").status_code == 200
        assert "LATEST_INTERACTIONS_ADMIN_TOKEN" in podman("logs", name).stderr
    finally:
        stop(name)


def test_the_health_check_is_in_the_image_and_passes(image: str) -> None:
    name, _ = run_detached(image, env={"LATEST_INTERACTIONS_ADMIN_TOKEN": "s3cret"})
    try:
        configured = json.loads(podman("inspect", name).stdout)[0]["Config"]
        assert "health_url" in json.dumps(configured.get("Healthcheck"))  # the ready file says where /__admin/health is
        checked = podman("healthcheck", "run", name)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        stop(name)


def test_mounted_fixtures_are_served(image: str, tmp_path: Path) -> None:
    document = tmp_path / "mine.yaml"
    document.write_text(
        "tokens: [{token: mounted-token, account: acct}]\n"
        "accounts: [{key: acct, agents: [{id: mounted-agent, interactions: []}]}]\n"
    )
    load_fixture_file(document)  # the document is valid: a refusal below would be the image's fault
    # The mock runs as uid 10001 in the container: what is mounted must be readable by others.
    tmp_path.chmod(0o755)
    document.chmod(0o644)
    name, root = run_detached(image, "--fixtures", "/fixtures/mine.yaml", volumes=[f"{tmp_path}:/fixtures:ro,z"])
    try:
        answer = httpx.get(root + path("mounted-agent", "acct"), headers={**auth("mounted-token"), "Accept": V1})
        assert answer.status_code == 200 and answer.json() == {"interactions": []}
    finally:
        stop(name)


def test_contracts_is_in_the_same_image(image: str) -> None:
    shown = podman("run", "--rm", "--network=host", "--entrypoint", "contracts", image, "check", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "--base-url" in shown.stdout
