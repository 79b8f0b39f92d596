"""The retention schedule and the purge that enforces it, in the hub's database and Rasa's tracker store.

Transcripts (with handoffs, notes and Rasa's events) go when the conversation has been quiet for the
transcript period, and so do the questions kept as knowledge gaps (also when they are that old
themselves); identity-check records and officers' sign-in attempts and limits after the shorter
verification period (the lockouts look back minutes, not days); the audit log after its own, longer, period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.db import Database, utcnow
from api.electoral.models import Verification, VerificationAttempt
from api.knowledge_gaps.models import KnowledgeGap
from api.officers.models import SignInAttempt, SignInLimit
from api.payments.models import AccountVerification, AccountVerificationAttempt, DocumentRequest
from api.privacy import audit
from api.privacy.deletion import affected, delete_conversations
from api.privacy.models import AuditEntry
from api.privacy.tracker import TrackerStore
from api.service_requests.models import ReporterEmailCheck, ReporterMail
from api.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of record is kept."""

    transcripts: timedelta
    verification: timedelta
    audit: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """Read the schedule from ``CA_RETENTION_*``."""
        return cls(
            transcripts=timedelta(days=settings.retention_transcript_days),
            verification=timedelta(days=settings.retention_verification_days),
            audit=timedelta(days=settings.retention_audit_days),
        )


def purge(
    session: Session, tracker: TrackerStore, policy: RetentionPolicy, *, now: datetime | None = None
) -> Counter[str]:
    """Delete everything older than the schedule allows; return how many of each kind went (and log it)."""
    now = now or utcnow()
    transcripts, checks = now - policy.transcripts, now - policy.verification
    quiet = session.scalars(select(Conversation.id).where(Conversation.updated_at < transcripts)).all()
    counts = delete_conversations(session, quiet)
    counts["knowledge gaps"] += affected(session, delete(KnowledgeGap).where(KnowledgeGap.created_at < transcripts))
    # A sent receipt's address has done its job; one still queued is needed to send it.
    counts["document addresses"] += affected(
        session,
        update(DocumentRequest)
        .where(DocumentRequest.status == "sent", DocumentRequest.created_at < transcripts, DocumentRequest.email != "")
        .values(email=""),
    )
    for table in (VerificationAttempt, AccountVerificationAttempt, ReporterEmailCheck):
        counts["identity checks"] += affected(session, delete(table).where(table.attempted_at < checks))
    counts["identity checks"] += affected(session, delete(ReporterMail).where(ReporterMail.sent_at < checks))
    for proven in (Verification, AccountVerification):
        counts["identity checks"] += affected(session, delete(proven).where(proven.verified_at < checks))
    counts["sign-in attempts"] += affected(session, delete(SignInAttempt).where(SignInAttempt.attempted_at < checks))
    # A limit's key hashes a client's address; a window long over counts nothing any more.
    counts["sign-in limits"] += affected(session, delete(SignInLimit).where(SignInLimit.window_started_at < checks))
    counts["audit entries"] += affected(session, delete(AuditEntry).where(AuditEntry.at < now - policy.audit))
    counts["tracker events"] += tracker.delete_before(transcripts)
    counts = +counts  # drop the kinds with nothing deleted
    summary = describe(counts)
    audit.record(session, action="purge", officer_id=None, detail=summary, now=now)
    log.info("retention purge: %s", summary)
    return counts


def describe(counts: Counter[str]) -> str:
    """Say what went, e.g. "3 conversations, 41 messages", or "nothing was due"."""
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing was due"


# Key of the PostgreSQL advisory lock one purge holds while it runs (any constant the app uses nowhere else).
PURGE_LOCK = 0x43415055  # "CAPU"


def purge_once(database: Database, tracker: TrackerStore, settings: Settings) -> Counter[str] | None:
    """Run the purge in its own transaction; return None when another process is purging right now.

    Every API worker runs the loop, so on PostgreSQL a transaction-scoped advisory lock lets one of them purge
    and the others skip the round, rather than wait on each other's row locks. SQLite has one writer anyway.
    """
    with database.sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(PURGE_LOCK))
        ):
            log.info("retention purge skipped: another process is purging")
            return None
        return purge(session, tracker, RetentionPolicy.from_settings(settings))


async def purge_periodically(database: Database, tracker: TrackerStore, settings: Settings) -> None:
    """Purge every ``settings.purge_interval_seconds`` until cancelled."""
    while True:
        await asyncio.sleep(settings.purge_interval_seconds)
        attempt = asyncio.ensure_future(run_in_threadpool(purge_once, database, tracker, settings))
        try:
            await asyncio.shield(attempt)
        except asyncio.CancelledError:
            # A thread cannot be cancelled: let the round finish before the app disposes the engines.
            with contextlib.suppress(Exception):
                await attempt
            raise
        except Exception as error:  # a failed round must not stop later ones; the class says enough
            log.warning("retention purge failed: %s", type(error).__name__)
