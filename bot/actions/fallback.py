"""What the bot does when it did not understand: say what it can do, and after two misses offer an officer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.names import MISSED_INTENTS, MISSES_BEFORE_OFFER, SLOT_HANDOFF_REASON, SLOT_OFFICER_OFFERED

TOPICS = ("opening hours and contact details, registering to vote, polling stations and election dates, "
          "postal and proxy votes, council tax payments, and reporting problems like missed bins or potholes")


def misses_in_a_row(tracker: Tracker) -> int:
    """Count the resident's latest messages, newest first, that the bot did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent not in MISSED_INTENTS:
            break
        count += 1
    return count


class ActionHandleMiss(Action):
    """Reply to a message the bot did not understand or cannot help with."""

    def name(self) -> str:
        return "action_handle_miss"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        if misses_in_a_row(tracker) >= MISSES_BEFORE_OFFER:
            dispatcher.utter_message(
                text=("I'm sorry, I'm still not able to help with that. Would you like me to ask an officer "
                      "to join this chat?"),
                buttons=[{"title": "Yes, talk to a person", "payload": "/request_officer"},
                         {"title": "No, thanks", "payload": "/deny"}],
            )
            return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]
        dispatcher.utter_message(
            text=(f"Sorry, I didn't quite get that, or it's something I can't help with. I can help with {TOPICS}. "
                  "Could you say it another way?"))
        return []
