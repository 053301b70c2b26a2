"""Debian's Chromium driven by Playwright, for the tests of the pages the tools serve or write.

`playwright install` cannot download browsers here: the system's /usr/bin/chromium is launched
headless with a fresh profile. Every request a page makes is kept, so a test can check that none
leaves the host it was loaded from.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


@dataclass
class Browser:
    page: Any
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests to anywhere but `origin` (a URL's scheme, host and port) and inline data."""
        return [url for url in self.requested if not url.startswith((origin + "/", "data:", "about:"))]


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGUMENTS, headless=True
            )
            try:
                page = context.new_page()
                page.set_default_timeout(15_000)
                browser = Browser(page)
                page.on("request", lambda request: browser.requested.append(request.url))
                page.on("pageerror", lambda error: browser.errors.append(str(error)))
                yield browser
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
