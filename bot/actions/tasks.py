"""Start a task (reset the form, remember what it is for) and complete it once the form has its details.

What each task does is declared with it in its topic module and read from bot.tasks_registry.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import electoral, payments
from bot.actions.common import apologise_for_failure, council_phone
from bot.actions.knowledge import decision_instead, say_decision
from bot.actions.task_form import start_task_events
from bot.actions.task_kit import Reply
from bot.backoffice import BackOffice, BackOfficeError, NotFound, NotVerified, within_deadline
from bot.names import FAILED, FAILED_AT_THE_END, SLOT_HANDOFF_REASON, SLOT_OFFICER_OFFERED
from bot.routing import task_of_article
from bot.tasks_registry import ACCOUNT_TASKS, FORGOTTEN_SLOTS, REGISTRY


class ActionStartTask(Action):
    """Remember which task the resident asked for and clear what an earlier task left behind.

    A message that names another service with its own article ("register my baby's birth") gets that
    article instead, and the task form never starts: the rule's next step is replaced by listening. When
    that article belongs to a task of its own ("what day is recycling picked up" read as a problem report
    names bin days), that task starts instead: the article would only tell the resident to ask for it.
    """

    def name(self) -> str:
        return "action_start_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        decision = decision_instead(tracker)
        task = task_of_article(decision.answer)
        if task is None and say_decision(dispatcher, decision):
            return [FollowupAction("action_listen")]
        return start_task_events(tracker, task=task)


class ActionCompleteTask(Action):
    """Do the task with the details gathered, or explain why it cannot be done."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_complete_task"

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        outcome = tracker.get_slot("verification_outcome")
        done: list[EventType] = [SlotSet(slot, None) for slot in FORGOTTEN_SLOTS] + [SlotSet("pending_task", None)]
        if outcome == "not_verified":
            dispatcher.utter_message(
                text=payments.NOT_VERIFIED if task in ACCOUNT_TASKS else electoral.NOT_VERIFIED,
                buttons=[
                    {"title": "Try again", "payload": f"/{task}"},
                    {"title": "Talk to a person", "payload": "/request_officer"},
                ],
            )
            return done
        if outcome == "locked":
            # A council tax check that locks points to the council tax line, not to electoral services.
            dispatcher.utter_message(
                text=payments.LOCKED if task in ACCOUNT_TASKS else electoral.LOCKED,
                buttons=[
                    {"title": "Yes, talk to a person", "payload": "/request_officer"},
                    {"title": "No, thanks", "payload": "/deny"},
                ],
            )
            return [*done, SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "locked_out")]
        if tracker.get_slot("task_confirmed") is False and outcome in FAILED:
            dispatcher.utter_message(
                text=f"OK, I'll leave it there. If you'd like to try later, just ask me again, "
                f"or call us on {council_phone()}."
            )
            return done
        if tracker.get_slot("task_confirmed") is False:
            dispatcher.utter_message(text="OK, I haven't recorded anything. What else can I help with?")
            return done
        if outcome in FAILED or task not in REGISTRY:
            apologise_for_failure(dispatcher)
            return done
        backoffice = self._backoffice or BackOffice.from_settings()
        try:
            reply = await REGISTRY[task].handler(backoffice, tracker)
            if isinstance(reply, Reply):
                dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
                return [*done, *reply.events]
            dispatcher.utter_message(text=reply)
        except NotVerified:
            # The verified identity expired (it lasts as long as the conversation session): check again.
            dispatcher.utter_message(
                text="To keep your details safe, your check has run out. I need to ask for your details again."
            )
            verified_slot = "account_verified" if task in ACCOUNT_TASKS else "identity_verified"
            return [*done, SlotSet("pending_task", task), SlotSet(verified_slot, False), FollowupAction("task_form")]
        except NotFound:
            dispatcher.utter_message(
                text="Sorry, I couldn't find that address in our records. " + electoral.no_details_call()
            )
        except BackOfficeError:
            # Keep every answer and ask whether to try again (or hand over with them): nothing is lost.
            return [
                SlotSet("pending_task", task),
                SlotSet("verification_outcome", FAILED_AT_THE_END),
                SlotSet("task_confirmed", None),
                FollowupAction("task_form"),
            ]
        return done
