"""An action that fails with the resident's details in its error, as a bug in a real action could."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionThatFails(Action):
    """Raise an error whose message holds a slot value."""

    def name(self) -> str:
        return "action_that_fails"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise ValueError(f"no elector called {tracker.get_slot('full_name')}")
