"""What is emailed to the address given with a report, for someone in another chat who gave that address.

An email address is no proof of who is asking: the demo's are guessable, and so are many real ones
(firstname.lastname@...). So a matching address (checked with lockouts, ``service._email_matches``) only sends
something to it, where only its owner reads it:

- a one-time code, to cancel the request: typed back in the chat that asked for it, within ``CODE_MINUTES``,
  it shows the reporter (``code_proves``); ``WRONG_CODES_ALLOWED`` wrong codes void it;
- the latest news on the request, to someone asking how it is getting on (``send_news``).

In an hour, one chat may have at most ``MAILS_PER_CHAT`` of each kind sent for one request (a code and one more),
and one address gets at most ``MAILS_PER_ADDRESS`` in all, whichever requests and chats asked: nobody can fill an
inbox, and chats set on using up a request's allowance cannot stop its reporter, in a chat of their own, from being
sent a code (until the address's own allowance is spent). Only a keyed hash of a code is kept
(``Settings.secret_key``); neither the code nor the address is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.payments.mail import Email, MailNotSent, send_email
from api.service_requests.models import ReporterMail, ServiceRequest
from api.service_requests.standards import STANDARDS
from api.settings import Settings

log = logging.getLogger(__name__)

CODE_MINUTES = 15
WRONG_CODES_ALLOWED = 5
MAILS_PER_CHAT = 2
MAILS_PER_ADDRESS = 6

Sent = Literal["sent", "too_many", "mail_failed"]


def _hash(settings: Settings, row: ServiceRequest, conversation_id: str, code: str) -> str:
    message = f"{row.id}:{conversation_id}:{code}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _too_many(session: Session, row: ServiceRequest, mail: ReporterMail) -> bool:
    """Whether this chat, or the report's address, has had its allowance of emails this hour."""
    since = mail.sent_at - timedelta(hours=1)
    by_chat = session.scalar(
        select(func.count())
        .select_from(ReporterMail)
        .where(
            ReporterMail.request_id == row.id,
            ReporterMail.conversation_id == mail.conversation_id,
            ReporterMail.kind == mail.kind,
            ReporterMail.sent_at > since,
        )
    )
    to_address = session.scalar(
        select(func.count())
        .select_from(ReporterMail)
        .join(ServiceRequest, ServiceRequest.id == ReporterMail.request_id)
        .where(
            func.lower(ServiceRequest.contact_email) == str(row.contact_email).lower(),
            ReporterMail.sent_at > since,
        )
    )
    return (by_chat or 0) >= MAILS_PER_CHAT or (to_address or 0) >= MAILS_PER_ADDRESS


def _send(session: Session, settings: Settings, row: ServiceRequest, mail: ReporterMail, email: Email) -> Sent:
    if _too_many(session, row, mail):
        log.info("reporter %s for %s not sent: the hour's allowance is spent", mail.kind, row.reference)
        return "too_many"
    session.commit()  # the email check counted holds, and no transaction stays open while the email goes
    try:
        send_email(settings, email)
    except MailNotSent as error:
        log.warning("reporter %s for %s not sent: mail server unavailable (%s)", mail.kind, row.reference, error)
        return "mail_failed"
    session.add(mail)
    session.flush()
    log.info("reporter %s for %s sent", mail.kind, row.reference)
    return "sent"


def send_code(
    session: Session, settings: Settings, row: ServiceRequest, *, conversation_id: str, now: datetime
) -> Sent:
    """Email a new one-time code to the report's address, for the chat ``conversation_id`` to cancel it with."""
    now = now.astimezone(UTC)
    code = f"{secrets.randbelow(10**6):06d}"
    label = _label(row)
    email = Email(
        to=str(row.contact_email),
        subject=f"Your code for request {row.reference}",
        body=(
            f"Someone asked in {settings.council_name}'s online chat to cancel request {row.reference} ({label}), "
            "which was reported with this email address.\n\n"
            f"If it was you, type this code in the chat: {code}\n\n"
            f"It lasts {CODE_MINUTES} minutes and works only in the chat where it was asked for. If it wasn't you, "
            "you need do nothing: nothing changes, and nobody else can use the code.\n\n"
            f"{settings.council_name}\n{settings.council_phone}\n"
        ),
    )
    mail = ReporterMail(
        request_id=row.id,
        conversation_id=conversation_id,
        kind="code",
        code_hash=_hash(settings, row, conversation_id, code),
        sent_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
        wrong_tries=0,
    )
    return _send(session, settings, row, mail, email)


def code_proves(
    session: Session, settings: Settings, row: ServiceRequest, *, conversation_id: str, code: str, now: datetime
) -> bool:
    """Tell whether ``code`` is the latest live code sent for this request to this chat (counting a wrong one)."""
    now = now.astimezone(UTC)
    mail = session.scalar(
        select(ReporterMail)
        .where(
            ReporterMail.request_id == row.id,
            ReporterMail.conversation_id == conversation_id,
            ReporterMail.kind == "code",
        )
        .order_by(ReporterMail.sent_at.desc(), ReporterMail.id.desc())
        .limit(1)
        .with_for_update()
    )
    if mail is None or mail.expires_at is None or mail.code_hash is None:
        return False
    expires_at = mail.expires_at if mail.expires_at.tzinfo else mail.expires_at.replace(tzinfo=UTC)
    if expires_at <= now or mail.wrong_tries >= WRONG_CODES_ALLOWED:
        return False
    if hmac.compare_digest(mail.code_hash, _hash(settings, row, conversation_id, code)):
        return True
    mail.wrong_tries += 1
    session.flush()
    log.info("reporter code for %s wrong (%d of %d)", row.reference, mail.wrong_tries, WRONG_CODES_ALLOWED)
    return False


def send_news(
    session: Session, settings: Settings, row: ServiceRequest, news: str, *, conversation_id: str, now: datetime
) -> Sent:
    """Email ``news`` (the status, dates and latest note) about the request to the report's address."""
    email = Email(
        to=str(row.contact_email),
        subject=f"News on your request {row.reference}",
        body=(
            f"You asked in {settings.council_name}'s online chat how request {row.reference} ({_label(row)}) is "
            f"getting on.\n\n{news}\n\n"
            "If it wasn't you who asked, you need do nothing.\n\n"
            f"{settings.council_name}\n{settings.council_phone}\n"
        ),
    )
    mail = ReporterMail(
        request_id=row.id,
        conversation_id=conversation_id,
        kind="note",
        sent_at=now.astimezone(UTC),
        wrong_tries=0,
    )
    return _send(session, settings, row, mail, email)


def _label(row: ServiceRequest) -> str:
    return STANDARDS[row.category].label.lower()
