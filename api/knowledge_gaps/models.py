"""Tables of residents' ratings of knowledge answers and of the questions the assistant could not answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, utcnow


class AnswerRating(Base):
    """A resident's word on one knowledge answer: helpful or not (one per message; a later tap replaces it)."""

    __tablename__ = "answer_ratings"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True, autoincrement=False)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    article: Mapped[str] = mapped_column(String(80), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KnowledgeGap(Base):
    """A question the assistant could not answer, asked back about, guessed at, or answered unhelpfully.

    ``question`` is the resident's message with card numbers, dates, emails, phone numbers and full
    postcodes hidden; only messages of unanswered turns are kept (never an answer to a form's question), and
    they go with the conversation or after the transcript retention period, whichever comes first.
    """

    __tablename__ = "knowledge_gaps"
    __table_args__ = (UniqueConstraint("message_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    # The bot's reply that showed the gap (its clarifying question, its apology, the unhelpful answer).
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    # unanswered, clarified, low_confidence or not_helpful
    kind: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    # The article the reply gave, if it gave one (a guess, or an answer marked not helpful).
    article: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
