"""What a task declaration is made of, and the small helpers every task's back-office call shares.

Each topic module (electoral, payments, service_requests, bins) declares its tasks as ``Task`` entries
beside their reply wording; ``bot.tasks_registry`` collects them, and the generic task form and the
start and complete actions read only the registry. Keeping the declaration, the call and the wording in
one module means adding a task is one entry plus its YAML and training data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from bot.backoffice import BackOffice


@dataclass(frozen=True)
class Reply:
    """A task's answer when it is more than text: buttons, and slots to set."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    events: list[EventType] = field(default_factory=list)


TaskHandler = Callable[[BackOffice, Tracker], Awaitable[str | Reply]]
# Writes the one-sentence summary the resident confirms; ``address`` is the chosen address line, if any.
Summary = Callable[[Tracker, str | None], str]
# Writes it from the verified resident's own record, looked up first (which vote or application is cancelled or
# renewed); None when there is nothing to do, so nothing to confirm: the task then says so at once.
RecordSummary = Callable[[BackOffice, Tracker], Awaitable[str | None]]
# Tells, from the slots so far, whether a conditional slot is asked at all.
SlotCondition = Callable[[Mapping[str, Any]], bool]
# Reads an answer to a task's own question: the value to keep, or None when the answer does not fit.
ReadAnswer = Callable[[str], str | None]
# Checks an answer read with the back office: (the value to keep, or None to ask again; what to say, if anything).
# Returns the value to keep (or several slots to set, as a dict) and what to say.
CheckAnswer = Callable[[BackOffice, Tracker, str], Awaitable[tuple[str | dict[str, Any] | None, str | None]]]
# What a task needs proved before its own questions: a person on the register, a council tax account
# holder, or only an address (its answer is public); None needs nothing.
Needs = Literal["identity", "account", "address"] | None


@dataclass(frozen=True)
class Question:
    """A question only one task asks, declared with it: how its answer is read and what to say when it does not fit.

    The form's shared questions (names, dates, postcodes, references, emails for updates) have their checks in
    ``bot.actions.task_form``; a question of the task's own is checked here instead, so adding a task with a
    new question touches its topic module and its YAML, not the form nor ``form_help`` (``why`` is said when
    the resident asks why it is needed). A ``free_text`` answer takes the resident's words as they are, so
    it never stands in the way of a clear request for another task.
    """

    read: ReadAnswer
    again: str
    free_text: bool = False
    # Said when the resident asks why it is needed or how to answer ("why do you need that?").
    why: str = ""
    # Checks the answer read with the back office before the next question (the email given with a report).
    check: CheckAnswer | None = None
    # How what ``read`` returns begins when it is a request rather than a failed answer ("send it again", an email to
    # send the code to): not counted as a miss, so the form does not give up on a resident doing as asked (a probe got
    # "Sorry, I still can't take that as the answer").
    requests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """One task the bot does with the back office, named after the intent that starts it.

    ``slots`` are the task's own questions in the order asked (after the identity, account or address
    checks ``needs`` brings); a slot in ``asked_if`` is asked only when its condition holds. A task that
    records something ends with ``task_confirmed`` and must have a ``summary`` to confirm (or a ``record_summary``,
    when what is done depends on the resident's own record); the registry refuses one without (a missing handler
    or summary fails at import, never as an apology at run time).
    ``questions`` holds the checks of the slots only this task asks (see ``Question``); ``why`` says, by the
    detail named, why this task needs a detail whose usual reason (``form_help.WHY_AND_HOW``) is another task's.
    """

    name: str
    handler: TaskHandler
    needs: Needs = None
    slots: tuple[str, ...] = ()
    asked_if: Mapping[str, SlotCondition] = field(default_factory=dict)
    summary: Summary | None = None
    record_summary: RecordSummary | None = None
    questions: Mapping[str, Question] = field(default_factory=dict)
    why: Mapping[str, str] = field(default_factory=dict)


def request_key(tracker: Tracker, request: dict[str, Any]) -> str:
    """Return the idempotency key of a request: the same chat asking for the same thing sends the same key.

    A key minted when a task started made a second application each time a resident asked again. One
    derived from the conversation, the task and what is asked is the same on a retry, a double click or a
    second ask, so the back office returns the request it already holds (and the resident is told so).
    """
    content = json.dumps([tracker.sender_id, tracker.get_slot("pending_task"), request], sort_keys=True, default=str)
    return "chat-" + hashlib.sha256(content.encode()).hexdigest()[:40]


def conversation_of(tracker: Tracker) -> str:
    """Return the conversation id the back office keeps a verification under."""
    return str(tracker.sender_id)


def uprn_of(tracker: Tracker) -> int | None:
    """Return the chosen address's UPRN, or None when no address was chosen (or the slot holds no UPRN)."""
    value = str(tracker.get_slot("address_uprn") or "").strip()
    return int(value) if value.isdigit() else None


def last_bot_text(tracker: Tracker) -> str:
    """Return what the bot said last in this chat, or "" before it said anything."""
    said = [e for e in tracker.events if e.get("event") == "bot"]
    return str(said[-1].get("text") or "") if said else ""


# A reply that recorded something, with its reference: "Done: ... reference AV-123456", "Thank you, I've reported it:
# your reference is SR-123456"; and the request to cancel a vote found waiting when the resident asked for it again.
JUST_DONE = (
    "Done",
    "Thank you, I've reported it",
    "I've recorded",
    # A change to the register ("Thank you. I've recorded that with reference EC-364637. Done: you are now left out of
    # the open register."): "cancel that" got "No problem" and the change stood (a probe).
    "Thank you. I've recorded",
    # The same change asked for again ("That's already recorded with reference EC-851794 ... Done: you are now left out
    # of the open register"): "wait no, cancel that" got "No problem" (a probe).
    "That's already recorded with reference",
    "You already have a request to cancel",
)
REFERENCE = re.compile(r"\b(?:AV|SR|EC|DR)-\d{6}\b")
# Words that take back what was just done: "no wait, dont", "undo that", "I didn't mean that", "cancel that", "oh no I
# pressed the wrong thing, I want to keep it"; never a bare "no" or "no thanks", which end a chat as often as they take
# anything back.
TAKES_IT_BACK = re.compile(
    r"^\W*(?:(?:no+|nope|nah|oh no|oops)[\s,.!]+)?(?:wait|hang on|hold on|don'?t|dont|do not|undo|"
    r"i didn'?t mean|i did not mean|that'?s (?:wrong|not right|a mistake)|(?:that )?was (?:wrong|a mistake)|"
    r"cancel (?:that|it))\b|"
    r"\b(?:by mistake|(?:pressed|clicked|hit|tapped|chose|picked|pushed) the wrong|wrong button|changed my mind|"
    r"didn'?t mean (?:that|it|to)|undo (?:that|it)|cancel (?:that|it|the report|my report)|put me back|"
    # "cancel the dog poo one, someone cleaned it" just after that report got the dog fouling advice (a probe)
    r"cancel (?:the|that|this|my) (?:[a-z']+ ){1,3}?(?:one|report|request))\b",
    re.IGNORECASE,
)
# Words that keep what a cancel would end ("no actually keep it", "I want to keep my postal vote", "don't cancel").
# After a cancel was recorded they take it back; after anything else they do not ("thanks, I'll keep it handy").
KEEPS_IT = re.compile(r"\b(?:keep (?:it|my|the)|want to keep|don'?t cancel|do not cancel|dont cancel)\b", re.I)


def taken_back(tracker: Tracker) -> str | None:
    """Return the reference of what the bot's last reply recorded when the latest message takes it back, or None.

    "wait no I didn't mean that" straight after a cancel was recorded was read as "that didn't help", and "oh no, I
    pressed the wrong thing, I want to keep it" got "No problem" while the cancel stood (a probe); whatever the
    classifier reads, such words are about what was just done (action_stop_with_nothing_to_stop undoes it).
    """
    said = last_bot_text(tracker)
    text = str(tracker.latest_message.get("text") or "")
    takes_back = TAKES_IT_BACK.search(text) or ("to cancel" in said and KEEPS_IT.search(text))
    if not said.startswith(JUST_DONE) or not takes_back:
        return None
    return next(iter(REFERENCE.findall(said)), None)


# The slot that keeps the words of the message that started the task in hand (set by task_form.start_task_events).
OPENING_WORDS = "opening_words"


def opening_request(tracker: Tracker) -> str:
    """Return the words of the message that started the task in hand (answered by action_start_task), or "".

    Kept in a slot when the task starts: a message's text is gone from the tracker on later turns (the tracker store
    keeps none), so the slot is read first; the events serve a tracker without it.
    """
    if kept := tracker.get_slot(OPENING_WORDS):
        return str(kept)
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "action" and events[index].get("name") == "action_start_task":
            users = [e for e in events[:index] if e.get("event") == "user"]
            return str(users[-1].get("text") or "") if users else ""
    return ""
