"""Database engine, declarative base and the request-scoped session that commits at the boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table; constraint names follow one convention so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The largest value an Integer column (every table's id) holds on PostgreSQL: a larger id in a request
# names nothing, and is refused with 422 before it reaches the database (where it would fail).
ROW_ID_MAX = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def dialect_insert(session: Session, table: Any) -> Any:
    """Return an INSERT for ``table`` in the session's dialect, which has ON CONFLICT (PostgreSQL or SQLite).

    One statement that inserts or leaves (or updates) the row is what keeps a repeated or concurrent request
    idempotent without catching errors from a half-failed transaction.
    """
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` with its time zone; SQLite hands back UTC moments without one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class PoolSize:
    """How many connections a process keeps, may add under load, and how long a request waits for one.

    The defaults hold a burst of 80 residents opening the chat at once on the embedded SQLite default: each
    of them briefly needs a connection to start a conversation, open the event stream and store messages,
    while the bot's actions need more for the back office. A request that still finds none after ``timeout``
    seconds gets a kind 503 (see api/overload.py), never a 500.
    """

    size: int = 20
    overflow: int = 80
    timeout: float = 60.0


def make_engine(url: str, pool: PoolSize = PoolSize()) -> Engine:
    """Create an engine for ``url``; SQLite gets a folder, foreign keys and a busy timeout."""
    sizing = {"pool_size": pool.size, "max_overflow": pool.overflow, "pool_timeout": pool.timeout}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # A writer waits up to the busy timeout for SQLite's single write lock (WAL lets readers carry on).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **sizing)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **sizing)


class Database:
    """An engine and its session factory; one per process, built by ``create_app``."""

    def __init__(self, url: str, pool: PoolSize = PoolSize()) -> None:
        self.engine = make_engine(url, pool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session_scope(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@contextmanager
def session_on(url: str) -> Iterator[Session]:
    """Yield a session on ``url`` for a short job outside the API (a script, a test reading the stack's database).

    Whatever it did not commit is rolled back, and the engine is disposed, so no connection outlives the job.
    """
    engine = make_engine(url)
    try:
        with sessionmaker(engine, expire_on_commit=False)() as session:
            yield session
    finally:
        engine.dispose()
