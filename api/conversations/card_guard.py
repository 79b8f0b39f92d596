"""Hide card numbers in a resident's message as it is stored, also one split over consecutive messages.

A resident may send a card number in pieces ("4111 1111", then "1111 1111"). Neither piece is a card
number alone, so the resident's last few messages from the past minutes are read with the new one as a
single text; when the new message completes a number, the earlier messages holding its first digits are
rewritten in place (with any reply that repeated them, any knowledge gap's question that kept them, and any
handoff or service request the bot lodged quoting them), and
``rewritten_at`` tells the channels to replace (web, console) or delete (Telegram) what they showed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.conversations.card_numbers import MARKER, ascii_digit
from api.conversations.models import Handoff, Message
from api.conversations.redaction import redact_messages
from api.db import utcnow
from api.knowledge_gaps.models import KnowledgeGap
from api.service_requests.models import ServiceRequest

# How far back a number's first part may have been sent, and in how many messages. Eight earlier messages: a card
# read out a group a message, one group in two pieces, with "hang on" or "sorry" between (scripts/redaction_probe.py,
# seed 1: such cards kept 3,404 of 5,000 reading 3 earlier messages, 489 reading 8; ordinary conversations of the
# council's numbers and chat with something hidden 241 and 234 of 5,000: a wider window costs no false alarm).
SPLIT_WINDOW = timedelta(minutes=5)
EARLIER_MESSAGES = 8
# Messages with no digit in them ("hang on", "getting my purse") do not count towards the eight: a card's halves with
# nine chat messages between were read apart (round five). At most this many messages are read back all told.
MAX_EARLIER_WITH_CHAT = 20
HIDDEN_PIECE = "[card number removed]"
MIN_PIECE_DIGITS = 4
CARD_MARKER_START = "[card number removed"
ANCHOR_TAIL = "later"


@dataclass(frozen=True)
class Guarded:
    """The text to store for the new message, whether anything was hidden in it, and earlier messages rewritten."""

    text: str
    hidden: bool
    rewritten: list[Message] = field(default_factory=list)


def hide_card_numbers(session: Session, *, conversation_id: str, text: str) -> Guarded:
    """Return ``text`` with card details hidden, rewriting the resident's earlier messages that held part of one."""
    now = utcnow()
    recent = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "resident",
            Message.created_at >= now - SPLIT_WINDOW,
        )
        .order_by(Message.id.desc())
        .limit(MAX_EARLIER_WITH_CHAT)
    ).all()
    earlier = list(reversed(recent[: window_size([m.text for m in reversed(recent)])]))
    anchor = _hidden_card_before(session, conversation_id=conversation_id, since=now - SPLIT_WINDOW, earlier=earlier)
    *before, latest = redact_messages([*anchor, *(message.text for message in earlier), text])[len(anchor) :]
    rewritten = []
    for message, redacted in zip(earlier, before, strict=True):
        if redacted.text != message.text:
            message.text, message.rewritten_at = redacted.text, now
            rewritten.append(message)
    if rewritten:
        pieces = [piece for redacted in before for piece in redacted.removed]
        rewritten += _hide_copies(session, conversation_id=conversation_id, after=rewritten[0].id, pieces=pieces)
        _hide_in_gaps(session, conversation_id=conversation_id, after=rewritten[0].id, pieces=pieces)
        _hide_in_records(session, conversation_id=conversation_id, since=rewritten[0].created_at, pieces=pieces)
    return Guarded(text=latest.text, hidden=latest.hidden, rewritten=rewritten)


def window_size(texts: list[str], numbered: int = EARLIER_MESSAGES) -> int:
    """Return how many of the latest ``texts`` (oldest first) to read with a new message.

    Back to the ``numbered``-th holding a digit or a hidden card detail; the chat between is read too, so a card's
    pieces still join across it.
    """
    seen = 0
    for size, text in enumerate(reversed(texts), start=1):
        seen += any(ascii_digit(c) is not None for c in text) or ("removed" in text and MARKER.search(text) is not None)
        if seen == numbered:
            return size
    return len(texts)


def _hidden_card_before(
    session: Session, *, conversation_id: str, since: datetime, earlier: list[Message]
) -> list[str]:
    """Return the latest message of the past minutes with a hidden card number, if it is older than ``earlier``.

    Read as context only, never rewritten: a resident reading a card aloud field by field ("exp", "12/27", "cvv",
    "123") pushes the number out of the last few messages before the code comes, and "cvv 123" is a card's code
    only with a card in view. A word goes after it: messages came between, so a bare number in the first of
    ``earlier`` is not read as the card's code. Empty when there is none.
    """
    if not earlier:
        return []
    found = session.scalars(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "resident",
            Message.created_at >= since,
            Message.id < earlier[0].id,
            Message.text.contains(CARD_MARKER_START),
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    return [f"{found} {ANCHOR_TAIL}"] if found else []


def _piece_patterns(pieces: list[str]) -> list[re.Pattern[str]]:
    """Return patterns for the pieces of a card number, matching them also with their spaces collapsed.

    Only pieces of a card number itself (a code alone, "123", is also part of the council's phone number).
    A knowledge gap keeps a question with its runs of spaces, tabs and line breaks made one space.
    """
    return [
        re.compile(r"(?<!\d)" + r"\s+".join(map(re.escape, piece.split())) + r"(?!\d)")
        for piece in pieces
        if sum(ascii_digit(c) is not None for c in piece) >= MIN_PIECE_DIGITS
    ]


def _hide_in_gaps(session: Session, *, conversation_id: str, after: int, pieces: list[str]) -> None:
    """Hide the pieces in the questions of knowledge gaps the bot's replies since the first of them left.

    The bot may not have understood the first piece ("my card is 4111.1111"); the hub then kept it as a question
    for the knowledge team, which must not keep part of a card number either.
    """
    patterns = _piece_patterns(pieces)
    for gap in session.scalars(
        select(KnowledgeGap).where(KnowledgeGap.conversation_id == conversation_id, KnowledgeGap.message_id > after)
    ):
        for pattern in patterns:
            gap.question = pattern.sub(HIDDEN_PIECE, gap.question)


def _hide_in_records(session: Session, *, conversation_id: str, since: datetime, pieces: list[str]) -> None:
    """Hide the pieces in what the bot lodged from this chat since the first of them.

    A handoff's summary and packet, a service request's description, place and cancel reason: the bot quotes what
    the resident typed, which held only a piece of the number when it was lodged.
    """
    patterns = _piece_patterns(pieces)
    if not patterns:
        return

    def hidden(value: Any) -> Any:
        if isinstance(value, str):
            for pattern in patterns:
                value = pattern.sub(HIDDEN_PIECE, value)
            return value
        if isinstance(value, dict):
            return {key: hidden(item) for key, item in value.items()}
        if isinstance(value, list):
            return [hidden(item) for item in value]
        return value

    for handoff in session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.requested_at >= since)
    ):
        handoff.summary, handoff.packet = hidden(handoff.summary), hidden(handoff.packet)
    for request in session.scalars(
        select(ServiceRequest).where(
            or_(
                ServiceRequest.conversation_id == conversation_id,
                ServiceRequest.cancelled_in_conversation == conversation_id,
            ),
            or_(ServiceRequest.created_at >= since, ServiceRequest.cancelled_at >= since),
        )
    ):
        request.description, request.location_text = hidden(request.description), hidden(request.location_text)
        request.cancel_reason = hidden(request.cancel_reason)


def _hide_copies(session: Session, *, conversation_id: str, after: int, pieces: list[str]) -> list[Message]:
    """Hide the pieces in the bot's messages since the first of them: a reply may have repeated what was typed."""
    patterns = _piece_patterns(pieces)
    if not patterns:
        return []
    rewritten = []
    for message in session.scalars(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.sender != "resident", Message.id > after
        )
    ):
        text = message.text
        for pattern in patterns:
            text = pattern.sub(HIDDEN_PIECE, text)
        if text != message.text:
            message.text, message.rewritten_at = text, utcnow()
            rewritten.append(message)
    return rewritten
