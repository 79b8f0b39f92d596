"""Record knowledge gaps and residents' ratings of knowledge answers.

A gap is recorded when the bot's reply carries a gap marker (bot/actions/knowledge.py: nothing found, a
clarifying question, a guess from a middling match) and when a resident marks an answer as not helpful.
The question is kept so a supervisor can see what residents ask; it is the resident's message of that turn
only, stored with card numbers (already hidden by the hub), dates, email addresses, phone numbers and the
inward part of postcodes hidden, and it goes with the conversation under the retention schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.db import dialect_insert, utcnow
from api.errors import DomainError
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.observability.metrics import ANSWER_RATINGS, KNOWLEDGE_GAPS

NOT_HELPFUL = "not_helpful"
# The bot understood nothing and found no article (bot/actions/knowledge.py GAP_UNANSWERED).
UNANSWERED = "unanswered"
GAP_KINDS = (UNANSWERED, "clarified", "low_confidence", NOT_HELPFUL)
# Longer questions are cut: a supervisor needs the gist, and less text is less to protect.
QUESTION_CHARS = 300
MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?"
)
# What a question must not keep: a date (of birth, say), an email address, a phone or other long number,
# and a full postcode (its outward part, the district, is kept: it says where, not who).
HIDDEN = (
    (re.compile(r"\b\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}\b"), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?({MONTHS})\.?,?\s+\d{{2,4}}\b", re.IGNORECASE), "[date]"),
    (re.compile(rf"\b({MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{2,4}}\b", re.IGNORECASE), "[date]"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"\+?\d[\d ()-]{8,}\d"), "[number]"),
    (re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*\d[A-Z]{2}\b", re.IGNORECASE), r"\1 [postcode]"),
)


class NotRateable(DomainError):
    """No knowledge answer of the bot has this id in this conversation."""

    status_code = 404
    detail = "There is no answer to rate with this id."


def mask_question(text: str) -> str:
    """Return ``text`` as a gap keeps it: details that could identify someone hidden, and cut to length."""
    for pattern, replacement in HIDDEN:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1].rstrip() + "…"


def record_gap(session: Session, *, reply: Message, question: str, kind: str) -> None:
    """Record that ``reply`` showed a gap for the resident's ``question`` (once per reply and kind).

    A button's payload ("/deny") is no question, so it is not kept.
    """
    if kind not in GAP_KINDS or not question.strip() or question.lstrip().startswith("/"):
        return
    added = session.execute(
        dialect_insert(session, KnowledgeGap)
        .values(
            conversation_id=reply.conversation_id,
            message_id=reply.id,
            kind=kind,
            question=mask_question(question),
            article=reply.article,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["message_id", "kind"])
    )
    if cast(CursorResult[Any], added).rowcount:
        KNOWLEDGE_GAPS.labels(kind=kind).inc()


def question_before(session: Session, reply: Message) -> str:
    """Return what the resident typed that led to ``reply``: their message just before it, or the one before a tap.

    A clarifying question's button sends a payload; the question behind the answer is the one typed before
    it. No further back: an older message may be an answer to one of the form's questions (a name).
    """
    latest = session.scalars(
        select(Message.text)
        .where(Message.conversation_id == reply.conversation_id, Message.sender == "resident", Message.id < reply.id)
        .order_by(Message.id.desc())
        .limit(2)
    ).all()
    typed = [text for text in latest[:1] if not text.startswith("/")] or [
        text for text in latest[1:] if latest[0].startswith("/") and not text.startswith("/")
    ]
    return typed[0] if typed else ""


def rate_answer(session: Session, *, conversation_id: str, message_id: int, helpful: bool) -> AnswerRating:
    """Record the resident's rating of a knowledge answer in their own conversation; rating again replaces it.

    A "not helpful" puts the question behind the answer on the gaps list; changing it to "helpful" takes it off.
    """
    reply = session.get(Message, message_id)
    if reply is None or reply.conversation_id != conversation_id or not reply.rateable or reply.article is None:
        raise NotRateable
    now = utcnow()
    session.execute(
        dialect_insert(session, AnswerRating)
        .values(
            message_id=reply.id, conversation_id=conversation_id, article=reply.article, helpful=helpful, rated_at=now
        )
        .on_conflict_do_update(index_elements=["message_id"], set_={"helpful": helpful, "rated_at": now})
    )
    ANSWER_RATINGS.labels(helpful=str(helpful).lower()).inc()
    if helpful:
        session.execute(
            delete(KnowledgeGap).where(KnowledgeGap.message_id == reply.id, KnowledgeGap.kind == NOT_HELPFUL)
        )
    else:
        record_gap(session, reply=reply, question=question_before(session, reply), kind=NOT_HELPFUL)
    return session.get_one(AnswerRating, reply.id, populate_existing=True)


@dataclass(frozen=True)
class GapCounts:
    """A period's questions the assistant could not answer well, and answers residents marked not helpful."""

    gaps: int
    not_helpful: int


def counts_between(session: Session, *, start: datetime, end: datetime) -> GapCounts:
    """Count the knowledge gaps recorded and the not-helpful ratings given in [start, end)."""
    gaps = select(func.count()).select_from(KnowledgeGap)
    not_helpful = select(func.count()).select_from(AnswerRating).where(AnswerRating.helpful.is_(False))
    return GapCounts(
        gaps=session.scalar(gaps.where(KnowledgeGap.created_at >= start, KnowledgeGap.created_at < end)) or 0,
        not_helpful=session.scalar(not_helpful.where(AnswerRating.rated_at >= start, AnswerRating.rated_at < end)) or 0,
    )
