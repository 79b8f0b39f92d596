"""The chat widget when the hub throttles a resident: a kind sentence with the phone number, nothing lost.

Runs the real API (with a Rasa answered in-process) on its own uvicorn server with a low message limit,
so the shared stack's lifted limits do not hide the widget's side of a 429.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.access.settings import RateLimits
from api.migrations import upgrade_database
from tests.support.browser import fresh_page
from tests.support.live_server import build_app, served

COUNCIL_PHONE = "01632 960 123"


@pytest.fixture
def throttled_url(tmp_path: Path) -> Iterator[str]:
    """A hub allowing two messages a minute per conversation."""
    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade_database(url)
    with served(build_app(url, rate_limits=RateLimits(messages_per_conversation="2/minute"))) as base:
        yield base


@pytest.fixture
def resident_page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as page:
        yield page


def test_a_throttled_message_gets_a_kind_sentence_and_stays_in_the_box(resident_page: Page, throttled_url: str) -> None:
    page = resident_page
    page.goto(f"{throttled_url}/")
    page.get_by_test_id("chat-launcher").click()
    box = page.get_by_test_id("chat-input")
    bot = page.locator("[data-testid='chat-log'] .chat-message[data-sender='bot']")
    for number, text in enumerate(["hello", "what time are you open?"], start=1):
        box.fill(text)
        box.press("Enter")
        expect(bot.filter(has_text=f"You said: {text}")).to_have_count(1)
        assert bot.count() == 2 * number

    box.fill("and on Saturdays?")
    box.press("Enter")

    note = page.locator("[data-testid='chat-log']").get_by_text("a lot of messages in a short time")
    expect(note).to_be_visible()
    expect(note).to_contain_text(COUNCIL_PHONE)
    expect(box).to_have_value("and on Saturdays?")  # nothing the resident typed is lost
    expect(page.locator("[data-testid='chat-log'] .chat-message[data-sender='resident']")).to_have_count(2)
