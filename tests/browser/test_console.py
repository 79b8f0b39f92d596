"""Officers take over live: a resident in the widget and an officer in the console, in two browser contexts."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from api.demo.generator import DEMO_OFFICER_PASSWORD
from tests.support.browser import (
    CUSTOMER_FOCUS,
    REPLY_TIMEOUT_MS,
    SCREENSHOTS,
    SUPERVISOR,
    ask,
    chat_input,
    messages,
    open_chat,
    sign_in,
)

pytestmark = pytest.mark.stack


LIVE_MS = 10_000


def test_an_officer_takes_over_a_chat_live_and_hands_it_back(page: Page, officer_page: Page, base_url: str) -> None:
    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    asked = messages(page, "bot").last.inner_text()
    reference = re.search(r"HO-\d{6}", asked)
    assert reference, f"the resident was not given a handoff reference: {asked!r}"

    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    row = officer_page.locator(f"tr[data-reference='{reference.group(0)}']")
    expect(row).to_contain_text("Asked for a person")
    row.get_by_test_id("claim").click()
    expect(officer_page.get_by_test_id("handoff-status")).to_contain_text("You are handling this conversation")
    expect(officer_page.get_by_test_id("transcript")).to_contain_text("can I talk to a real person please")

    expect(messages(page, "system").filter(has_text="Priya from Customer Focus has joined the chat")).to_be_visible(
        timeout=LIVE_MS
    )
    officer_page.get_by_test_id("reply-input").fill("Hello, I'm Priya. What can I help you with today?")
    officer_page.get_by_test_id("reply-send").click()
    from_officer = messages(page, "officer").last
    expect(from_officer).to_contain_text("What can I help you with today?", timeout=LIVE_MS)
    expect(from_officer).to_contain_text("Priya, Customer Focus")

    bot_replies = messages(page, "bot").count()
    chat_input(page).fill("my green bin was missed on Monday")
    # The hub's answer to this very message is the positive event to wait for: it is sent once the hub has
    # decided who answers, so "no bot reply" is then a fact, not the absence of one so far.
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/messages"), timeout=LIVE_MS
    ) as answered:
        chat_input(page).press("Enter")
    assert answered.value.ok
    assert [m["sender"] for m in answered.value.json()["messages"]] == []  # the bot stays silent
    expect(officer_page.get_by_test_id("transcript")).to_contain_text(
        "my green bin was missed on Monday", timeout=LIVE_MS
    )
    expect(messages(page, "resident").last).to_contain_text("my green bin was missed on Monday")
    expect(messages(page, "bot")).to_have_count(bot_replies)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    officer_page.screenshot(path=SCREENSHOTS / "console-conversation.png", full_page=True)
    page.screenshot(path=SCREENSHOTS / "widget-with-officer.png")

    officer_page.get_by_test_id("hand-back").click()
    expect(officer_page.get_by_test_id("handoff-status")).to_contain_text("Handed back to the bot")
    expect(messages(page, "system").filter(has_text="handed you back to the council assistant")).to_be_visible(
        timeout=LIVE_MS
    )
    ask(page, "what time are you open")
    expect(messages(page, "bot").last).to_contain_text("9am", timeout=REPLY_TIMEOUT_MS)


def test_a_card_number_split_over_two_messages_vanishes_from_the_widget_and_the_console(
    page: Page, officer_page: Page, base_url: str
) -> None:
    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference
    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    officer_page.locator(f"tr[data-reference='{reference.group(0)}']").get_by_test_id("claim").click()
    expect(messages(page, "system").filter(has_text="has joined the chat")).to_be_visible(timeout=LIVE_MS)
    transcript = officer_page.get_by_test_id("transcript")

    chat_input(page).fill("my card number is 4929 1234")
    chat_input(page).press("Enter")
    expect(transcript).to_contain_text("my card number is 4929 1234", timeout=LIVE_MS)  # not a number yet
    chat_input(page).fill("5678 9015")
    chat_input(page).press("Enter")

    bubbles = messages(page, "resident").locator(".chat-message__text")
    expect(bubbles.last).to_have_text("[card number removed, ending 9015]", timeout=LIVE_MS)
    expect(bubbles.filter(has_text="my card number is")).to_have_text(["my card number is [card number removed]"])
    expect(page.get_by_test_id("chat-log")).not_to_contain_text("4929")
    expect(transcript).to_contain_text("[card number removed, ending 9015]", timeout=LIVE_MS)
    expect(transcript).to_contain_text("my card number is [card number removed]", timeout=LIVE_MS)
    expect(transcript).not_to_contain_text("4929")


def test_a_new_handoff_appears_in_the_queue_without_reloading(page: Page, officer_page: Page, base_url: str) -> None:
    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    open_chat(page, base_url)
    ask(page, "I want to speak to someone")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference
    expect(officer_page.locator(f"tr[data-reference='{reference.group(0)}']")).to_be_visible(timeout=LIVE_MS)
    expect(officer_page).to_have_title(re.compile(r"^\(\d+\) "))


def test_the_supervisor_dashboard_shows_the_day_with_charts(page: Page, officer_page: Page, base_url: str) -> None:
    open_chat(page, base_url)
    ask(page, "hello")
    sign_in(officer_page, base_url, SUPERVISOR)
    officer_page.get_by_test_id("nav-dashboard").click()
    expect(officer_page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    conversations = int(officer_page.get_by_test_id("conversations").inner_text())
    assert conversations >= 1
    expect(officer_page.get_by_test_id("first-contact")).to_have_text(re.compile(r"^\d+%$"))
    expect(officer_page.locator("[data-testid='chart-hours'] svg rect").first).to_be_visible()
    officer_page.screenshot(path=SCREENSHOTS / "console-dashboard.png", full_page=True)


def test_signing_out_returns_to_the_sign_in_page_and_the_queue_is_closed(officer_page: Page, base_url: str) -> None:
    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    officer_page.get_by_test_id("sign-out").click()
    expect(officer_page.get_by_test_id("sign-in-notice")).to_have_text("You have signed out.")
    officer_page.goto(f"{base_url}/console/queue")
    expect(officer_page).to_have_url(re.compile(r"/console/sign-in"))


ELECTORAL = "alex.morgan@ashdownvale.example"


def test_an_officer_sets_up_two_step_sign_in_and_a_supervisor_resets_it(
    page: Page, officer_page: Page, base_url: str
) -> None:
    sign_in(page, base_url, ELECTORAL)
    page.get_by_test_id("nav-security").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    authenticator = pyotp.TOTP(page.get_by_test_id("secret").inner_text().strip())
    page.get_by_test_id("code").fill(authenticator.now())
    page.get_by_test_id("enrol").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("continue").click()
    page.get_by_test_id("sign-out").click()

    page.get_by_test_id("email").fill(ELECTORAL)
    page.get_by_test_id("password").fill(DEMO_OFFICER_PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(re.compile(r"/console/sign-in/code"))
    page.get_by_test_id("code").fill(authenticator.at(time.time() + 30))  # the step enrolment used is spent
    page.get_by_test_id("verify-code").click()
    expect(page).to_have_url(re.compile(r"/console/queue"))

    sign_in(officer_page, base_url, SUPERVISOR)
    officer_page.get_by_test_id("nav-officers").click()
    row = officer_page.locator(f"tr[data-officer='{ELECTORAL}']")
    expect(row.get_by_test_id("second-factor")).to_have_text("On")
    row.get_by_test_id("reset-second-factor").click()
    expect(officer_page.get_by_test_id("officers-notice")).to_contain_text("Two-step sign-in is reset")
    page.reload()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def console_reads(officer_page: Page) -> list[str]:
    """Every request the console page makes for its live updates, as '<resource type> <path>' (growing)."""
    reads: list[str] = []

    def note(request) -> None:  # type: ignore[no-untyped-def]
        path = request.url.split("://", 1)[1].split("/", 1)[1]
        if path.startswith("console/api/"):
            reads.append(f"{request.resource_type} /{path.split('?')[0]}")

    officer_page.on("request", note)
    return reads


def test_the_console_shows_a_new_handoff_and_the_residents_message_pushed_without_polling(
    page: Page, officer_page: Page, base_url: str
) -> None:
    reads = console_reads(officer_page)
    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference
    row = officer_page.locator(f"tr[data-reference='{reference.group(0)}']")
    expect(row).to_be_visible(timeout=LIVE_MS)
    row.get_by_test_id("claim").click()
    expect(officer_page.get_by_test_id("handoff-status")).to_contain_text("You are handling this conversation")
    expect(messages(page, "system").filter(has_text="has joined the chat")).to_be_visible(timeout=LIVE_MS)

    chat_input(page).fill("is anyone there? my bin was missed")
    chat_input(page).press("Enter")
    expect(officer_page.get_by_test_id("transcript")).to_contain_text(
        "is anyone there? my bin was missed", timeout=LIVE_MS
    )
    # Both pages listened to a stream and never asked for the JSON.
    assert "eventsource /console/api/queue/events" in reads, reads
    conversation_stream = [read for read in reads if read.startswith("eventsource /console/api/conversations/")]
    assert conversation_stream and conversation_stream[0].endswith("/events"), reads
    assert all(read.startswith("eventsource ") for read in reads), reads


def test_without_event_source_the_console_page_polls_and_still_shows_the_residents_message(
    page: Page, officer_page: Page, base_url: str
) -> None:
    officer_page.add_init_script("delete window.EventSource;")
    reads = console_reads(officer_page)
    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference
    sign_in(officer_page, base_url, CUSTOMER_FOCUS)
    officer_page.locator(f"tr[data-reference='{reference.group(0)}']").get_by_test_id("claim").click()
    expect(messages(page, "system").filter(has_text="has joined the chat")).to_be_visible(timeout=LIVE_MS)

    chat_input(page).fill("hello, still here")
    chat_input(page).press("Enter")
    expect(officer_page.get_by_test_id("transcript")).to_contain_text("hello, still here", timeout=LIVE_MS)
    assert not any(read.startswith("eventsource ") for read in reads), reads
    assert any(read.startswith("fetch /console/api/conversations/") for read in reads), reads
