"""What every identity check shares: its three answers, how long a proven identity lasts, the lockout counts.

Each feature (electoral registration, council tax accounts) keeps its own attempts table and decides who
is locked; this module counts the failures the same way for all of them. An attempts table has the
columns ``succeeded`` and ``attempted_at``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement

from api.db import Base

# How long a verified identity lasts: the length of a conversation session.
SESSION_LENGTH = timedelta(minutes=60)
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)


class Outcome(enum.StrEnum):
    """The three answers an identity check can give."""

    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    LOCKED = "locked"


@dataclass(frozen=True)
class CheckResult:
    """What an identity check found, and until when the identity holds if it succeeded."""

    outcome: Outcome
    expires_at: datetime | None


class NotVerified(Exception):
    """The conversation has no live verified identity."""


def count_failures(session: Session, attempts: type[Base], condition: ColumnElement[bool], *, since: datetime,
                   per: QueryableAttribute[Any] | None = None) -> int:
    """Count failed ``attempts`` matching ``condition`` after ``since``; with ``per``, the most in any one group."""
    table = attempts.__table__
    query = select(func.count().label("failures")).select_from(table).where(
        condition, table.c.succeeded.is_(False), table.c.attempted_at > since)
    if per is not None:
        counts = session.scalars(query.group_by(per)).all()
        return max(counts, default=0)
    return session.scalar(query) or 0
