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

from sqlalchemy import select
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
    if hub_payload or not text.lstrip().startswith(PAYLOAD_PREFIX):
        return text
    if text in offered_payloads(session, conversation_id=conversation_id):
        return text
    return LEADING_PAYLOAD_MARKS.sub("", text)
