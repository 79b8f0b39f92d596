"""Fixtures for browser tests: Debian's Chromium driven by Playwright against the running stack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Playwright's own browser download does not work here; Debian's Chromium runs as root without a sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    """Return the base URL of the API serving the page, from the session's running stack."""
    stack = request.getfixturevalue("stack")
    return str(stack.api_url).rstrip("/")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Start Playwright once per session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium once per session."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@contextmanager
def fresh_page(browser: Browser) -> Iterator[Page]:
    """Open a desktop-sized page in a context of its own (own cookies, empty sessionStorage); fail on uncaught
    script errors."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    yield page
    context.close()
    assert not script_errors, f"the page raised script errors: {script_errors}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """The resident's page."""
    with fresh_page(browser) as opened:
        yield opened
