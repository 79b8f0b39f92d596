"""Receipts and statements emailed to a verified account holder.

A request is recorded first and committed by the caller, then sent (``deliver``): if the mail server is
unreachable the request stays "queued" and nothing fails; asking again with the same idempotency key, or
``deliver_queued``, tries again. A request is claimed ("sending") before its email goes, so two retries
at once never send it twice. It goes only to the email address the council holds for the account, never
to one given in the chat (an account without one gets nothing: ``NoEmailOnFile``). The address is stored
to send to and never logged; the reply shows it masked.
No card data exists anywhere to put in an email.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from api.errors import DomainError
from api.idempotency import IdempotencyConflict, Recorded, by_key, insert_once, new_reference
from api.payments import service
from api.payments.mail import Email, MailNotSent, send_email
from api.payments.models import CouncilTaxAccount, DocumentRequest, Payment
from api.payments.schemas import DocumentRequestCreate, DocumentRequestRead
from api.payments.verification import verified_account
from api.records import RecordSummary
from api.settings import Settings

log = logging.getLogger(__name__)


class NoEmailOnFile(DomainError):
    """The account holds no email address, so there is nowhere safe to send a document."""

    status_code = 409
    detail = "no_email_on_file"  # the action server recognises this word (bot/backoffice.py)


def request_document(session: Session, *, request: DocumentRequestCreate, now: datetime) -> Recorded[str]:
    """Record a receipt or statement request for the verified account and return its reference.

    Raises NotVerified, PaymentNotFound (a payment not on the verified account), NoEmailOnFile or
    IdempotencyConflict.
    """
    now = now.astimezone(UTC)
    account = verified_account(session, conversation_id=request.conversation_id, now=now)
    payment = service.own_payment(session, account, request.payment_reference) if request.payment_reference else None
    if not account.email:
        raise NoEmailOnFile
    email = normalise_email(account.email)
    row = by_key(session, DocumentRequest, request.idempotency_key)
    created = False
    if row is None:
        row, created = insert_once(
            session,
            DocumentRequest(
                reference=new_reference(session, DocumentRequest, "DR"),
                idempotency_key=request.idempotency_key,
                conversation_id=request.conversation_id,
                account_id=account.id,
                kind=request.kind,
                payment_id=payment.id if payment else None,
                email=email,
                status="queued",
                created_at=now,
            ),
        )
    if created:
        log.info("document request %s recorded: %s", row.reference, row.kind)
    elif (row.account_id, row.kind, row.payment_id, row.email) != (
        account.id,
        request.kind,
        payment.id if payment else None,
        email,
    ):
        raise IdempotencyConflict
    return Recorded(row.reference, created)


def deliver(session: Session, *, reference: str, settings: Settings, today: date, now: datetime) -> DocumentRequestRead:
    """Send the request's email unless it has gone (or is going); return the request with its status.

    Commits the claim before sending, so the caller must have committed the request itself.
    """
    row = session.scalars(select(DocumentRequest).where(DocumentRequest.reference == reference)).one()
    email = compose(session, row, council_name=settings.council_name, today=today)
    claimed = (
        cast(
            CursorResult[Any],
            session.execute(
                update(DocumentRequest)
                .where(DocumentRequest.id == row.id, DocumentRequest.status == "queued")
                .values(status="sending")
            ),
        ).rowcount
        == 1
    )
    session.commit()  # the claim holds before the email goes, and no transaction stays open while it does
    if not claimed:
        session.refresh(row)  # sent already, or being sent by a concurrent retry
    else:
        set_committed_value(row, "status", "sending")  # what the UPDATE wrote, so the outcome below is flushed
        try:
            send_email(settings, email)
        except MailNotSent as error:
            row.status = "queued"
            log.warning("document request %s queued: mail server unavailable (%s)", row.reference, error)
        else:
            row.status, row.sent_at = "sent", now.astimezone(UTC)
            log.info("document request %s sent", row.reference)
        session.flush()
    return DocumentRequestRead(
        reference=row.reference,
        kind=cast(Any, row.kind),
        sent_to=mask_email(row.email),
        status="sent" if row.status == "sent" else "queued",
    )


def deliver_queued(session: Session, *, settings: Settings, today: date, now: datetime) -> int:
    """Try again to send every queued request (for a scheduled job); return how many went."""
    references = session.scalars(
        select(DocumentRequest.reference).where(DocumentRequest.status == "queued").order_by(DocumentRequest.id)
    ).all()
    return sum(
        deliver(session, reference=reference, settings=settings, today=today, now=now).status == "sent"
        for reference in references
    )


def compose(session: Session, row: DocumentRequest, *, council_name: str, today: date) -> Email:
    """Write the receipt or statement as a plain-text email."""
    account = session.get_one(CouncilTaxAccount, row.account_id)
    if row.kind == "receipt":
        payment = session.get_one(Payment, row.payment_id)
        lines = [
            f"{council_name}: council tax receipt",
            "",
            f"Account reference: {account.reference}",
            f"Payment reference: {payment.reference}",
            f"Date received: {payment.paid_on:%-d %B %Y}",
            f"Amount: {service.format_pence(payment.amount_pence)}",
            f"Method: {payment.method.replace('_', ' ')}",
            "",
            "Thank you for your payment. Keep this email as your receipt.",
        ]
        return Email(row.email, f"Council tax receipt {payment.reference}", "\n".join(lines) + "\n")
    summary = service.summarise(session, account, today=today)
    payments = service.year_payments(session, account)
    lines = [
        f"{council_name}: council tax statement for 2026/27, as at {today:%-d %B %Y}",
        "",
        f"Account reference: {summary.account_reference}",
        f"Band: {summary.band}",
        f"Annual charge: {summary.annual_charge}",
        f"Instalments: {summary.instalment_plan} a year",
        "",
        "Payments received this year:",
    ]
    lines += [
        f"  {p.paid_on:%-d %b %Y}  {p.reference}  {service.format_pence(p.amount_pence)}  {p.method.replace('_', ' ')}"
        for p in reversed(payments)
    ] or ["  none"]
    lines += ["", f"Paid this year: {summary.paid_this_year}", f"Balance: {summary.balance}"]
    if summary.credit:
        lines.append(f"In credit: {summary.credit}")
    if summary.next_instalment:
        lines.append(
            f"Next instalment: {summary.next_instalment.amount} due on {summary.next_instalment.due_date:%-d %B %Y}"
        )
    lines += ["", summary.recovery_explanation]
    return Email(row.email, f"Council tax statement {account.reference}", "\n".join(lines) + "\n")


def normalise_email(address: str) -> str:
    """Return ``address`` with its domain in lower case (the part before the @ is the mailbox's own)."""
    mailbox, _, domain = address.strip().rpartition("@")
    return f"{mailbox}@{domain.lower()}"


def mask_email(address: str) -> str:
    """Show enough of an address to recognise it: "rita.r@example.com" -> "r***@e***.com"."""
    mailbox, _, domain = address.rpartition("@")
    name, _, suffix = domain.partition(".")
    return f"{mailbox[:1]}***@{name[:1]}***.{suffix}"


def records_of_conversation(session: Session, conversation_id: str) -> list[RecordSummary]:
    """List the receipts and statements asked for in a conversation, for an officer whose work needs them."""
    return [
        RecordSummary(f"Council tax {r.kind}", r.reference, r.status)
        for r in session.scalars(select(DocumentRequest).where(DocumentRequest.conversation_id == conversation_id))
    ]
