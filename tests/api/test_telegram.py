"""The hub's Telegram endpoints (/api/v1/telegram) on SQLite and PostgreSQL, with Rasa on httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.settings import DEV_TELEGRAM_TOKEN
from api.telegram.models import TelegramChat
from tests.support.rasa_fakes import rasa_down, rasa_offering_a_person
from tests.support.telegram_hub import CHAT, SERVICE, outbox, send


def deliver_all(client: TestClient) -> list[dict]:
    """Act as the bridge: read the outbox and mark every message sent."""
    messages = outbox(client)
    for message in messages:
        assert (
            client.post(
                f"/api/v1/telegram/outbox/{message['message_id']}/delivery", json={"outcome": "sent"}
            ).status_code
            == 204
        )
    return messages


def test_a_message_from_a_chat_is_answered_through_the_outbox_with_its_buttons(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = send(client, " hello ", update_id=100)
    assert accepted == {
        "duplicate": False,
        "message_id": accepted["message_id"],
        "card_number_hidden": False,
        "earlier_hidden": [],
    }

    messages = outbox(client)
    assert [(m["chat_id"], m["sender"], m["text"]) for m in messages] == [
        (CHAT, "bot", "You said: hello"),
        (CHAT, "bot", "Anything else?"),
    ]
    assert messages[0]["buttons"] is None
    assert messages[1]["buttons"] == [{"title": "Talk to a person", "payload": "/request_officer"}]
    assert rasa_calls[0]["message"] == "hello"
    assert rasa_calls[0]["metadata"]["channel"] == "telegram" and rasa_calls[0]["metadata"]["grant"]


def test_delivered_messages_leave_the_outbox_and_a_second_mark_changes_nothing(make_client) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    send(client, "hello", update_id=100)

    delivered = deliver_all(client)

    assert len(delivered) == 2
    assert outbox(client) == []
    again = client.post(f"/api/v1/telegram/outbox/{delivered[0]['message_id']}/delivery", json={"outcome": "sent"})
    assert again.status_code == 204
    send(client, "and again", update_id=101)
    assert [m["text"] for m in outbox(client)] == ["You said: and again", "Anything else?"]


def test_the_same_update_delivered_twice_is_taken_in_once(make_client, rasa_calls, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    assert send(client, "hello", update_id=7)["duplicate"] is False
    assert send(client, "hello", update_id=7)["duplicate"] is True

    assert len(rasa_calls) == 1
    assert len(outbox(client)) == 2
    with open_session(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.sender == "resident")) == 1


def test_each_chat_has_its_own_telegram_conversation(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    send(client, "hello", update_id=1, chat_id=111)
    send(client, "hello again", update_id=2, chat_id=222)
    send(client, "still me", update_id=3, chat_id=111)

    with open_session(database_url) as session:
        chats = {chat.chat_id: chat.conversation_id for chat in session.scalars(select(TelegramChat))}
        channels = set(session.scalars(select(Conversation.channel)))
        residents_first_chat = list(
            session.scalars(
                select(Message.text)
                .where(Message.conversation_id == chats[111], Message.sender == "resident")
                .order_by(Message.id)
            )
        )
    assert set(chats) == {111, 222} and chats[111] != chats[222]
    assert channels == {"telegram"}
    assert residents_first_chat == ["hello", "still me"]


def test_tapping_a_reply_keyboard_button_sends_its_payload(make_client, rasa_calls, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    send(client, "hello", update_id=1)

    send(client, "Talk to a person", update_id=2)

    assert rasa_calls[-1]["message"] == "/request_officer"
    # A title typed when no button offers it is just text.
    send(client, "nothing to do with buttons", update_id=3)
    assert rasa_calls[-1]["message"] == "nothing to do with buttons"


def test_a_title_from_an_answered_keyboard_is_not_turned_into_a_payload(make_client, rasa_calls) -> None:
    def rasa_offering_once(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["message"] == "hello":
            return rasa_offering_a_person(request)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "Noted."}])

    client = make_client(rasa_offering_once, SERVICE)
    send(client, "hello", update_id=1)
    send(client, "something else", update_id=2)

    send(client, "Talk to a person", update_id=3)

    assert rasa_calls[-1]["message"] == "Talk to a person"


def test_while_an_officer_holds_the_conversation_the_bot_is_silent_and_the_officer_reply_goes_out(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    send(client, "hello", update_id=1)
    deliver_all(client)
    with open_session(database_url) as session:
        conversation_id = session.scalar(select(TelegramChat.conversation_id).where(TelegramChat.chat_id == CHAT))
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(mode="officer"))
        session.commit()

    send(client, "are you there?", update_id=2)
    assert outbox(client) == []
    with open_session(database_url) as session:
        conversations.add_message(
            session,
            conversation_id=conversation_id,
            sender="officer",
            text="Hello, I'm Sam from the council.",
            author="Sam, Customer Focus",
        )
        session.commit()

    assert [(m["sender"], m["author"], m["text"]) for m in outbox(client)] == [
        ("officer", "Sam, Customer Focus", "Hello, I'm Sam from the council.")
    ]
    assert len(rasa_calls) == 1


def test_a_card_number_is_hidden_and_the_resident_warned_as_on_the_web(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = send(client, "my card is 4111 1111 1111 1111", update_id=1)

    assert accepted["card_number_hidden"] is True  # the bridge deletes the message from the chat
    assert send(client, "my reference is PAY-12345678", update_id=2)["card_number_hidden"] is False
    first = outbox(client)[0]
    assert first["sender"] == "system" and "don't type card details" in first["text"]
    assert rasa_calls[0]["message"] == "my card is [card number removed, ending 1111]"
    with open_session(database_url) as session:
        stored = " ".join(session.scalars(select(Message.text)))
    assert "4111 1111 1111" not in stored


def test_when_rasa_is_down_the_chat_gets_the_apology_with_the_phone_number(make_client) -> None:
    client = make_client(rasa_down, SERVICE)

    send(client, "hello", update_id=1)

    [apology] = outbox(client)
    assert apology["sender"] == "system" and "01632 960 123" in apology["text"]
    assert apology["buttons"] == [{"title": "Talk to a person", "payload": "/request_officer"}]


def test_web_conversations_stay_out_of_the_outbox(make_client) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    created = client.post("/api/chat/conversations", json={"channel": "web"}).json()
    web = {"Authorization": f"Bearer {created['token']}"}
    client.post(f"/api/chat/conversations/{created['conversation_id']}/messages", json={"text": "hi"}, headers=web)
    [web_reply, *_] = client.get(f"/api/chat/conversations/{created['conversation_id']}/messages", headers=web).json()[
        "messages"
    ][1:]

    assert outbox(client) == []
    assert client.post(f"/api/v1/telegram/outbox/{web_reply['id']}/delivery", json={}).status_code == 404


def test_the_telegram_endpoints_need_a_service_token(make_client) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    client.headers.pop("Authorization")

    refused = [
        client.post("/api/v1/telegram/updates", json={"update_id": 1, "chat_id": CHAT, "text": "hi"}),
        client.get("/api/v1/telegram/outbox"),
        client.post("/api/v1/telegram/outbox/1/delivery", json={}),
    ]

    assert [r.status_code for r in refused] == [401, 401, 401]
    client.headers["Authorization"] = f"Bearer {DEV_TELEGRAM_TOKEN}"
    assert outbox(client) == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 4097])
def test_empty_or_overlong_messages_are_refused(make_client, text) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)
    response = client.post("/api/v1/telegram/updates", json={"update_id": 1, "chat_id": CHAT, "text": text})
    assert response.status_code == 422
