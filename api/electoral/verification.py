"""Proving a resident is an elector, the lockouts that stop guessing, and the verified identity it gives.

The rules (DOMAIN.md, "Disclosure"): the answer to a failed check must be the same whether or not the
person named exists, so anonymous and removed entries are simply not looked at, and a failure never
says what was wrong or how many tries are left. Three limits stop guessing:

- a conversation with ``MAX_FAILURES`` failed checks in ``LOCK_WINDOW`` is refused ("locked") outright;
- an elector named in ``MAX_FAILURES`` failed checks in ``LOCK_WINDOW``, from any conversations, is
  refused too; "locked" is said only to someone who gives all their details correctly (and so learns no
  more than a success would tell them), anyone else hears "not_verified";
- an address with ``MAX_ADDRESS_FAILURES`` failed checks in ``ADDRESS_WINDOW`` is refused outright,
  whoever is named. Without it, the elector lock would answer a guesser who opens new conversations
  "locked" for the right date of birth and "not_verified" for a wrong one, at any speed. Counting by
  address caps guesses at any person there, and tells nothing about who lives there.

Refused attempts count as failures, so guessing on keeps a lock in place. Logs name only attempt ids.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from api.electoral.models import Elector, RegistrationStatus, Verification, VerificationAttempt
from api.electoral.names import full_name_matches
from api.verification_common import (
    LOCK_WINDOW,
    MAX_FAILURES,
    SESSION_LENGTH,
    CheckResult,
    NotVerified,
    Outcome,
    count_failures,
)

log = logging.getLogger(__name__)

MAX_ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(hours=1)

MESSAGE_KEYS = {
    Outcome.VERIFIED: "verification_succeeded",
    Outcome.NOT_VERIFIED: "verification_failed",
    Outcome.LOCKED: "verification_locked",
}


def verify_elector_identity(session: Session, *, conversation_id: str, full_name: str, date_of_birth: date,
                            uprn: int, now: datetime) -> CheckResult:
    """Check that the caller is an elector at ``uprn``; on success the conversation speaks for them."""
    now = now.astimezone(UTC)  # SQLite keeps no time zone: every stored moment is UTC
    candidates = [elector for elector in session.scalars(
        select(Elector).where(Elector.uprn == uprn, Elector.status != RegistrationStatus.REMOVED,
                              Elector.anonymous.is_(False)).order_by(Elector.id))
                  if full_name_matches(full_name, first_name=elector.first_name, last_name=elector.last_name)]
    match = next((elector for elector in candidates if elector.date_of_birth == date_of_birth), None)
    outcome = _decide(session, conversation_id=conversation_id, uprn=uprn, candidates=candidates,
                      details_correct=match is not None, now=now)
    named = match or (candidates[0] if candidates else None)
    attempt = VerificationAttempt(conversation_id=conversation_id, elector_id=named.id if named else None,
                                  uprn=uprn, attempted_at=now, succeeded=outcome is Outcome.VERIFIED)
    session.add(attempt)
    expires_at = None
    if outcome is Outcome.VERIFIED and match is not None:
        expires_at = now + SESSION_LENGTH
        _start_verified_session(session, conversation_id=conversation_id, elector_id=match.id, now=now,
                                expires_at=expires_at)
    session.flush()
    log.info("identity check recorded: attempt %s", attempt.id)
    return CheckResult(outcome, expires_at)


def end_verification(session: Session, *, conversation_id: str) -> None:
    """End the conversation's verified identity, if it has one."""
    session.execute(delete(Verification).where(Verification.conversation_id == conversation_id))
    session.flush()


def verified_elector(session: Session, *, conversation_id: str, now: datetime) -> Elector:
    """Return the elector the conversation has proved to be, or raise NotVerified."""
    elector = session.scalar(
        select(Elector).join(Verification, Verification.elector_id == Elector.id)
        .where(Verification.conversation_id == conversation_id, Verification.expires_at > now.astimezone(UTC),
               Elector.status != RegistrationStatus.REMOVED, Elector.anonymous.is_(False)))
    if elector is None:
        raise NotVerified
    return elector


def optional_verified_elector(session: Session, *, conversation_id: str, now: datetime) -> Elector | None:
    """Return the elector the conversation has proved to be, or None."""
    try:
        return verified_elector(session, conversation_id=conversation_id, now=now)
    except NotVerified:
        return None


def _decide(session: Session, *, conversation_id: str, uprn: int, candidates: list[Elector],
            details_correct: bool, now: datetime) -> Outcome:
    # Every check runs the same queries, whoever is named, so timing tells as little as the answer.
    conversation_locked = _failures(session, VerificationAttempt.conversation_id == conversation_id,
                                    since=now - LOCK_WINDOW) >= MAX_FAILURES
    address_locked = _failures(session, VerificationAttempt.uprn == uprn,
                               since=now - ADDRESS_WINDOW) >= MAX_ADDRESS_FAILURES
    elector_locked = _failures(session, VerificationAttempt.elector_id.in_([c.id for c in candidates]),
                               since=now - LOCK_WINDOW, per_elector=True) >= MAX_FAILURES
    if conversation_locked or address_locked:
        return Outcome.LOCKED
    if elector_locked:
        return Outcome.LOCKED if details_correct else Outcome.NOT_VERIFIED
    return Outcome.VERIFIED if details_correct else Outcome.NOT_VERIFIED


def _failures(session: Session, condition: ColumnElement[bool], *, since: datetime, per_elector: bool = False) -> int:
    """Count failed attempts matching ``condition`` after ``since`` (the most against any one elector)."""
    return count_failures(session, VerificationAttempt, condition, since=since,
                          per=VerificationAttempt.elector_id if per_elector else None)


def _start_verified_session(session: Session, *, conversation_id: str, elector_id: int, now: datetime,
                            expires_at: datetime) -> None:
    verification = session.get(Verification, conversation_id)
    if verification is None:
        session.add(Verification(conversation_id=conversation_id, elector_id=elector_id, verified_at=now,
                                 expires_at=expires_at))
        return
    verification.elector_id = elector_id
    verification.verified_at = now
    verification.expires_at = expires_at
