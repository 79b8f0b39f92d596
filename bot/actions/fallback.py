"""What the bot does with a question no intent answers: search the articles, ask which one, or offer an officer.

A strong, clear search match is answered with its article and link. A middling one gets one clarifying
question with the top articles as buttons; each button's payload is ``/out_of_scope{"article": "<slug>"}``,
which comes back here (the hub passes only payloads it offered, and Rasa drops the unknown entity but
keeps the text) and is answered with that article. With no match the bot says what it can do, and after
two misses in a row it offers an officer.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import council_phone
from bot.actions.electoral import switched_to
from bot.actions.form_help import OFFICER_BUTTON
from bot.actions.handoff import ActionRequestOfficer, complaint_details
from bot.actions.knowledge import GAP_UNANSWERED, about_the_last_reply, knowledge_marker, say_decision
from bot.actions.service_requests import answer_at_the_invitation, say_reply
from bot.actions.task_form import last_task, start_task_events
from bot.actions.tasks import (
    ABSENT_VOTE_TASKS,
    CANCEL_WORD,
    OTHERS_COUNCIL_TAX_REPLY,
    ActionDetailsWithoutTask,
    gives_a_detail,
    going_back_events,
    offered_task,
    only_a_detail,
    report_offered_by_the_answer,
    retry_events,
)
from bot.actions.two_requests import requests_in
from bot.backoffice import BackOffice
from bot.knowledge import ArticleError, get_knowledge
from bot.names import MISSED_INTENTS, MISSES_BEFORE_OFFER, SLOT_HANDOFF_REASON, SLOT_OFFICER_OFFERED
from bot.nlp.script import ENGLISH_ONLY, not_english
from bot.parsing import asks_about_others_council_tax, follow_up_of
from bot.routing import CHASES_UP, for_missed, reports_a_missed_collection, wants_a_person
from bot.tasks_registry import TASKS

log = logging.getLogger(__name__)

TOPICS = (
    "opening hours and contact details, registering to vote, polling stations and election dates, "
    "postal and proxy votes, council tax payments, and reporting problems like missed bins or potholes"
)


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


def asks_for_a_task(text: str) -> bool:
    """Tell whether ``text`` makes a request for a task in so many words ("email me the receipt for payment ...")."""
    return any(request.intent in TASKS for request in requests_in(text))


# Words that point at what was just talked about: "cancel it", "cancel that", "cancel my postal vote".
POINTS_AT_IT = re.compile(r"\b(?:it|that|this|them|my (?:postal|proxy))\b", re.IGNORECASE)


class ActionHandleMiss(Action):
    """Reply to a message the bot did not understand or cannot help with."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice  # for a handoff asked for outright; from settings when None

    def name(self) -> str:
        return "action_handle_miss"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if (noted := complaint_details(dispatcher, tracker)) is not None:
            return noted
        from bot.actions.session import logged_out_events  # it imports the registry, which imports this

        if (logged_out := await logged_out_events(dispatcher, tracker)) is not None:
            return logged_out
        if (about_it := about_the_last_reply(dispatcher, tracker)) is not None:
            return about_it
        if (going_back := going_back_events(tracker)) is not None:
            return going_back
        # A message that may be the answer to a question the form asked (a name, a date of birth) is no gap.
        mark = not tracker.get_slot("requested_slot")
        # "Try again" straight after a failed check, not understood as words, is the retry its button offers.
        retry = retry_events(dispatcher, tracker)
        if retry is not None:
            return retry
        if CHASES_UP.search(str(tracker.latest_message.get("text") or "")):
            from bot.actions.tasks import chased_events  # bot.actions.tasks imports this module

            if (chased := await chased_events(dispatcher, tracker, domain)) is not None:
                return chased
        if (reply := answer_at_the_invitation(tracker)) is not None:
            # "why do you need my email?" or "I didn't give one" when the bot asked for the reporter's email.
            return say_reply(dispatcher, reply)
        text = str(tracker.latest_message.get("text") or "")
        if not_english(text):
            # Arabic "can I talk to a person" was taken for a detail (a probe): say plainly what the chat reads.
            dispatcher.utter_message(text=ENGLISH_ONLY.format(phone=council_phone()), buttons=[OFFICER_BUTTON])
            return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]
        if mark and (report := report_offered_by_the_answer(tracker)) is not None:
            # "ok can you report it then", or where it is, after an answer that offers to take the report here ("outside
            # 19 rowan close" after the dead animals answer got "I'm still not able to help with that": a probe).
            return report
        if mark and gives_a_detail(text) and (offered_task(tracker) or asks_for_a_task(text) or only_a_detail(text)):
            # "carol.jones@example.com thanks" just after the bot asked for the email given with a report, not
            # understood as words, was told "Sorry, I didn't quite get that": a detail the bot's reply invited
            # goes to the task it invited it for. So does a detail given with a request its words make ("email me
            # the receipt for payment PAY-28020117" got "I'm not sure which of these you mean"). Run here, not as a
            # follow-up action: after one, the chat could be left dead (see ActionAnswerFromKnowledge).
            return await ActionDetailsWithoutTask().run(dispatcher, tracker, domain)
        if mark and asks_about_others_council_tax(text):
            # "when did my neighbour at 19 Rowan Close last pay council tax" got suggestions of articles (a probe).
            dispatcher.utter_message(text=OTHERS_COUNCIL_TAX_REPLY.format(phone=council_phone()))
            return []
        if mark and (vote := switched_to(text)) is not None:
            # "hmm actually proxy might be better", not understood as words, got the homelessness article (a probe).
            return [*start_task_events(tracker, task=vote), FollowupAction("task_form")]
        if mark and (again := follow_up_of(last_task(tracker), text)) is not None:
            # "and for proxy?" just after a deadline answer, or "what about recycling?" after the bin days, not
            # understood as words, got article buttons (a probe): the same question, for what the follow-up names.
            return [*start_task_events(tracker, task=again), FollowupAction("task_form")]
        if mark and last_task(tracker) in ABSENT_VOTE_TASKS and CANCEL_WORD.search(text) and POINTS_AT_IT.search(text):
            # "actually no, can I cancel it instead" after "You already have a postal vote", not understood as words,
            # got "I'm still not able to help with that" (a probe): the vote just talked about is to be cancelled.
            return [*start_task_events(tracker, task="cancel_absent_vote"), FollowupAction("task_form")]
        if mark and reports_a_missed_collection(text):
            # "my garden waste wasn't collected", not understood, got the garden waste article and then "still not able
            # to help" (a probe): it is a missed collection to report.
            return [*start_task_events(tracker, task="report_problem"), FollowupAction("task_form")]
        if mark and CHASES_UP.search(text):
            return [*start_task_events(tracker, task="request_progress"), FollowupAction("task_form")]
        if wants_a_person(text):
            # Handed over here, not by a follow-up action: after one, the policy predicted this fallback
            # again and the resident was told "I've asked an officer" three times.
            return await ActionRequestOfficer(self._backoffice).run(dispatcher, tracker, domain)
        if self._search(dispatcher, tracker.latest_message.get("text") or "", mark=mark):
            return []
        unanswered = knowledge_marker(gap=GAP_UNANSWERED if mark else None)
        if misses_in_a_row(tracker) >= MISSES_BEFORE_OFFER:
            dispatcher.utter_message(
                text=(
                    "I'm sorry, I'm still not able to help with that. Would you like me to ask an officer "
                    "to join this chat?"
                ),
                buttons=[
                    {"title": "Yes, talk to a person", "payload": "/request_officer"},
                    {"title": "No, thanks", "payload": "/deny"},
                ],
                json_message=unanswered,
            )
            return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]
        dispatcher.utter_message(
            text=(
                f"Sorry, I didn't quite get that, or it's something I can't help with. I can help with {TOPICS}. "
                "Could you say it another way?"
            ),
            json_message=unanswered,
        )
        return []

    @staticmethod
    def _search(dispatcher: CollectingDispatcher, text: str, *, mark: bool = True) -> bool:
        """Answer or clarify from the knowledge articles; say whether search had anything to offer.

        With ``mark``, a clarifying question or a guess from a middling match is marked as a knowledge gap.
        """
        try:
            articles = get_knowledge().articles()
        except (ArticleError, OSError) as error:
            log.error("knowledge unreadable: %s", error)
            return False
        return say_decision(dispatcher, for_missed(text, articles), mark=mark)
