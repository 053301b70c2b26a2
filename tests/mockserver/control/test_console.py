"""The live console at /__admin/ui/, clicked through in Chromium: the state and both versions'
answers for an agent, its actions done through the control plane, the journal following live with
each answer's explanation, behind the admin token when one is set, on one mock and on a fleet, and
nothing requested from another host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.running import RunningMock, start_in_thread
from tests.browser import Browser, chromium, needs_chromium
from tests.conftest import V1, auth, path
from tests.fleet import Fleet

pytestmark = needs_chromium


@pytest.fixture
def console_mock() -> Iterator[RunningMock]:
    with start_in_thread(create_app(Settings())) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


def choose(browser: Browser, url: str, agent: str) -> None:
    browser.page.goto(url + "/__admin/ui/")
    browser.page.click(f"button[data-agent='{agent}']")
    browser.page.wait_for_selector(f"text={agent} of a1b2c3d4e5")


def test_starting_and_ending_an_interaction_changes_both_answers(console_mock: RunningMock, browser: Browser) -> None:
    page = browser.page
    choose(browser, console_mock.url, "agent-idle")
    page.wait_for_function("document.querySelector('#answer-v1').textContent.includes('interactions')")
    assert '"interactions": []' in page.text_content("#answer-v1")
    page.select_option("#start-interaction select[name=type]", "Phone")
    page.click("#start-interaction button[type=submit]")
    page.wait_for_selector("#timeline .bar.active")
    page.wait_for_function("document.querySelector('#answer-v1').textContent.includes('\"hasEnded\": false')")
    state = httpx.get(console_mock.url + "/__admin/state").json()
    [idle] = [agent for agent in state["accounts"][0]["agents"] if agent["id"] == "agent-idle"]
    assert idle["interactions"][0]["guid"] in page.text_content("#answer-v1")
    assert '"duration": null' in page.text_content("#answer-v2")

    page.click("#timeline button[data-end]")
    page.wait_for_function("document.querySelector('#answer-v1').textContent.includes('\"hasEnded\": true')")
    assert page.query_selector("#timeline .bar.active") is None
    assert browser.errors == []
    assert browser.foreign_requests(console_mock.url) == []


def test_the_version_2_query_chosen_is_the_one_answered(console_mock: RunningMock, browser: Browser) -> None:
    page = browser.page
    choose(browser, console_mock.url, "1234")
    page.fill("#v2-query input[name=size]", "1")
    page.dispatch_event("#v2-query input[name=size]", "change")
    page.wait_for_function(
        "(JSON.parse(document.querySelector('#answer-v2').textContent).interactions || []).length === 1"
    )
    expected = httpx.get(console_mock.url + "/__admin/accounts/a1b2c3d4e5/agents/1234/answers", params={"size": "1"})
    assert expected.json()["v2"]["interactions"][0]["channelGuid"] in page.text_content("#answer-v2")


def test_a_request_without_accept_appears_in_the_live_journal_with_why(
    console_mock: RunningMock, browser: Browser
) -> None:
    page = browser.page
    page.goto(console_mock.url + "/__admin/ui/")
    page.wait_for_selector("#agents button")
    answered = httpx.get(console_mock.url + path("agent-7"), headers={**auth(), "Accept": ""})
    assert answered.status_code == 406
    row = page.wait_for_selector("#journal tr.s4")
    text = row.text_content() or ""
    assert "406" in text and "negotiation" in text and "application/json;version=1" in text


def test_an_injected_fault_fires_and_the_journal_says_so(console_mock: RunningMock, browser: Browser) -> None:
    page = browser.page
    page.goto(console_mock.url + "/__admin/ui/")
    page.wait_for_selector("#agents button")
    page.select_option("#add-fault select[name=kind]", "status")
    page.fill("#add-fault input[name=status]", "503")
    page.fill("#add-fault input[name=agent]", "agent-7")
    page.fill("#add-fault input[name=count]", "1")
    page.click("#add-fault button[type=submit]")
    page.wait_for_selector("#faults li.fault")
    assert httpx.get(console_mock.url + path("agent-7"), headers={**auth(), "Accept": V1}).status_code == 503
    row = page.wait_for_selector("#journal tr.s5")
    assert "fault: status" in (row.text_content() or "")
    page.wait_for_function("document.querySelector('#faults').textContent.includes('none')")  # count 1: spent


def test_the_clock_is_frozen_and_moved_from_the_console(console_mock: RunningMock, browser: Browser) -> None:
    page = browser.page
    page.goto(console_mock.url + "/__admin/ui/")
    page.wait_for_selector("#agents button")
    page.click("#freeze")
    page.wait_for_function("document.querySelector('#clock').textContent.startsWith('frozen at')")
    frozen = httpx.get(console_mock.url + "/__admin/clock").json()["now"]
    page.fill("#clock-actions input[name=seconds]", "3600")
    page.click("#advance")
    page.wait_for_function(f"!document.querySelector('#clock').textContent.includes('{frozen}')")
    moved = httpx.get(console_mock.url + "/__admin/clock").json()
    assert moved["frozen"] and moved["now"] in page.text_content("#clock")
    page.click("#release")
    page.wait_for_function("document.querySelector('#clock').textContent.startsWith('now')")


def test_tokens_are_added_and_revoked_from_the_console(console_mock: RunningMock, browser: Browser) -> None:
    page = browser.page
    page.goto(console_mock.url + "/__admin/ui/")
    page.fill("#add-token input[name=account]", "a1b2c3d4e5")
    page.fill("#add-token input[name=token]", "console-made")
    page.click("#add-token button")
    page.wait_for_selector("button[data-revoke='console-made']")
    assert (
        httpx.get(console_mock.url + path("agent-7"), headers={**auth("console-made"), "Accept": V1}).status_code == 200
    )
    page.click("button[data-revoke='console-made']")
    page.wait_for_selector("button[data-revoke='console-made']", state="detached")
    assert (
        httpx.get(console_mock.url + path("agent-7"), headers={**auth("console-made"), "Accept": V1}).status_code == 401
    )


def test_behind_an_admin_token_the_console_asks_for_it_once(browser: Browser) -> None:
    with start_in_thread(create_app(Settings(admin_token="s3cret"))) as mock:
        assert httpx.get(mock.url + "/__admin/ui/").status_code == 401
        page = browser.page
        page.goto(mock.url + "/__admin/ui/")
        page.fill("input[name=token]", "wrong")
        page.click("button[type=submit]")
        page.wait_for_selector("text=That is not the admin token.")
        page.fill("input[name=token]", "s3cret")
        page.click("button[type=submit]")
        page.wait_for_selector("button[data-agent='agent-7']")  # the state was read with the token's cookie
        assert page.text_content("#problem") == ""
        assert httpx.get(mock.url + "/__admin/state").status_code == 401  # still closed to others


def test_on_a_fleet_the_console_shows_the_fleets_state_and_journal(fleet: Fleet, browser: Browser) -> None:
    first, second = (f"http://127.0.0.1:{port}" for port in fleet.ports[:2])
    try:
        choose(browser, first, "agent-idle")
        browser.page.click("#start-interaction button[type=submit]")
        browser.page.wait_for_function(
            "document.querySelector('#answer-v1').textContent.includes('\"hasEnded\": false')"
        )
        assert httpx.get(second + path("agent-idle"), headers={**auth(), "Accept": V1}).json()["interactions"]
        httpx.get(second + path("agent-idle"), headers={**auth(), "Accept": "text/plain"})
        # The fleet is shared with other tests: find this request's row by its Accept.
        row = browser.page.wait_for_selector("#journal tr:has-text('text/plain')")
        assert "406" in (row.text_content() or "")
    finally:
        httpx.post(first + "/__admin/reset").raise_for_status()


def test_what_the_console_shows_is_text_never_markup(console_mock: RunningMock, browser: Browser) -> None:
    hostile = "<img src=x onerror=window.pwned=1>"
    httpx.post(console_mock.url + "/__admin/accounts/a1b2c3d4e5/agents", json={"id": hostile}).raise_for_status()
    httpx.get(console_mock.url + path(hostile), headers={**auth(), "Accept": hostile})
    page = browser.page
    page.goto(console_mock.url + "/__admin/ui/")
    page.wait_for_selector("#journal tr")
    assert hostile in page.text_content("#agents") and hostile in page.text_content("#journal")
    assert page.evaluate("window.pwned") is None
    assert page.query_selector("#agents img, #journal img") is None


def test_a_later_version_the_spec_declares_gets_its_own_pane(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.designer_edits import add_version_3, write_spec

    spec = write_spec(tmp_path / "openapi.yaml", add_version_3)
    with start_in_thread(create_app(Settings(spec=spec, versions=frozenset({1, 2, 3})))) as running:
        page = browser.page
        choose(browser, running.url, "agent-7")
        page.wait_for_selector("[data-testid=answer-v3]")
        page.wait_for_function("document.querySelector('#answer-v3').textContent.includes('wrapUpCode')")
        assert "version 3" in page.text_content(".answers")
