"""The emulator's Telegram client page, in Chromium: a person chatting with the bot through the real bridge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from stack import TelegramChannel

from tests.support.network import free_port

pytestmark = pytest.mark.stack

REPLY_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def telegram(stack) -> Iterator[TelegramChannel]:
    """The bridge, polling its own emulator, for the stack's hub."""
    channel = TelegramChannel(
        hub_url=stack.api_url, service_token=stack.telegram_token, log_dir=stack.log_dir, emulator_port=free_port()
    )
    channel.start()
    yield channel
    channel.stop()


def test_a_person_chats_from_the_emulated_telegram_client_and_taps_a_keyboard_button(page: Page, telegram) -> None:
    page.goto(f"{telegram.emulator_url}/")
    bot = page.locator("#messages li.bot")
    # The client starts the chat with /start, which the bridge turns into a greeting.
    expect(bot.first).to_contain_text("assistant", timeout=REPLY_TIMEOUT_MS)

    page.get_by_label("Message").fill("what's the phone number for the council")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages")).to_contain_text("01632 960 123", timeout=REPLY_TIMEOUT_MS)

    for unrelated in ("who do you reckon will win the cricket this arvo", "give me a good recipe for banana bread"):
        page.get_by_label("Message").fill(unrelated)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#messages li.user").last).to_have_text(unrelated)
    button = page.locator("#keyboard").get_by_role("button", name="Yes, talk to a person")
    expect(button).to_be_visible(timeout=REPLY_TIMEOUT_MS)

    button.click()

    expect(page.locator("#messages li.user").last).to_have_text("Yes, talk to a person")
    expect(page.locator("#messages")).to_contain_text("HO-", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#keyboard")).to_be_hidden()


def test_a_card_number_sent_from_the_client_vanishes_from_the_chat(page: Page, telegram) -> None:
    page.goto(f"{telegram.emulator_url}/")
    expect(page.locator("#messages li.bot").first).to_contain_text("assistant", timeout=REPLY_TIMEOUT_MS)

    page.get_by_label("Message").fill("here's my card 4111 1111 1111 1111 to pay my bill")
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#messages")).to_contain_text("don't type card details", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#messages")).not_to_contain_text("4111")


def test_a_person_marks_an_answer_not_helpful_from_its_inline_buttons(page: Page, telegram) -> None:
    page.goto(f"{telegram.emulator_url}/")
    expect(page.locator("#messages li.bot").first).to_contain_text("assistant", timeout=REPLY_TIMEOUT_MS)
    page.get_by_label("Message").fill("when does the library open on sundays")
    page.get_by_role("button", name="Send").click()
    answer = page.locator("#messages li.bot").filter(has_text="eastweald.gov.uk/libraries")
    expect(answer).to_be_visible(timeout=REPLY_TIMEOUT_MS)

    answer.get_by_role("button", name="👎 Not helpful").click()

    expect(page.locator("#status")).to_contain_text("Thank you for telling us", timeout=REPLY_TIMEOUT_MS)
    expect(answer.get_by_role("button", name="👎 Not helpful ✓")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
