"""No dead ends (issue 12, the attacker's findings): through the hub, with the real model, actions and back office.

Each journey is one a new resident took last session and could not finish: the date of birth asked four
times, an account number typed again and again after a failed check, "why do you need that?" taken as an
answer, "forget it" ignored, no bill to hand, a receipt sent as a statement, another account's balance.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.payments.models import DocumentRequest
from council import council_facts
from tests.support.chat import buttons, prove_account, reference, stack_scalar, texts

pytestmark = pytest.mark.stack
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
PHONE = council_facts().phone


def short_date(person: dict) -> str:
    """The date of birth as residents type it in a hurry: "26th jan 78"."""
    year, month, day = (int(part) for part in person["date_of_birth"].split("-"))
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day, "th")
    return f"{day}{suffix} {MONTHS[month - 1]} {str(year)[2:]}"


def talk_to_a_person(replies: list[dict]) -> bool:
    return any(b["payload"] == "/request_officer" for b in buttons(replies))


def test_a_short_date_of_birth_is_read_and_misses_bring_a_way_out(new_resident, residents) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("am I registered to vote?")
    assert "date of birth" in texts(chat.say(f"my name is {person['name']}"))

    first = chat.say("the twenty sixth")
    assert "05/11/1990" in texts(first) and not talk_to_a_person(first)
    second = chat.say("ages ago")
    assert PHONE in texts(second) and talk_to_a_person(second)  # never a fourth plain ask

    assert "postcode" in texts(chat.say(short_date(person)))


def test_why_do_you_need_that_is_explained_and_the_form_goes_on(new_resident, residents) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("am I registered to vote?")
    chat.say(f"my name is {person['name']}")

    why = chat.say("why do u need that")
    assert "proves it's you" in texts(why) and PHONE in texts(why) and talk_to_a_person(why)
    assert "date of birth" in texts(why)  # asked again, the task still in hand
    assert "postcode" in texts(chat.say(short_date(person)))


def test_forget_it_and_a_question_stops_the_task_and_answers_it(new_resident, residents) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("am I registered to vote?")
    chat.say(f"my name is {person['name']}")

    replies = texts(chat.say("oh wait, forget it, how do i pay my council tax"))
    assert "stopped" in replies and "date of birth" not in replies
    assert "pay" in replies.lower() and "couldn't read that" not in replies


def test_no_bill_to_hand_is_explained_and_the_account_checked_another_way(new_resident, residents) -> None:
    chat = new_resident()
    chat.say("what's my council tax balance?")
    replies = texts(chat.say("dunno where my bill is"))
    assert "top of your council tax bill" in replies and PHONE in replies
    assert "full name" in replies or "name" in replies


def test_an_account_number_typed_again_after_failed_checks_ends_with_the_phone_and_an_officer(
    new_resident, residents
) -> None:
    person = residents[1]
    chat = new_resident()
    chat.say("what's my council tax balance?")
    chat.say(person["council_tax_account"])
    chat.say(person["postcode"])
    failed = texts(chat.say("01/01/1950"))
    assert "couldn't match those details" in failed

    # Typed again: another try (the postcode given before is kept, so the date of birth is asked).
    retry = texts(chat.say(person["council_tax_account"]))
    assert "date of birth" in retry or "postcode" in retry
    if "postcode" in retry:
        chat.say(person["postcode"])
    again = chat.say("02/02/1951")
    assert PHONE in texts(again) and talk_to_a_person(again)

    third = chat.say(person["council_tax_account"])
    assert "What would you like me to do with that" not in texts(third)
    assert PHONE in texts(third) and talk_to_a_person(third)


def test_email_me_a_receipt_sends_a_receipt_for_the_payment_named(new_resident, residents, stack) -> None:
    person = residents[1]
    chat = new_resident()
    chat.say("email me a receipt")
    asked = texts(prove_account(chat, person))
    assert "payment reference" in asked

    done = texts(chat.say(person["payment"]["reference"]))
    dr = reference("DR", done)
    assert stack_scalar(stack.database_url, select(DocumentRequest.kind).where(DocumentRequest.reference == dr)) == (
        "receipt"
    )


def test_another_accounts_balance_is_refused_after_proving_ones_own(new_resident, residents) -> None:
    person, other = residents[1], residents[2]
    chat = new_resident()
    chat.say("what's my council tax balance?")
    own = texts(prove_account(chat, person))
    assert "Your council tax for this year is" in own

    asked = texts(chat.say(f"what's the balance on {other['council_tax_account']}"))
    assert "only talk about the council tax account you've proved is yours" in asked
    assert "Your council tax for this year is" not in asked and "£" not in asked
