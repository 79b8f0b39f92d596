"""Limits on failed console sign-ins, reserved atomically before a password or code is checked.

Three limits apply to every attempt, so guessing is slowed without handing an attacker a way to lock an
officer out:

- ``PAIR``: one email address from one client address. An officer who mistypes, or an attacker guessing
  from one machine, is stopped there; the officer at their own desk is not affected by the attacker.
- ``CLIENT``: one client address, whatever email addresses it tries (password spraying).
- ``ACCOUNT``: one email address from anywhere. Only a guesser spread over many client addresses
  reaches it; the account then waits, and a supervisor can unlock it (``unlock``).

Each attempt first takes a place under every limit in one short transaction: a conditional UPDATE that
succeeds only while the count is under the limit (or the window has passed), so the database, not the
order in which parallel requests happen to run, decides which attempts are checked. A right answer
gives its places back. Keys are hashes: no email or client address is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, or_, select, update
from sqlalchemy.orm import Session

from api.db import as_utc, dialect_insert
from api.officers.models import SignInLimit


@dataclass(frozen=True)
class Limit:
    """At most ``max_failures`` failed attempts per key in a fixed ``window`` from the first."""

    scope: str
    max_failures: int
    window: timedelta


PAIR = Limit("pair", 5, timedelta(minutes=15))
CLIENT = Limit("client", 20, timedelta(minutes=15))
ACCOUNT = Limit("account", 50, timedelta(hours=1))


@dataclass(frozen=True)
class Place:
    """One limit's key for an attempt."""

    limit: Limit
    key: str
    email_hash: str | None


def places_for(*, email_hash: str, client_key: str) -> list[Place]:
    """Return the places an attempt for ``email_hash`` from ``client_key`` takes, in a fixed (deadlock-free) order."""
    places = [
        Place(PAIR, f"pair:{email_hash[:32]}:{client_key[:32]}", email_hash),
        Place(CLIENT, f"client:{client_key}", None),
        Place(ACCOUNT, f"account:{email_hash}", email_hash),
    ]
    return sorted(places, key=lambda place: place.key)


def reserve(session: Session, places: list[Place], *, now: datetime) -> bool:
    """Take a place under every limit, or none: False when any limit is reached (nothing is taken then).

    Commits or rolls back ``session``; call it with nothing else pending. It writes before it reads, so
    SQLite takes its write lock at once and PostgreSQL locks each row in the same order for every caller.
    """
    now = now.astimezone(UTC)
    for place in places:
        session.execute(
            dialect_insert(session, SignInLimit)
            .values(key=place.key, email_hash=place.email_hash, failures=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        expired = SignInLimit.window_started_at <= now - place.limit.window
        taken = cast(
            CursorResult[Any],
            session.execute(
                update(SignInLimit)
                .where(SignInLimit.key == place.key, or_(SignInLimit.failures < place.limit.max_failures, expired))
                .values(
                    failures=case((expired, 1), else_=SignInLimit.failures + 1),
                    window_started_at=case((expired, now), else_=SignInLimit.window_started_at),
                )
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if not taken:
            session.rollback()
            return False
    session.commit()
    return True


def give_back(session: Session, places: list[Place]) -> None:
    """Return the places a successful attempt took (it was not a failure after all). Does not commit."""
    session.execute(
        update(SignInLimit)
        .where(SignInLimit.key.in_([p.key for p in places]), SignInLimit.failures > 0)
        .values(failures=SignInLimit.failures - 1)
        .execution_options(synchronize_session=False)
    )


def unlock(session: Session, *, email_hash: str) -> int:
    """Clear every limit on an email address (from every client); return how many were cleared."""
    result = cast(
        CursorResult[Any],
        session.execute(
            delete(SignInLimit).where(SignInLimit.email_hash == email_hash).execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount


@dataclass(frozen=True)
class Lockout:
    """A limit an email address has reached: from one client ("pair") or from anywhere ("account")."""

    scope: str
    failures: int
    until: datetime


def lockouts(session: Session, *, email_hash: str, now: datetime) -> list[Lockout]:
    """Return the limits on an email address that refuse sign-in now, soonest to end first."""
    limits = {PAIR.scope: PAIR, ACCOUNT.scope: ACCOUNT}
    found = []
    for row in session.scalars(select(SignInLimit).where(SignInLimit.email_hash == email_hash)):
        limit = limits[row.key.split(":", 1)[0]]
        until = as_utc(row.window_started_at) + limit.window
        if row.failures >= limit.max_failures and until > now:
            found.append(Lockout(limit.scope, row.failures, until))
    return sorted(found, key=lambda lockout: lockout.until)
