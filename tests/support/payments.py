"""Helpers shared by the payments and service-request API tests (no tests here).

An API client whose clock the test sets (on a writable copy of the module's demo database), the demo
residents as a tester types them, accounts a test builds, and a real SMTP server on loopback.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from api.db import session_on
from api.demo import read_demo_residents
from api.payments.models import CouncilTaxAccount, Instalment, Payment
from api.places.models import Property
from tests.support.backoffice_api import BackOfficeApi, backoffice_api, new_conversation_id
from tests.support.network import free_port

# A Friday in late November 2026, just after the demo data's "as of" day.
START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Resident:
    """A demo resident as a tester types them, with their account and latest payment."""

    full_name: str
    date_of_birth: str
    postcode: str
    account_reference: str
    payment_reference: str
    payment_date: str
    payment_amount: str
    service_request: str
    email: str | None = None  # the address the council holds for the account


def demo_residents(url: str) -> list[Resident]:
    """Return the demo residents (``python -m api.demo residents``)."""
    with session_on(url) as session:
        return [
            Resident(
                r["name"],
                r["date_of_birth"],
                r["postcode"],
                r["council_tax_account"],
                r["payment"]["reference"],
                r["payment"]["date"],
                r["payment"]["amount"],
                r["service_request"]["reference"],
                r.get("council_tax_email"),
            )
            for r in read_demo_residents(session)
        ]


class CouncilApi(BackOfficeApi):
    """The payments and service-request endpoints, with the clock starting in late November 2026."""

    start = START

    def verify(self, conversation_id: str | None = None, **body: Any) -> httpx.Response:
        """Try to verify an account with ``body`` (account_reference, postcode, full_name, date_of_birth)."""
        return self.post(
            "/payments/verifications", {"conversation_id": conversation_id or new_conversation_id(), **body}
        )

    def verify_by_reference(
        self, resident: Resident, conversation_id: str | None = None, **changes: Any
    ) -> httpx.Response:
        return self.verify(
            conversation_id,
            **{
                "account_reference": resident.account_reference,
                "postcode": resident.postcode,
                "date_of_birth": resident.date_of_birth,
                **changes,
            },
        )

    def verify_by_name(self, resident: Resident, conversation_id: str | None = None, **changes: Any) -> httpx.Response:
        return self.verify(
            conversation_id,
            **{
                "full_name": resident.full_name,
                "postcode": resident.postcode,
                "date_of_birth": resident.date_of_birth,
                **changes,
            },
        )

    def verified(self, resident: Resident) -> str:
        """Return a new conversation that has proved ``resident``'s account."""
        conversation = new_conversation_id()
        assert self.verify_by_reference(resident, conversation).json()["outcome"] == "verified"
        return conversation


def council_api(url: str, **settings: Any) -> AbstractContextManager[CouncilApi]:
    """Return a context yielding a :class:`CouncilApi` on the database at ``url``."""
    return backoffice_api(CouncilApi, url, **settings)


def add_account(
    url: str,
    *,
    reference: str,
    charge: int,
    instalments: list[tuple[date, int]],
    payments: list[tuple[date, int]],
    recovery_stage: str = "none",
    plan: int = 10,
) -> Resident:
    """Add an account billed at a demo property, with its instalments and payments; return its holder."""
    with session_on(url) as session:
        home = session.scalars(select(Property).order_by(Property.uprn).limit(1)).one()
        account = CouncilTaxAccount(
            reference=reference,
            holder_first_name="Testa",
            holder_last_name="Holder",
            holder_date_of_birth=date(1970, 3, 4),
            uprn=home.uprn,
            band="C",
            annual_charge_pence=charge,
            instalment_plan=plan,
            recovery_stage=recovery_stage,
        )
        session.add(account)
        session.flush()
        session.add_all(
            Instalment(account_id=account.id, due_date=due, amount_pence=amount) for due, amount in instalments
        )
        session.add_all(
            Payment(
                reference=f"PAY-{secrets.randbelow(10**8):08d}",
                account_id=account.id,
                paid_on=paid,
                amount_pence=amount,
                method="online",
            )
            for paid, amount in payments
        )
        session.commit()
        return Resident("Testa Holder", "1970-03-04", home.postcode, reference, "", "", "", "")


@dataclass
class Mailbox:
    """What a test SMTP server received."""

    port: int
    messages: list[tuple[Envelope, Message]] = field(default_factory=list)


class _Collector:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.mailbox.messages.append((envelope, message_from_bytes(content)))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Run a real SMTP server (aiosmtpd) on a free loopback port and collect what it receives."""
    mailbox = Mailbox(free_port())
    controller = Controller(_Collector(mailbox), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
