"""What every identity check shares: its three answers, how long a proven identity lasts, and the lockouts.

Each feature (electoral registration, council tax accounts) keeps its own attempts table and finds its own
candidates; the lockout rules are the same for both and live here. They lock the *attempt source*, never
the person or the address named, so a script cannot lock a resident out of self-service:

- a conversation with ``MAX_FAILURES`` failed checks in ``LOCK_WINDOW`` is refused ("locked");
- a source (the pseudonymous client address that started the conversation, ``api.access.source``) with
  ``MAX_SOURCE_FAILURES`` failed checks in ``SOURCE_WINDOW``, across all its conversations, is refused
  ("locked"); refused attempts count too, so guessing on keeps either lock in place (but retries in a chat
  already locked count only against that chat, so a confused resident does not lock their household);
- a person (or account) named in ``MAX_FAILURES`` failed checks in ``LOCK_WINDOW``, from any sources, is
  not checked for ``SUBJECT_BACKOFF`` after the latest one: the answer is "not_verified", as for any
  failure, so it tells a guesser nothing. Only checks actually made count here, never refused ones, so
  the back-off ends two minutes after the last real guess, and the resident can then verify from a fresh
  conversation. Each further ``MAX_FAILURES`` real failures within ``SUBJECT_MEMORY`` double it, up to
  ``MAX_SUBJECT_BACKOFF``: an attacker who waited out two minutes at a time (from many addresses, so no
  source lock held) guessed five dates of birth every two and a half minutes, some 120 an hour (a probe);
  now about 40 in the first day's hours, then five every four hours.

Every refusal is kept with its reason (``Refusal``) for the supervisors' dashboard, and logged without
personal data. An attempts table has the columns ``conversation_id``, ``client_source``, ``refused``,
``succeeded`` and ``attempted_at``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement

from api.conversations.models import Conversation
from api.db import Base, as_utc
from api.errors import DomainError

# How long a verified identity lasts: the length of a conversation session.
SESSION_LENGTH = timedelta(minutes=60)
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
MAX_SOURCE_FAILURES = 10
SOURCE_WINDOW = timedelta(hours=1)
SUBJECT_BACKOFF = timedelta(minutes=2)
SUBJECT_MEMORY = timedelta(hours=24)
MAX_SUBJECT_BACKOFF = timedelta(hours=4)


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


class Refusal(enum.StrEnum):
    """Why a check was refused without being made."""

    CONVERSATION = "conversation"
    SOURCE = "source"
    SUBJECT = "subject"


@dataclass(frozen=True)
class Decision:
    """The answer to give, and why the check was not made, if it was not."""

    outcome: Outcome
    refused: Refusal | None = None


class NotVerified(DomainError):
    """The conversation has no live verified identity."""

    status_code = 403
    detail = "not verified"


def count_failures(
    session: Session,
    attempts: type[Base],
    condition: ColumnElement[bool],
    *,
    since: datetime,
    per: QueryableAttribute[Any] | None = None,
) -> int:
    """Count failed ``attempts`` matching ``condition`` after ``since``; with ``per``, the most in any one group."""
    table = attempts.__table__
    query = (
        select(func.count().label("failures"))
        .select_from(table)
        .where(condition, table.c.succeeded.is_(False), table.c.attempted_at > since)
    )
    if per is not None:
        counts = session.scalars(query.group_by(per)).all()
        return max(counts, default=0)
    return session.scalar(query) or 0


def conversation_source(session: Session, conversation_id: str) -> str | None:
    """Return the source that started the conversation (None for Telegram chats and unknown ids)."""
    return session.scalar(select(Conversation.client_source).where(Conversation.id == conversation_id))


def decide(
    session: Session,
    attempts: type[Base],
    subject: QueryableAttribute[Any],
    *,
    conversation_id: str,
    source: str | None,
    subject_ids: list[int],
    details_correct: bool,
    now: datetime,
) -> Decision:
    """Apply the lockouts, then the check itself. ``subject`` is the attempts column naming the person checked.

    Every check runs the same queries, whoever is named, so timing tells as little as the answer.
    """
    table = attempts.__table__
    conversation_locked = (
        count_failures(session, attempts, table.c.conversation_id == conversation_id, since=now - LOCK_WINDOW)
        >= MAX_FAILURES
    )
    # A resident who keeps trying in a chat that is already locked is not guessing at anyone new: those
    # refusals keep the chat locked but do not count against their whole address.
    from_source = and_(
        table.c.client_source == (source or ""),
        or_(table.c.refused.is_(None), table.c.refused != Refusal.CONVERSATION.value),
    )
    source_locked = (
        count_failures(session, attempts, from_source, since=now - SOURCE_WINDOW) >= MAX_SOURCE_FAILURES
        and source is not None
    )
    backing_off = _subject_backing_off(session, attempts, subject, subject_ids, now=now)
    if conversation_locked:
        return Decision(Outcome.LOCKED, Refusal.CONVERSATION)
    if source_locked:
        return Decision(Outcome.LOCKED, Refusal.SOURCE)
    if backing_off:
        return Decision(Outcome.NOT_VERIFIED, Refusal.SUBJECT)
    return Decision(Outcome.VERIFIED if details_correct else Outcome.NOT_VERIFIED)


def _subject_backing_off(
    session: Session, attempts: type[Base], subject: QueryableAttribute[Any], subject_ids: list[int], *, now: datetime
) -> bool:
    """Whether any of ``subject_ids`` had ``MAX_FAILURES`` real failed checks lately, the last one very lately."""
    table = attempts.__table__
    rows = session.execute(
        select(func.count(), func.max(table.c.attempted_at))
        .select_from(table)
        .where(
            subject.in_(subject_ids),
            table.c.succeeded.is_(False),
            table.c.refused.is_(None),
            table.c.attempted_at > now - SUBJECT_MEMORY,
        )
        .group_by(subject)
    ).all()
    return any(count >= MAX_FAILURES and as_utc(latest) > now - subject_backoff(count) for count, latest in rows)


def subject_backoff(failures: int) -> timedelta:
    """How long a person named in ``failures`` real failed checks lately is not checked after the last one."""
    doublings = max(0, failures // MAX_FAILURES - 1)
    backoff: timedelta = SUBJECT_BACKOFF * (2 ** min(doublings, 16))
    return min(backoff, MAX_SUBJECT_BACKOFF)


def refusals_between(
    session: Session, attempts: type[Base], subject: QueryableAttribute[Any], *, start: datetime, end: datetime
) -> dict[Refusal, int]:
    """Count, for each kind of refusal in [start, end), how many chats, sources or people were refused.

    Distinct keys, not attempts: a supervisor asks how many chats (or client addresses, or people named)
    were locked out that day, and a locked chat retrying ten times is still one.
    """
    table = attempts.__table__
    keys = {
        Refusal.CONVERSATION: table.c.conversation_id,
        Refusal.SOURCE: table.c.client_source,
        Refusal.SUBJECT: subject,
    }
    return {
        refusal: session.scalar(
            select(func.count(func.distinct(key))).where(
                table.c.refused == refusal.value, table.c.attempted_at >= start, table.c.attempted_at < end
            )
        )
        or 0
        for refusal, key in keys.items()
    }
