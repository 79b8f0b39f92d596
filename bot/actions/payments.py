"""The council tax tasks: payments, the balance, recovery and documents, with what the assistant says.

Every task here needs a proved council tax account; ``TASKS`` at the end declares them for bot.tasks_registry.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.actions.common import council_phone
from bot.actions.electoral import long_date
from bot.actions.task_kit import Task, conversation_of, request_key
from bot.backoffice import BackOffice, NoEmailOnFile, NotFound
from bot.backoffice_models import Account, DocumentSent, Payment
from bot.names import LATEST, UNKNOWN
from council import council_facts

PAY_PAGE = council_facts().payment_url
COUNCIL_TAX_PHONE = council_facts().phone

NOT_VERIFIED = (
    "I'm sorry, I couldn't match those details to an account. Please check three things: the account number on your "
    "bill (it starts with CT), the postcode of the home the bill is for, and the date of birth of the person who pays "
    "the bill. If you're sure they're right, please try again in a few minutes. Or call us on "
    f"{COUNCIL_TAX_PHONE}."
)
LOCKED = (
    "For your security I can't check any more details here for now. An officer can help you confirm who you "
    f"are another way, or you can call us on {COUNCIL_TAX_PHONE}. Would you like me to ask an officer to join this "
    "chat?"
)
NO_EMAIL_ON_FILE = (
    "For your security, I can only email documents to the address we hold for your council tax account. We don't "
    f"have an email address for it. Please call us on {COUNCIL_TAX_PHONE}: we can post it to you or add your email. "
    "Or ask me for a person."
)


def payment_found(payment: Payment) -> str:
    """Confirm a payment was received."""
    return (
        f"Yes, we received your payment {payment.reference} of {payment.amount} on "
        f"{long_date(payment.date)}, paid by {payment.method}."
    )


def payment_not_found(reference: str, account: Account) -> str:
    """Say a payment is not on the account, and list what is."""
    return (
        f"I can't find a payment {reference} on your account. Payments can take up to 3 working days to show. "
        + recent_payments(account)
    )


def latest_payment(account: Account) -> str:
    """Say what the account's latest payment was, then the ones before it."""
    payments = account.recent_payments
    if not payments:
        return "There are no payments on your account for this year yet."
    last = payments[0]
    said = f"Your last payment was {last.reference}: {last.amount} on {long_date(last.date)}, paid by {last.method}."
    if len(payments) == 1:
        return said
    return (
        said
        + "\nBefore that:\n"
        + "\n".join(f"- {p.reference}: {p.amount} on {long_date(p.date)} ({p.method})" for p in payments[1:])
    )


def recent_payments(account: Account) -> str:
    """List the latest payments on the account."""
    payments = account.recent_payments
    if not payments:
        return "There are no payments on your account for this year yet."
    lines = ["Your latest payments:"]
    lines += [f"- {p.reference}: {p.amount} on {long_date(p.date)} ({p.method})" for p in payments]
    return "\n".join(lines)


def balance(account: Account) -> str:
    """Describe the balance, the next instalment and the plan."""
    lines = [
        f"Your council tax for this year is {account.annual_charge} (band {account.band}), paid in "
        f"{account.instalment_plan} monthly instalments. You've paid {account.paid_this_year}, "
        f"leaving {account.balance} to pay."
    ]
    if account.overdue:
        lines.append(
            f"You're {account.overdue.amount} behind: the instalment due on {long_date(account.overdue.due_date)} "
            "hasn't been paid in full. If you paid in the last few days, it may not show yet. If you're struggling "
            "to pay, ask me about help."
        )
    upcoming = account.next_instalment
    if upcoming:
        lines.append(f"Your next instalment is {upcoming.amount}, due on {long_date(upcoming.due_date)}.")
    if account.recovery_stage not in (None, "none"):
        lines.append(account.recovery_explanation or "")
    return " ".join(line for line in lines if line)


def recovery(account: Account) -> str:
    """Explain where the account is in recovery and what the resident can do."""
    if account.recovery_stage in (None, "none"):
        # "We have not sent you a reminder" flatly told a resident holding one they were wrong (a probe): what the
        # records show, and what to do about a letter they don't explain.
        return (
            "Our records don't show a reminder or any other recovery action on your account at the moment. If you "
            "have a letter you're not sure about, please call us on "
            f"{council_phone()} and we'll check it with you: it may be very recent, or not from us. " + balance(account)
        )
    return account.recovery_explanation or ""


# Words that ask for a statement of the account rather than a receipt for one payment.
STATEMENT_WORDS = ("statement", "proof", "summary", "record of", "all my payments", "letter", "copy of my bill")


def document_kind_in(text: str) -> str:
    """Read whether a document request asks for a receipt (one payment) or a statement (the account).

    "Email me a receipt" was answered with a statement: the task never asked which payment. A request that
    names a receipt is now a receipt; one that names a statement, or neither, is a statement.
    """
    lowered = text.lower()
    if "receipt" in lowered and not any(word in lowered for word in STATEMENT_WORDS):
        return "receipt"
    return "statement"


def document_sent(result: DocumentSent, *, for_payment: str | None = None) -> str:
    """Confirm a receipt or statement is on its way, without echoing the whole address."""
    what = "statement" if result.kind != "receipt" else f"receipt for {for_payment}" if for_payment else "receipt"
    if result.already_recorded:
        return (
            f"I've already recorded a request for that {what} (reference {result.reference}); it goes to "
            f"{result.sent_to}, so I haven't sent another. If it hasn't arrived, please check your junk folder."
        )
    where = f"the email address we hold for your account ({result.sent_to})"
    if result.status == "queued":
        return (
            f"I've recorded your request for a {what} (reference {result.reference}). Our email system is busy, "
            f"so it will be sent to {where} shortly."
        )
    return (
        f"Done: your {what} has been emailed to {where} (reference {result.reference}). For your security, "
        "we only send documents there. To change the address, please call us."
    )


# Said when asked why an email address is needed for a receipt or statement (the form's usual reason is a report's).
WHY_NO_EMAIL_ASKED = (
    "I won't ask for an email address: for your security, receipts and statements go only to the email address we "
    "already hold for your council tax account, once I've checked the account is yours. To change that address, "
    "please call us."
)


# The tasks: each handler makes the back-office call and words the answer with the functions above.


async def _payment_received(backoffice: BackOffice, tracker: Tracker) -> str:
    reference = tracker.get_slot("payment_reference")
    conversation_id = conversation_of(tracker)
    if reference == LATEST:
        return latest_payment(await backoffice.my_account(conversation_id=conversation_id))
    if reference and reference != UNKNOWN:
        try:
            return payment_found(
                await backoffice.my_payment(conversation_id=conversation_id, payment_reference=reference)
            )
        except NotFound:
            account = await backoffice.my_account(conversation_id=conversation_id)
            return payment_not_found(reference, account)
    return recent_payments(await backoffice.my_account(conversation_id=conversation_id))


async def _council_tax_balance(backoffice: BackOffice, tracker: Tracker) -> str:
    return balance(await backoffice.my_account(conversation_id=conversation_of(tracker)))


async def _recovery_notice(backoffice: BackOffice, tracker: Tracker) -> str:
    return recovery(await backoffice.my_account(conversation_id=conversation_of(tracker)))


async def _receipt_request(backoffice: BackOffice, tracker: Tracker) -> str:
    """Email a receipt for the payment named (a receipt was asked for), or else a statement of the account."""
    reference = tracker.get_slot("payment_reference")
    if reference == LATEST:
        # "A receipt for my last payment": the account's latest payment (a statement when there is none this year).
        payments = (await backoffice.my_account(conversation_id=conversation_of(tracker))).recent_payments
        reference = payments[0].reference if payments else None
    has_payment = tracker.get_slot("document_kind") == "receipt" and bool(reference) and reference != UNKNOWN
    request: dict[str, Any] = {
        "kind": "receipt" if has_payment else "statement",
        "payment_reference": reference if has_payment else None,
    }
    try:
        result = await backoffice.request_document(
            conversation_id=conversation_of(tracker), idempotency_key=request_key(tracker, request), **request
        )
    except NoEmailOnFile:
        return NO_EMAIL_ON_FILE
    return document_sent(result, for_payment=str(reference) if has_payment else None)


TASKS = (
    Task("payment_received", _payment_received, needs="account", slots=("payment_reference",)),
    Task("council_tax_balance", _council_tax_balance, needs="account"),
    Task("recovery_notice", _recovery_notice, needs="account"),
    # No address is asked for: documents go only to the email address the council holds for the account.
    # A receipt is for one payment, so its reference is asked ("I don't have it" sends a statement instead).
    Task(
        "receipt_request",
        _receipt_request,
        needs="account",
        slots=("payment_reference",),
        asked_if={"payment_reference": lambda slots: slots.get("document_kind") == "receipt"},
        why={"contact_email": WHY_NO_EMAIL_ASKED},
    ),
)
