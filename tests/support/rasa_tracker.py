"""Real Rasa tracker stores for the retention and erasure tests.

Rasa's ``SQLTrackerStore`` (in the Rasa environment, run as a subprocess) makes the ``events`` table and
writes the trackers, so the tests delete from exactly the table and rows Rasa itself keeps.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"

WRITER = """
import asyncio, json, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

request = json.load(sys.stdin)
store = SQLTrackerStore(host=request["url"])
for sender_id, events in request["trackers"].items():
    asyncio.run(store.save(DialogueStateTracker.from_dict(sender_id, events)))
store.engine.dispose()
"""


def rasa_url(url: str) -> str:
    """Rasa's environment has psycopg2, SQLAlchemy's default PostgreSQL driver."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def write_trackers(url: str, trackers: dict[str, list[dict[str, Any]]]) -> None:
    """Save the trackers (sender id -> Rasa event dicts) with Rasa's own SQL tracker store at ``url``."""
    env = dict(os.environ, SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONWARNINGS="ignore")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", WRITER],
        input=json.dumps({"url": rasa_url(url), "trackers": trackers}),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def resident_turn(text: str, at: float, *, slot: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """Events of one turn as Rasa stores them: the resident's message, a slot set from it, the bot listening."""
    events: list[dict[str, Any]] = [
        {
            "event": "user",
            "text": text,
            "timestamp": at,
            "parse_data": {"intent": {"name": "inform", "confidence": 1.0}, "entities": [], "text": text},
        }
    ]
    if slot:
        events.append({"event": "slot", "name": slot[0], "value": slot[1], "timestamp": at + 0.1})
    events.append({"event": "action", "name": "action_listen", "timestamp": at + 0.2})
    return events
