"""Payments and service requests through the hub with the real model, actions and back office."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.conversations.models import Message
from api.service_requests.models import ServiceRequest
from tests.support.chat import born, buttons, prove_account, stack_scalar, texts

pytestmark = pytest.mark.stack


def count(stack, query) -> int:
    return int(stack_scalar(stack.database_url, query) or 0)


def test_a_resident_confirms_a_payment_after_proving_the_account_is_theirs(new_resident, residents) -> None:
    person = residents[0]
    chat = new_resident()
    asked = texts(chat.say("hi, did my council tax payment go through?"))
    assert "account number" in asked
    assert "postcode" in texts(chat.say(person["council_tax_account"]))
    assert "date of birth" in texts(chat.say(person["postcode"]))
    assert "payment reference" in texts(chat.say(born(person)))
    answer = texts(chat.say(person["payment"]["reference"]))
    assert f"Yes, we received your payment {person['payment']['reference']}" in answer
    assert person["payment"]["amount"] in answer


def test_a_resident_asks_when_they_last_paid_then_wants_a_receipt_for_it(new_resident, residents, stack) -> None:
    # "when was my last payment" was asked for a payment reference the resident had come to find out, and "can I have
    # a receipt for it" after the list was asked which payment (a probe).
    person = residents[0]
    latest = person["payment"]["reference"]
    chat = new_resident()
    assert "account number" in texts(chat.say("when was my last council tax payment?"))
    answer = texts(prove_account(chat, person))
    assert f"Your last payment was {latest}: {person['payment']['amount']}" in answer
    assert "payment reference" not in answer
    sent = texts(chat.say("can I have a receipt for it"))
    assert f"your receipt for {latest} has been emailed" in sent
    mail = "\n".join(p.read_text(errors="replace") for p in Path(stack.mail_dir).rglob("*") if p.is_file())
    assert latest in mail


def test_someone_elses_account_gets_nothing(new_resident, residents) -> None:
    chat = new_resident()
    chat.say("what's my council tax balance")
    chat.say(residents[0]["council_tax_account"])
    chat.say(residents[1]["postcode"])
    answer = texts(chat.say(born(residents[1])))
    assert "couldn't match those details" in answer
    assert "£" not in answer


def test_the_details_printed_on_the_bill_reveal_nothing_without_the_holders_date_of_birth(
    new_resident, residents
) -> None:
    person = residents[1]
    chat = new_resident()
    chat.say("how much council tax do I owe and am I in arrears?")
    chat.say(person["council_tax_account"])
    asked = texts(chat.say(person["postcode"]))
    assert "date of birth" in asked and "£" not in asked
    answer = texts(chat.say("01/01/1990"))
    assert "couldn't match those details" in answer and "£" not in answer


def test_a_statement_goes_to_the_address_on_the_account_not_one_typed_in_the_chat(
    new_resident, residents, stack
) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("please email me a statement of my council tax to someone.else@attacker.example")
    answer = texts(prove_account(chat, person))
    local, _, domain = person["council_tax_email"].partition("@")
    assert f"the email address we hold for your account ({local[0]}***@{domain[0]}***.com)" in answer
    assert "attacker" not in answer
    mail = "\n".join(p.read_text(errors="replace") for p in Path(stack.mail_dir).rglob("*") if p.is_file())
    assert person["council_tax_email"] in mail and "attacker.example" not in mail


def test_a_verified_resident_hears_their_balance(new_resident, residents) -> None:
    person = residents[1]
    chat = new_resident()
    assert "account number" in texts(chat.say("how much council tax do I still owe?"))
    answer = texts(prove_account(chat, person))
    assert "Your council tax for this year is £" in answer and "leaving £" in answer


def test_a_verified_resident_who_changes_their_mind_mid_task_gets_the_new_answer(new_resident, residents) -> None:
    person = residents[0]
    chat = new_resident()
    chat.say("did my council tax payment go through?")
    assert "payment reference" in texts(prove_account(chat, person))
    answer = texts(chat.say("actually forget that, how much have I got left to pay this year?"))
    assert "payment reference" not in answer  # not taken as a wrong answer to the old question
    assert "£" in answer and "account number" not in answer  # the balance, without proving the account again


def test_a_card_number_is_hidden_and_stored_nowhere(new_resident, stack) -> None:
    chat = new_resident()
    replies = chat.say("can I pay with my card 5500 0000 0000 0004 please")  # a Luhn-valid test number
    assert any("don't type card details" in m["text"] for m in replies)
    assert count(stack, select(func.count()).select_from(Message).where(Message.text.contains("5500 0000"))) == 0
    assert count(stack, select(func.count()).select_from(Message).where(Message.text.contains("ending 0004"))) == 1
    logs = " ".join(p.read_text(errors="replace") for p in Path(stack.log_dir).glob("*.log"))
    assert "5500 0000" not in logs and "5500000000" not in logs


def test_a_resident_reports_a_missed_bin_and_then_tracks_it(new_resident, residents, stack) -> None:
    person = residents[
        3
    ]  # Kathleen Gray: her Tuesday round was due the day before the tests' clock (a Wednesday), so a miss is reportable
    chat = new_resident()
    replies = chat.say("my bin wasn't collected this morning")
    if "postcode" not in texts(replies):
        replies = chat.say("missed_bin")
    assert "postcode" in texts(replies)
    replies = chat.say(person["postcode"])
    [mine] = [b for b in buttons(replies) if b["title"].startswith(person["address"])]
    assert "describe" in texts(chat.say(mine["payload"]))
    assert "email" in texts(chat.say("the green recycling bin was left full"))
    confirm = texts(chat.say("no thanks"))
    assert "Shall I go ahead" in confirm
    lodged = texts(chat.say("yes"))
    assert "SR-" in lodged and "We expect to deal with it by" in lodged
    reference = "SR-" + lodged.split("SR-")[1][:6]
    assert (
        count(stack, select(func.count()).select_from(ServiceRequest).where(ServiceRequest.reference == reference)) == 1
    )

    progress = texts(new_resident().say(f"any update on {reference}?"))
    assert reference in progress and "is open" in progress
