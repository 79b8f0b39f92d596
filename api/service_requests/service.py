"""Lodging requests for service, telling anyone who quotes a reference how one is getting on, and cancelling one.

Lodging is idempotent (``api.idempotency``). The expected date comes from the category's published
service standard (``standards``), counted in working days from the day the request is lodged. Progress
shows the status and the dates, and to the person shown to have reported it the latest public note too.
Only the person who reported a request may cancel it, and only while it is not closed (docs/domain.md,
"Cancelling a service request").
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.clock import local_date
from api.db import as_utc
from api.errors import DomainError
from api.idempotency import IdempotencyConflict, Recorded, by_key, insert_once, new_reference
from api.places.models import Property
from api.places.service import UnknownProperty
from api.records import RecordSummary
from api.service_requests import reporter_mail
from api.service_requests.models import ReporterEmailCheck, ServiceRequest, ServiceRequestUpdate
from api.service_requests.schemas import (
    CancellationCreate,
    CancellationOutcome,
    CancellationRead,
    CategoryRead,
    ProgressCheck,
    ReporterCodeRequest,
    ReporterCodeSent,
    ServiceRequestCreate,
    ServiceRequestProgress,
    ServiceRequestRead,
    UpdateRead,
)
from api.service_requests.standards import STANDARDS
from api.settings import Settings
from api.verification_common import Outcome, conversation_source, decide
from api.working_days import add_working_days

log = logging.getLogger(__name__)

REQUEST_REFERENCE = re.compile(r"^SR-?(\d{6})$")
# Statuses in which the council still has work to do: a request can be cancelled, or be late, only in these.
LIVE_STATUSES = ("open", "in_progress")


class UnknownRequest(DomainError, LookupError):
    """No request has this reference."""

    status_code = 404
    detail = "not found"


class UnknownRequestProperty(UnknownProperty):
    """A request names a property (by UPRN) that does not exist: the body is wrong, so 422, not 404."""

    status_code = 422


def list_categories() -> list[CategoryRead]:
    """Return every category of request with its service standard."""
    return [
        CategoryRead(
            category=name, label=standard.label, service_standard=standard.promise, working_days=standard.working_days
        )
        for name, standard in STANDARDS.items()
    ]


def lodge_request(session: Session, *, request: ServiceRequestCreate, now: datetime) -> Recorded[ServiceRequestRead]:
    """Record a request (once per idempotency key) and say when the council expects to deal with it."""
    now = now.astimezone(UTC)  # SQLite keeps no time zone: every stored moment is UTC
    content = (request.category, request.uprn, request.location_text or "", request.description, request.contact_email)
    row = by_key(session, ServiceRequest, request.idempotency_key)
    created = False
    if row is None and (open_row := _open_duplicate(session, request)) is not None:
        return Recorded(_describe(open_row), False)
    if row is None:
        if request.uprn is not None and session.get(Property, request.uprn) is None:
            raise UnknownRequestProperty(request.uprn)
        standard = STANDARDS[request.category]
        row, created = insert_once(
            session,
            ServiceRequest(
                reference=new_reference(session, ServiceRequest, "SR"),
                idempotency_key=request.idempotency_key,
                category=request.category,
                uprn=request.uprn,
                location_text=request.location_text or "",
                description=request.description,
                status="open",
                responsible_team=standard.team,
                contact_email=request.contact_email,
                conversation_id=request.conversation_id,
                created_at=now,
                expected_by=add_working_days(local_date(now), standard.working_days_for(request.description)),
            ),
        )
    if created:
        session.add(
            ServiceRequestUpdate(
                request_id=row.id,
                created_at=now,
                status="open",
                public=True,
                note=f"Request received and passed to the {row.responsible_team} team.",
            )
        )
        session.flush()
        log.info("service request %s lodged: %s", row.reference, row.category)
    elif (row.category, row.uprn, row.location_text, row.description, row.contact_email) != content:
        raise IdempotencyConflict
    return Recorded(_describe(row), created)


def _open_duplicate(session: Session, request: ServiceRequestCreate) -> ServiceRequest | None:
    """Return an open request from the same chat for the same problem (the same property or the same place).

    A resident who reports the same missed bin twice (asking again, a reload, a double click) is told the
    reference they already have rather than starting a second job for the crews. Only the same chat
    counts: telling a stranger the reference of a neighbour's report would let them follow it.
    """
    query = select(ServiceRequest).where(
        ServiceRequest.conversation_id == request.conversation_id,
        ServiceRequest.category == request.category,
        ServiceRequest.status.in_(("open", "in_progress")),
    )
    if request.uprn is not None:
        query = query.where(ServiceRequest.uprn == request.uprn)
    else:
        query = query.where(
            ServiceRequest.uprn.is_(None),
            func.lower(ServiceRequest.location_text) == (request.location_text or "").lower(),
        )
    return session.scalars(query.order_by(ServiceRequest.id)).first()


def _by_reference(session: Session, reference: str, *, for_update: bool = False) -> ServiceRequest:
    """Return the request a reference names, however typed ("SR-123456", "sr 123456"), or raise UnknownRequest."""
    match = REQUEST_REFERENCE.match("".join(reference.split()).upper())
    query = select(ServiceRequest).where(ServiceRequest.reference == f"SR-{match[1]}") if match else None
    row = session.scalar(query.with_for_update() if for_update else query) if query is not None else None
    if row is None:
        raise UnknownRequest
    return row


def request_progress(
    session: Session,
    *,
    reference: str,
    today: date,
    asker: ProgressCheck | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> ServiceRequestProgress:
    """Return where the request stands ("SR-123456", "sr 123456"...), or raise UnknownRequest.

    A reference is no proof (references are close together and easy to guess): anyone quoting one sees the
    status and dates only. The latest public note, which an officer writes in words that may name a street
    or a household, is for the person shown to have reported it (``_reporters_proof``). An email given that
    matches the report's is no proof either: the status, dates and note are emailed to that address instead
    (``reporter_mail.send_news``), where only its owner reads them.
    """
    row = _by_reference(session, reference)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    reporter = asker is not None and settings is not None and _reporters_proof(session, settings, row, asker, now=now)
    latest = _latest_note(session, row) if reporter else None  # anyone else's look-up reads no note
    progress = ServiceRequestProgress(
        reference=row.reference,
        category=row.category,
        category_label=STANDARDS[row.category].label,
        status=row.status,
        created_at=as_utc(row.created_at),
        expected_by=row.expected_by,
        overdue=row.status in LIVE_STATUSES and row.expected_by is not None and today > row.expected_by,
        latest_update=UpdateRead(status=latest.status, note=latest.note, at=as_utc(latest.created_at))
        if latest
        else None,
        responsible_team=row.responsible_team,
        reporter=bool(reporter),
    )
    if (
        asker is not None
        and settings is not None
        and not reporter
        and asker.reporter_email
        and _email_matches(session, row, asker.conversation_id, asker.reporter_email, now=now)
    ):
        progress.news_emailed = reporter_mail.send_news(
            session,
            settings,
            row,
            _news(row, _latest_note(session, row), late=progress.overdue),
            conversation_id=asker.conversation_id,
            now=now,
        )
    return progress


def _latest_note(session: Session, row: ServiceRequest) -> ServiceRequestUpdate | None:
    return session.scalar(
        select(ServiceRequestUpdate)
        .where(ServiceRequestUpdate.request_id == row.id, ServiceRequestUpdate.public.is_(True))
        .order_by(ServiceRequestUpdate.created_at.desc(), ServiceRequestUpdate.id.desc())
        .limit(1)
    )


def _news(row: ServiceRequest, latest: ServiceRequestUpdate | None, *, late: bool) -> str:
    """Say the status, the date promised (as past when it is late) and the latest public note, as an email does."""
    lines = [f"Status: {row.status.replace('_', ' ')}."]
    if row.status in LIVE_STATUSES and row.expected_by:
        when = f"{row.expected_by:%A %-d %B %Y}"
        lines.append(
            f"We expected to deal with it by {when}, so it is late."
            if late
            else f"We expect to deal with it by {when}."
        )
    if latest is not None:
        lines.append(f"Latest update ({as_utc(latest.created_at):%-d %B %Y}): {latest.note}")
    return "\n".join(lines)


def send_reporter_code(
    session: Session, *, reference: str, request: ReporterCodeRequest, settings: Settings, now: datetime
) -> ReporterCodeSent:
    """Email a one-time code to the report's address when the email given matches it (counted with lockouts)."""
    row = _by_reference(session, reference)
    now = now.astimezone(UTC)
    minutes = reporter_mail.CODE_MINUTES
    if not _email_matches(session, row, request.conversation_id, request.reporter_email, now=now):
        return ReporterCodeSent(outcome="not_matched", minutes=minutes)
    outcome = reporter_mail.send_code(session, settings, row, conversation_id=request.conversation_id, now=now)
    return ReporterCodeSent(outcome=outcome, minutes=minutes)


def cancel_request(
    session: Session, *, reference: str, cancellation: CancellationCreate, now: datetime, settings: Settings
) -> CancellationRead:
    """Cancel a request for the person who reported it, recording who (how they were shown), when and why.

    Someone not shown to be the reporter gets the same answer as for an unknown reference, so a refusal
    says nothing about the request. Asking again is no error: the answer says it was already cancelled.
    A closed request stays closed (the work is done).
    """
    row = _by_reference(session, reference, for_update=True)
    proof = _reporters_proof(session, settings, row, cancellation, now=now)
    if proof is None:
        log.info("service request cancellation refused: not shown to be the reporter")
        session.commit()  # a wrong code it counted counts, though the answer is an error
        raise UnknownRequest
    if row.status not in LIVE_STATUSES:
        return _cancellation(row, "already_cancelled" if row.status == "cancelled" else "already_closed")
    now = now.astimezone(UTC)
    row.status, row.cancelled_at, row.cancelled_by = "cancelled", now, proof
    row.cancelled_in_conversation, row.cancel_reason = cancellation.conversation_id, cancellation.reason
    session.add_all(
        [
            ServiceRequestUpdate(
                request_id=row.id, created_at=now, status="cancelled", public=True, note=CANCELLED_NOTE
            ),
            ServiceRequestUpdate(
                request_id=row.id,
                created_at=now,
                status="cancelled",
                public=False,
                note=f"Cancelled by the person who reported it, {PROOF_WORDS[proof]}. Reason: {cancellation.reason}",
            ),
        ]
    )
    session.flush()
    log.info("service request %s cancelled by its reporter (%s)", row.reference, proof)
    return _cancellation(row, "cancelled")


CANCELLED_NOTE = "Cancelled at the request of the person who reported it."
# "reporter_email": how requests were cancelled before an emailed code was needed (older rows say so).
PROOF_WORDS = {
    "reporting_chat": "in the chat they reported it in",
    "reporter_code": "with a code emailed to the address they gave",
    "reporter_email": "with the email they gave",
}


def _reporters_proof(
    session: Session,
    settings: Settings,
    row: ServiceRequest,
    asker: CancellationCreate | ProgressCheck,
    *,
    now: datetime,
) -> str | None:
    """Tell how the caller is shown to be the reporter: the same chat, or a live code emailed to the report's address.

    The chat is proved by its grant (``api.deps``). An email address proves nothing (it may be guessed), nor does
    a postcode or an address (neighbours know them): the code shows the person reads the report's mailbox.
    """
    if row.conversation_id is not None and row.conversation_id == asker.conversation_id:
        return "reporting_chat"
    if asker.reporter_code and reporter_mail.code_proves(
        session, settings, row, conversation_id=asker.conversation_id, code=asker.reporter_code, now=now
    ):
        return "reporter_code"
    return None


def _email_matches(session: Session, row: ServiceRequest, conversation_id: str, given: str, *, now: datetime) -> bool:
    """Tell whether ``given`` is the email on the report (ignoring case), counted with the identity checks' lockouts.

    Each email given is counted (``api.verification_common.decide``): a chat, a client address or a request with
    too many wrong emails lately is not checked, and the answer is the same as for a wrong one, so the email on
    a report cannot be guessed from chat after chat.
    """
    on_file = row.contact_email
    source = conversation_source(session, conversation_id)
    decision = decide(
        session,
        ReporterEmailCheck,
        ReporterEmailCheck.request_id,
        conversation_id=conversation_id,
        source=source,
        subject_ids=[row.id],
        details_correct=bool(on_file) and given.strip().casefold() == str(on_file).strip().casefold(),
        now=now,
    )
    session.add(
        ReporterEmailCheck(
            conversation_id=conversation_id,
            request_id=row.id,
            attempted_at=now,
            succeeded=decision.outcome is Outcome.VERIFIED,
            client_source=source,
            refused=decision.refused,
        )
    )
    session.flush()
    if decision.refused:
        log.info("reporter email check refused: %s lock", decision.refused)
    return decision.outcome is Outcome.VERIFIED


def _cancellation(row: ServiceRequest, outcome: CancellationOutcome) -> CancellationRead:
    return CancellationRead(
        reference=row.reference,
        category=row.category,
        category_label=STANDARDS[row.category].label,
        status=row.status,
        outcome=outcome,
        responsible_team=row.responsible_team,
        cancelled_at=as_utc(row.cancelled_at) if row.cancelled_at else None,
    )


def _describe(row: ServiceRequest) -> ServiceRequestRead:
    standard = STANDARDS[row.category]
    return ServiceRequestRead(
        reference=row.reference,
        category=row.category,
        category_label=standard.label,
        status=row.status,
        expected_by=row.expected_by,
        service_standard=standard.promise,
        responsible_team=row.responsible_team,
    )


def records_of_conversation(session: Session, conversation_id: str) -> list[RecordSummary]:
    """List the service requests lodged or cancelled in a conversation (every team's business: not personal).

    A request cancelled from another chat shows in both: the officer reading either sees it cancelled.
    """
    in_chat = or_(
        ServiceRequest.conversation_id == conversation_id, ServiceRequest.cancelled_in_conversation == conversation_id
    )
    return [
        RecordSummary(f"Service request ({r.category.replace('_', ' ')})", r.reference, r.status)
        for r in session.scalars(select(ServiceRequest).where(in_chat).order_by(ServiceRequest.id))
    ]
