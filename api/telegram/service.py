"""Telegram chats as hub conversations: updates taken in once, button titles turned into payloads, the outbox.

Everything the resident should see on Telegram (bot replies, system messages, officer replies) is a hub
message in a Telegram conversation; the bridge reads the ones not yet delivered and marks each one as it
goes. Deliveries are recorded per message rather than as a high-water mark: on PostgreSQL two
transactions can commit their messages out of id order, and a mark would skip the one that committed late.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Message
from api.conversations.payloads import payload_for_title
from api.db import Database, utcnow
from api.errors import DomainError
from api.knowledge_gaps import service as knowledge_gaps
from api.knowledge_gaps.models import AnswerRating
from api.telegram.models import TelegramChat, TelegramDelivery, TelegramUpdate

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Telegram's /start (a new user's first message, or a deep link "/start <parameter>") is a greeting: the hub
# sends the bot its greeting payload, the one payload it sends without having offered it as a button.
START_COMMAND = re.compile(r"^/start(@\w+)?(\s.*)?$", re.DOTALL)
GREETING_PAYLOAD = "/greet"
# Telegram keeps an undelivered update for 24 hours, so an update id older than this cannot come back.
UPDATE_MEMORY = timedelta(days=2)


@dataclass(frozen=True)
class AcceptedMessage:
    """A new message from a chat: the conversation it belongs to and the text to route there."""

    conversation_id: str
    text: str
    # The text is a payload the hub chose (the greeting for /start), not something the resident typed.
    hub_payload: bool = False


def accept_update(database: Database, *, update_id: int, chat_id: int, text: str) -> AcceptedMessage | None:
    """Record the update and return where its text goes, or None when this update was taken in before.

    The first message from a chat opens its conversation. A reply-keyboard tap arrives as the button's
    title, so a title of the buttons the resident was last offered becomes that button's payload, and
    /start becomes the greeting.
    """
    for attempt in (1, 2):
        try:
            with database.sessions.begin() as session:
                session.add(TelegramUpdate(update_id=update_id))
                session.flush()
                conversation_id = _conversation_for_chat(session, chat_id=chat_id)
                session.execute(delete(TelegramUpdate).where(TelegramUpdate.received_at < utcnow() - UPDATE_MEMORY))
                if START_COMMAND.match(text):
                    return AcceptedMessage(conversation_id=conversation_id, text=GREETING_PAYLOAD, hub_payload=True)
                text = payload_for_title(session, conversation_id=conversation_id, text=text)
                return AcceptedMessage(conversation_id=conversation_id, text=text)
        except IntegrityError:
            with database.sessions() as session:
                if session.get(TelegramUpdate, update_id) is not None:
                    log.info("telegram update %s dropped: already taken in", update_id)
                    return None
            if attempt == 2:
                raise
            # Two first messages from one chat raced to open its conversation; the other one won, so use it.
    raise AssertionError("unreachable")


def _conversation_for_chat(session: Session, *, chat_id: int) -> str:
    chat = session.get(TelegramChat, chat_id)
    if chat is not None:
        return chat.conversation_id
    created = conversations.create_conversation(session, channel=CHANNEL)
    session.add(TelegramChat(chat_id=chat_id, conversation_id=created.conversation_id))
    session.flush()
    return created.conversation_id


def pending_messages(session: Session, *, limit: int) -> list[dict[str, Any]]:
    """Return up to ``limit`` undelivered messages of Telegram conversations, oldest first, with their chat ids."""
    query = (
        select(
            Message.id,
            TelegramChat.chat_id,
            Message.sender,
            Message.text,
            Message.buttons,
            Message.author,
            Message.article,
        )
        .join(TelegramChat, TelegramChat.conversation_id == Message.conversation_id)
        .outerjoin(TelegramDelivery, TelegramDelivery.message_id == Message.id)
        .where(TelegramDelivery.message_id.is_(None), Message.sender != "resident")
        .order_by(Message.id)
        .limit(limit)
    )
    return [
        {
            "message_id": row.id,
            "chat_id": row.chat_id,
            "sender": row.sender,
            "text": row.text,
            "buttons": row.buttons or None,
            "author": row.author,
            "rateable": row.sender == "bot" and row.article is not None,
        }
        for row in session.execute(query)
    ]


class NotATelegramMessage(DomainError):
    """No message of a Telegram conversation has this id."""

    status_code = 404
    detail = "No such Telegram message."


def mark_delivered(session: Session, *, message_id: int, outcome: str) -> None:
    """Record that the bridge handled the message; a second mark of the same message changes nothing."""
    is_telegram = session.scalar(
        select(Message.id)
        .join(TelegramChat, TelegramChat.conversation_id == Message.conversation_id)
        .where(Message.id == message_id)
    )
    if is_telegram is None:
        raise NotATelegramMessage
    if session.get(TelegramDelivery, message_id) is None:
        session.add(TelegramDelivery(message_id=message_id, outcome=outcome))
        session.flush()


def rate_answer(session: Session, *, chat_id: int, message_id: int, helpful: bool) -> AnswerRating:
    """Record a Telegram resident's rating of a knowledge answer in their own chat's conversation.

    The chat is the resident's credential on this channel (Telegram says who tapped); an answer of another
    chat, or a chat the hub does not know, raises ``knowledge_gaps.NotRateable``.
    """
    chat = session.get(TelegramChat, chat_id)
    if chat is None:
        raise knowledge_gaps.NotRateable
    return knowledge_gaps.rate_answer(
        session, conversation_id=chat.conversation_id, message_id=message_id, helpful=helpful
    )
