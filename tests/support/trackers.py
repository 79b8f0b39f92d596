"""Small rasa-sdk trackers built from events, for the action tests (Rasa environment)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def user_event(text: str, intent: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def make_tracker(
    *events: dict[str, Any], slots: dict[str, Any] | None = None, sender_id: str = "conversation-1"
) -> Tracker:
    users = [e for e in events if e["event"] == "user"]
    latest = users[-1]["parse_data"] | {"text": users[-1]["text"]} if users else {}
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest,
        events=list(events),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
