"""The audit log: who viewed, exported or erased a conversation, and when; never the data itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, utcnow


class AuditEntry(Base):
    """One officer action on a conversation holding personal data (or one run of the retention purge).

    ``conversation_id`` is not a foreign key: the entry must outlive the conversation it records, an erasure
    above all. ``detail`` says what, in words that hold no personal data (a handoff reference, counts).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # None for the purge, which no officer runs.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    # view, export, erase, purge
    action: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(48), index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
