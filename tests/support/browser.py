"""The browser tests' shared steps: open the chat, ask and wait, read the transcript, sign an officer in.

Each works on a Playwright page in Debian's Chromium against the running stack (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from api.demo.generator import DEMO_OFFICER_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


# Rasa's first prediction after start-up can take a few seconds.
REPLY_TIMEOUT_MS = 20_000


def launcher(page: Page) -> Locator:
    return page.get_by_test_id("chat-launcher")


def chat_input(page: Page) -> Locator:
    return page.get_by_test_id("chat-input")


def messages(page: Page, sender: str) -> Locator:
    return page.locator(f"[data-testid='chat-log'] .chat-message[data-sender='{sender}']")


def open_chat(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    launcher(page).click()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()


def ask(page: Page, text: str) -> None:
    """Type a question, send it with Enter and wait until the bot has answered it."""
    answered = messages(page, "bot").count()
    chat_input(page).fill(text)
    chat_input(page).press("Enter")
    expect(messages(page, "bot")).not_to_have_count(answered, timeout=REPLY_TIMEOUT_MS)


def confirmed(page: Page, sender: str = "") -> Locator:
    """Messages the hub has stored (they carry its id), optionally only one sender's."""
    sender_filter = f"[data-sender='{sender}']" if sender else ""
    return page.locator(f"[data-testid='chat-log'] .chat-message[data-id]{sender_filter}")


def transcript(page: Page) -> list[tuple[str, str]]:
    return [
        (message.get_attribute("data-sender") or "", message.locator(".chat-message__text").inner_text())
        for message in page.locator("[data-testid='chat-log'] .chat-message[data-id]").all()
    ]


CUSTOMER_FOCUS = "priya.shah@ashdownvale.example"


SUPERVISOR = "sam.taylor@ashdownvale.example"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/console/queue")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_OFFICER_PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(re.compile(r"/console/queue"))


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
