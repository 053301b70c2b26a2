"""The proxy's live view at /__proxy/ui/, in Chromium: violations as they happen with the curl that
reproduces them ($TOKEN, never the token), counts per rule, and coverage against what the contract
has; nothing requested from another host."""

from __future__ import annotations

import httpx

from contracts.proxy.server import ProxySettings, start_proxy_in_thread
from contracts.selftest.cli import serving
from contracts.selftest.planted_bugs import PLANTED_BUGS
from tests.browser import chromium, needs_chromium

pytestmark = needs_chromium


def test_the_live_view_follows_violations_counts_and_coverage() -> None:
    fault = PLANTED_BUGS["no_vary"]  # every 200 lacks Vary: Accept
    with (
        serving(fault.endpoint_class) as target,
        start_proxy_in_thread(ProxySettings(upstream=target.base_url, port=0, versions=target.versions)) as proxy,
        chromium() as browser,
    ):
        page = browser.page
        root = proxy.url
        page.goto(root + "/__proxy/ui/")
        page.wait_for_function("document.querySelector('#summary').textContent.includes('0 exchanges')")
        assert page.text_content("tr[data-seen='406'] td:last-child") == "not seen"

        agent = target.agents[0]
        asked = httpx.get(
            f"{proxy.base_url}/{target.account}/agents/{agent}/latestInteractions",
            headers={"Authorization": f"Bearer {target.token}", "Accept": "application/json;version=1"},
        )
        assert asked.status_code == 200
        violation = page.wait_for_selector(".violation[data-rule='ok_carries_vary_accept']")
        shown = violation.text_content() or ""
        assert "curl" in shown and "$TOKEN" in shown and target.token not in shown
        page.wait_for_function("document.querySelector(\"tr[data-seen='200'] td:last-child\").textContent === '1'")
        assert page.text_content("tr[data-rule='ok_carries_vary_accept'] td:last-child") == "1"
        assert page.text_content("tr[data-seen='application/json;version=1'] td:last-child") == "1"
        assert page.text_content("tr[data-seen='application/json;version=2'] td:last-child") == "not seen"
        assert browser.foreign_requests(root) == []
        assert browser.errors == []
