"""Fixtures for browser tests: Debian's Chromium driven by Playwright against the running stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.browser import CHROMIUM_ARGS, fresh_page

CHROMIUM = "/usr/bin/chromium"


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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """The resident's page."""
    with fresh_page(browser) as opened:
        yield opened


@pytest.fixture
def officer_page(browser: Browser) -> Iterator[Page]:
    """A second, separate browser context: the officer's own cookies, next to the resident's page."""
    with fresh_page(browser) as opened:
        yield opened
