"""Write and read the audit log. Entries say who did what to which conversation, and when; never the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.officers.models import Officer
from api.privacy.models import AuditEntry

ACTIONS = ("view", "export", "erase", "purge")
# The console page polls its conversation every few seconds; one view is logged per officer and conversation
# in this window, so the log stays readable while every officer who read the conversation is in it.
POLL_VIEW_WINDOW = timedelta(minutes=15)


def record(
    session: Session,
    *,
    action: str,
    officer_id: int | None,
    conversation_id: str | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry; ``detail`` must hold no personal data (a reference or counts, not names or text)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        action=action, officer_id=officer_id, conversation_id=conversation_id, detail=detail[:200], at=now or utcnow()
    )
    session.add(entry)
    session.flush()
    return entry


def record_poll_view(session: Session, *, officer_id: int, conversation_id: str, detail: str = "") -> None:
    """Log a view made by the page's live refresh, unless this officer's view of it was logged just before."""
    since = utcnow() - POLL_VIEW_WINDOW
    logged = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.officer_id == officer_id,
            AuditEntry.conversation_id == conversation_id,
            AuditEntry.action == "view",
            AuditEntry.at >= since,
        )
        .limit(1)
    )
    if logged is None:
        record(session, action="view", officer_id=officer_id, conversation_id=conversation_id, detail=detail)


@dataclass(frozen=True)
class AuditRow:
    """An entry as the supervisor's audit page shows it."""

    at: datetime
    officer: str
    action: str
    conversation_id: str | None
    detail: str


def recent(
    session: Session, *, conversation_id: str | None = None, officer_email: str | None = None, limit: int = 200
) -> list[AuditRow]:
    """Return the newest entries first, optionally for one conversation or one officer."""
    query = (
        select(AuditEntry, Officer.display_name, Officer.email)
        .outerjoin(Officer, Officer.id == AuditEntry.officer_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if conversation_id:
        query = query.where(AuditEntry.conversation_id == conversation_id)
    if officer_email:
        query = query.where(Officer.email == officer_email.strip().lower())
    return [
        AuditRow(
            at=entry.at,
            officer=f"{name} ({email})" if name else "System (retention purge)",
            action=entry.action,
            conversation_id=entry.conversation_id,
            detail=entry.detail,
        )
        for entry, name, email in session.execute(query)
    ]
