"""Tables of the Telegram channel. Nothing about the resident is kept beyond the chat id Telegram assigns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, utcnow


class TelegramChat(Base):
    """A Telegram chat and the hub conversation its messages go to."""

    __tablename__ = "telegram_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TelegramUpdate(Base):
    """An update from Telegram already taken in, so a repeated delivery of it is dropped."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class TelegramDelivery(Base):
    """A hub message the bridge has handled: sent to the chat, or refused by Telegram (say, the bot was blocked)."""

    __tablename__ = "telegram_deliveries"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True, autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(16))
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
