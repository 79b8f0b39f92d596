"""Small rasa-sdk trackers built from events, for the action tests (Rasa environment): the events of a resident's
message and of the bot's reply, and the intents with which Rasa fills no slot from the text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def user_event(text: str, intent: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


# The intents the domain's from_text mappings leave out (domain/*.yml): with these, Rasa maps nothing.
NOT_MAPPED = {"request_officer", "emergency", "card_payment_attempt", "stop", "deny", "affirm", "opening_hours"}


def message(text: str, intent: str, confidence: float = 0.9, ranking: list[tuple[str, float]] | None = None) -> dict:
    """The resident's message as the classifier read it (its intent, and the runners-up in ``ranking`` if given)."""
    parse: dict[str, Any] = {"intent": {"name": intent, "confidence": confidence}, "entities": []}
    if ranking is not None:
        parse["intent_ranking"] = [{"name": name, "confidence": c} for name, c in ranking]
    return {"event": "user", "text": text, "parse_data": parse}


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A reply the bot sent, with its buttons."""
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


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
