"""Know, without asking the database, when a conversation has new messages, and wake its open streams at once.

Every open event stream (one per resident's widget) used to query the database twice a second for as long as it
stayed open: eighty open widgets made 160 queries a second that almost always found nothing. Instead, each
transaction that stores or rewrites a message bumps that conversation's counter when it commits, and a stream
sleeps until its counter moves (or its tick passes, to notice a closed connection) and only then reads.

The counters live in this process. With several API workers (the production profile, on PostgreSQL) a message
another worker stored is announced by PostgreSQL itself: the storing transaction sends ``NOTIFY`` on the
``ca_messages`` channel with the conversation's id (delivered only if it commits), and ``PostgresListener``, one
connection per worker that ``LISTEN``s on it, bumps the same counters. While the listener is not connected (the
database restarting) streams fall back to reading the database every tick, so nothing waits for long. SQLite has
one worker, so its in-process counters see everything; streams there still read the database now and then
(``push_fallback_seconds``) in case another process (a script, the purge) wrote.

Handoffs move counters too: a handoff added or changed (by the ORM, or by an UPDATE statement such as the
console's claim) moves its conversation's counter and the ``HANDOFFS`` counter, which the officer console's
queue streams follow; so a new request for an officer reaches every open queue page the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from typing import Any

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from api.conversations.models import Handoff, Message
from api.officers.models import OfficerSession

log = logging.getLogger(__name__)

_PENDING = "changed_conversations"
_NOTIFIED = "notified_conversations"
CHANNEL = "ca_messages"
# The counter of every handoff (the console's queues). No conversation id has a slash in it (they are URL-safe
# base64), so it cannot be mistaken for one.
HANDOFFS = "handoffs/all"


def officer_key(officer_id: int) -> str:
    """Return the counter an officer's sign-out moves: their console streams wake on it and find the session over."""
    return f"officer/{officer_id}"


# Seconds the listener waits for a notification before looking at its stop flag (an app stops within one), and
# before reconnecting.
LISTEN_TICK_SECONDS = 0.25
RECONNECT_SECONDS = 2.0


class MessageChanges:
    """One counter per conversation and one for every handoff, moved after each commit that changed them.

    A conversation's counter moves with its messages and its handoffs, ``HANDOFFS`` with any handoff.

    ``wait`` lets an event stream sleep until its conversation's counter moves; a bump from any thread (a
    request's commit, the PostgreSQL listener) wakes it through its event loop.
    """

    def __init__(self) -> None:
        self._versions: defaultdict[str, int] = defaultdict(int)
        self._waiters: defaultdict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)
        self._lock = threading.Lock()
        # True while another process's commits reach this one (PostgresListener connected).
        self.shared = False

    def watch(self, sessions: sessionmaker[Session], *, notify: bool = False) -> None:
        """Follow every session ``sessions`` makes; with ``notify``, announce each change to other workers too."""
        event.listen(sessions, "after_flush", self._note_and_notify if notify else self._note)
        event.listen(sessions, "do_orm_execute", self._note_statement)
        if notify:
            # A statement's change (the claim's UPDATE) may have no flush after it: announce it before commit.
            event.listen(sessions, "before_commit", self._notify)
        event.listen(sessions, "after_commit", self._publish)
        event.listen(sessions, "after_soft_rollback", self._forget)

    def version(self, conversation_id: str) -> int:
        """Return the counter of a conversation (or ``HANDOFFS``); it changes whenever a change to it is committed."""
        return self._versions.get(conversation_id, 0)

    def versions(self, keys: tuple[str, ...]) -> int:
        """Return the sum of several counters: it changes whenever any of them does (they only go up)."""
        return sum(self.version(key) for key in keys)

    def bump(self, conversation_ids: set[str]) -> None:
        """Move the counters of ``conversation_ids`` and wake the streams waiting on them."""
        with self._lock:
            woken: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
            for conversation_id in conversation_ids:
                self._versions[conversation_id] += 1
                woken.extend(self._waiters.get(conversation_id, ()))
        for loop, waiter in woken:
            with contextlib.suppress(RuntimeError):  # the stream's loop has closed: nobody to wake
                loop.call_soon_threadsafe(waiter.set)

    async def wait(self, keys: str | tuple[str, ...], seen: int, timeout: float) -> None:
        """Return when the counter (or the sum of ``keys``' counters) is no longer ``seen``, or after ``timeout`` s."""
        keys = (keys,) if isinstance(keys, str) else keys
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            for key in keys:
                self._waiters[key].add(waiter)
        try:
            if self.versions(keys) == seen:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter[1].wait(), timeout)
        finally:
            with self._lock:
                for key in keys:
                    waiters = self._waiters.get(key)
                    if waiters is not None:
                        waiters.discard(waiter)
                        if not waiters:
                            del self._waiters[key]

    @staticmethod
    def _note(session: Session, _context: Any) -> None:
        changed: set[str] = set()
        for item in (*session.new, *session.dirty):
            if isinstance(item, Message):
                changed.add(item.conversation_id)
            elif isinstance(item, Handoff):
                changed.update((item.conversation_id, HANDOFFS))
            elif isinstance(item, OfficerSession) and item.ended_at is not None:
                changed.add(officer_key(item.officer_id))
        if changed:
            session.info.setdefault(_PENDING, set()).update(changed)

    @staticmethod
    def _note_statement(state: ORMExecuteState) -> None:
        """Note an UPDATE, INSERT or DELETE statement on handoffs (it changes rows the session does not track)."""
        if (state.is_update or state.is_insert or state.is_delete) and any(
            mapper.class_ is Handoff for mapper in state.all_mappers
        ):
            state.session.info.setdefault(_PENDING, set()).add(HANDOFFS)

    def _note_and_notify(self, session: Session, context: Any) -> None:
        """Note the change, and queue a NOTIFY in the same transaction: other workers hear of it only on commit."""
        self._note(session, context)
        self._notify(session)

    @staticmethod
    def _notify(session: Session) -> None:
        notified: set[str] = session.info.setdefault(_NOTIFIED, set())
        for key in session.info.get(_PENDING, set()) - notified:
            session.connection().execute(text("SELECT pg_notify(:channel, :id)"), {"channel": CHANNEL, "id": key})
            notified.add(key)

    def _publish(self, session: Session) -> None:
        session.info.pop(_NOTIFIED, None)
        changed = session.info.pop(_PENDING, None)
        if changed:
            self.bump(changed)

    @staticmethod
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_NOTIFIED, None)


class PostgresListener:
    """One connection per API worker that LISTENs for other workers' new messages and bumps ``changes``."""

    def __init__(self, database_url: str, changes: MessageChanges) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._changes = changes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start listening in a thread of its own (again after ``stop``: an app's lifespan can run twice)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), name="ca-messages-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and close the connection (within a tick)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=LISTEN_TICK_SECONDS * 5)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._listen(stop)
            except psycopg.Error as error:
                # The class is enough: the message could name the database host, never a resident.
                log.warning(
                    "message listener lost its connection (%s); streams read the database meanwhile",
                    type(error).__name__,
                )
            self._changes.shared = False
            stop.wait(RECONNECT_SECONDS)

    def _listen(self, stop: threading.Event) -> None:
        with psycopg.connect(self._dsn, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._changes.shared = True
            while not stop.is_set():
                for note in connection.notifies(timeout=LISTEN_TICK_SECONDS):
                    self._changes.bump({note.payload})
