"""A message over 2,000 characters gets a kind sentence on the web chat and on Telegram, and nothing is kept of it.

Before, the web chat's endpoint answered with pydantic's list of problems ("String should have at most 2000
characters") and Telegram took in anything up to Telegram's own 4,096, passing it to the bot.
"""

from __future__ import annotations

from sqlalchemy import func, select

from api.conversations.models import Message
from tests.support.hub import TOO_LONG, start
from tests.support.rasa_fakes import rasa_offering_a_person
from tests.support.telegram_hub import CHAT, SERVICE, outbox, send

LONG = "Please help with my bin. " * 81  # 2,025 characters


def resident_messages(open_session, database_url: str) -> int:
    with open_session(database_url) as session:
        return session.scalar(select(func.count()).select_from(Message).where(Message.sender == "resident")) or 0


def test_an_overlong_web_message_gets_a_kind_sentence_and_is_not_kept(
    make_client, open_session, database_url, rasa_calls
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": LONG}, headers=auth)

    assert response.status_code == 422
    assert response.json() == {"detail": TOO_LONG}
    assert resident_messages(open_session, database_url) == 0
    assert rasa_calls == []
    # The chat goes on: a shorter part is taken as usual.
    again = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": LONG[:500]}, headers=auth)
    assert again.status_code == 200


def test_other_refusals_still_name_the_problem_without_echoing_the_text(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "  "}, headers=auth)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_an_overlong_telegram_message_gets_a_kind_reply_and_is_not_kept(
    make_client, open_session, database_url, rasa_calls
) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = send(client, LONG, update_id=1)

    assert accepted["duplicate"] is False and accepted["message_id"] is None
    assert [m["text"] for m in outbox(client)] == [TOO_LONG]
    assert resident_messages(open_session, database_url) == 0
    assert rasa_calls == []
    # Telegram delivering the same update again is dropped, not answered twice.
    assert send(client, LONG, update_id=1)["duplicate"] is True
    assert len(outbox(client)) == 1


def test_an_overlong_telegram_message_with_a_card_number_is_deleted_from_the_chat(make_client) -> None:
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = send(client, LONG + " my card is 4111 1111 1111 1111", update_id=1, chat_id=CHAT)

    assert accepted["card_number_hidden"] is True
