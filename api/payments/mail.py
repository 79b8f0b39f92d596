"""The one client of the council's mail server: plain-text emails over SMTP (``smtplib``).

Failures come back as ``MailNotSent``, whatever went wrong (server down, refused, timed out), so the caller
keeps the email queued. Recipients' addresses are never logged.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from api.settings import Settings


class MailNotSent(Exception):
    """The mail server did not take the email."""


@dataclass(frozen=True)
class Email:
    """A plain-text email to one person."""

    to: str
    subject: str
    body: str


def send_email(settings: Settings, email: Email) -> None:
    """Hand ``email`` to the mail server, or raise MailNotSent."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(email.body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(type(error).__name__) from None
