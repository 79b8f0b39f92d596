"""Start each conversation session afresh: a verified identity lasts no longer than the session."""

from __future__ import annotations

import contextlib
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.backoffice import BackOffice, BackOfficeError, within_deadline
from bot.tasks_registry import FORGOTTEN_SLOTS


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


# "log me out please", "forget my details, I'm on a library computer": after them, and after goodbye, a verified
# identity stayed for the rest of the hour, so the next person at a shared computer could read the resident's record
# (an attack). Each ends the identity and the account proved in the chat, in the back office too.
LOGS_OUT = re.compile(
    r"\b(?:log|sign)\s*(?:me\s+)?(?:out|off)\b|\bforget\s+(?:me\b|my (?:details|info\w*|data)|who i am|everything)|"
    r"\b(?:delete|clear|wipe|remove|erase)\s+(?:all\s+)?(?:my|the)\s+(?:details|info\w*|data)\b|"
    r"\b(?:someone else|my \w+) (?:wants|needs) to use (?:this|it)\b|"
    r"\b(?:shared|library|public|work|school|college)\s+(?:computer|pc|laptop|device|tablet|phone)\b|"
    r"\bend\s+(?:my|this)\s+session\b",
    re.IGNORECASE,
)
FORGOTTEN = (
    "Done: I've forgotten who you are in this chat, so anyone using this device after you would have to prove who "
    "they are again. On a shared computer, please close this window too."
)


async def forget_identity(backoffice: BackOffice | None, tracker: Tracker) -> list[EventType]:
    """End the chat's proved identity and account, in the back office and in the bot, with the answers gathered."""
    office = backoffice or BackOffice.from_settings()
    # Each on its own: the back office also ends them by time, so one failing does not keep the other.
    if tracker.get_slot("identity_verified"):
        with contextlib.suppress(BackOfficeError):
            await office.end_verification(conversation_id=tracker.sender_id)
    if tracker.get_slot("account_verified"):
        with contextlib.suppress(BackOfficeError):
            await office.end_account_verification(conversation_id=tracker.sender_id)
    return [
        SlotSet("identity_verified", False),
        SlotSet("account_verified", False),
        SlotSet("pending_task", None),
        SlotSet("declined_answers", None),
        *(SlotSet(slot, None) for slot in FORGOTTEN_SLOTS),
    ]


async def logged_out_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, backoffice: BackOffice | None = None
) -> list[EventType] | None:
    """Forget who the resident is when they ask to be logged out or forgotten, and say so; else None."""
    if not LOGS_OUT.search(str(tracker.latest_message.get("text") or "")):
        return None
    events = await forget_identity(backoffice, tracker)
    dispatcher.utter_message(text=FORGOTTEN)
    return [*events, FollowupAction("action_listen")]


class ActionForgetIdentity(Action):
    """End the chat's proved identity after goodbye; say so when the resident asked to be logged out.

    "log me out", read as goodbye, got "Bye for now" and never heard it was done (the last probe).
    """

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_forget_identity"

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if LOGS_OUT.search(str(tracker.latest_message.get("text") or "")):
            dispatcher.utter_message(text=FORGOTTEN)
        return await forget_identity(self._backoffice, tracker)
