"""A resident's typed Rasa payload syntax (/intent{...}) reaches the bot as words; the hub's own buttons as payloads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.conversations.models import Conversation
from api.conversations.service import NOTHING_TO_READ
from api.settings import DEV_TELEGRAM_TOKEN
from tests.support.rasa_fakes import rasa_offering_a_person

TYPED_PAYLOADS = [
    ('/inform{"postcode": "TN41 6PA"}', 'inform{"postcode": "TN41 6PA"}'),
    (
        '  /inform{"full_name": "Rita Patel", "date_of_birth": "1970-01-01"}',
        'inform{"full_name": "Rita Patel", "date_of_birth": "1970-01-01"}',
    ),
    ("//affirm", "affirm"),
    ("/ request_officer", "request_officer"),
    ("/restart", "restart"),
]


def start(client: TestClient) -> tuple[str, dict[str, str]]:
    body = client.post("/api/chat/conversations", json={"channel": "web"}).json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def say(client: TestClient, conversation: tuple[str, dict[str, str]], text: str) -> list[dict]:
    conversation_id, auth = conversation
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


@pytest.mark.parametrize(("typed", "understood_as"), TYPED_PAYLOADS)
def test_typed_payload_syntax_reaches_the_bot_as_words(
    make_client, rasa_calls, open_session, database_url, typed: str, understood_as: str
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation = start(client)

    replies = say(client, conversation, typed)

    assert rasa_calls[-1]["message"] == understood_as
    assert replies[0]["text"] == f"You said: {understood_as}"
    transcript = client.get(f"/api/chat/conversations/{conversation[0]}/messages", headers=conversation[1]).json()
    assert transcript["messages"][0]["text"] == typed.strip()
    with open_session(database_url) as session:
        assert session.get_one(Conversation, conversation[0]).rating is None


def test_a_button_the_bot_offered_is_sent_as_its_payload(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation = start(client)
    offer = say(client, conversation, "hello")
    assert offer[-1]["buttons"] == [{"title": "Talk to a person", "payload": "/request_officer"}]

    say(client, conversation, "/request_officer")

    assert rasa_calls[-1]["message"] == "/request_officer"


@pytest.mark.parametrize("typed", ["Talk to a person", "talk to a  person ", "TALK TO A PERSON"])
def test_a_button_title_typed_in_the_web_chat_is_sent_as_its_payload(make_client, rasa_calls, typed: str) -> None:
    # A probe typed "Update the register", the title of the button just offered: it was read as words, and the report
    # the button starts never did.
    client = make_client(rasa_offering_a_person)
    conversation = start(client)
    say(client, conversation, "hello")

    say(client, conversation, typed)

    assert rasa_calls[-1]["message"] == "/request_officer"
    transcript = client.get(f"/api/chat/conversations/{conversation[0]}/messages", headers=conversation[1]).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "resident"][-1] == typed.strip()


def test_a_title_offered_before_the_last_message_is_words_again(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation = start(client)
    say(client, conversation, "hello")
    say(client, conversation, "something else")
    rasa_calls.clear()
    # The fake offers the button with every reply, so an offer stands; a conversation that never offered it does not.
    other = start(client)
    say(client, other, "Talk to a person")
    assert rasa_calls[-1]["message"] == "Talk to a person"


def test_a_payload_offered_in_another_conversation_is_not_honoured(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    offered, other = start(client), start(client)
    say(client, offered, "hello")

    say(client, other, "/request_officer")

    assert rasa_calls[-1] == {"sender": other[0], "message": "request_officer", "metadata": rasa_calls[-1]["metadata"]}


def test_nothing_but_slashes_gets_a_kind_answer_without_troubling_the_bot(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation = start(client)

    replies = say(client, conversation, " / ")

    assert [(m["sender"], m["text"]) for m in replies] == [("system", NOTHING_TO_READ)]
    assert rasa_calls == []


def telegram(client: TestClient, text: str, update_id: int) -> None:
    response = client.post("/api/v1/telegram/updates", json={"update_id": update_id, "chat_id": 777, "text": text})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("sent", "bot_receives"),
    [
        ("/start", "/greet"),
        ("/start@AshdownValeBot", "/greet"),
        ("/start from-the-council-website", "/greet"),
        ("/greet", "greet"),
        ('/inform{"postcode": "TN41 6PA"}', 'inform{"postcode": "TN41 6PA"}'),
    ],
)
def test_on_telegram_only_start_becomes_a_payload(make_client, rasa_calls, sent: str, bot_receives: str) -> None:
    client = make_client(rasa_offering_a_person, {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"})

    telegram(client, sent, update_id=1)

    assert rasa_calls[-1]["message"] == bot_receives


def test_on_telegram_a_tapped_title_is_sent_as_the_offered_payload(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person, {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"})
    telegram(client, "hello", update_id=1)

    telegram(client, "Talk to a person", update_id=2)

    assert rasa_calls[-1]["message"] == "/request_officer"
