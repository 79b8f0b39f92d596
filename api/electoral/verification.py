"""Proving a resident is an elector, and the verified identity it gives.

The rules (docs/domain.md, "Electoral registration"): the answer to a failed check must be the same whether or not the
person named exists, so anonymous and removed entries are simply not looked at, and a failure never
says what was wrong or how many tries are left. The lockouts that stop guessing are shared with council
tax checks (``api.verification_common``): they lock the conversation and the client's source, and hold
back checks of a person guessed at from many places for two minutes, never locking an address or a
person out. Logs name only attempt ids.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.electoral.models import Elector, RegistrationStatus, Verification, VerificationAttempt
from api.places.names import full_name_matches
from api.verification_common import (
    SESSION_LENGTH,
    CheckResult,
    NotVerified,
    Outcome,
    Refusal,
    conversation_source,
    decide,
    refusals_between,
)

log = logging.getLogger(__name__)

MESSAGE_KEYS = {
    Outcome.VERIFIED: "verification_succeeded",
    Outcome.NOT_VERIFIED: "verification_failed",
    Outcome.LOCKED: "verification_locked",
}


def verify_elector_identity(
    session: Session, *, conversation_id: str, full_name: str, date_of_birth: date, uprn: int, now: datetime
) -> CheckResult:
    """Check that the caller is an elector at ``uprn``; on success the conversation speaks for them."""
    now = now.astimezone(UTC)  # SQLite keeps no time zone: every stored moment is UTC
    candidates = [
        elector
        for elector in session.scalars(
            select(Elector)
            .where(Elector.uprn == uprn, Elector.status != RegistrationStatus.REMOVED, Elector.anonymous.is_(False))
            .order_by(Elector.id)
        )
        if full_name_matches(full_name, first_name=elector.first_name, last_name=elector.last_name)
    ]
    match = next((elector for elector in candidates if elector.date_of_birth == date_of_birth), None)
    source = conversation_source(session, conversation_id)
    decision = decide(
        session,
        VerificationAttempt,
        VerificationAttempt.elector_id,
        conversation_id=conversation_id,
        source=source,
        subject_ids=[c.id for c in candidates],
        details_correct=match is not None,
        now=now,
    )
    outcome = decision.outcome
    named = match or (candidates[0] if candidates else None)
    attempt = VerificationAttempt(
        conversation_id=conversation_id,
        elector_id=named.id if named else None,
        uprn=uprn,
        attempted_at=now,
        succeeded=outcome is Outcome.VERIFIED,
        client_source=source,
        refused=decision.refused,
    )
    session.add(attempt)
    expires_at = None
    if outcome is Outcome.VERIFIED and match is not None:
        expires_at = now + SESSION_LENGTH
        _start_verified_session(
            session, conversation_id=conversation_id, elector_id=match.id, now=now, expires_at=expires_at
        )
    session.flush()
    log.info(
        "identity check recorded: attempt %s%s",
        attempt.id,
        f" (refused: {decision.refused} lock)" if decision.refused else "",
    )
    return CheckResult(outcome, expires_at)


def end_verification(session: Session, *, conversation_id: str) -> None:
    """End the conversation's verified identity, if it has one."""
    session.execute(delete(Verification).where(Verification.conversation_id == conversation_id))
    session.flush()


def verified_elector(session: Session, *, conversation_id: str, now: datetime) -> Elector:
    """Return the elector the conversation has proved to be, or raise NotVerified."""
    elector = session.scalar(
        select(Elector)
        .join(Verification, Verification.elector_id == Elector.id)
        .where(
            Verification.conversation_id == conversation_id,
            Verification.expires_at > now.astimezone(UTC),
            Elector.status != RegistrationStatus.REMOVED,
            Elector.anonymous.is_(False),
        )
    )
    if elector is None:
        raise NotVerified
    return elector


def optional_verified_elector(session: Session, *, conversation_id: str, now: datetime) -> Elector | None:
    """Return the elector the conversation has proved to be, or None."""
    try:
        return verified_elector(session, conversation_id=conversation_id, now=now)
    except NotVerified:
        return None


def _start_verified_session(
    session: Session, *, conversation_id: str, elector_id: int, now: datetime, expires_at: datetime
) -> None:
    verification = session.get(Verification, conversation_id)
    if verification is None:
        session.add(
            Verification(conversation_id=conversation_id, elector_id=elector_id, verified_at=now, expires_at=expires_at)
        )
        return
    verification.elector_id = elector_id
    verification.verified_at = now
    verification.expires_at = expires_at


def refusal_counts(session: Session, *, start: datetime, end: datetime) -> dict[Refusal, int]:
    """Count the chats, sources and electors whose identity checks were refused in [start, end)."""
    return refusals_between(session, VerificationAttempt, VerificationAttempt.elector_id, start=start, end=end)
