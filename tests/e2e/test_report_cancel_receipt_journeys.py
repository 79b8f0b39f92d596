"""A probe's defects in reporting, cancelling and receipts, through the hub with the real model and back office.

A description that sounds dangerous is the description; a clear emergency mid-report gets 999 advice and an officer,
then the report carries on; "cancel it the bin men came back" cancels the report with its reason; "receipt for
PAY-..." sends the receipt for that payment. Each is checked in the back office's own tables.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.payments.models import DocumentRequest, Payment
from api.service_requests.models import ServiceRequest
from tests.support.chat import Resident, buttons, choose_address, prove_account, reference, stack_row, texts

pytestmark = pytest.mark.stack


def to_the_description(chat: Resident) -> None:
    """Start a pothole report on Mill Lane and answer up to "Please describe the problem"."""
    asked = texts(chat.say("there's a pothole by the school"))  # no street named: "Where is it?"
    if "What kind of problem" in asked:
        asked = texts(chat.say("pothole"))
    assert "Where is it?" in asked, asked
    assert "describe the problem" in texts(chat.say("outside the primary school on Mill Lane"))


@pytest.mark.parametrize(
    "description",
    [
        "a deep pothole about a foot wide, cars are swerving round it",
        "its a deep pothole about a foot wide and dangerous, cars are swerving round it",
    ],
)
def test_a_description_that_sounds_dangerous_is_reported_as_the_description(new_resident, stack, description) -> None:
    chat = new_resident()
    to_the_description(chat)

    asked = texts(chat.say(description))
    assert "email" in asked and "999" not in asked, asked
    assert "Shall I go ahead?" in texts(chat.say("no thanks"))
    sr = reference("SR", texts(chat.say("yes")))

    query = select(ServiceRequest.category, ServiceRequest.description).where(ServiceRequest.reference == sr)
    assert stack_row(stack.database_url, query) == ("pothole", description)


def test_a_clear_emergency_mid_report_gets_999_then_the_report_carries_on(new_resident, stack) -> None:
    chat = new_resident()
    to_the_description(chat)

    replies = chat.say("a tree has come down on a car and someone is trapped inside")
    said = texts(replies)
    assert "999" in said and "HO-" in said and said.index("999") < said.index("HO-")
    assert "When you're safe, I can carry on with your report" in said
    [carry_on] = [b for b in buttons(replies) if b["title"] == "Carry on"]

    assert "describe the problem" in texts(chat.say(carry_on["payload"]))
    assert "email" in texts(chat.say("deep hole by the kerb"))
    assert "outside the primary school on Mill Lane" in texts(chat.say("no thanks"))  # the place was kept
    sr = reference("SR", texts(chat.say("yes")))
    query = select(ServiceRequest.location_text).where(ServiceRequest.reference == sr)
    assert stack_row(stack.database_url, query) == ("outside the primary school on Mill Lane",)


@pytest.mark.parametrize(
    "typed",
    ["Carry on", "ok we're all safe now, please carry on with it", "yes continue please", "ok everyone is safe now"],
)
def test_carrying_on_typed_after_an_emergency_goes_on_with_the_report(new_resident, stack, typed) -> None:
    """A probe typed "carry on" (the button's own title): it was read as stop and kept for the officer; "everyone
    is safe now" was read as another emergency. Typed, the offer is taken up as the button is."""
    chat = new_resident()
    to_the_description(chat)
    assert "carry on with your report" in texts(chat.say("a tree has come down on a car and someone is trapped"))

    asked = texts(chat.say(typed))
    assert "describe the problem" in asked and "999" not in asked, asked


def test_news_of_the_emergency_is_noted_and_the_report_still_carries_on(new_resident, stack) -> None:
    """A probe: "the fire brigade are here now, they got him out" got the 999 advice and the handover again, and
    "carry on" after it went to the officer's queue instead of the report."""
    chat = new_resident()
    to_the_description(chat)
    assert "carry on with your report" in texts(chat.say("a tree has come down on a car and someone is trapped"))

    news = texts(chat.say("the fire brigade are here now, they got him out"))
    assert "the officer will see it" in news and "call 999 now" not in news and "HO-" not in news, news
    assert "describe the problem" in texts(chat.say("carry on"))


@pytest.mark.parametrize("going_back", ["the button", "yes please"])
def test_a_question_at_shall_i_go_ahead_keeps_the_report_to_go_back_to(
    new_resident, residents, stack, going_back
) -> None:
    """A probe: "actually when is my bin day" at the pothole report's "Shall I go ahead?" dropped the report without a
    word; the offer to go back to it then asked every question again, and "yes please" to it got "How can I help?"."""
    chat = new_resident()
    to_the_description(chat)
    assert "email" in texts(chat.say("deep hole by the kerb"))
    assert "Shall I go ahead?" in texts(chat.say("no thanks"))

    asked = texts(chat.say("actually when is my bin day"))
    assert "I haven't sent your report yet" in asked and "postcode" in asked, asked
    person = residents[2]
    replies = choose_address(chat, chat.say(person["postcode"]), person)
    [back] = [b for b in buttons(replies) if b["payload"] == "/report_problem"]

    asked = texts(chat.say(back["payload"] if going_back == "the button" else going_back))
    assert "Shall I go ahead?" in asked and "deep hole by the kerb" in asked, asked
    sr = reference("SR", texts(chat.say("yes")))
    query = select(ServiceRequest.location_text, ServiceRequest.description).where(ServiceRequest.reference == sr)
    assert stack_row(stack.database_url, query) == ("outside the primary school on Mill Lane", "deep hole by the kerb")


def test_an_address_not_in_the_list_gets_another_postcode_or_a_person(new_resident, residents) -> None:
    chat = new_resident()
    person = residents[2]
    asked = texts(chat.say("my bin wasn't collected"))
    if "postcode" not in asked:
        chat.say("missed_bin")
    replies = chat.say(person["postcode"])
    assert buttons(replies), texts(replies)

    replies = chat.say("my house isn't on the list")
    assert "isn't in the council's list" in texts(replies) and "Talk to a person" in [
        b["title"] for b in buttons(replies)
    ]


@pytest.mark.parametrize(
    "opening, place",
    [
        (
            "there's a massive pothole on Rowan Close, Ashbury outside number 19",
            "Rowan Close, Ashbury outside number 19",
        ),
        ("street light out on Weald Mews", "Weald Mews"),
    ],
)
def test_a_place_named_in_the_opening_report_is_not_asked_for_again(new_resident, stack, opening, place) -> None:
    """A probe: "there's a massive pothole on Rowan Close, Ashbury outside number 19" was asked "Where is it?"."""
    chat = new_resident()
    asked = texts(chat.say(opening))
    assert "Where is it?" not in asked and "describe the problem" in asked, asked
    assert "email" in texts(chat.say("it's been like this for a week"))
    assert place in texts(chat.say("no thanks"))
    sr = reference("SR", texts(chat.say("yes")))
    query = select(ServiceRequest.location_text).where(ServiceRequest.reference == sr)
    assert stack_row(stack.database_url, query) == (place,)


def report_a_missed_bin(chat: Resident, person: dict) -> str:
    """Report a missed bin for ``person``, whose collection must have been due lately (Kathleen Gray, on the tests'
    clock: her Tuesday round was the day before), else the bot rightly refuses to report it."""
    replies = chat.say("my bin wasn't collected this morning")
    if "postcode" not in texts(replies):
        replies = chat.say("missed_bin")
    replies = choose_address(chat, chat.say(person["postcode"]), person)
    assert "describe" in texts(replies)
    assert "email" in texts(chat.say("the green recycling bin was left full"))
    assert "Shall I go ahead?" in texts(chat.say("no"))
    return reference("SR", texts(chat.say("yes")))


def cancelled(stack, sr: str) -> tuple:
    query = select(ServiceRequest.status, ServiceRequest.cancel_reason).where(ServiceRequest.reference == sr)
    return stack_row(stack.database_url, query)


def test_cancel_it_the_bin_men_came_back_cancels_the_report_with_the_reason(new_resident, residents, stack) -> None:
    chat = new_resident()
    sr = report_a_missed_bin(chat, residents[3])

    asked = texts(chat.say("cancel it the bin men came back"))
    # Reported in this chat: no email is asked, and the reason was given with the request.
    assert f"I'll cancel your request {sr}. Shall I go ahead?" in asked and "stopped" not in asked, asked
    assert f"I've cancelled your missed bin collection request {sr}" in texts(chat.say("yes"))
    assert cancelled(stack, sr) == ("cancelled", "cancel it the bin men came back")


def test_cancel_it_with_a_reason_at_the_reason_question_is_the_reason(new_resident, residents, stack) -> None:
    chat = new_resident()
    sr = report_a_missed_bin(chat, residents[3])

    assert "Why don't you need it any more?" in texts(chat.say("I want to cancel my report"))
    confirm = texts(chat.say("cancel it the bin men came back"))
    assert f"I'll cancel your request {sr}. Shall I go ahead?" in confirm and "stopped" not in confirm, confirm
    chat.say("yes")
    assert cancelled(stack, sr) == ("cancelled", "cancel it the bin men came back")


@pytest.mark.parametrize(
    "ask",
    ["receipt for {payment}", "can I have a receipt for {payment}", "email me the receipt for payment {payment}"],
)
def test_a_receipt_for_a_payment_reference_is_emailed_for_that_payment(new_resident, residents, stack, ask) -> None:
    person = residents[1]
    chat = new_resident()
    payment = person["payment"]["reference"]

    assert "account number" in texts(chat.say(ask.format(payment=payment)))
    done = texts(prove_account(chat, person))

    assert "receipt" in done and "Sorry" not in done and "payment reference" not in done, done
    query = (
        select(DocumentRequest.kind, Payment.reference)
        .join(Payment, Payment.id == DocumentRequest.payment_id)
        .where(DocumentRequest.reference == reference("DR", done))
    )
    assert stack_row(stack.database_url, query) == ("receipt", payment)
