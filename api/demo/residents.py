"""Read the demo residents back from the database, for testers and end-to-end tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from api.demo.generator import DEMO_ELECTOR_NUMBERS
from api.electoral.models import AbsentVote, AbsentVoteKind, Elector
from api.payments.models import CouncilTaxAccount, Payment
from api.service_requests.models import ServiceRequest


def format_pence(pence: int) -> str:
    """Format an amount in pence as pounds, e.g. 12345 -> "£123.45"."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def read_demo_residents(session: Session) -> list[dict[str, Any]]:
    """Return each demo resident's identity, home, account, latest payment and first request at home."""
    return [_resident(session, number) for number in DEMO_ELECTOR_NUMBERS]


def read_personas(session: Session, count: int) -> list[dict[str, Any]]:
    """Return up to ``count`` electors described like the demo residents, in a fixed order.

    For simulated residents (scripts/journeys.py): electors whose home has a council tax account in their name,
    a payment and a service request.
    """
    personas: list[dict[str, Any]] = []
    for number in session.scalars(select(Elector.elector_number).order_by(Elector.elector_number)):
        try:
            personas.append(_resident(session, number))
        except NoResultFound:
            continue
        if len(personas) >= count:
            break
    return personas


def _resident(session: Session, elector_number: str) -> dict[str, Any]:
    elector = session.scalars(select(Elector).where(Elector.elector_number == elector_number)).one()
    home = elector.property
    account = session.scalars(
        select(CouncilTaxAccount).where(
            CouncilTaxAccount.uprn == elector.uprn,
            CouncilTaxAccount.holder_first_name == elector.first_name,
            CouncilTaxAccount.holder_last_name == elector.last_name,
            CouncilTaxAccount.holder_date_of_birth == elector.date_of_birth,
        )
    ).one()
    payment = session.scalars(
        select(Payment)
        .where(Payment.account_id == account.id)
        .order_by(Payment.paid_on.desc(), Payment.reference.desc())
        .limit(1)
    ).one()
    request = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.uprn == elector.uprn)
        .order_by(ServiceRequest.created_at, ServiceRequest.reference)
        .limit(1)
    ).one()
    postal = (
        session.scalar(
            select(AbsentVote.id)
            .where(
                AbsentVote.elector_id == elector.id,
                AbsentVote.kind == AbsentVoteKind.POSTAL,
                AbsentVote.status == "active",
            )
            .limit(1)
        )
        is not None
    )
    return {
        "name": f"{elector.first_name} {elector.last_name}",
        "first_name": elector.first_name,
        "last_name": elector.last_name,
        "date_of_birth": elector.date_of_birth.isoformat(),
        "elector_number": elector.elector_number,
        "address": home.address_line,
        "town": home.town,
        "postcode": home.postcode,
        "registration_status": elector.status.value,
        "polling_district": home.polling_district_code,
        "postal_vote": postal,
        "open_register_opt_out": elector.open_register_opt_out,
        "council_tax_account": account.reference,
        "council_tax_email": account.email,
        "payment": {
            "reference": payment.reference,
            "date": payment.paid_on.isoformat(),
            "amount": format_pence(payment.amount_pence),
        },
        # The email given with the report proves the resident reported it (to cancel it from a new chat).
        "service_request": {
            "reference": request.reference,
            "category": request.category,
            "status": request.status,
            "contact_email": request.contact_email,
        },
    }
