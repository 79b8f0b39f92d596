"""Rasa's tracker store, reached directly so the purge and erasure delete its events too.

Rasa's ``SQLTrackerStore`` keeps every event of every conversation in one ``events`` table (``sender_id`` is
the hub's conversation id, ``timestamp`` a Unix time, ``data`` the event as JSON). Only the columns used here
are declared, and the table is never created from this side: where Rasa has not made it yet (a fresh
install), there is nothing to delete.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, inspect, select
from sqlalchemy.engine import Engine

events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


def _sqlalchemy_url(url: str) -> str:
    """Use the app environment's PostgreSQL driver (psycopg 3) for a plain ``postgresql://`` URL."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


class TrackerStore:
    """Delete and read events in Rasa's SQL tracker store at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = _sqlalchemy_url(url)
        self._engine: Engine | None = None

    def _exists(self) -> bool:
        if self.url.startswith("sqlite:///") and not Path(self.url.removeprefix("sqlite:///")).exists():
            return False  # connecting would create an empty file where Rasa's should be
        if self._engine is None:
            # Rasa's own database: no pragmas changed (make_engine would switch SQLite to WAL), a busy
            # timeout so a purge waits for Rasa's writes rather than failing.
            sqlite = self.url.startswith("sqlite")
            self._engine = create_engine(
                self.url,
                pool_pre_ping=not sqlite,
                connect_args={"timeout": 30, "check_same_thread": False} if sqlite else {},
            )
        return inspect(self._engine).has_table("events")

    def delete_before(self, cutoff: datetime) -> int:
        """Delete every event older than ``cutoff``; return how many."""
        if not self._exists():
            return 0
        assert self._engine is not None
        with self._engine.begin() as connection:
            return connection.execute(delete(events).where(events.c.timestamp < cutoff.timestamp())).rowcount

    def delete_conversation(self, conversation_id: str) -> int:
        """Delete every event of one conversation; return how many."""
        if not self._exists():
            return 0
        assert self._engine is not None
        with self._engine.begin() as connection:
            return connection.execute(delete(events).where(events.c.sender_id == conversation_id)).rowcount

    def conversation_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """Return one conversation's events as Rasa stored them, oldest first."""
        if not self._exists():
            return []
        assert self._engine is not None
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(events.c.data).where(events.c.sender_id == conversation_id).order_by(events.c.id)
            )
            return [json.loads(data) for (data,) in rows]

    def close(self) -> None:
        """Release the connection pool."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
