"""Residents who use only a keyboard, a screen reader, a small phone, high zoom or reduced motion finish journeys.

The journeys run on the real stack and model. Keys only: Tab, Shift+Tab, Enter, Space and Escape; no clicks.
What a screen reader announces is read from the chat's live region (role=log, aria-live=polite).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from api.demo.generator import DEMO_OFFICER_PASSWORD
from tests.support.browser import CUSTOMER_FOCUS, SCREENSHOTS, chat_input, launcher
from tests.support.chat import stack_residents

pytestmark = pytest.mark.stack

# A reply that checks identity calls the back office several times; on a busy 2-core machine that took over 20 s.
REPLY_TIMEOUT_MS = 60_000

MAX_TABS = 80
PHONE: ViewportSize = {"width": 320, "height": 640}
# 400 % zoom of a 1280 px wide window leaves 320 CSS px, the width WCAG's reflow criterion (1.4.10) names.
ZOOMED: ViewportSize = {"width": 320, "height": 200}


def live_region_text(page: Page) -> str:
    log = page.locator("[data-testid='chat-log'][aria-live='polite'][role='log']")
    expect(log).to_have_count(1)
    return log.inner_text()


def focused(page: Page) -> dict[str, str]:
    """Describe the focused element: its test id, class, text and whether a focus indicator is drawn."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        // The GOV.UK focus state: a 3px outline, or the yellow focus colour filling the control.
        const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                      && style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent')
                     || style.backgroundColor === 'rgb(255, 221, 0)';
        return {testid: el.dataset.testid || '', cls: el.className || '', text: (el.textContent || '').trim(),
                ring: ring ? 'yes' : 'no'};
    }""")


def open_by_keyboard(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page)["testid"] == "chat-launcher":
            break
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab never reached the chat launcher")
    assert focused(page)["ring"] == "yes", "the launcher has no visible focus indicator"
    page.keyboard.press("Enter")
    expect(chat_input(page)).to_be_focused()


def bot_messages(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("[data-testid='chat-log'] .chat-message[data-id]:not([data-sender='resident'])")


def say_by_keyboard(page: Page, text: str, expect_in_reply: str | re.Pattern[str]) -> None:
    """Type and press Enter in the focused input, then wait until the live region announces a new reply with
    ``expect_in_reply``."""
    expect(chat_input(page)).to_be_focused()
    before = bot_messages(page).count()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
    expect(bot_messages(page).last).to_contain_text(expect_in_reply, timeout=REPLY_TIMEOUT_MS)


def press_reply_button(page: Page, title_starts: str, key: str = "Enter") -> None:
    """From the input, Shift+Tab back through the log to the reply button and press it with ``key``.

    An address button reads "8 Rowan Close, Ashbury": "1 Rowan Close" must not pick "10 Rowan Close".
    """
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab")
        now = focused(page)
        seen.append(now["text"][:30])
        if "chat-button" in now["cls"] and (
            now["text"] == title_starts or re.match(re.escape(title_starts) + r"\b(?![ \d])", now["text"])
        ):
            assert now["ring"] == "yes", f"the button {now['text']!r} has no visible focus indicator"
            page.keyboard.press(key)
            return
    pytest.fail(f"no reply button starting {title_starts!r} was reachable with Shift+Tab; focus went to {seen}")


@pytest.fixture(scope="module")
def person(stack) -> dict:
    return next(r for r in stack_residents(stack.database_url) if r["registration_status"] == "registered")


def test_a_registration_check_with_only_the_keyboard(page: Page, base_url: str, person: dict) -> None:
    open_by_keyboard(page, base_url)
    say_by_keyboard(page, "am I registered to vote?", "full name")
    say_by_keyboard(page, person["name"], "date of birth")
    day, month, year = person["date_of_birth"].split("-")[::-1]
    say_by_keyboard(page, f"{day}/{month}/{year}", "postcode")
    say_by_keyboard(page, person["postcode"], re.compile("address|registered", re.I))
    if "registered to vote" not in bot_messages(page).last.inner_text():
        before = bot_messages(page).count()
        press_reply_button(page, person["address"], key="Space")
        expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
    expect(bot_messages(page).last).to_contain_text("You're registered to vote", timeout=REPLY_TIMEOUT_MS)
    assert person["polling_district"] in live_region_text(page)
    expect(chat_input(page)).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()
    expect(launcher(page)).to_be_focused()


def test_a_missed_bin_report_with_only_the_keyboard(page: Page, base_url: str, stack) -> None:
    person = stack_residents(stack.database_url)[
        3
    ]  # Kathleen Gray: her Tuesday round was due the day before the tests' clock (a Wednesday), so a miss is reportable
    open_by_keyboard(page, base_url)
    say_by_keyboard(page, "my bin wasn't collected this morning", re.compile("postcode|kind of problem"))
    if "kind of problem" in bot_messages(page).last.inner_text():
        before = bot_messages(page).count()
        press_reply_button(page, "Missed bin")
        expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
        expect(bot_messages(page).last).to_contain_text("postcode", timeout=REPLY_TIMEOUT_MS)
    say_by_keyboard(page, person["postcode"], "address")
    before = bot_messages(page).count()
    press_reply_button(page, person["address"])
    expect(bot_messages(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
    expect(bot_messages(page).last).to_contain_text("describe", timeout=REPLY_TIMEOUT_MS)
    say_by_keyboard(page, "the green recycling bin was left full", "email")
    say_by_keyboard(page, "no thanks", "Shall I go ahead")
    say_by_keyboard(page, "yes", "SR-")
    assert re.search(r"SR-\d{6}", live_region_text(page))


@pytest.mark.parametrize(("name", "viewport"), [("phone-320x640", PHONE), ("zoom-400", ZOOMED)])
def test_the_chat_fits_small_screens_and_high_zoom(
    browser: Browser, base_url: str, name: str, viewport: ViewportSize
) -> None:
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        launcher(page).click()
        expect(chat_input(page)).to_be_visible()
        chat_input(page).fill("what time are you open")
        chat_input(page).press("Enter")
        expect(page.get_by_test_id("chat-log")).to_contain_text("9am", timeout=REPLY_TIMEOUT_MS)

        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        for control in (
            chat_input(page),
            page.get_by_test_id("chat-send"),
            page.locator("[data-chat-close]"),
            page.get_by_text(re.compile("9am")).last,
        ):
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (
                f"{name}: a control is cut off at the side ({box})"
            )
            # Scrolled to, at least part of it is on screen (a long reply may be taller than the window).
            assert box["y"] < viewport["height"] and box["y"] + box["height"] > 0, (
                f"{name}: a control cannot be scrolled into view ({box})"
            )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"widget-{name}.png")
    finally:
        context.close()


def test_reduced_motion_turns_the_chats_animations_off(browser: Browser, base_url: str) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        launcher(page).click()
        moving = page.evaluate("""() => [...document.querySelectorAll('.chat *, .chat')].filter(el => {
            const s = getComputedStyle(el);
            const animated = s.animationName !== 'none' && parseFloat(s.animationDuration) > 0.01;
            const transitioned = parseFloat(s.transitionDuration) > 0.01;
            return animated || transitioned;
        }).map(el => el.className)""")
        assert moving == [], f"these parts still move with reduced motion asked for: {moving}"
    finally:
        context.close()


def tab_to(page: Page, testid: str, *, within: str = "") -> None:
    """Press Tab until the element with ``testid`` (inside ``within``, a CSS selector) has the focus."""
    for presses in range(MAX_TABS):
        if presses or testid != "email":  # the sign-in page puts the focus in the email box itself
            page.keyboard.press("Tab")
        if page.evaluate(
            """([testid, within]) => { const el = document.activeElement;
            return el.dataset.testid === testid && (!within || !!el.closest(within)); }""",
            [testid, within],
        ):
            assert focused(page)["ring"] == "yes", f"{testid} has no visible focus indicator"
            return
    pytest.fail(f"{MAX_TABS} presses of Tab never reached {testid}")


def test_an_officer_signs_in_takes_a_chat_and_replies_with_only_the_keyboard(
    page: Page, browser: Browser, base_url: str
) -> None:
    page.goto(f"{base_url}/")
    launcher(page).click()
    chat_input(page).fill("can I talk to a real person please")
    chat_input(page).press("Enter")
    expect(page.get_by_test_id("chat-log")).to_contain_text(re.compile(r"HO-\d{6}"), timeout=REPLY_TIMEOUT_MS)
    reference = re.search(r"HO-\d{6}", live_region_text(page)).group(0)  # type: ignore[union-attr]

    context = browser.new_context()
    officer = context.new_page()
    try:
        officer.goto(f"{base_url}/console/sign-in")
        tab_to(officer, "email")
        officer.keyboard.type(CUSTOMER_FOCUS)
        tab_to(officer, "password")
        officer.keyboard.type(DEMO_OFFICER_PASSWORD)
        officer.keyboard.press("Enter")
        expect(officer).to_have_url(re.compile(r"/console/queue"))

        tab_to(officer, "claim", within=f"tr[data-reference='{reference}']")
        officer.keyboard.press("Enter")
        expect(officer.get_by_test_id("handoff-status")).to_contain_text("You are handling this conversation")

        tab_to(officer, "reply-input")
        officer.keyboard.type("Hello, I'm Priya. How can I help?")
        tab_to(officer, "reply-send")
        officer.keyboard.press("Enter")
        expect(page.get_by_test_id("chat-log")).to_contain_text("How can I help?", timeout=REPLY_TIMEOUT_MS)
    finally:
        context.close()
