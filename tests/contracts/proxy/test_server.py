"""`contracts proxy` as a command: its options, the live lines, the report and the files at the end."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from contracts.cli import main
from contracts.proxy.server import ProxySettings, start_proxy_in_thread
from contracts.registry import EXCHANGE, PAIR, RULES
from mockserver.running import RunningMock

V1 = "application/json;version=1"


@pytest.mark.parametrize(
    ("upstream", "words"),
    [("ftp://x/v0", "http URL"), ("http://127.0.0.1:8080", "path version"), ("127.0.0.1:8080/v0", "http URL")],
)
def test_a_bad_upstream_is_a_usage_error(upstream: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["proxy", "--upstream", upstream])
    assert exited.value.code == 2 and words in capsys.readouterr().err


def test_files_at_the_end_hold_the_report_and_one_case_per_rule(mock: RunningMock, tmp_path: Path) -> None:
    settings = ProxySettings(
        upstream=mock.base_url, port=0, report=tmp_path / "report.json", junit_xml=tmp_path / "proxy.xml"
    )
    with start_proxy_in_thread(settings) as running:
        httpx.get(f"{running.base_url}/a1b2c3d4e5/agents/agent-7/latestInteractions", headers={"Accept": V1})
        live = httpx.get(f"{running.url}/__proxy/report").json()
    assert live["exchanges"] == 1 and live["coverage"]["statuses"] == {"401": 1}
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exchanges"] == 1
    suite = ET.parse(tmp_path / "proxy.xml").getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {rule.id for moment in (EXCHANGE, PAIR) for rule in RULES.of(moment)}
    assert cases["unauthorized_carries_the_bearer_challenge"].find("skipped") is None
    assert cases["window_v1_agrees_with_v2"].find("skipped") is not None  # not exercised


def test_the_command_prints_violations_as_they_happen_and_a_summary_on_sigterm(tmp_path: Path) -> None:
    from contracts.selftest.cli import serving
    from contracts.selftest.planted_bugs import PLANTED_BUGS

    with serving(PLANTED_BUGS["no_vary"].endpoint_class) as target:
        process = subprocess.Popen(
            [sys.executable, "-m", "contracts.cli", "proxy", "--upstream", target.base_url, "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        banner = process.stdout.readline()
        proxy_url = banner.split()[2]
        httpx.get(
            f"{proxy_url}/{target.account}/agents/{target.agents[0]}/latestInteractions",
            headers={"Authorization": f"Bearer {target.token}", "Accept": V1},
        )
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
    assert process.returncode == 1
    assert "VIOLATION ok_carries_vary_accept: expected Vary: Accept" in out
    assert "reproduce: curl" in out and "$TOKEN" in out and target.token not in out
    assert "1 exchanges judged" in out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_clean_session_ends_0_with_its_reports_written(mock: RunningMock, tmp_path: Path, signum: int) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contracts.cli",
            "proxy",
            "--upstream",
            mock.base_url,
            "--port",
            "0",
            "--report",
            str(tmp_path / "report.json"),
            "--junit-xml",
            str(tmp_path / "proxy.xml"),
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    proxy_url = process.stdout.readline().split()[2]
    answer = httpx.get(
        f"{proxy_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
        headers={"Authorization": "Bearer valid-token", "Accept": V1},
    )
    assert answer.status_code == 200
    time.sleep(0.2)
    process.send_signal(signum)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0, out
    assert json.loads((tmp_path / "report.json").read_text())["exchanges"] == 1
    assert (tmp_path / "proxy.xml").read_text().startswith("<?xml")
    assert "valid-token" not in out + (tmp_path / "report.json").read_text() + (tmp_path / "proxy.xml").read_text()
