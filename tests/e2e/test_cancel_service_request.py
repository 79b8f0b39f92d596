"""Cancelling a reported problem through the hub, with the real model, actions and back office (issue 16).

A resident reports a pothole, then cancels it: in the same chat, and from a new chat with a code emailed to the
address they gave (the mail sink's maildir holds it). Someone else quoting the reference is told who can cancel and
offered an officer, learns nothing about the request, and the request stays open; so is someone who knows the
reporter's email but cannot read it. The rules are in docs/domain.md ("Cancelling a service request").
"""

from __future__ import annotations

import pytest
from journeys import emailed_code
from sqlalchemy import select

from api.service_requests.models import ServiceRequest
from tests.support.chat import Resident, buttons, reference, stack_row, texts

pytestmark = pytest.mark.stack
EMAIL = "jo.bloggs@example.com"


def report_a_pothole(chat: Resident) -> str:
    """Report a pothole on Mill Lane with an email for updates, answering each question; return its reference."""
    asked = texts(chat.say("there's a pothole by the school"))  # no street named: "Where is it?"
    if "What kind of problem" in asked:
        asked = texts(chat.say("pothole"))
    assert "Where is it?" in asked, asked
    assert "describe the problem" in texts(chat.say("outside the primary school on Mill Lane"))
    assert "email" in texts(chat.say("a deep hole by the kerb, about a foot wide"))
    assert "Shall I go ahead?" in texts(chat.say(EMAIL))
    return reference("SR", texts(chat.say("yes")))


def cancel(
    chat: Resident, sr: str, *, email: str | None, reason: str = "a neighbour filled it in yesterday", stack=None
) -> str:
    """Ask to cancel ``sr`` and answer the questions; return what the bot says at the end.

    ``email`` None: the chat it was reported in, where no email is asked (the chat shows the reporter). Otherwise
    the code emailed to it is read from ``stack``'s mail sink and typed back.
    """
    asked = texts(chat.say(f"I don't need the pothole fixed any more, please cancel {sr}"))
    if email is None:
        assert "Why don't you need it any more?" in asked and "email address" not in asked, asked
    else:
        assert "What email address did you give when you reported it?" in asked, asked
        assert "I've emailed a 6-digit code to it" in texts(chat.say(email))
        code = emailed_code(stack.mail_dir, sr)
        assert code, "no code was emailed"
        assert "Why don't you need it any more?" in texts(chat.say(f"the code is {code}"))
    confirm = texts(chat.say(reason))
    assert f"I'll cancel your request {sr}. Shall I go ahead?" in confirm
    return texts(chat.say("yes"))


def stored(stack, sr: str) -> tuple:
    query = select(
        ServiceRequest.status,
        ServiceRequest.cancelled_by,
        ServiceRequest.cancel_reason,
        ServiceRequest.cancelled_in_conversation,
    ).where(ServiceRequest.reference == sr)
    return stack_row(stack.database_url, query)


def test_a_resident_cancels_their_report_in_the_same_chat_and_asking_again_says_it_is_done(new_resident, stack) -> None:
    chat = new_resident()
    sr = report_a_pothole(chat)

    done = cancel(chat, sr, email=None)

    assert f"I've cancelled your pothole request {sr}" in done
    assert stored(stack, sr) == (
        "cancelled",
        "reporting_chat",
        "a neighbour filled it in yesterday",
        chat.conversation_id,
    )
    again = cancel(chat, sr, email=None, reason="just checking")
    assert f"{sr} was already cancelled on" in again
    assert stored(stack, sr)[2] == "a neighbour filled it in yesterday"


def test_the_reporter_cancels_from_a_new_chat_with_the_email_they_gave(new_resident, stack) -> None:
    sr = report_a_pothole(new_resident())
    later = new_resident()

    done = cancel(later, sr, email=f"it was {EMAIL.upper()}", stack=stack)

    assert f"I've cancelled your pothole request {sr}" in done
    assert stored(stack, sr)[:2] == ("cancelled", "reporter_code")


def test_knowing_the_reporters_email_is_not_enough_to_cancel(new_resident, stack) -> None:
    """An attacker guessed a demo reporter's email (firstname.lastname@...) and cancelled the request with it."""
    sr = report_a_pothole(new_resident())
    attacker = new_resident()

    assert "What email address did you give" in texts(attacker.say(f"cancel {sr}"))
    assert "I've emailed a 6-digit code to it" in texts(attacker.say(EMAIL))
    code = emailed_code(stack.mail_dir, sr)
    guesses = [f"{n:06d}" for n in range(4) if f"{n:06d}" != code][:3]
    first = texts(attacker.say(guesses[0]))
    assert f"That code doesn't match the one we emailed for {sr}" in first and "Why" not in first
    attacker.say(guesses[1])
    replies = attacker.say(guesses[2])

    said = texts(replies)
    assert f"I can't cancel {sr} with those details" in said, said
    assert {"title": "Yes, ask an officer", "payload": "/request_officer"} in buttons(replies)
    assert stored(stack, sr) == ("open", None, None, None)


def test_someone_else_with_the_reference_learns_nothing_and_the_report_stays_open(new_resident, stack) -> None:
    sr = report_a_pothole(new_resident())
    stranger = new_resident()

    asked = texts(stranger.say(f"cancel {sr}"))
    assert "What email address did you give when you reported it?" in asked, asked
    # A wrong email gets the answer the right one gets (whose address reported it is not told), and no reason is asked.
    wrong = texts(stranger.say("someone@example.com"))
    assert "If that's the email address given with the report, I've emailed a 6-digit code" in wrong, wrong
    assert "Why" not in wrong
    # Without the email given with the report, the refusal comes at once, with a person.
    replies = stranger.say("I didn't give an email with it")

    said = texts(replies)
    assert f"I can't cancel {sr} with those details" in said
    assert "Mill Lane" not in said and "pothole" not in said.lower()
    assert {"title": "Yes, ask an officer", "payload": "/request_officer"} in buttons(replies)
    assert stored(stack, sr) == ("open", None, None, None)


def test_cancel_it_please_just_after_reporting_cancels_that_report(new_resident, stack) -> None:
    """Seen (a probe): "cancel it please" just after the report got "No problem. What else can I help you with?"
    while the report stayed open."""
    chat = new_resident()
    sr = report_a_pothole(chat)

    asked = texts(chat.say("cancel it please"))
    assert "No problem. What else" not in asked
    if "Why don't you need it any more?" in asked:
        asked = texts(chat.say("it was filled in this morning"))
    if "email address did you give" in asked:  # the chat it was reported in needs no code
        asked = texts(chat.say(EMAIL))
        if "Why don't you need it any more?" in asked:
            asked = texts(chat.say("it was filled in this morning"))
    assert f"I'll cancel your request {sr}. Shall I go ahead?" in asked, asked
    assert f"I've cancelled your pothole request {sr}" in texts(chat.say("yes"))
    assert stored(stack, sr)[0] == "cancelled"
