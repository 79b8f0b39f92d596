"""Tables of requests for service and the updates officers add to them (an Open311-like status model)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, utcnow


class ServiceRequest(Base):
    """A request for service lodged by a resident."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    uprn: Mapped[int | None] = mapped_column(ForeignKey("properties.uprn"))
    location_text: Mapped[str] = mapped_column(String(240), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # open, in_progress, closed, cancelled (by the person who reported it, while not closed)
    status: Mapped[str] = mapped_column(String(16), default="open")
    responsible_team: Mapped[str] = mapped_column(String(80), default="")
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # The chat it was lodged in, when the assistant lodged it.
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expected_by: Mapped[date | None] = mapped_column(Date)
    # Who cancelled it, when and why: how the reporter was shown (reporting_chat or reporter_email), the chat
    # they cancelled it in (an officer reading that chat sees it), and their reason in their words.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    cancelled_in_conversation: Mapped[str | None] = mapped_column(String(64), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    updates: Mapped[list[ServiceRequestUpdate]] = relationship(order_by="ServiceRequestUpdate.created_at")


class ServiceRequestUpdate(Base):
    """A status note on a request; only public ones are shown to the resident."""

    __tablename__ = "service_request_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class ReporterEmailCheck(Base):
    """One email given, from a chat that did not report it, to show it is a request's reporter.

    Counted with the identity checks' lockouts (api/verification_common.py): one email address after another, from
    one chat, from one client address or at one request, is held back, so the email on a report cannot be guessed
    from chat after chat. Nothing the caller typed is kept: only whether it matched.
    """

    __tablename__ = "reporter_email_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    client_source: Mapped[str | None] = mapped_column(String(32), index=True)
    refused: Mapped[str | None] = mapped_column(String(16))


class ReporterMail(Base):
    """An email sent to the address given with a report, for someone in another chat who gave that address.

    The email given is no proof on its own (the demo's, and many real ones, are guessable), so it only sends
    something to the address: a one-time code (``kind`` "code") whose typing back, in the chat that asked, shows
    the reporter for cancelling; or the latest news on the request (``kind`` "note"). Only a keyed hash of the
    code is kept; wrong codes are counted, and a code lasts a few minutes (api/service_requests/reporter_mail.py).
    """

    __tablename__ = "reporter_mails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
