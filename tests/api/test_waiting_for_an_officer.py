"""While a resident waits for an officer, what they type is kept for the officer (issue 12, a confused-resident probe).

"hello??" typed in the queue got the bot's greeting, as if the chat had started again. The hub now answers a
message sent while a handoff waits itself: an officer is on the way (the queue position and wait, or when an
out-of-hours request will be answered), and the message is kept for them; the bot does not read it.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.conversations.router import office_hours as office_hours_dependency
from tests.support.backoffice_api import granted
from tests.support.hub import FixedHours, start
from tests.support.rasa_fakes import rasa_offering_a_person


def queued(make_client, *, open_now: bool, ahead: int = 0) -> tuple[TestClient, str, dict[str, str]]:
    """A conversation whose resident asked for an officer (``ahead`` other chats were waiting already)."""
    client = make_client(rasa_offering_a_person)
    client.app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=open_now)
    for _ in range(ahead):
        other, _ = start(client)
        client.post(f"/api/v1/conversations/{other}/handoffs", json={}, headers=granted(other))
    conversation_id, auth = start(client)
    asked = client.post(f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=granted(conversation_id))
    assert asked.status_code == 201
    return client, conversation_id, auth


@pytest.mark.parametrize("text", ["hello??", "are you there", "/request_officer", "I still need help with my bill"])
def test_a_message_while_waiting_says_an_officer_is_coming_and_is_kept_for_them(make_client, rasa_calls, text) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True, ahead=1)

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)

    assert response.status_code == 200
    [reply] = response.json()["messages"]
    assert reply["sender"] == "system"
    assert "officer" in reply["text"] and "number 2" in reply["text"] and "8 minutes" in reply["text"]
    assert "kept your message" in reply["text"]
    assert "Hello! I'm" not in reply["text"] and rasa_calls == []  # not the bot's greeting: the bot never saw it
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [(m["sender"], m["text"]) for m in transcript][-2:] == [("resident", text), ("system", reply["text"])]


def test_out_of_hours_the_resident_hears_when_the_officer_will_reply(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=False)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello??"}, headers=auth
    )

    [reply] = response.json()["messages"]
    assert "by the end of" in reply["text"] and "kept your message" in reply["text"]
    assert rasa_calls == []


def test_with_no_officer_asked_for_the_bot_still_answers(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello??"}, headers=auth
    )
    assert response.json()["messages"][0]["text"] == "You said: hello??" and len(rasa_calls) == 1


def test_an_emergency_while_waiting_still_reaches_the_bot_for_its_999_advice(make_client, rasa_calls) -> None:
    client, conversation_id, auth = queued(make_client, open_now=True)
    text = "there's smoke coming from next door and I can smell gas"
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert [c["message"] for c in rasa_calls] == [text]
    assert response.json()["messages"][0]["text"] == f"You said: {text}"
