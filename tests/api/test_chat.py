"""The resident-facing chat contract of the conversation hub, with Rasa answered over httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select, update

from api.conversations.models import Conversation, Message
from tests.support.hub import start
from tests.support.rasa_fakes import rasa_down, rasa_offering_a_person


def test_a_resident_message_gets_the_bots_replies_and_both_are_kept(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "  hello  "}, headers=auth
    )

    assert response.status_code == 200
    replies = response.json()["messages"]
    assert [(m["sender"], m["text"]) for m in replies] == [("bot", "You said: hello"), ("bot", "Anything else?")]
    assert replies[1]["buttons"] == [{"title": "Talk to a person", "payload": "/request_officer"}]
    assert [(c["sender"], c["message"]) for c in rasa_calls] == [(conversation_id, "hello")]
    assert rasa_calls[0]["metadata"]["channel"] == "web"
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [m["sender"] for m in transcript] == ["resident", "bot", "bot"]
    assert [m["id"] for m in transcript] == sorted(m["id"] for m in transcript)


def test_conversation_ids_and_tokens_are_unguessable_and_distinct(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    first, second = start(client), start(client)
    assert first[0] != second[0] and first[1] != second[1]
    assert len(first[0]) >= 24 and len(first[1]["Authorization"]) >= 40


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, 401),
        ({"Authorization": "Bearer not-the-token"}, 404),
    ],
)
def test_without_the_right_token_nothing_is_disclosed_or_stored(
    open_session, make_client, database_url, rasa_calls, headers, expected
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "my secret"}, headers=auth)

    read = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=headers)
    send = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=headers)

    assert read.status_code == expected and send.status_code == expected
    assert "my secret" not in read.text and "messages" not in read.json()
    assert len(rasa_calls) == 1
    with open_session(database_url) as session:
        assert session.scalar(select(Message.text).where(Message.text == "hi")) is None


def test_an_unknown_conversation_is_not_found(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    _, auth = start(client)
    assert client.get("/api/chat/conversations/nope/messages", headers=auth).status_code == 404


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_overlong_messages_are_refused_kindly(make_client, text) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 422


def test_when_rasa_is_down_the_resident_gets_an_apology_with_a_phone_number_and_the_message_is_kept(
    make_client,
) -> None:
    client = make_client(rasa_down)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "is my bin day changing"}, headers=auth
    )

    assert response.status_code == 200
    [reply] = response.json()["messages"]
    assert reply["sender"] == "system"
    assert "Sorry" in reply["text"] and "01632 960 123" in reply["text"]
    assert reply["buttons"] == [{"title": "Talk to a person", "payload": "/request_officer"}]
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert transcript[0]["text"] == "is my bin day changing"


def test_when_rasa_is_down_taking_the_officer_offer_still_queues_the_conversation(
    open_session, make_client, database_url
) -> None:
    client = make_client(rasa_down)
    conversation_id, auth = start(client)
    client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}, headers=auth)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "/request_officer"}, headers=auth
    )

    [reply] = response.json()["messages"]
    assert "HO-" in reply["text"] and "officer" in reply["text"]
    with open_session(database_url) as session:
        conversation = session.get_one(Conversation, conversation_id)
        assert conversation.mode == "queued"


def test_rasa_answering_with_an_error_status_is_handled_like_rasa_down(make_client) -> None:
    client = make_client(lambda request: httpx.Response(500, text="Traceback (most recent call last)"))
    conversation_id, auth = start(client)
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth)
    assert "Traceback" not in response.text
    assert response.json()["messages"][0]["sender"] == "system"


def test_while_an_officer_holds_the_conversation_the_bot_stays_silent(
    open_session, make_client, database_url, rasa_calls
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    with open_session(database_url) as session:
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(mode="officer"))
        session.commit()

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello?"}, headers=auth)

    assert response.json() == {"messages": [], "rewritten": []}
    assert rasa_calls == []
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [m["text"] for m in transcript] == ["hello?"]


def test_replies_that_arrive_after_an_officer_took_the_conversation_are_not_stored(
    open_session, make_client, database_url
) -> None:
    """Rasa answers slowly; meanwhile an officer takes the chat: the late bot replies must not follow "joined"."""
    conversation: dict[str, str] = {}

    def rasa_answering_after_an_officer_joined(request: httpx.Request) -> httpx.Response:
        with open_session(database_url) as session:
            session.execute(update(Conversation).where(Conversation.id == conversation["id"]).values(mode="officer"))
            session.add(Message(conversation_id=conversation["id"], sender="system", text="Priya has joined the chat."))
            session.commit()
        return rasa_offering_a_person(request)

    client = make_client(rasa_answering_after_an_officer_joined)
    conversation["id"], auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation['id']}/messages", json={"text": "hello"}, headers=auth
    )

    assert response.status_code == 200 and response.json() == {"messages": [], "rewritten": []}
    transcript = client.get(f"/api/chat/conversations/{conversation['id']}/messages", headers=auth).json()
    assert [(m["sender"], m["text"]) for m in transcript["messages"]] == [
        ("resident", "hello"),
        ("system", "Priya has joined the chat."),
    ]


def test_the_contract_is_in_the_openapi_schema(make_client) -> None:
    paths = make_client(rasa_offering_a_person).get("/openapi.json").json()["paths"]
    assert {
        "/api/chat/conversations",
        "/api/chat/conversations/{conversation_id}/messages",
        "/api/chat/conversations/{conversation_id}/events",
        "/api/v1/conversations/{conversation_id}/handoffs",
    } <= set(paths)


def test_a_card_number_is_hidden_before_it_is_stored_or_reaches_rasa(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "can I pay with 4111 1111 1111 1111 please"},
        headers=auth,
    )

    replies = response.json()["messages"]
    assert replies[0]["sender"] == "system" and "don't type card details" in replies[0]["text"]
    assert "https://www.ashdownvale.gov.uk/pay" in replies[0]["text"]
    assert rasa_calls[0]["message"] == "can I pay with [card number removed, ending 1111] please"
    with open_session(database_url) as session:
        stored = " ".join(session.scalars(select(Message.text)))
    assert "4111 1111 1111" not in stored and "411111111111" not in stored
    assert "ending 1111" in stored


def rasa_says_goodbye(request: httpx.Request) -> httpx.Response:
    """Answer a goodbye like the domain's utter_goodbye: the text, then the custom ask for a rating."""
    body = json.loads(request.content)
    return httpx.Response(
        200,
        json=[
            {"recipient_id": body["sender"], "text": "Goodbye, and thanks."},
            {"recipient_id": body["sender"], "custom": {"ask_rating": True}},
        ],
    )


def test_after_goodbye_the_resident_is_asked_to_rate_and_the_answer_is_kept(
    open_session, make_client, database_url, rasa_calls
) -> None:
    client = make_client(rasa_says_goodbye)
    conversation_id, auth = start(client)
    replies = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "bye"}, headers=auth
    ).json()["messages"]
    assert replies[0]["text"] == "Goodbye, and thanks." and replies[0]["sender"] == "bot"
    question = replies[1]
    assert "how was your experience" in question["text"]
    assert [b["title"] for b in question["buttons"]] == ["Very good", "Good", "OK", "Poor", "Very poor"]

    answer = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": question["buttons"][0]["payload"]},
        headers=auth,
    ).json()["messages"]
    assert answer[-1]["text"].startswith("Thank you for your feedback")
    assert len(rasa_calls) == 1  # the rating is the hub's business, not the bot's
    with open_session(database_url) as session:
        assert session.get_one(Conversation, conversation_id).rating == 5


def test_asking_whether_someone_is_coming_with_no_request_open_says_nobody_is(make_client, rasa_calls) -> None:
    # "do i still have someone coming to talk to me?" just after withdrawing the request made a new one (a probe).
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "do i still have someone coming to talk to me?"},
        headers=auth,
    )
    replies = response.json()["messages"]
    assert replies[0]["text"].startswith("There's no request for an officer open") and rasa_calls == []
