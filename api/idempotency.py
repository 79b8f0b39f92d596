"""Requests recorded once per idempotency key, under a random reference; shared by the features that lodge them.

The caller chooses the key and sends the same one on every retry: the same key again returns the row
already recorded, never a second one; the same key with different content is a conflict
(``IdempotencyConflict``, which each feature raises after comparing the content it cares about).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import Base
from api.errors import DomainError

Row = TypeVar("Row", bound=Base)
Body = TypeVar("Body")


@dataclass(frozen=True)
class Recorded(Generic[Body]):
    """A request as recorded, and whether this call created it (False: an earlier call with the same key did)."""

    body: Body
    created: bool


class IdempotencyConflict(DomainError):
    """The idempotency key was used before for a different request."""

    status_code = 409
    detail = "This idempotency key was already used for a different request."


def by_key(session: Session, model: type[Row], key: str) -> Row | None:
    """Return the row of ``model`` recorded under idempotency ``key``, if any."""
    return session.scalar(select(model).where(model.__table__.c.idempotency_key == key))


def new_reference(session: Session, model: type[Row], prefix: str) -> str:
    """Return an unused reference such as "AV-048213": random, so references reveal no volumes."""
    while True:
        reference = f"{prefix}-{secrets.randbelow(1_000_000):06d}"
        if session.scalar(select(model.__table__.c.id).where(model.__table__.c.reference == reference)) is None:
            return reference


def insert_once(session: Session, row: Row) -> tuple[Row, bool]:
    """Insert ``row``; if a concurrent retry with the same key got there first, return that one instead.

    Call it before writing anything else in the transaction: a clash rolls the whole transaction back.
    """
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        key: Any = getattr(row, "idempotency_key", None)
        existing = by_key(session, type(row), key) if key is not None else None
        if existing is None:
            raise
        return existing, False
    return row, True
