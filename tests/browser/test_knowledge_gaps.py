"""Knowledge gaps through the real stack: a resident rates an answer in the widget, a supervisor reads the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import SUPERVISOR, ask, chat_input, messages, open_chat, sign_in

pytestmark = pytest.mark.stack

LIBRARY_QUESTION = "when does the library open on sundays"
MISSED_QUESTION = "who won the footy"


def test_a_resident_marks_an_answer_not_helpful_and_the_supervisor_sees_it_in_the_gaps(
    page: Page, officer_page: Page, base_url: str
) -> None:
    open_chat(page, base_url)
    ask(page, LIBRARY_QUESTION)
    answer = messages(page, "bot").last
    expect(answer).to_contain_text("eastweald.gov.uk/libraries")
    rating = answer.get_by_role("group", name="Was this helpful?")
    expect(rating).to_be_visible()

    # Keyboard only: the buttons are reached and pressed like any other, and the focus stays where it was.
    no = rating.get_by_role("button", name="No")
    no.focus()
    page.keyboard.press("Enter")
    expect(rating).to_contain_text("Thank you for telling us")
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(rating.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.activeElement.textContent") == "No"

    ask(page, MISSED_QUESTION)
    expect(messages(page, "bot").last.locator(".chat-rating")).to_have_count(0)  # a miss is not an answer to rate
    expect(chat_input(page)).to_be_editable()

    sign_in(officer_page, base_url, SUPERVISOR)
    officer_page.get_by_test_id("nav-gaps").click()
    expect(officer_page.get_by_role("heading", level=1)).to_have_text("Knowledge gaps")
    groups = officer_page.get_by_test_id("gap-group")
    expect(groups.filter(has_text=MISSED_QUESTION).first).to_contain_text("not understood")
    expect(groups.filter(has_text=LIBRARY_QUESTION).first).to_contain_text("marked not helpful")
    libraries = officer_page.locator("tr[data-article='libraries']")
    assert int(libraries.get_by_test_id("not-helpful").inner_text()) >= 1

    with officer_page.expect_download() as download:
        officer_page.get_by_test_id("gaps-csv").click()
    saved = download.value.path().read_text()
    assert MISSED_QUESTION in saved and saved.startswith("last asked (UTC),times asked,")


def test_after_no_the_resident_can_ask_again_or_talk_to_a_person_with_a_button(page: Page, base_url: str) -> None:
    """The "No" thanks offered both ways on in words only (issue 12): now each is a button, reached by keyboard."""
    open_chat(page, base_url)
    ask(page, LIBRARY_QUESTION)
    # The answer's own control, found once: the handoff reply that follows has none.
    rating = page.get_by_role("group", name="Was this helpful?")
    expect(rating).to_have_count(1)
    rating.get_by_role("button", name="No").click()
    next_steps = rating.get_by_role("group", name="What next?")
    expect(next_steps).to_be_visible()

    next_steps.get_by_role("button", name="Ask in other words").click()
    expect(chat_input(page)).to_be_focused()

    answered = messages(page, "bot").count()
    next_steps.get_by_role("button", name="Talk to a person").focus()
    page.keyboard.press("Enter")
    expect(messages(page, "bot")).not_to_have_count(answered)
    expect(messages(page, "bot").last).to_contain_text("I've asked an officer to join this chat")
    expect(messages(page, "resident").last).to_contain_text("talk to a person", ignore_case=True)

    rating.get_by_role("button", name="Yes").click()  # changing one's mind takes the offer away
    expect(next_steps).to_have_count(0)
