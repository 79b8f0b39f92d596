"""Answer a resident who is struggling to pay: empathy, the options, and an officer with raised priority."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.knowledge import decision_instead, say_decision
from bot.names import SLOT_HANDOFF_REASON, SLOT_OFFICER_OFFERED


class ActionOfferPaymentHelp(Action):
    """Say what help there is and offer an officer; taking the offer queues the chat with high priority."""

    def name(self) -> str:
        return "action_offer_payment_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # "Is there a household support fund?" is a question for its article, not a resident who cannot pay.
        if say_decision(dispatcher, decision_instead(tracker)):
            return [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_payment_difficulty")
        return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "payment_difficulty")]
