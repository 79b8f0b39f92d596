"""Subject access and erasure on the running stack: what Rasa's real tracker store holds is exported, and an
erasure leaves nothing of the conversation in the hub's database or in Rasa's tracker store."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from api.conversations.models import Message
from api.demo.generator import DEMO_OFFICER_PASSWORD
from api.electoral.models import Verification
from api.privacy.tracker import TrackerStore
from api.service_requests.models import ServiceRequest
from tests.support.chat import prove_identity, reference, stack_scalar

pytestmark = pytest.mark.stack


def supervisor(api_url: str) -> httpx.Client:
    """Sign in to the stack's console as the demo supervisor, as a browser would."""
    client = httpx.Client(base_url=api_url, timeout=60)
    form = client.get("/console/sign-in").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = client.post(
        "/console/sign-in",
        data={"email": "sam.taylor@ashdownvale.example", "password": DEMO_OFFICER_PASSWORD, "csrf_token": csrf},
    )
    assert signed.status_code == 303
    return client


def page_csrf(client: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/privacy").text).group(1)


def test_an_erased_conversation_leaves_nothing_in_the_hub_or_rasas_tracker(stack, new_resident, residents) -> None:
    person = next(r for r in residents if r["registration_status"] == "registered")
    chat = new_resident()
    chat.say("am I registered to vote?")
    assert "You're registered to vote" in "\n".join(m["text"] for m in prove_identity(chat, person))
    conversation = chat.conversation_id
    tracker = TrackerStore(f"sqlite:///{stack.tracker_db}")
    sam = supervisor(stack.api_url)
    try:
        held_by_rasa = tracker.conversation_events(conversation)
        assert [e for e in held_by_rasa if e["event"] == "user"], "Rasa's tracker store holds the conversation"

        exported = sam.get(f"/console/privacy/conversations/{conversation}/export")
        assert exported.status_code == 200
        document = exported.json()
        assert len(document["rasa_tracker_events"]) >= len(held_by_rasa)
        assert document["identity_checks"]["electoral_verification"]["elector_number"]
        assert next(m["text"] for m in document["messages"] if m["sender"] == "resident") == "am I registered to vote?"

        erased = sam.post(
            f"/console/privacy/conversations/{conversation}/erase",
            data={"csrf_token": page_csrf(sam), "confirm": "erase"},
        )
        assert erased.status_code == 200 and "is erased" in erased.text

        assert tracker.conversation_events(conversation) == []
        assert (
            stack_scalar(
                stack.database_url,
                select(func.count()).select_from(Message).where(Message.conversation_id == conversation),
            )
            == 0
        )
        assert (
            stack_scalar(
                stack.database_url,
                select(func.count()).select_from(Verification).where(Verification.conversation_id == conversation),
            )
            == 0
        )
        assert chat.http.get(f"/api/chat/conversations/{conversation}/messages").status_code == 404
        audit = sam.get("/console/audit", params={"conversation": conversation}).text
        assert 'data-action="erase"' in audit and 'data-action="export"' in audit and person["name"] not in audit
    finally:
        tracker.close()
        sam.close()


LONG_DIGIT_RUN = re.compile(r"\d(?:[ .-]?\d){6,}")
PHONE_NUMBER = re.compile(r"\b0\d{2,4} ?\d{3} ?\d{3,4}\b")  # the council's, in replies: no card's digits


@pytest.mark.parametrize(("first", "rest"), [("4111 1111 1111 111", "1"), ("4111 1111 1111", "1111")])
def test_a_card_number_split_over_two_messages_is_not_quoted_back_or_lodged(new_resident, stack, first, rest) -> None:
    # An attack: "Huge pothole, reference 4111 1111 1111 111" then "1" hid the number in both messages, but the bot
    # had kept the first part as the description and quoted its 15 digits at "Shall I go ahead?", where the hub
    # stored them beside "[card number removed, ending 1111]": the whole card number, read together.
    chat = new_resident()
    chat.say("I want to report a pothole")
    chat.say("Rowan Close near number 19, TN41 6PA")
    chat.say(f"Huge pothole, reference {first}")
    chat.say(rest)
    replies = chat.say("no")
    while "email" in "\n".join(m["text"] for m in replies).lower() and "go ahead" not in replies[-1]["text"]:
        replies = chat.say("no")
    confirmation = replies[-1]["text"]
    assert "Shall I go ahead?" in confirmation and "Huge pothole" in confirmation
    done = chat.say("yes")
    transcript = chat.transcript()
    assert not [m["text"] for m in transcript if LONG_DIGIT_RUN.search(PHONE_NUMBER.sub("", m["text"]))]
    lodged = reference("SR", "\n".join(m["text"] for m in done))
    description = stack_scalar(
        stack.database_url, select(ServiceRequest.description).where(ServiceRequest.reference == lodged)
    )
    assert "Huge pothole" in description and not LONG_DIGIT_RUN.search(description)
