"""No loops for a confused resident (issue 12): through the hub, with the real model, actions and back office.

Each journey is one a confused-resident probe could not finish without hearing the same thing again: "dont
have it" at the account number ended the task, "no" got "What else can I help you with?" and the question
again, "i dont know" got the same explanation each time, "forget it, when are you open" dropped the question,
"that didn't help" offered nobody, and the council tax name question spoke of the electoral register.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.conversations.models import Handoff
from council import council_facts
from tests.support.chat import buttons, stack_scalar, texts

pytestmark = pytest.mark.stack
PHONE = council_facts().phone


def offers_a_person(replies: list[dict]) -> bool:
    return any(b["payload"] == "/request_officer" for b in buttons(replies))


def test_dont_have_it_at_the_account_number_asks_the_bill_payers_name(new_resident) -> None:
    chat = new_resident()
    assert "account number" in texts(chat.say("what's my council tax balance?"))
    replies = texts(chat.say("dont have it"))
    assert "stopped" not in replies
    assert "full name of the person who pays the council tax" in replies
    assert "electoral register" not in replies


def test_no_in_the_middle_of_a_form_gets_one_reply_and_a_second_no_stops(new_resident, residents) -> None:
    chat = new_resident()
    chat.say("am I registered to vote?")
    chat.say(f"my name is {residents[0]['name']}")

    replies = texts(chat.say("no"))
    assert "What else can I help you with" not in replies and '"stop"' in replies
    assert replies.count("date of birth") == 1  # asked once, not two or three times
    assert "stopped there" in texts(chat.say("no"))


def test_i_dont_know_twice_stops_asking_and_a_yes_hands_over(new_resident, residents, stack) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("am I registered to vote?")
    chat.say(f"my name is {person['name']}")
    day, month, year = person["date_of_birth"].split("-")[::-1]
    assert "postcode" in texts(chat.say(f"{day}/{month}/{year}"))

    first = chat.say("i dont know")
    assert "last line of your address" in texts(first) and offers_a_person(first)
    second = chat.say("i dont know")
    assert "last line of your address" not in texts(second) and "stop asking" in texts(second)
    assert PHONE in texts(second) and offers_a_person(second)

    handed = texts(chat.say("yes"))
    assert "I've asked an officer to join this chat" in handed
    wanted = stack_scalar(
        stack.database_url, select(Handoff.packet).where(Handoff.conversation_id == chat.conversation_id)
    )["wanted"]
    assert wanted == "Check registration"


def test_forget_it_when_are_you_open_stops_and_answers(new_resident) -> None:
    chat = new_resident()
    chat.say("what's my council tax balance?")
    replies = texts(chat.say("forget it, when are you open"))
    assert "stopped" in replies and "account number" not in replies
    assert "9am" in replies or "Opening hours" in replies


def test_typing_that_an_answer_did_not_help_offers_a_person(new_resident) -> None:
    chat = new_resident()
    chat.say("what are your opening hours")
    replies = chat.say("no that didnt help")
    assert "What else can I help you with" not in texts(replies)
    assert "other words" in texts(replies) and offers_a_person(replies)
    assert "I've asked an officer to join this chat" in texts(chat.say("yes"))


def test_a_reason_given_when_asking_to_cancel_is_not_asked_again(new_resident) -> None:
    chat = new_resident()
    chat.say("cancel SR-123456, the bin was collected after all")
    asked = texts(chat.say("I didn't give one"))
    assert "Why don't you need it any more?" not in asked


@pytest.mark.parametrize("email", ["my.name@gmail.com", "john.smith@gmail.com thanks", "it's jane.doe@example.com"])
def test_an_email_typed_out_of_the_blue_gets_one_reply_and_the_chat_carries_on(new_resident, email: str) -> None:
    """Seen (a probe): "my.name@gmail.com" in a fresh chat got "What would you like me to do with that?" and then
    "Sorry, I didn't quite get that" eight times in one turn; Rasa's circuit breaker tripped and the chat never
    answered again, not even "I want to talk to a person"."""
    chat = new_resident()

    replies = texts(chat.say(email))
    assert replies.count("Sorry, I didn't quite get that") == 0
    assert "What would you like me to do with that" in replies or "Is it one of these" in replies

    assert "What is the reference" in texts(chat.say("any news on my report?"))
