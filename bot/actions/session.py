"""Start each conversation session afresh: a verified identity lasts no longer than the session."""

from __future__ import annotations

import contextlib

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.backoffice import BackOffice, BackOfficeError, within_deadline


class ActionSessionStart(Action):
    """Start a new session; end the previous session's verified identity in the back office."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_session_start"

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("identity_verified"):
            # The back office also expires verifications by time, so a failure here is not fatal.
            with contextlib.suppress(BackOfficeError):
                await (self._backoffice or BackOffice.from_settings()).end_verification(
                    conversation_id=tracker.sender_id
                )
        # Slots are not carried over (session_config), so the new session starts unverified.
        return [SessionStarted(), ActionExecuted("action_listen")]
