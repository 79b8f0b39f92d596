"""While a resident waits for an officer, the bot still answers questions; the rest is kept for the officer.

A confused-resident probe (issue 12): "hello??" typed in the queue got the bot's greeting, as if the chat had
started again. The hub now says the officer is on the way (the queue position and wait, or when an out-of-hours
request will be answered) and that the message is kept, instead of a greeting, small talk or "I didn't get that";
asking for a person again does not reach the bot. A question the bot can answer is still answered, as the
handoff message promises ("You can keep asking me things while you wait"): the first version of this fix kept
every message from the bot, and a resident who asked when the library opens while waiting got no answer.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Handoff
from api.conversations.router import office_hours as office_hours_dependency
from tests.support.backoffice_api import granted
from tests.support.hub import FixedHours, start
from tests.support.rasa_fakes import GREETING, rasa_greeting_and_knowledge, rasa_offering_a_person


def queued(
    make_client, *, open_now: bool, ahead: int = 0, rasa=rasa_greeting_and_knowledge
) -> tuple[TestClient, str, dict[str, str]]:
    """A conversation whose resident asked for an officer (``ahead`` other chats were waiting already)."""
    client = make_client(rasa)
    client.app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=open_now)
    for _ in range(ahead):
        other, _ = start(client)
        client.post(f"/api/v1/conversations/{other}/handoffs", json={}, headers=granted(other))
    conversation_id, auth = start(client)
    asked = client.post(f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=granted(conversation_id))
    assert asked.status_code == 201
    return client, conversation_id, auth


def still_waiting_reply(client: TestClient, conversation_id: str, auth: dict[str, str], text: str) -> str:
    """Send ``text`` while queued; check the one reply is the hub's 'on the way' and ends the transcript."""
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 200
    [reply] = response.json()["messages"]
    assert reply["sender"] == "system"
    assert "officer" in reply["text"] and "number 2" in reply["text"] and "8 minutes" in reply["text"]
    assert "kept your message" in reply["text"]
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [(m["sender"], m["text"]) for m in transcript][-2:] == [("resident", text), ("system", reply["text"])]
    return reply["text"]


@pytest.mark.parametrize("text", ["hello??", "are you there", "I still need help with my bill"])
def test_a_greeting_or_a_message_the_bot_cannot_answer_says_an_officer_is_coming(make_client, rasa_calls, text) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True, ahead=1)

    said = still_waiting_reply(client, conversation_id, auth, text)

    assert GREETING not in said and "didn't quite get" not in said
    assert [call["message"] for call in rasa_calls][-1] == text


@pytest.mark.parametrize("text", ["/request_officer", "can I talk to a real person please"])
def test_asking_for_a_person_again_is_answered_by_the_hub(make_client, rasa_calls, text) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True, ahead=1)
    before = len(rasa_calls)

    still_waiting_reply(client, conversation_id, auth, text)

    assert len(rasa_calls) == before  # no second handoff asked of the bot


def test_a_question_the_bot_can_answer_is_answered_while_waiting(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True, ahead=1)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "what do I do with old batteries"},
        headers=auth,
    )

    [reply] = response.json()["messages"]
    assert reply["sender"] == "bot" and reply["text"] == "Put batteries in a bag on your bin lid."
    said = still_waiting_reply(client, conversation_id, auth, "hello?")  # still in the queue, same place
    assert "number 2" in said


def test_out_of_hours_the_resident_hears_when_the_officer_will_reply(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=False)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello??"}, headers=auth
    )

    [reply] = response.json()["messages"]
    assert "by the end of" in reply["text"] and "kept your message" in reply["text"]
    assert GREETING not in reply["text"]


def test_with_no_officer_asked_for_the_bot_still_answers(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello??"}, headers=auth
    )
    assert response.json()["messages"][0]["text"] == "You said: hello??" and len(rasa_calls) == 1


def test_an_emergency_while_waiting_still_reaches_the_bot_for_its_999_advice(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True, rasa=rasa_offering_a_person)
    text = "there's smoke coming from next door and I can smell gas"
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert [c["message"] for c in rasa_calls] == [text]
    assert response.json()["messages"][0]["text"] == f"You said: {text}"


# A resident who no longer needs the officer says so: a probe asked for a complaint officer, then wrote "actually
# never mind, how do i pay my council tax", and the request stayed in the officers' queue.


@pytest.mark.parametrize(
    "text",
    [
        "actually never mind",
        "I don't need a person any more",
        "it's ok now, cancel that request",
        "nah actually nevermind",  # a probe's stayed in the queue
        "nope, no need",
    ],
)
def test_saying_never_mind_while_waiting_withdraws_the_request(
    make_client, rasa_calls, database_url, open_session, text
) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True)

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)

    [reply] = response.json()["messages"]
    assert reply["sender"] == "system" and "cancelled your request for an officer" in reply["text"]
    with open_session(database_url) as session:
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)).one()
        assert handoff.status == "withdrawn" and handoff.closed_at is not None
    # The bot answers again, as before the request: a greeting is a greeting, not "an officer is on the way".
    hello = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}, headers=auth)
    assert [m["text"] for m in hello.json()["messages"]] == [GREETING]


def test_never_mind_with_a_question_withdraws_and_answers_it(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "never mind, what do I do with old batteries"},
        headers=auth,
    )

    replies = response.json()["messages"]
    assert [m["sender"] for m in replies] == ["system", "bot"]
    assert replies[1]["text"] == "Put batteries in a bag on your bin lid."
    assert [call["message"] for call in rasa_calls][-1] == "what do I do with old batteries"
