"""Hand the conversation to an officer and tell the resident what happens next."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import FAILURE_APOLOGY, apologise_for_failure
from bot.actions.form_answers import QUICK_QUESTION_INTENTS
from bot.actions.task_kit import last_bot_text, taken_back
from bot.actions.two_requests import BY_INTENT
from bot.backoffice import BackOffice, BackOfficeError, within_deadline
from bot.backoffice_models import HandoffTicket
from bot.knowledge import Article, ArticleError, get_knowledge
from bot.names import (
    HANDOFF_INTENTS,
    INTENT_REQUEST_OFFICER,
    MISSED_INTENTS,
    PRIORITY_OF_REASON,
    SLOT_HANDOFF_REASON,
    SLOT_OFFICER_OFFERED,
)
from bot.routing import for_missed, wants_a_person
from bot.search import terms
from bot.topics import GENERAL, describe, topic_of
from council import council_facts

# Slots an officer may see in the handoff packet. Names and dates of birth are never among them (they are
# cleared once checked); a postcode shows only its outward part and an email only its domain.
PACKET_SLOTS = (
    "service_category",
    "problem_location",
    "problem_description",
    "vote_duration",
    "proxy_relationship",
    "report_kind",
    "payment_reference",
    "request_reference",
    "verification_outcome",
)
# Intents that say nothing about what the resident wanted (small talk, answers, asking for a person).
CONVERSATIONAL_INTENTS = frozenset(
    {
        "affirm",
        "deny",
        "greet",
        "goodbye",
        "thank",
        "stop",
        "not_helpful",
        "request_officer",
        "out_of_scope",
        "nlu_fallback",
        "bot_challenge",
        "inform",
        "inform_account",
    }
)


def what_happens_next(ticket: HandoffTicket, *, urgent: bool = False) -> str:
    """Describe, in plain words, what happens after the handoff request.

    Out of hours an emergency was told "If it can't wait, call 01632 960 123", the daytime line, closed then (a
    probe): an urgent request is given the out-of-hours emergency line, and any other the daytime line's hours.
    """
    facts = council_facts()
    if ticket.status == "callback":
        cannot_wait = (
            f"If it can't wait, call our out-of-hours emergency line on {facts.emergency_phone}"
            if urgent
            else f"If it can't wait, call us on {facts.call_us()}"
        )
        return (
            f"Our officers answer chats {ticket.officer_hours}, so nobody can join right now. "
            f"I've recorded your request (reference {ticket.reference}) and an officer will reply in this "
            f"chat {ticket.reply_by}. {cannot_wait}. If someone is in danger, call 999."
        )
    if ticket.status == "claimed":
        return "An officer is already helping you in this chat and will reply here."
    wait = ticket.expected_wait_minutes or 0
    ahead = (
        "You're next in the queue"
        if ticket.queue_position == 1
        else (f"You're number {ticket.queue_position} in the queue")
    )
    return (
        f"I've asked an officer to join this chat (reference {ticket.reference}). {ahead}, and the wait is "
        f"about {wait} minutes. Please keep this window open: the officer's replies will appear here. "
        "You can keep asking me things while you wait."
    )


def yes_to_something_else(tracker: Any) -> bool:
    """Whether a yes read as agreeing to an officer answers a later reply that offered none."""
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    if intent != "affirm":
        return False
    last = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    if last is None or last.get("text") is None:
        return False  # unknown (sealed past its time): as before
    buttons = (last.get("data") or {}).get("buttons") or []
    offered = OFFERS_A_PERSON.search(str(last.get("text"))) or any(
        "request_officer" in str(b.get("payload")) for b in buttons
    )
    return not offered


OFFERS_A_PERSON = re.compile(r"\b(?:officer|a person|someone|somebody|put you through|pass you)\b", re.IGNORECASE)


class ActionRequestOfficer(Action):
    """Record a handoff request in the hub and tell the resident what happens next."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_request_officer"

    @within_deadline
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # "Try again" after a failed check is read as yes to its officer offer, yet the resident asked to retry:
        # they hear again what they can do (a probe found an officer request recorded without being asked).
        from bot.actions.tasks import retry_events  # bot.actions.tasks imports the knowledge actions, which import this

        retry = retry_events(dispatcher, tracker)
        if retry is not None:
            return retry
        if yes_to_something_else(tracker):
            # "yes please" four replies after the instalments answer mentioned an officer, to "What would you like me
            # to do with that?", recorded a handoff (a probe): a yes is to the latest question only.
            from bot.actions.tasks import ActionYesWithNothingAsked

            return [
                SlotSet(SLOT_OFFICER_OFFERED, False),
                *await ActionYesWithNothingAsked().run(dispatcher, tracker, domain),
            ]
        reason, priority = handoff_reason(tracker)
        done = [SlotSet(SLOT_OFFICER_OFFERED, False), SlotSet(SLOT_HANDOFF_REASON, None)]
        try:
            backoffice = self._backoffice or BackOffice.from_settings()
            ticket = await backoffice.request_handoff(
                conversation_id=tracker.sender_id, reason=reason, priority=priority, **handoff_packet(tracker)
            )
        except BackOfficeError:
            apologise_for_failure(dispatcher, offer_officer=False)
            return done
        dispatcher.utter_message(text=what_happens_next(ticket, urgent=priority == "urgent"))
        if reason == "emergency" and (task := task_stopped_this_turn(tracker)):
            dispatcher.utter_message(text=carry_on_offer(task), buttons=[CARRY_ON_BUTTON])
        return done


# Offered after the 999 advice when an emergency stopped a task mid-question: the answers so far are kept, and a
# yes (action_yes_with_nothing_asked) carries on from the next question.
CARRY_ON = "When you're safe, I can carry on with {called} from where we left off. I've kept what you told me."
CARRY_ON_BUTTON = {"title": "Carry on", "payload": "/affirm"}
CARRY_ON_START = CARRY_ON.split("{", 1)[0]  # how the offer begins, whatever the task


def carry_on_offer(task: str) -> str:
    """Return the offer to carry on with ``task`` once the resident is safe."""
    request = BY_INTENT.get(task)
    return CARRY_ON.format(called=request.called if request else "what you asked")


def task_stopped_this_turn(tracker: Tracker) -> str | None:
    """Return the task whose form was stopped since the resident's latest message (by an emergency's rule), or None.

    "a tree has come down on a car and someone is trapped" at "Please describe the problem" rightly stops the form
    for 999 advice and an urgent officer; the report gathered so far was then lost. The answers stay in the slots
    (the form was stopped, not completed), so it can go on from the next question.
    """
    task = tracker.get_slot("pending_task")
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return None
        if event.get("event") == "active_loop" and not event.get("name"):
            return str(task) if task else None
    return None


def handoff_reason(tracker: Tracker) -> tuple[str, str]:
    """Say why the conversation goes to an officer, and how urgently."""
    offered_for = tracker.get_slot(SLOT_HANDOFF_REASON)
    if offered_for:
        return offered_for, PRIORITY_OF_REASON.get(offered_for, "normal")
    for intent in (tracker.latest_message.get("intent", {}).get("name"), _previous_intent(tracker)):
        if intent in HANDOFF_INTENTS:
            return HANDOFF_INTENTS[intent]
    if last_bot_text(tracker).startswith(FAILURE_APOLOGY):
        return "backoffice_error", "high"
    if tracker.get_slot(SLOT_OFFICER_OFFERED) or _previous_intent(tracker) in MISSED_INTENTS:
        return "fallback", "normal"
    return "resident_asked", "normal"


def handoff_packet(tracker: Tracker) -> dict[str, Any]:
    """Return what the officer is told: the topic, what the resident wanted and what the bot gathered.

    With no task or question the classifier named, the words the resident used say it ("I want to talk to
    someone about my council tax bill" is about the council tax bill article's subject); failing those, the
    officer is told whether a question went unanswered or nothing was asked at all, never "Not known".
    """
    wanted = tracker.get_slot("pending_task") or what_was_wanted(tracker)
    topic, described = (topic_of(wanted), describe(wanted)) if wanted else what_was_asked(tracker)
    collected = {name: str(value) for name in PACKET_SLOTS if (value := tracker.get_slot(name)) not in (None, "")}
    if postcode := tracker.get_slot("postcode"):
        collected["postcode"] = f"{str(postcode).split()[0]} (outward part only)"
    if email := tracker.get_slot("contact_email"):
        collected["contact_email"] = f"an address at {str(email).rpartition('@')[2]}"
    return {"topic": topic, "wanted": described, "collected": collected}


NOTHING_ASKED = "Nothing asked yet: asked for a person straight away"
UNANSWERED = "A question the assistant could not answer"
# Words that ask for a person rather than name a subject: what is left of a request for a person is its subject.
PERSON_WORDS = re.compile(
    r"\b(?:speak\w*|talk\w*|chat\w*|person|people|human|officer|someone|somebody|agent|advis[eo]r|staff|member|"
    r"team|operator|call\w*|ring\w*|phone|back|real|actual|live|proper|please|pls|plz|transfer|connect|put|through|"
    r"help|assist\w*)\b",
    re.IGNORECASE,
)


def what_was_asked(tracker: Tracker) -> tuple[str, str]:
    """Return (topic, what the resident asked about) from their own words, oldest first, when no intent says.

    A request for a person that names its subject, or a question the bot could not answer, is searched in
    the articles; the first that matches names the subject.
    """
    asked = False
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        text = str(event.get("text") or "")
        if intent not in MISSED_INTENTS | {INTENT_REQUEST_OFFICER} or text.startswith("/"):
            continue
        asked = asked or intent in MISSED_INTENTS
        articles = _articles_about(PERSON_WORDS.sub(" ", text))
        if articles:
            topics = [topic_of(i) for article in articles for i in article.intents if topic_of(i) != GENERAL]
            titles = ", ".join(article.title for article in articles[:MAX_TITLES])
            return (topics[0] if topics else GENERAL), f"Asked about{' one of' if len(articles) > 1 else ''}: {titles}"
    return GENERAL, UNANSWERED if asked else NOTHING_ASKED


# "my bin wasnt collected, can i speak to a person" matched three articles, none clearly: the officer saw "A question
# the assistant could not answer"; the likeliest are named instead.
MAX_TITLES = 3


def _articles_about(text: str) -> tuple[Article, ...]:
    """Return the article search answers ``text`` with, or the ones it would offer to choose from, if any."""
    if len(terms(text)) < 1:
        return ()
    try:
        decision = for_missed(text, get_knowledge().articles())
    except (ArticleError, OSError):
        return ()
    return (decision.answer,) if decision.answer is not None else decision.choices


def what_was_wanted(tracker: Tracker) -> str | None:
    """Return the task or request the resident was last on, newest first, when no task is in hand.

    An answer typed in a form and read as a quick question ("my email is ..." read as contact_details) is
    no request: the packet said "Wanted: Contact details" for a resident reporting a pothole. A task the
    conversation started (its pending_task) or a request that is not a quick question counts first; a
    quick question only when nothing else was asked.
    """
    quick = None
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "pending_task" and event.get("value"):
            return str(event["value"])
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if not intent or intent in CONVERSATIONAL_INTENTS:
            continue
        if intent not in QUICK_QUESTION_INTENTS:
            return str(intent)
        quick = quick or str(intent)
    return quick


def _intents_newest_first(tracker: Tracker) -> list[str]:
    users = [e for e in reversed(tracker.events) if e.get("event") == "user"]
    return [name for e in users if (name := (e.get("parse_data") or {}).get("intent", {}).get("name"))]


def _previous_intent(tracker: Tracker) -> str | None:
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    name = (users[-2].get("parse_data") or {}).get("intent", {}).get("name")
    return str(name) if name else None


class ActionDeclineOfficer(Action):
    """Accept that the resident does not want an officer after all."""

    def name(self) -> str:
        return "action_decline_officer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_no_problem")
        return [SlotSet(SLOT_OFFICER_OFFERED, False), SlotSet(SLOT_HANDOFF_REASON, None)]


# The end of the offer made to a resident who cannot pay (domain/payments.yml utter_payment_difficulty).
PAYMENT_HELP_OFFER = "Would you like an officer to talk it through with you?"
NO_ACCOUNT_NUMBER = re.compile(
    r"\b(?:don'?t|dont|do not|can'?t|cant|cannot|haven'?t|havent|not got|no)\b.{0,30}\b(?:account|reference|"
    r"ref|number|bill)\b|\b(?:lost|can'?t find)\b.{0,20}\bbill\b",
    re.IGNORECASE,
)
ACCOUNT_NOT_NEEDED = (
    "That's fine: you don't need your account number for this. An officer can find your account from your name and "
    "address. " + PAYMENT_HELP_OFFER
)


def account_number_not_needed(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
    """Answer "I don't know my account number" to the offer of an officer's help to a resident who cannot pay.

    It got the ways to pay, and the offer was dropped (a probe): the number is not needed, and the offer stands.
    """
    text = str(tracker.latest_message.get("text") or "")
    if not last_bot_text(tracker).endswith(PAYMENT_HELP_OFFER) or not NO_ACCOUNT_NUMBER.search(text):
        return None
    dispatcher.utter_message(
        text=ACCOUNT_NOT_NEEDED,
        buttons=[
            {"title": "Yes, talk to an officer", "payload": "/request_officer"},
            {"title": "Not now", "payload": "/deny"},
        ],
    )
    return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "payment_difficulty")]


# Said when the resident types that an answer did not help (as the answer's "No" button's thanks says).
NOT_HELPFUL = (
    "Sorry that didn't help. You can ask me again in other words, or I can ask an officer to join this chat. "
    "Would you like to talk to a person?"
)


class ActionNotHelpful(Action):
    """Answer "that didn't help" typed after an answer: offer to take the question again, or a person.

    "What else can I help you with?" left a resident whose question went unanswered with nowhere to go. A yes
    hands over (the officer-offer rules), with what the resident was asking about in the packet.
    """

    def name(self) -> str:
        return "action_not_helpful"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if taken_back(tracker) is not None:
            # "wait no I didn't mean that" just after a cancel was recorded is about the cancel (a probe).
            return [FollowupAction("action_stop_with_nothing_to_stop")]
        dispatcher.utter_message(
            text=NOT_HELPFUL,
            buttons=[
                {"title": "Yes, talk to a person", "payload": "/request_officer"},
                {"title": "No, I'll ask again", "payload": "/deny"},
            ],
        )
        return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]


# Said to the message after a complaint was passed to an officer: it is the complaint's details, for the officer.
COMPLAINT_NOTED = (
    "Thank you. I've kept that with your complaint, so the officer can read it when they pick up this chat and you "
    "won't need to repeat it. Is there anything else I can help with meanwhile?"
)
QUESTION_START = re.compile(
    r"^\W*(?:what|when|where|which|who|why|how|is|are|can|could|do|does|will|would|should|may)\b", re.IGNORECASE
)


def complaint_details(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
    """Take the message right after a complaint was passed to an officer as the complaint's details.

    "I want to make a complaint" is told an officer will take the details; a probe then typed them ("the bin men threw
    my bin in the road and it broke") and a missed-bin report started, asking for a postcode at every message after.
    A question ("what's my bin day?") is still answered; anything else is acknowledged and kept for the officer.
    """
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2 or tracker.get_slot("requested_slot"):
        return None
    previous = (users[-2].get("parse_data") or {}).get("intent", {}).get("name")
    text = str(tracker.latest_message.get("text") or "")
    said = [e for e in tracker.events[tracker.events.index(users[-2]) :] if e.get("event") == "bot"]
    complained = previous == "complaint" and any(
        str(e.get("text") or "").startswith("I'm sorry you're unhappy with us") for e in said
    )
    if not complained or text.startswith("/") or "?" in text or QUESTION_START.match(text) or wants_a_person(text):
        return None
    if len(text.split()) < MIN_COMPLAINT_WORDS:
        return None
    dispatcher.utter_message(text=COMPLAINT_NOTED)
    if ABOUT_A_COUNCILLOR.search(text):
        # "complaint", then "it's about Councillor Patel": kept for the officer with no word of the Monitoring
        # Officer, who alone looks at a councillor's conduct (a probe).
        say_councillor_conduct(dispatcher)
    return [FollowupAction("action_listen")]


def say_councillor_conduct(dispatcher: CollectingDispatcher) -> None:
    """Say where a complaint about a councillor's conduct goes (the article)."""
    from bot.actions.knowledge import say_article  # bot.actions.knowledge imports this module
    from bot.knowledge import get_knowledge

    say_article(dispatcher, get_knowledge().article("councillor-conduct"))


MIN_COMPLAINT_WORDS = 4  # "ok", "thanks", "yes please" are no details


ABOUT_A_COUNCILLOR = re.compile(r"\b(?:councill?ors?|councilors?|counciller|cllr)\b", re.IGNORECASE)


class ActionComplaint(Action):
    """Answer a complaint (the complaints process, then the officer by the rule's next step), or take its details.

    "she was really rude to me on the phone yesterday", right after "I'd like to make a complaint about a council
    officer" was passed to an officer, is read as a complaint too: it got the complaint's opening and the handover
    again (a probe). It is the complaint's details: kept for the officer, and the handover is not repeated.
    """

    def name(self) -> str:
        return "action_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from bot.actions.form_answers import details_in
        from bot.actions.tasks import ActionDetailsWithoutTask, task_that_failed  # see retry_events

        text = str(tracker.latest_message.get("text") or "")
        if task_that_failed(tracker) and details_in(text)[0]:
            # "sorry i typed it wrong, the twenty sixth of january nineteen seventy eight" just after a failed check
            # got the complaints process (a probe): it is another try at the check.
            return await ActionDetailsWithoutTask().run(dispatcher, tracker, domain)
        noted = complaint_details(dispatcher, tracker)
        if noted is not None:
            return noted
        if ABOUT_A_COUNCILLOR.search(text):
            # "I want to complain about a councillor" got the complaints process, the Ombudsman and a handover (a
            # probe): a councillor's conduct is the Monitoring Officer's, and the Ombudsman does not look at it.
            say_councillor_conduct(dispatcher)
            return [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_complaint")
        return []
