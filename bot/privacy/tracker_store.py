"""Rasa's SQL tracker store, storing events as ``bot.privacy.sealing`` allows, and erasing values once cleared.

Configured in endpoints.yml (``type: bot.privacy.tracker_store.PrivateSQLTrackerStore``) with the same
settings as Rasa's ``SQL`` store, so the same SQLite file or PostgreSQL database serves it. Rasa keeps the
full events in memory while it answers a message; only what goes to the database is changed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.sealing import SEALED, Sealer, is_sealed_slot

log = logging.getLogger(__name__)


class PrivateSQLTrackerStore(SQLTrackerStore):
    """An SQL tracker store that never writes a resident's text, names, dates of birth or addresses in clear."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sealer = Sealer.from_environment()
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not stored yet, sealed; then erase the stored values of slots the dialogue cleared."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
                data = event.as_dict()
                stored = self.sealer.seal(data)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(stored),
                    )
                )
            self._erase_cleared_slots(session, tracker, new_events)
            session.commit()

    def _erase_cleared_slots(self, session: Any, tracker: DialogueStateTracker, new_events: list[Any]) -> None:
        """Remove the sealed values of slots that were just set to nothing, so they are gone, not only hidden.

        The task form clears a name and date of birth as soon as the back office has checked them; from then on
        nothing needs the values, in this session or any other.
        """
        cleared = {
            e.key
            for e in new_events
            if isinstance(e, SlotSet) and e.value is None and is_sealed_slot(e.key) and tracker.get_slot(e.key) is None
        }
        if not cleared:
            return
        rows = session.query(self.SQLEvent).filter(
            self.SQLEvent.sender_id == tracker.sender_id,
            self.SQLEvent.type_name == SlotSet.type_name,
            self.SQLEvent.action_name.in_(sorted(cleared)),
            self.SQLEvent.data.contains(f'"{SEALED}"'),
        )
        for row in rows:
            data = json.loads(row.data)
            data.pop(SEALED, None)
            row.data = json.dumps(data)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rebuild the tracker from the stored events, opening what is sealed (if it is not too old)."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [self.sealer.open(json.loads(row.data)) for row in rows]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
