"""WCAG 2.2 A and AA, checked in Debian's Chromium by axe-core, on every state of the chat and every console page.

axe-core comes inside the axe-playwright-python wheel (nothing is downloaded at run time). Each state is reached
through the real stack and the real model, except the two answers a test cannot provoke on demand (the hub
being busy and a rate limit), which replay the hub's own sentences through Playwright's routing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from api.conversations.routing import unavailable_text
from api.overload import busy_sentence
from api.settings import Settings
from tests.support.browser import (
    CUSTOMER_FOCUS,
    REPLY_TIMEOUT_MS,
    SUPERVISOR,
    ask,
    chat_input,
    fresh_page,
    launcher,
    messages,
    open_chat,
    sign_in,
)

pytestmark = pytest.mark.stack

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()
LIVE_MS = 10_000


def violations(page: Page) -> list[str]:
    """Run axe over the whole page at WCAG 2.2 A/AA and describe each violation with the elements it names."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(str(n["target"]) for n in v["nodes"])
        for v in results.response["violations"]
    ]


def assert_accessible(page: Page, state: str) -> None:
    found = violations(page)
    assert not found, f"{state}: " + "; ".join(found)


@pytest.fixture
def officer_page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as opened:
        yield opened


def test_the_closed_chat_and_the_page_around_it(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    expect(launcher(page)).to_be_visible()
    assert_accessible(page, "page with the chat closed")


def test_the_open_chat_a_reply_with_buttons_and_an_input_error(page: Page, base_url: str) -> None:
    open_chat(page, base_url)
    assert_accessible(page, "chat open")

    ask(page, "I want to report a problem")
    expect(page.locator(".chat-message button, .chat-message [role=button]").first).to_be_visible()
    assert_accessible(page, "bot reply with buttons")

    chat_input(page).fill("   ")
    chat_input(page).press("Enter")
    expect(page.locator("[data-chat-error]")).to_contain_text("Please type your question first")
    assert_accessible(page, "input error")


def test_the_rating_question(page: Page, base_url: str) -> None:
    open_chat(page, base_url)
    ask(page, "thanks, bye")
    expect(messages(page, "system").filter(has_text="how was your experience")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    assert_accessible(page, "rating question")


def test_a_knowledge_answer_with_its_rating_control_and_the_knowledge_gaps_page(
    page: Page, officer_page: Page, base_url: str
) -> None:
    open_chat(page, base_url)
    ask(page, "when does the library open on sundays")
    rating = messages(page, "bot").last.get_by_role("group", name="Was this helpful?")
    expect(rating).to_be_visible()
    assert_accessible(page, "knowledge answer with its rating control")
    rating.get_by_role("button", name="No").click()
    expect(rating).to_contain_text("Thank you for telling us")
    assert_accessible(page, "knowledge answer rated")

    ask(page, "who won the footy")
    sign_in(officer_page, base_url, SUPERVISOR)
    officer_page.goto(f"{base_url}/console/gaps")
    expect(officer_page.get_by_test_id("gap-group").first).to_be_visible()
    assert_accessible(officer_page, "knowledge gaps with questions and rated articles")


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (503, busy_sentence(Settings(environment="test"))),
        (429, busy_sentence(Settings(environment="test"))),
    ],
)
def test_busy_and_rate_limited_answers(page: Page, base_url: str, status: int, sentence: str) -> None:
    open_chat(page, base_url)
    page.route(
        "**/messages",
        lambda route: (
            route.fulfill(
                status=status,
                headers={"Retry-After": "10"},
                content_type="application/json",
                body=json.dumps({"detail": sentence}),
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    chat_input(page).fill("hello")
    chat_input(page).press("Enter")
    expect(page.get_by_test_id("chat-log")).to_contain_text(sentence)
    assert_accessible(page, f"{status} answer")


def test_the_bot_unavailable_answer(page: Page, base_url: str) -> None:
    # The hub's own apology when Rasa is down, with its "Talk to a person" button, as the hub sends it.
    apology = unavailable_text(Settings(environment="test"))
    open_chat(page, base_url)
    page.route(
        "**/messages",
        lambda route: (
            route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps(
                    {
                        "messages": [
                            {
                                "id": 999_999,
                                "sender": "system",
                                "text": apology,
                                "author": None,
                                "buttons": [{"title": "Talk to a person", "payload": "/request_officer"}],
                                "created_at": "2026-12-03T10:00:00Z",
                            }
                        ]
                    }
                ),
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    chat_input(page).fill("hello")
    chat_input(page).press("Enter")
    expect(page.get_by_test_id("chat-log")).to_contain_text("having trouble answering")
    assert_accessible(page, "bot unavailable")


def test_an_officer_joined_and_every_console_page(page: Page, officer_page: Page, base_url: str) -> None:
    officer_page.goto(f"{base_url}/console/sign-in")
    assert_accessible(officer_page, "console sign-in")

    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference, "the resident was not given a handoff reference"

    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    assert_accessible(officer_page, "console queue")
    officer_page.locator(f"tr[data-reference='{reference.group(0)}']").get_by_test_id("claim").click()
    expect(officer_page.get_by_test_id("handoff-status")).to_contain_text("You are handling this conversation")
    assert_accessible(officer_page, "console conversation")

    expect(messages(page, "system").filter(has_text="has joined the chat")).to_be_visible(timeout=LIVE_MS)
    officer_page.get_by_test_id("reply-input").fill("Hello, how can I help?")
    officer_page.get_by_test_id("reply-send").click()
    expect(messages(page, "officer").last).to_contain_text("how can I help", timeout=LIVE_MS)
    assert_accessible(page, "widget with an officer")


def test_the_supervisors_pages(officer_page: Page, base_url: str) -> None:
    sign_in(officer_page, base_url, SUPERVISOR)
    links = officer_page.locator("nav a[href^='/console/']")
    paths = sorted(
        {
            href
            for href in (links.nth(i).get_attribute("href") for i in range(links.count()))
            if href and "sign-out" not in href
        }
    )
    assert "/console/dashboard" in paths, paths
    for path in paths:
        response = officer_page.goto(f"{base_url}{path}")
        assert response is not None and response.ok, path
        assert_accessible(officer_page, f"console {path}")


def test_the_accessibility_statement(page: Page, base_url: str) -> None:
    response = page.goto(f"{base_url}/accessibility")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    expect(page.get_by_role("heading", name="How we tested the chat")).to_be_visible()
    expect(page.locator("#report")).to_be_visible()
    assert_accessible(page, "accessibility statement")
    page.goto(f"{base_url}/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(page).to_have_url(re.compile(r"/accessibility$"))
