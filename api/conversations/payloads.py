"""Rasa's payload syntax belongs to the hub's buttons, never to what a resident types.

Rasa reads a message that starts with "/" as an intent with entities (``/inform{"postcode": "TN41 6PA"}``),
skipping language understanding, so a resident could fill the bot's slots with anything by typing one.
A message in that syntax reaches Rasa as such only when it is the payload of a button the hub offered in
this conversation (the web widget sends a tapped button's payload; the Telegram service turns a tapped
title back into it) or one the hub itself sends (Telegram's /start). Anything else loses its leading
slashes and is understood as words.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.conversations.models import Message

# Rasa's INTENT_MESSAGE_PREFIX: a message starting with it (after spaces) is parsed as a payload.
PAYLOAD_PREFIX = "/"
LEADING_PAYLOAD_MARKS = re.compile(r"^[\s/]+")


def offered_payloads(session: Session, *, conversation_id: str) -> set[str]:
    """Return the payloads of every button the bot, an officer or the hub offered in the conversation."""
    offers = session.scalars(
        select(Message.buttons).where(
            Message.conversation_id == conversation_id, Message.sender != "resident", Message.buttons.is_not(None)
        )
    )
    return {str(button.get("payload", "")) for buttons in offers for button in buttons or []}


def text_for_bot(session: Session, *, conversation_id: str, text: str, hub_payload: bool = False) -> str:
    """Return what the bot should receive for ``text``: an offered payload as it is, typed syntax as words.

    ``hub_payload`` marks a payload the hub chose itself (not one typed by the resident). The result is
    empty when the resident typed nothing but slashes.
    """
    if hub_payload:
        return text
    if not text.lstrip().startswith(PAYLOAD_PREFIX):
        # "Update the register" typed in the web chat, the title of the button just offered, was read as words (a
        # register-timing question) and the report it offers never started (a probe): it is the button's payload.
        return payload_for_title(session, conversation_id=conversation_id, text=text)
    if text in offered_payloads(session, conversation_id=conversation_id):
        return text
    return LEADING_PAYLOAD_MARKS.sub("", text)


def payload_for_title(session: Session, *, conversation_id: str, text: str) -> str:
    """Return the payload of the button titled ``text`` among those offered since the resident's last message.

    Telegram's reply keyboard sends a tapped button's title; a web resident may type it. Either way it is the
    button's payload. Anything else is returned as it is.
    """
    last_resident = (
        session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conversation_id, Message.sender == "resident")
        )
        or 0
    )
    offered = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.sender != "resident", Message.id > last_resident)
        .order_by(Message.id.desc())
    )
    typed = " ".join(text.split()).casefold()
    for message in offered:
        for button in message.buttons or []:
            if str(button.get("title", "")).casefold() == typed:
                return str(button["payload"])
    return text
