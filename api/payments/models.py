"""Tables of council tax accounts, their instalments and payments (money in pence), and the assistant's records.

The assistant adds: attempts to prove an account is the caller's (kept only to enforce lockouts; nothing
typed is kept), the conversations that have proved it, and requests for a receipt or statement by email.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, utcnow


class CouncilTaxAccount(Base):
    """A council tax account for one property and its liable person."""

    __tablename__ = "council_tax_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    holder_first_name: Mapped[str] = mapped_column(String(80))
    holder_last_name: Mapped[str] = mapped_column(String(80))
    holder_date_of_birth: Mapped[date] = mapped_column(Date)
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn"), index=True)
    band: Mapped[str] = mapped_column(String(1))
    annual_charge_pence: Mapped[int] = mapped_column(Integer)
    instalment_plan: Mapped[int] = mapped_column(Integer, default=10)
    # none, reminder, final_notice, summons, liability_order
    recovery_stage: Mapped[str] = mapped_column(String(20), default="none")
    # The holder's email address as the council holds it (from their sign-up or a form): receipts and
    # statements go only here, never to an address typed in a chat. None: not known, so nothing is emailed.
    email: Mapped[str | None] = mapped_column(String(254))

    instalments: Mapped[list[Instalment]] = relationship(order_by="Instalment.due_date")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.paid_on")


class Instalment(Base):
    """One instalment of an account's yearly bill."""

    __tablename__ = "instalments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    """A payment received against an account."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))


class AccountVerificationAttempt(Base):
    """One attempt, through the assistant, to prove a council tax account is the caller's.

    ``account_id`` is the account the details pointed at, if any: failures against one account count
    whichever conversation they come from. Nothing the caller typed is kept.
    """

    __tablename__ = "account_verification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    # Where the attempt came from (the conversation's source), and why it was refused unchecked, if it was.
    client_source: Mapped[str | None] = mapped_column(String(32), index=True)
    refused: Mapped[str | None] = mapped_column(String(16))


class AccountVerification(Base):
    """A conversation's proven link to a council tax account, until it expires or is ended."""

    __tablename__ = "account_verifications"

    # One per conversation: proving another account replaces the earlier one.
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentRequest(Base):
    """A receipt or statement a verified account holder asked to be emailed.

    The address is the account's own at the time of the request, kept because the email is sent (and
    resent while it is queued) to it; it is never logged. ``status``: queued (not sent yet), sending (a
    send in progress), sent.
    """

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    # receipt, statement
    kind: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
