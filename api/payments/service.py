"""The verified account holder's view of their account: the year's bill, payments, balance and next instalment.

Everything here needs a live verification (``verification.verified_account``). A payment is shown only
if it belongs to the verified account; any other reference, whether or not it exists, is "not found".
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.payments import recovery
from api.payments.models import CouncilTaxAccount, Instalment, Payment
from api.payments.schemas import AccountSummary, InstalmentRead, PaymentDetail, PaymentRead
from api.payments.verification import verified_account

# The accounts hold one year's bill: 2026/27 (1 April to 31 March).
BILLING_YEAR_START = date(2026, 4, 1)
BILLING_YEAR_END = date(2027, 3, 31)
PAYMENT_REFERENCE = re.compile(r"^PAY-?(\d{8})$")
RECENT_PAYMENTS = 3


class PaymentNotFound(DomainError, LookupError):
    """No payment with that reference on the verified account (whether or not it exists elsewhere)."""

    status_code = 404
    detail = "not found"


def format_pence(pence: int) -> str:
    """Format a non-negative amount in pence as pounds, e.g. 123456 -> "£1,234.56"."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def normalise_payment_reference(text: str) -> str | None:
    """Return ``text`` as a payment reference ("pay 1234 5678" -> "PAY-12345678"), or None if it is not one."""
    match = PAYMENT_REFERENCE.match("".join(text.split()).upper())
    return f"PAY-{match[1]}" if match else None


def account_summary(session: Session, *, conversation_id: str, today: date, now: datetime) -> AccountSummary:
    """Return the verified account's bill, payments, balance, next instalment and recovery stage."""
    return summarise(session, verified_account(session, conversation_id=conversation_id, now=now), today=today)


def summarise(session: Session, account: CouncilTaxAccount, *, today: date) -> AccountSummary:
    """Describe ``account`` as it stands on ``today``."""
    payments = year_payments(session, account)
    paid = sum(payment.amount_pence for payment in payments)
    left = account.annual_charge_pence - paid
    return AccountSummary(
        account_reference=account.reference,
        band=account.band,
        annual_charge=format_pence(account.annual_charge_pence),
        instalment_plan=account.instalment_plan,
        paid_this_year=format_pence(paid),
        balance=format_pence(max(left, 0)),
        credit=format_pence(-left) if left < 0 else None,
        next_instalment=_next_instalment(session, account, paid=paid, today=today),
        overdue=_overdue(session, account, paid=paid, today=today),
        recovery_stage=account.recovery_stage,
        recovery_explanation=recovery.explain(account.recovery_stage),
        recent_payments=[_payment_read(payment) for payment in payments[:RECENT_PAYMENTS]],
    )


def year_payments(session: Session, account: CouncilTaxAccount) -> list[Payment]:
    """Return the account's payments in the billing year, newest first."""
    return list(
        session.scalars(
            select(Payment)
            .where(
                Payment.account_id == account.id,
                Payment.paid_on >= BILLING_YEAR_START,
                Payment.paid_on <= BILLING_YEAR_END,
            )
            .order_by(Payment.paid_on.desc(), Payment.reference.desc())
        )
    )


def find_payment(session: Session, *, conversation_id: str, reference: str, now: datetime) -> PaymentDetail:
    """Return a payment on the verified account; raise PaymentNotFound for any other reference."""
    account = verified_account(session, conversation_id=conversation_id, now=now)
    payment = own_payment(session, account, reference)
    return PaymentDetail(**_payment_read(payment).model_dump(), account_reference=account.reference)


def own_payment(session: Session, account: CouncilTaxAccount, reference: str) -> Payment:
    """Return the payment ``reference`` (as typed) if it is on ``account``; raise PaymentNotFound otherwise."""
    normalised = normalise_payment_reference(reference)
    payment = (
        session.scalar(select(Payment).where(Payment.reference == normalised, Payment.account_id == account.id))
        if normalised
        else None
    )
    if payment is None:
        raise PaymentNotFound
    return payment


def _next_instalment(session: Session, account: CouncilTaxAccount, *, paid: int, today: date) -> InstalmentRead | None:
    """Return the first instalment due from ``today`` on that the payments so far do not cover.

    Payments cover instalments in due-date order, so one paid early counts towards the next. After a final
    notice instalments no longer apply: the whole balance is due, as the recovery explanation says.
    """
    if account.recovery_stage in recovery.INSTALMENTS_LOST:
        return None
    covered = paid
    for instalment in session.scalars(
        select(Instalment).where(Instalment.account_id == account.id).order_by(Instalment.due_date, Instalment.id)
    ):
        owing = instalment.amount_pence - max(min(covered, instalment.amount_pence), 0)
        covered -= instalment.amount_pence
        if owing > 0 and instalment.due_date >= today:
            return InstalmentRead(due_date=instalment.due_date, amount=format_pence(owing))
    return None


def _overdue(session: Session, account: CouncilTaxAccount, *, paid: int, today: date) -> InstalmentRead | None:
    """Return what the payments so far leave unpaid of the instalments due before ``today``, with the earliest date.

    A probe's balance said "8 of 12 paid, next instalment 1 January" on 4 December: the 1 December instalment, not
    paid, was not mentioned, and "am I behind?" got the same answer.
    """
    if account.recovery_stage in recovery.INSTALMENTS_LOST:
        return None
    covered, owing, earliest = paid, 0, None
    for instalment in session.scalars(
        select(Instalment)
        .where(Instalment.account_id == account.id, Instalment.due_date < today)
        .order_by(Instalment.due_date, Instalment.id)
    ):
        short = instalment.amount_pence - max(min(covered, instalment.amount_pence), 0)
        covered -= instalment.amount_pence
        if short > 0:
            owing += short
            earliest = earliest or instalment.due_date
    return InstalmentRead(due_date=earliest, amount=format_pence(owing)) if earliest else None


def _payment_read(payment: Payment) -> PaymentRead:
    return PaymentRead(
        reference=payment.reference,
        date=payment.paid_on,
        amount=format_pence(payment.amount_pence),
        method=payment.method.replace("_", " "),
    )
