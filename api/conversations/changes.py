"""Know, without asking the database, when a conversation has new messages.

Every open event stream (one per resident's widget, one per officer's console view) used to query the
database twice a second for as long as it stayed open: eighty open widgets made 160 queries a second that
almost always found nothing. Instead, each transaction that stores or rewrites a message bumps that
conversation's counter when it commits, and a stream reads the database only when its counter moved.

The counters live in this process. Messages written by another API worker are not seen here, so streams
still look at the database every ``push_fallback_seconds`` whatever the counter says.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from api.conversations.models import Message

_PENDING = "changed_conversations"


class MessageChanges:
    """One counter per conversation, moved after each commit that added or changed its messages."""

    def __init__(self) -> None:
        self._versions: defaultdict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Follow every session ``sessions`` makes."""
        event.listen(sessions, "after_flush", self._note)
        event.listen(sessions, "after_commit", self._publish)
        event.listen(sessions, "after_soft_rollback", self._forget)

    def version(self, conversation_id: str) -> int:
        """Return the conversation's counter; it changes whenever a message of it is committed."""
        return self._versions.get(conversation_id, 0)

    @staticmethod
    def _note(session: Session, _context: Any) -> None:
        changed = {item.conversation_id for item in (*session.new, *session.dirty) if isinstance(item, Message)}
        if changed:
            session.info.setdefault(_PENDING, set()).update(changed)

    def _publish(self, session: Session) -> None:
        changed = session.info.pop(_PENDING, None)
        if changed:
            with self._lock:
                for conversation_id in changed:
                    self._versions[conversation_id] += 1

    @staticmethod
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop(_PENDING, None)
