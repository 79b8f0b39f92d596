"""Tables of conversations, their messages and handoffs to officers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, utcnow


class Mode(enum.StrEnum):
    """Who answers the resident: the bot, the bot while an officer is awaited, or an officer."""

    BOT = "bot"
    QUEUED = "queued"
    OFFICER = "officer"


class Conversation(Base):
    """One conversation with a resident on one channel."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    mode: Mapped[str] = mapped_column(String(16), default=Mode.BOT.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the resident is asked how we did; the answer (1 very poor to 5 very good) and when.
    rating_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The pseudonymous source (api.access.source) of the web client that started it: identity checks made
    # in the conversation are charged to it, so failures lock the place they come from, not the person named.
    client_source: Mapped[str | None] = mapped_column(String(32))

    messages: Mapped[list[Message]] = relationship(order_by="Message.id", back_populates="conversation")


class Message(Base):
    """A message in a conversation, from the resident, the bot, an officer or the system."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Who wrote an officer's message or caused a notice, as the resident sees it ("Priya, Customer Focus").
    author: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the hub rewrote the text after storing it: the resident's next message completed a card number.
    rewritten_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The knowledge article a bot message quoted (its slug): residents may say whether it helped.
    article: Mapped[str | None] = mapped_column(String(80))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def rateable(self) -> bool:
        """Say whether the resident may mark this message helpful or not: the bot's knowledge answers only."""
        return self.sender == "bot" and self.article is not None


class Handoff(Base):
    """A request for an officer to take a conversation over."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    # waiting (office hours, in the queue) or callback (out of hours); then claimed, resolved, returned
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    # The officers' queue it waits in: electoral_services or customer_focus (supervisors see both).
    queue: Mapped[str] = mapped_column(String(32), default="customer_focus", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # What the bot knew when it handed over: the topic, what the resident wanted, what it collected (redacted).
    packet: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Note(Base):
    """An officer's internal note on a conversation; never shown to the resident."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
