"""One offline HTML report for check, proxy and diff: a single file with no asset from any host, the
verdict first, the warnings, a drill-down with expected, received and the curl, and coverage."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import yaml

from contracts.cli import main
from contracts.report.html import Report, Row, render
from contracts.selftest.cli import serving
from contracts.selftest.planted_bugs import PLANTED_BUGS
from mockserver.resources import SPEC_PATH
from mockserver.running import RunningMock
from tests.browser import chromium, needs_chromium
from tests.conftest import V1


class Assets(HTMLParser):
    """Every attribute that would make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "srcset") and value:
                self.fetched.append(value)


def fetched(page: str) -> list[str]:
    parser = Assets()
    parser.feed(page)
    return parser.fetched


@pytest.fixture(scope="module")
def check_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The report of `contracts check --html` on a server whose 200s lack Vary (and the token it used)."""
    page = tmp_path_factory.mktemp("check") / "report.html"
    with serving(PLANTED_BUGS["no_vary"].endpoint_class) as target:
        args = ["check", "--base-url", target.base_url, "--token", target.token, "--account", target.account]
        args += ["--agent", target.agents[0], "--html", str(page), "--max-examples", "5"]
        assert main(args) == 1
    return page, target.token


def test_check_writes_a_report_with_the_violation_and_its_curl(check_report: tuple[Path, str]) -> None:
    page, token = check_report
    html = page.read_text()
    assert html.index('id="verdict"') < html.index("<section")  # the verdict first
    assert "FAILED:" in html
    assert 'id="ok_carries_vary_accept"' in html or 'id="ok_carries_versioned_content_type_and_vary"' in html
    assert "curl -i -H &quot;Authorization: Bearer $TOKEN&quot;" in html
    assert token not in html
    assert 'id="warnings"' in html and "was not exercised" in html
    assert fetched(html) == []


def test_proxy_writes_a_report_on_exit(mock: RunningMock, tmp_path: Path) -> None:
    page = tmp_path / "proxy.html"
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
            "--html",
            str(page),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    proxy_url = process.stdout.readline().split()[2]
    httpx.get(
        f"{proxy_url}/a1b2c3d4e5/agents/agent-7/latestInteractions",
        headers={"Authorization": "Bearer valid-token", "Accept": V1},
    )
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    html = page.read_text()
    assert "PASSED:" in html and "1 exchanges judged" in html
    assert "No version-2 answer was seen" in html  # a pass that judged version 2 on nothing says so
    assert 'id="coverage"' in html and "application/json;version=1: 1" in html
    assert "valid-token" not in html
    assert fetched(html) == []


def test_diff_renders_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = yaml.safe_load(SPEC_PATH.read_text())
    del changed["paths"]["/{accountKey}/agents/{agentId}/latestInteractions"]["get"]["responses"]["200"]["content"][V1]
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(changed))
    assert main(["diff", str(SPEC_PATH), str(new), "--format", "html"]) == 1
    html = capsys.readouterr().out
    assert html.startswith("<!doctype html>") and "FAILED:" in html
    assert 'id="response-media-type-removed"' in html
    assert fetched(html) == []


def test_the_renderer_escapes_what_it_shows() -> None:
    page = render(
        Report("t", False, "v", ["<b>w</b>"], {"s": [Row("r", "<script>x</script>", "failed", "<e>", "<r>")]})
    )
    assert "<script>x" not in page and "&lt;script&gt;" in page and "&lt;b&gt;w" in page
    assert json.dumps(fetched(page)) == "[]"


def _opened_in_chromium(page_file: Path) -> str:
    """The report's visible text as Chromium renders it, after checking it fetched nothing."""
    with chromium() as browser:
        browser.page.goto(page_file.as_uri())
        browser.page.wait_for_selector("#verdict")
        text = browser.page.inner_text("body")
        assert [url for url in browser.requested if not url.startswith(("file://", "data:"))] == []
        assert browser.errors == []
    return text


@needs_chromium
def test_chromium_opens_the_check_report_with_the_violation_and_its_curl(check_report: tuple[Path, str]) -> None:
    text = _opened_in_chromium(check_report[0])
    assert [line for line in text.splitlines() if line.strip()][1].startswith("FAILED:")  # the verdict first
    assert "ok_carries_vary_accept" in text or "ok_carries_versioned_content_type_and_vary" in text
    assert 'curl -i -H "Authorization: Bearer $TOKEN"' in text


@needs_chromium
def test_chromium_opens_the_diff_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = yaml.safe_load(SPEC_PATH.read_text())
    del changed["paths"]["/{accountKey}/agents/{agentId}/latestInteractions"]["get"]["responses"]["200"]["content"][V1]
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(changed))
    assert main(["diff", str(SPEC_PATH), str(new), "--format", "html"]) == 1
    page = tmp_path / "diff.html"
    page.write_text(capsys.readouterr().out)
    text = _opened_in_chromium(page)
    assert "FAILED:" in text and "response-media-type-removed" in text
