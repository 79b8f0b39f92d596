"""The task form: which details a task needs, how each answer is checked, and the identity check itself.

One form serves every task. Personal-record tasks first gather name, date of birth and address and have
the back office check them; the name and date of birth are cleared from the conversation straight after.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.bins import BIN_KIND_WORDS, missed_collection_check
from bot.actions.common import FAILURE_APOLOGY, apologise_for_failure, council_phone
from bot.actions.electoral import CHANGES_THE_PROXY, COUNCIL_TAX, long_date, switched_to
from bot.actions.form_answers import (
    DESCRIBED_WORDS,
    FREE_TEXT_SLOTS,
    LOOSE_ANSWER_CONFIDENCE,
    NAME_SLOTS,
    NUMBERED_ADDRESS,
    QUICK_QUESTION_INTENTS,
    SHORT_STATEMENT_WORDS,
    STREET,
    STREET_TYPES,
    STRUCTURED,
    a_birth_date,
    answer_in,
    ballot_address_in,
    ballot_elsewhere_in,
    category_of,
    described_with_the_place,
    details_in,
    interrupts,
    is_typed_address,
    leftover_words,
    looks_like_question,
    misread,
    own_details_in,
    place_told,
    report_details_told,
    report_kind_in,
    report_kind_told,
    reported_name_told,
    street_names,
    street_types_spelt_right,
    strip_pleasantries,
    vote_duration_in,
    yes_or_no,
)
from bot.actions.form_help import OFFICER_BUTTON, STOP_ASKED, asks_for_help, asks_to_stop, help_for, way_out
from bot.actions.knowledge import REPORT_OFFERED, TASK_OFFERS, entities_of, say_article, say_decision
from bot.actions.payments import document_kind_in
from bot.actions.service_requests import (
    CANCEL_WORDS,
    NO_EMAIL,
    NOT_CANCELLING,
    PROVEN_BY_CODE,
    REPORT_WORDS,
    cancels_with_a_reason,
    codes_proven_here,
    invited_reference,
    lodged_here,
    reason_in_request,
    request_in_last_reply,
)
from bot.actions.session import FORGOTTEN, LOGS_OUT, forget_identity
from bot.actions.task_kit import (
    KEEPS_IT,
    OPENING_WORDS,
    Question,
    RecordSummary,
    Reply,
    conversation_of,
    last_bot_text,
    opening_request,
)
from bot.actions.two_requests import BY_INTENT
from bot.backoffice import BackOffice, BackOfficeError, within_deadline
from bot.knowledge import ArticleError, get_knowledge
from bot.names import (
    ADDRESS_SLOTS,
    ADDRESSED_CATEGORIES,
    FAILED,
    FAILED_AT_THE_END,
    FAILED_DURING_QUESTIONS,
    IDENTITY_SLOTS,
    LATEST,
    MISSES_BEFORE_OFFER,
    SLOT_HANDOFF_REASON,
    SLOT_OFFICER_OFFERED,
    STOPPED,
    SWITCH_CONFIDENCE,
    UNKNOWN,
)
from bot.nlp.script import ENGLISH_ONLY, in_another_alphabet, not_english
from bot.parsing import (
    FOLLOW_UP_START,
    NAME_CORRECTION_LEAD_IN,
    NAME_WORD,
    POSTCODE,
    RELATIONS,
    asks_for_latest_payment,
    choose_address,
    clean_full_name,
    deadline_kinds_in,
    find_account_reference,
    find_email,
    find_payment_reference,
    find_postcode,
    find_request_reference,
    month_first_date,
    parse_date_of_birth,
    payment_described,
    request_reference_asked,
    says_unknown,
)
from bot.routing import for_missed, reports_a_missed_collection, wants_a_person
from bot.tasks_registry import ACCOUNT_TASKS, FORGOTTEN_SLOTS, IDENTITY_TASKS, QUESTIONS, REGISTRY, TASKS

MAX_ADDRESS_BUTTONS = 30
# Intents answered by an article of their own (their rules run action_answer_from_knowledge): asked with
# confidence in the middle of a task, they are a question to answer, not an answer to take.
ARTICLE_INTENTS = frozenset(
    {"how_to_pay", "instalment_plan", "how_to_register", "register_timing", "moved_home", "voter_id"}
)
# Said when the resident has no account number to hand: where it is, and the other ways on.
NO_ACCOUNT_NUMBER = (
    "No problem. For next time, the account number is at the top of your council tax bill and starts with CT. "
    "I can check the account with the name, date of birth and postcode of the person who pays it instead. "
    "{way_out}"
)
# Slots where "I don't know" is itself an answer (no reference to hand: the form asks other details instead).
UNKNOWN_SLOTS = frozenset({"account_reference", "payment_reference", "contact_email"})
# The order details given at once are checked in: the postcode is looked up before an address is matched to it.
DETAIL_ORDER = ("account_reference", "full_name", "date_of_birth", "postcode", "address_uprn", "payment_reference")


# The deadline "that" means when asked at a request's confirmation ("whats the deadline for that?").
DEADLINE_OF_TASK = {"request_postal_vote": "postal", "request_proxy_vote": "proxy"}


def start_task_events(tracker: Tracker, *, task: str | None = None) -> list[EventType]:
    """Start the task the latest message asks for: forget what an earlier task gathered, keep what this says.

    ``task`` replaces the message's intent when the message named another task's service. Verified
    identities (identity_verified, account_verified) are kept: the back office holds the verification for
    the conversation's session, so a resident is not asked to prove who they are twice.
    """
    task = task or tracker.latest_message.get("intent", {}).get("name")
    events: list[EventType] = [SlotSet(slot, None) for slot in FORGOTTEN_SLOTS]
    events.append(SlotSet("declined_answers", None))  # a declined request is not done once another is asked for
    # Which deadline was asked about counts only for a deadline question. The bot reads it from the words itself
    # (bot/parsing.py): no learnt extractor is needed, and Rasa's CRF finds deadline_kind half as often as DIET.
    text = typed = str(tracker.latest_message.get("text") or "")
    taken_up = False
    if task == "report_death_or_left" and after_the_death_answer(tracker) and tracker.get_slot(OPENING_WORDS):
        # Taken up from the death registration answer: the words that got the answer tell who died and where.
        text = str(tracker.get_slot(OPENING_WORDS))
    elif task == "report_problem" and REPORT_OFFERED.search(last_bot_text(tracker)) and tracker.get_slot(OPENING_WORDS):
        # Taken up from an answer's "You can report it in this chat": the words that got the answer say what and where
        # ("someone's sprayed graffiti all over the bus shelter on Priory Walk" was asked both again: a probe).
        text = str(tracker.get_slot(OPENING_WORDS))
        taken_up = True
    kinds = deadline_kinds_in(text) if task == "election_deadlines" else []
    deadline_kind = kinds[0] if kinds else None
    # References and the kind of problem count when this message gives them; older ones are forgotten.
    given = {
        "account_reference": find_account_reference(text) or account_carried_over(tracker, task),
        "payment_reference": find_payment_reference(text) or payment_meant(tracker, text, task),
        # "Any news on my report?" just after reporting one in this chat means that one (its reference is known).
        # "can you chase it up please, ref 428397": six figures without "SR-" name the request too (a probe).
        "request_reference": (
            request_reference_asked(text) if task in REFERENCE_TASKS else find_request_reference(text)
        )
        or reported_here(tracker, task),
        "service_category": category_of(text)
        if task == "report_problem" and category_of(text) != "other"
        else invited_category(tracker)
        if task == "report_problem"
        else None,
        # "a massive pothole on Rowan Close, Ashbury outside number 19" was asked "Where is it?" (a probe).
        # A place typed after the answer is where it is, whatever the words the answer was given for said ("potholes",
        # then "Station Road", was asked "Where is it?": found on the stack).
        "problem_location": (place_told(text) or place_for_the_invited_report(tracker, typed))
        if task == "report_problem" and category_of(text) not in ADDRESSED_CATEGORIES
        else None,
        # "somebody has dumped a load of mattresses in the lane behind priory gardens" has said what is wrong too.
        "problem_description": described_with_the_place(text)
        # "my nieghbour plays loud music every nite till 3am" got the noise answer, then "its at 21 rowan close" was
        # asked to describe the problem (a probe): words that got the answer and name the problem describe it.
        or (opening_description(text) if taken_up else None)
        if task == "report_problem" and category_of(text) not in ADDRESSED_CATEGORIES
        # "bins not been emptied again!! 3rd week running. green one": which bin, as the question would ask (a probe).
        else " ".join(text.split())[:1000]
        if task == "report_problem" and category_of(text) == "missed_bin" and names_the_bin(text)
        else None,
        "document_kind": document_kind_in(text) if task == "receipt_request" else None,
        # "Cancel SR-123456, the bin was collected after all" has said why: the reason is not asked again.
        "cancel_reason": reason_in_request(text) if task == "cancel_service_request" else None,
        # "My mum died and ..." has said what happened: the form asks who, not whether they died or moved out.
        "report_kind": (report_kind_told(text) or after_the_death_answer(tracker))
        if task == "report_death_or_left"
        else None,
        "reported_name": reported_name_told(text) if task == "report_death_or_left" else None,
        # "can it be sent to my daughter's?": where the ballot pack goes is asked (and kept, if given here).
        "ballot_delivery": "other_address" if task == "request_postal_vote" and ballot_elsewhere_in(text) else None,
        "ballot_address": ballot_address_in(text)
        if task == "request_postal_vote" and ballot_elsewhere_in(text)
        else None,
        # "change of name pls. Old name Janice Dunn new name Janice Patel-Dunn": both asked again (a probe).
        **(
            {"full_name": names[0], "new_name": names[1]}
            if task == "changed_name" and (names := old_and_new_names(text)) is not None
            else {}
        ),
        # "sorry can i change the proxy to my sister Anne Gray instead" after a proxy request: the new proxy is kept
        # (her name was asked again, and "yes" to the duration looped: a probe).
        **(
            {"proxy_name": proxy[0], "proxy_relationship": proxy[1]}
            if task == "request_proxy_vote" and (proxy := proxy_named(text)) is not None
            else {}
        ),
        # "I want a proxy vote, long term, his name is Mark Dunn, I'm disabled": each was asked again (a probe).
        **(proxy_told(text) if task == "request_proxy_vote" else {}),
        # "my mum died last Tuesday": when it happened and who they were, kept (the tracker store keeps no words).
        "report_notes": strip_pleasantries(text)[:1000]
        if task == "report_death_or_left" and report_details_told(text)
        else None,
    }
    if task == "cancel_service_request" and given["request_reference"] in lodged_here(tracker):
        # Reported in this chat: the chat shows the reporter (the back office checks it), so no email is asked;
        # "cancel it please" after reporting was asked "What email address did you give?" (a probe).
        given["reporter_email"] = NO_EMAIL
    elif task == "cancel_service_request" and given["request_reference"] in (proven := codes_proven_here(tracker)):
        # An emailed code showed this chat the reporter already (cancelling again): not asked again.
        given["reporter_email"], given["reporter_code"] = PROVEN_BY_CODE, proven[given["request_reference"]]
    elif task == "cancel_service_request" and (email := find_email(text)):
        # "cancel SR-408517 my email is ..." was asked for the email again (a probe): the form checks it as an answer.
        given["reporter_email"] = email
    recheck = checked_again(tracker, text, task)
    told: dict[str, str | None] = {
        **details_told(text, task, dict(tracker.slots) | dict.fromkeys(FORGOTTEN_SLOTS) | given | recheck)
    }
    if given["ballot_address"] or given["ballot_delivery"]:
        # "send the ballot papers to my daughter's house, 22 Station Road, Millbrook TN43 2AA": that postcode is hers,
        # not the resident's (a probe was told TN43 2AA is not in the area, then applied for at home).
        told = {name: value for name, value in told.items() if name not in ("postcode", "address_uprn")}
    postcode = find_postcode(text) if task in ANSWERED_AT_A_POSTCODE else None
    if postcode:
        # "TN41 6PA" after the list of polls invited a postcode: the polls at that postcode, not at an older address.
        told |= {"postcode": postcode, "address_uprn": None}
    restored = answers_set_aside(tracker, task)
    # What this message says wins over an answer kept from before; a detail it does not give keeps the kept one.
    said = {name: value for name, value in (given | told).items() if value is not None or name not in restored}
    if not restored.get(OPENING_WORDS):
        # Read again when the task ends (bot.actions.task_kit.opening_request), turns later: the tracker store keeps
        # no resident's text, so "my mum died last week" had lost "last week" by then.
        said[OPENING_WORDS] = text[:1000] or None
    return [
        *events,
        SlotSet("pending_task", task),
        SlotSet("deadline_kind", deadline_kind),
        *(SlotSet(name, value) for name, value in recheck.items()),
        *([SlotSet(SET_ASIDE, None)] if restored else []),
        *(SlotSet(name, value) for name, value in (restored | said).items()),
    ]


# The answers of a task left for another mid-question, kept to go on with it later: {"task": ..., "answers": {...}}.
SET_ASIDE = "set_aside"
# Answers that belong to one attempt, not to the request, and the identity check's name and date of birth (forgotten
# once checked; a verified check outlasts the switch): never kept.
NOT_KEPT = frozenset({"task_confirmed", "verification_outcome", "answer_misses", "full_name", "date_of_birth"})
NOT_SENT_YET = "I haven't sent {called} yet. I've kept what you told me, so we can come back to it afterwards."


def answers_set_aside(tracker: Tracker, task: str | None) -> dict[str, Any]:
    """Return the answers kept when ``task`` was left for another mid-question, to go on with it; else nothing.

    A probe reached "Shall I go ahead?" on a pothole report, asked "actually when is my bin day", and was then
    offered the report back ("We were in the middle of your report") only to be asked every question again.
    """
    kept = tracker.get_slot(SET_ASIDE)
    if not isinstance(kept, dict) or kept.get("task") != task or not isinstance(kept.get("answers"), dict):
        return {}
    return dict(kept["answers"])


def set_aside_events(dispatcher: CollectingDispatcher, tracker: Tracker, task: str | None) -> list[EventType]:
    """Keep the answers of the task in hand when the resident switches to ``task`` mid-question.

    At "Shall I go ahead?" the resident also hears that nothing was sent: the switch used to drop a report they had
    finished describing, without a word.
    """
    pending = tracker.get_slot("pending_task")
    if not pending or pending == task or pending not in TASKS:
        return []
    asked = tracker.get_slot("requested_slot")
    answers = {
        slot: value
        for slot in dict.fromkeys((*required_slots_for(pending, tracker.slots), *FORGOTTEN_SLOTS))
        if slot not in NOT_KEPT and slot != asked and (value := tracker.get_slot(slot)) not in (None, "")
    }
    if not answers:
        return []
    if asked == "task_confirmed" and (request := BY_INTENT.get(str(pending))):
        dispatcher.utter_message(text=NOT_SENT_YET.format(called=request.called))
    return [SlotSet(SET_ASIDE, {"task": str(pending), "answers": answers})]


def last_task(tracker: Tracker) -> str | None:
    """Return the task this conversation took up last (done or not), or None before any."""
    started = (
        e.get("value")
        for e in reversed(tracker.events)
        if e.get("event") == "slot" and e.get("name") == "pending_task" and e.get("value")
    )
    return next((str(value) for value in started), None)


def payment_meant(tracker: Tracker, text: str, task: str | None) -> str | None:
    """Return the payment an opening message means without naming its reference, else None.

    "When was my last payment" was asked for a payment reference it does not have; "can I have a receipt for it"
    just after a payment was shown was asked which payment. The latest payment (LATEST) is looked up by the task;
    "it" after one payment was confirmed is that one.
    """
    if task not in ("payment_received", "receipt_request"):
        return None
    if asks_for_latest_payment(text):
        return LATEST
    if "couldn't match those details" in last_bot_text(tracker) and asks_for_latest_payment(opening_request(tracker)):
        # "when was my last payment", tried again after a failed check, was then asked for the payment reference.
        return LATEST
    shown = tracker.get_slot("payment_reference")
    if task == "receipt_request" and last_task(tracker) == "payment_received" and REFERS_BACK.search(text):
        return str(shown) if shown and shown != UNKNOWN else LATEST
    return None


# Words pointing back at what the bot just showed ("a receipt for it", "for that payment", "that one").
REFERS_BACK = re.compile(r"\b(?:for|of) (?:it|that|this|them)\b|\bth(?:at|is) (?:one|payment)\b", re.IGNORECASE)


def reported_here(tracker: Tracker, task: str | None) -> str | None:
    """Return the reference of the request this chat is about, for following or cancelling it.

    Straight after the bot asked for the email given with a report, following it means that report; straight
    after it showed a request's progress or lodged one, that request; else the latest reported in this chat.
    """
    if task == "request_progress" and (invited := invited_reference(tracker)):
        return invited
    if task not in ("request_progress", "cancel_service_request"):
        return None
    # "cancel it please" just after the bot showed a request's progress to its reporter means that request.
    references = lodged_here(tracker)
    return request_in_last_reply(tracker) or (references[-1] if references else None)


# Tasks answered for the postcode a message gives, without asking for an address (the polls follow the ward).
ANSWERED_AT_A_POSTCODE = frozenset({"next_election", "election_deadlines"})
# The details an opening message may give for the questions ahead (a reference is read with the others above).
OPENING_DETAILS = frozenset({"full_name", "date_of_birth", "postcode", "address_uprn"})
# Tasks whose questions are about another person (the one who died or moved out): their details are asked.
ABOUT_SOMEONE_ELSE = frozenset({"report_death_or_left"})


def account_carried_over(tracker: Tracker, task: str | None) -> str | None:
    """Return the account number given for the account task in hand when the resident switches to another one.

    "did my council tax payment go through? account CT24821414", then "what's my balance?" at the date of birth
    question: the balance task asked for the account number again (a probe). The same account, for the same typist,
    still to be checked (a name given meanwhile starts the check again, see checked_again).
    """
    before = tracker.get_slot("pending_task")
    account = tracker.get_slot("account_reference")
    if task in ACCOUNT_TASKS and before in ACCOUNT_TASKS and account not in (None, UNKNOWN):
        return str(account)
    return None


def checked_again(tracker: Tracker, text: str, task: str | None = None) -> dict[str, bool]:
    """Return the checks to forget when a verified conversation names who is typing, else nothing.

    A probe proved it was Rita Richardson, then typed "actually my name is Kathleen Gray and my postcode is TN44 3LW"
    and "am i registered to vote?": the answer was Rita's. A name given after the check may be another person's (a
    shared computer, a relative taking over), so the check runs again on the details given; the same person passes
    it again. A name given for a report about someone else (a death, a move) is theirs, not the resident's.
    """
    verified = tracker.get_slot("identity_verified") or tracker.get_slot("account_verified")
    if not verified or task in ABOUT_SOMEONE_ELSE or "full_name" not in own_details_in(text):
        return {}
    return {"identity_verified": False, "account_verified": False}


def details_told(text: str, task: str | None, slots: Mapping[str, Any]) -> dict[str, str]:
    """Return the resident's own details an opening message gives that the task will ask for.

    "am i on the electoral roll? im Rita Richardson, 19 Rowan Close TN41 6PA, dob 26/1/78" was asked for the name,
    the date of birth and the postcode again. They only fill the questions: the form checks each as an answer when
    it starts (one that does not fit is asked for again, with the reason) and the identity check runs on them. An
    address line counts with its postcode (it is matched to the addresses there); a verified resident's name and
    date of birth are not needed, so not kept.
    """
    if task in ABOUT_SOMEONE_ELSE:
        # Where the person lived is what the report asks: "she lived at 10 priory gardens TN43 3EH, her name was
        # Jodie Kemp" was asked "Which address at TN43 3EH was theirs?" (a probe). Their name is read elsewhere.
        found, _ = details_in(text)
        return {name: found[name] for name in ("postcode", "address_uprn") if name in found and "postcode" in found}
    told = own_details_in(text)
    if "postcode" not in told:
        told.pop("address_uprn", None)
    wanted = OPENING_DETAILS & set(required_slots_for(task, slots))
    return {name: value for name, value in told.items() if name in wanted}


def started_by_this_message(tracker: Tracker) -> bool:
    """Whether the task in hand was started in answer to the latest message (action_start_task ran since it)."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_start_task":
            return True
    return False


def asks_for_another_task(tracker: Tracker) -> bool:
    """Tell whether the latest message, mid-task, clearly asks for a different task.

    "How much do I owe?" while being asked for a payment reference is a new task, not an answer.
    """
    return task_asked_for(tracker) is not None


def task_asked_for(tracker: Tracker) -> str | None:
    """Return the different task the latest message clearly asks for mid-task, or None.

    A task the classifier is sure of; or a missed collection told at an identity, account or address question
    ("my bin was not collected", "forget council tax, my bin was not collected"), whatever the classifier made of
    it: a probe got "Sorry, I need your first name and surname" and "Sorry, I couldn't read that as a date of birth"
    to both, with no way out to the report.
    """
    if started_by_this_message(tracker):
        # The task in hand was chosen from this very message ("change my proxy pls", read as cancel_absent_vote, asks
        # for a new proxy): the form must not switch back to what the classifier read (a probe was offered to
        # withdraw a postal vote application instead).
        return None
    intent = tracker.latest_message.get("intent") or {}
    pending = tracker.get_slot("pending_task")
    name = intent.get("name")
    text = str(tracker.latest_message.get("text") or "")
    if (
        pending == "cancel_service_request"
        and tracker.get_slot("requested_slot") == "cancel_reason"
        and name in ("report_problem", "request_progress")
        and reason_in_request(text)
    ):
        # "the bin was emptied in the end" at "Why don't you need it any more?" started a missed bin report and asked
        # for a postcode (found live): it is the reason.
        return None
    if pending == "request_proxy_vote" and (proxy_named(text) is not None or CHANGES_THE_PROXY.search(text)):
        # "sorry no, change the proxy to Mary Smith" was read as cancelling a vote (a probe): it names the proxy. So
        # does "actually can i change my proxy to my son instead, Mark Dunn" at the duration question, which switched
        # to cancelling and withdrew the resident's open proxy request on "yes" (a probe).
        return None
    if (other := other_absent_vote(tracker, text)) is not None:
        return other
    if unnamed_account_question(tracker, text):
        return None
    if name in TASKS and name != pending and float(intent.get("confidence") or 0.0) >= SWITCH_CONFIDENCE:
        return str(name)
    text = str(tracker.latest_message.get("text") or "")
    if (
        pending != "report_problem"
        and tracker.get_slot("requested_slot") in DETAIL_SLOTS
        and reports_a_missed_collection(text)
    ):
        return "report_problem"
    if (
        pending != "cancel_service_request"
        and cancels_with_a_reason(text)
        and (lodged_here(tracker) or find_request_reference(text))
    ):
        # "cancel it the bin men came back" after reporting the missed bin here cancels that report, with its reason.
        return "cancel_service_request"
    return None


def words_not_an_answer(tracker: Tracker) -> list[EventType]:
    """Take back what the domain's mappings put in the question asked when the message asks for another task.

    "when is the next election" at "Which address at TN41 6PA is yours?" was kept as the address (the postcode and
    the address outlast a task), and the election answer read it as a UPRN: the action failed and the resident got
    no reply at all, to that message or to the same question asked again (a probe). The question was unanswered
    before this message, so it is unanswered after it.
    """
    slot = tracker.get_slot("requested_slot")
    return [SlotSet(slot, None)] if slot and slot in tracker.slots_to_validate() else []


SWITCHED_VOTE = {
    "request_proxy_vote": "OK, a proxy vote instead of a postal vote: I haven't sent anything.",
    "request_postal_vote": "OK, a postal vote instead of a proxy vote: I haven't sent anything.",
}


# What a council tax question names: without one of these, a question mid-task is no switch to the account tasks.
ACCOUNT_NAMED = re.compile(
    r"\b(?:council ?tax|cncl tax|ctax|bill|account|payments?|paid|pay|receipt|statement|instal+ments?|balance|owe|"
    r"arrears|direct debit|refund|ct\d+)\b",
    re.IGNORECASE,
)


def unnamed_account_question(tracker: Tracker, text: str) -> bool:
    """Whether the latest message, mid-task, is a question the classifier gave to a council tax task it never names.

    "do i need to send proof?" during a change of name was read as a receipt request (0.95) and started the council
    tax account check (a probe).
    """
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    pending = tracker.get_slot("pending_task")
    return (
        intent in ACCOUNT_TASKS
        and pending not in ACCOUNT_TASKS
        and is_a_question(text)
        and not ACCOUNT_NAMED.search(text)
    )


def other_absent_vote(tracker: Tracker, text: str) -> str | None:
    """Return the other kind of absent vote a postal or proxy vote request is switched to ("make it a proxy"), or None.

    "actually make it a proxy" during a postal vote request was asked the duration again and a postal vote was
    recorded; at the name question it was refused as no name, and "no wait, can it be a proxy instead" at "Shall I go
    ahead?" was a no (a probe).
    """
    pending = tracker.get_slot("pending_task")
    other = switched_to(text) if pending in ("request_postal_vote", "request_proxy_vote") else None
    return other if other != pending else None


def is_bare_answer(tracker: Tracker) -> bool:
    """Tell whether the latest message is nothing but an answer to the slot being asked for (or several details)."""
    text = str(tracker.latest_message.get("text") or "")
    if other_absent_vote(tracker, text):
        return False
    if tracker.get_slot("requested_slot") in DETAIL_SLOTS and reports_a_missed_collection(text):
        return False  # "my bin was not collected" at the account number is no "I don't have it"
    answer = answer_to(tracker.get_slot("requested_slot"), tracker)
    if answer is not None and answer[1]:
        return True
    if tracker.get_slot("requested_slot") in ADDRESS_SLOTS and is_typed_address(text):
        return True
    # "my payment reference is PAY-12345678" at the account number: a wrong answer, explained, not a new task.
    payment = STRUCTURED["payment_reference"](text)
    if tracker.get_slot("requested_slot") == "account_reference" and payment and not leftover_words(text, payment[1]):
        return True
    _, left = details_in(text)
    return bool(details_given(tracker)) and "?" not in text and all(len(chunk.split()) == 1 for chunk in left)


# The questions of an identity or account check, and of an address: one message may answer several at once.
DETAIL_SLOTS = frozenset({"full_name", "date_of_birth", "postcode", "address_uprn", "account_reference"})


def details_given(tracker: Tracker) -> dict[str, str]:
    """Return the details the latest message gives at once for the check in hand, when it gives more than one.

    "Rita Richardson, born 26 Jan 1978, TN41 6PA" typed at the name question fills the name, the date of birth
    and the postcode (and "19 Rowan Close" the address); an account number typed on the no-account-number route
    ("found it, CT26041538") is taken and the check goes on with it. Only the question asked and the details not
    yet given are filled, and only those the task asks for. Empty when the message gives one detail or none
    (the usual validation reads it) or interrupts.
    """
    slot = tracker.get_slot("requested_slot")
    message = tracker.latest_message
    if slot not in DETAIL_SLOTS or interrupts(message):
        return {}
    task = tracker.get_slot("pending_task")
    found, _ = details_in(str(message.get("text") or ""))
    found_reference = "account_reference" in found and tracker.get_slot("account_reference") in (None, UNKNOWN)
    route = dict(tracker.slots) | ({"account_reference": found["account_reference"]} if found_reference else {})
    # The check's details, and a reference the task asks for once the check is done (a payment's, typed with them).
    declared = REGISTRY.get(str(task))
    wanted = (set(required_slots_for(task, route)) | set(declared.slots if declared else ())) & set(DETAIL_ORDER)
    given = {
        name: value
        for name, value in found.items()
        if name in wanted and (name == slot or not tracker.get_slot(name) or (name == "account_reference"))
    }
    if task in ACCOUNT_TASKS and found_reference and slot != "account_reference":
        return given
    # "sorry my date of birth is 26/01/1978" at the address question: a detail given earlier, put right before the
    # check. It was dropped, and the check ran on the wrong date and used up one of the resident's tries.
    text = str(message.get("text") or "")
    corrected = {
        name: value
        for name, value in found.items()
        if name in wanted and name != slot and tracker.get_slot(name) not in (None, value)
    }
    if corrected and CORRECTION.search(text):
        return given | corrected
    return given if len(given) >= 2 else {}


# Words that put a detail given earlier right.
CORRECTION = re.compile(
    r"\b(?:actually|sorry|oops|i meant|i mean|correction|wrong|should (?:be|have been|say)|mistake|typo|mis-?typed|"
    r"not|instead)\b|\bmy (?:date of birth|dob|birthday|name|full name|postcode|post code) (?:is|was|=)",
    re.IGNORECASE,
)


# Asked when a date of birth only reads month first; its button's title is YES_TO_DATE and the date in words.
MONTH_FIRST = "Sorry, I read dates day first, as in the UK, and {typed} can't be that way round. Did you mean {words}?"
YES_TO_DATE = "Yes, "
DATE_UNREADABLE = (
    "Sorry, I couldn't read that as a date of birth. Please write it as day, month and year, for example "
    "05/11/1990 or 5 November 1990."
)
DAY_MONTH_YEAR = (
    "No problem. Please type your date of birth as day, month and year, with the month as a word, "
    "for example 3 May 1980."
)


def date_offered(tracker: Tracker) -> str | None:
    """Return the date of birth in words the bot's last reply asked about ("Did you mean 26 January 1978?"), if any."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return None
        elif event.get("event") == "bot" and users == 1:
            for button in (event.get("data") or {}).get("buttons") or []:
                payload = str(button.get("payload") or "")
                if button.get("title") == f"{YES_TO_DATE}{payload}" and STRUCTURED["date_of_birth"](payload):
                    return payload
    return None


def answer_to(slot: str | None, tracker: Tracker) -> tuple[Any, bool] | None:
    """Return (what the latest message gives for ``slot``, whether it is nothing but that answer), or None.

    A task's own question is read by its declared check; the shared questions by ``form_answers``. A yes to the
    date of birth the bot asked about in words is that date.
    """
    text = str(tracker.latest_message.get("text") or "")
    if slot == "date_of_birth" and yes_or_no(text) is True and (offered := date_offered(tracker)):
        return offered, True
    question = QUESTIONS.get(slot or "")
    if question is not None:
        return question_answer_in(question, tracker.latest_message)
    return answer_in(slot, tracker.latest_message, task=tracker.get_slot("pending_task"))


def question_answer_in(question: Question, message: dict[str, Any]) -> tuple[Any, bool] | None:
    """Read a task's own question from a message whatever its intent, as ``form_answers.answer_in`` does.

    Asking for a person or an emergency interrupts. An answer with a shape (an email) counts even
    in a confident quick question, as in ``answer_in``; free words do not (they may be asking for the opening
    hours), and are never the whole message, so a clear request for another task still switches task.
    """
    intent = message.get("intent") or {}
    if interrupts(message, free_text=question.free_text):
        return None
    text = str(message.get("text") or "")
    confident = float(intent.get("confidence") or 0.0) >= LOOSE_ANSWER_CONFIDENCE
    if question.free_text and intent.get("name") in QUICK_QUESTION_INTENTS and confident:
        return None
    value = question.read(text)
    if value is None:
        return None
    return value, not question.free_text and not leftover_words(text, value)


# What the hub puts where it hid a card number (api/conversations/redaction.py): "[card number removed, ending 1111]".
CARD_HIDDEN = "[card number removed"
# Seven digits or more in a row, with single spaces, dots or dashes between (a card number's first part, typed in one
# message before the rest completed it in the next), not glued to a word or a reference ("CT26041538", "PAY-94901911").
LONG_DIGITS = re.compile(r"(?<![\w-])\d(?:[ .-]?\d){6,}(?![\w-])")
# Slots that hold a code, never free text: their digits are the code (a UPRN has up to 12).
CODED_SLOTS = frozenset({"address_uprn", "postcode", "date_of_birth"})


def card_digits_forgotten(tracker: Tracker) -> list[EventType] | None:
    """Forget the first part of a card number split over two messages, once the hub has hidden it, or None.

    "Huge pothole, reference 4111 1111 1111 111" then "1": the hub hid the number in both messages, but the bot had
    kept the first as the description and quoted its 15 digits at "Shall I go ahead?", where the hub stored them (an
    attack). When a message arrives with a hidden card number, long runs of digits leave every free-text answer kept;
    the question in hand is asked again.
    """
    if CARD_HIDDEN not in str(tracker.latest_message.get("text") or ""):
        return None
    events: list[EventType] = []
    for name, value in tracker.slots.items():
        if isinstance(value, str) and name not in CODED_SLOTS and not name.endswith("_reference"):
            scrubbed = LONG_DIGITS.sub("[number removed]", value)
            if scrubbed != value:
                events.append(SlotSet(name, scrubbed))
    slot = tracker.get_slot("requested_slot")
    return [*events, SlotSet(slot, None)] if slot else events


def another_reference_events(tracker: Tracker) -> list[EventType] | None:
    """Start the task in hand again for another request reference named mid-task ("sorry wrong one, SR-104879").

    A probe asked to cancel SR-245497, then said "sorry wrong one, cancel SR-104879" at the email question: the email
    was checked against SR-245497; and "sorry, I meant cancel SR-246414" at the reason question was taken as the
    reason for cancelling the first one. None when no other reference is named, or the reference is being asked.
    """
    task = tracker.get_slot("pending_task")
    named = find_request_reference(str(tracker.latest_message.get("text") or ""))
    held = tracker.get_slot("request_reference")
    if task not in REFERENCE_TASKS or not named or not held or named == held:
        return None
    if tracker.get_slot("requested_slot") == "request_reference":
        return None
    events = [*start_task_events(tracker, task=task), SlotSet("requested_slot", None)]
    if not reason_in_request(REFERENCE_PUT_RIGHT.sub(" ", str(tracker.latest_message.get("text") or ""))):
        events.append(SlotSet("cancel_reason", None))  # "sorry wrong one" puts the reference right: no reason
    return events


# Said when a cancellation is stopped mid-way (ActionStopWithNothingToStop takes a change of mind after it).
CANCELLING_STOPPED = "OK, I've stopped there. Nothing has been cancelled"
# Said when "just cancel it" answers the question that shows the reporter.
CANCEL_NEEDS = {
    "reporter_email": "I can cancel it once I know you reported it.",
    "reporter_code": "I can cancel it once you've typed the code from the email.",
}
REFERENCE_PUT_RIGHT = re.compile(
    r"\b(?:(?:the )?wrong (?:one|ref\w*|number|request|report)|i meant|i mean|not that one)\b", re.IGNORECASE
)


def cancel_declined_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """End a cancel the resident no longer wants ("no keep it" at any of its questions but the last), or None.

    "no keep it" at a cancel's address question stopped, then searched the articles for "keep it" and offered help
    to keep a home warm (a probe); "actually I want to keep my postal vote" would start a postal vote application.
    Nothing is cancelled, and that is said. At "Shall I cancel it?" the same words are a no (not_an_answer_events).
    """
    slot = tracker.get_slot("requested_slot")
    task = tracker.get_slot("pending_task")
    text = str(tracker.latest_message.get("text") or "")
    if not slot or slot == "task_confirmed" or task not in NOTHING_DONE or not keeps_it(text):
        return None
    return stop_events(dispatcher, tracker, said=NOTHING_DONE[task])


# "whats a proxy?", "what is a postal vote", "what does proxy mean": the term, and the article whose first line says.
MEANING_ASKED = re.compile(
    r"\b(?:what'?s|whats|what is|wots|wats|wat is|what does)\s+(?:an?\s+|the\s+)?(proxy|postal)(?:\s+vote)?\b",
    re.IGNORECASE,
)
MEANING_ARTICLES = {"proxy": "proxy-votes", "postal": "postal-votes"}


def meaning_asked(text: str) -> str | None:
    """Return what a postal or proxy vote is, with its article's link, when ``text`` asks; else None."""
    asked = MEANING_ASKED.search(text)
    if asked is None:
        return None
    try:
        article = get_knowledge().article(MEANING_ARTICLES[asked.group(1).lower()])
    except (ArticleError, OSError):
        return None
    return f"{article.answer.splitlines()[0]} More: {article.source}"


def not_an_answer_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Deal with a message that asks about the question, drops the task or asks something else.

    None when the message may be an answer (the usual validation then reads it).

    "Why do you need that?" gets the reason and how to answer, with the officer offer; asked again ("I don't
    know" twice), the form stops asking and offers a person instead. "Forget it, when are you open?" stops the
    task and answers the question. A sure question with an article of its own ("how do I pay my council
    tax?") is answered and the same question asked again. A bare "no" where no yes or no is asked says how to
    stop, once; the second stops. The detail asked for is left empty in each case (which also keeps Rasa from
    rejecting the form, so no rule answers the message as well), never filled with the message.

    "Stop" is read here rather than by a rule: the classifier reads "don't have it" as stop, yet at the
    account number it is an answer. A clear stop ("stop", "cancel that", "forget it") ends the task; an
    answer is an answer ("dont have it", "not sure" at a reference); a stop the classifier is sure of that
    is neither still ends it.
    """
    slot = tracker.get_slot("requested_slot")
    message = tracker.latest_message
    intent = message.get("intent") or {}
    name = str(intent.get("name") or "")
    text = str(message.get("text") or "")
    free_text = slot in FREE_TEXT_SLOTS or (slot in QUESTIONS and QUESTIONS[slot].free_text)
    if slot in EMAIL_ANSWERED_AT and (email_said := email_answered_early(tracker, text)):
        # "no email" at "Please describe the problem" got the council's contact details, and an email typed there
        # was sent as the description, or at "Where is it?" as the place (probes): it answers the email question to
        # come, and this one is asked again.
        email, said = email_said
        dispatcher.utter_message(text=said)
        return [SlotSet("contact_email", email), SlotSet(slot, None)]
    if not slot or interrupts(message, free_text=free_text):
        return None
    # A name may be in another language's words ("María José de la Cruz"); only another alphabet is refused there.
    if in_another_alphabet(text) or (slot not in NAME_SLOTS and not_english(text)):
        # Arabic at "Where is it?" was sent to the team as the place (a check in the browser).
        dispatcher.utter_message(text=ENGLISH_ONLY.format(phone=council_phone()), buttons=[OFFICER_BUTTON])
        return [SlotSet(slot, None)]
    wants_updates = yes_or_no(text) is True and not find_email(text)
    if slot == "contact_email" and tracker.get_slot("pending_task") != "receipt_request" and wants_updates:
        # "yes" to "If you'd like updates by email, what's your email address?" wants updates (a probe's was a miss).
        dispatcher.utter_message(text=EMAIL_PLEASE)
        return [SlotSet(slot, None)]
    if (meaning := meaning_asked(text)) is not None:
        # "whats a proxy?" at "just for the next election, or long term?" got that question again (a probe).
        dispatcher.utter_message(text=meaning)
        return [SlotSet(slot, None)]
    answer = answer_to(slot, tracker)
    coded = slot in STRUCTURED and STRUCTURED[slot](text) is not None
    if tracker.get_slot("pending_task") == "cancel_service_request" and (reason := cancels_with_a_reason(text)):
        return cancelling_events(slot, reason, answer)
    about_the_problem = category_of(text) != "other" or BIN_KIND_WORDS.search(text) is not None
    if (
        slot == "contact_email"
        and about_the_problem
        and not find_email(text)
        and (changed := corrections_at_confirmation(tracker, text))
    ):
        # "actually sorry it was the blue recycling bin not the green one" at the email question was taken as no
        # email, and the report went on with "my green bin" (a probe): the report is put right, and the email asked.
        dispatcher.utter_message(text=CHANGED)
        return [*(SlotSet(name, value) for name, value in changed.items()), SlotSet(slot, None)]
    if tracker.get_slot("pending_task") == "report_problem" and (
        kind := category_corrected(text, tracker.get_slot("service_category"))
    ):
        # "oh wait actually it's not a missed bin, it's a pothole I want to report" at the postcode question got "that
        # doesn't look like a postcode" (a probe): the kind of problem is put right, and what it needs is asked.
        dispatcher.utter_message(text=f"OK, I'll report {REPORT_WORDS[kind]} instead.")
        return [SlotSet("service_category", kind), SlotSet(slot, None)]
    if name != "request_officer" and not free_text and wants_a_person(text):
        # "hang on can i talk to someone about this" at "Shall I go ahead?", read as another report, got "I need a yes
        # or a no" (a probe): the person is offered at once, and the answers kept if they carry on.
        dispatcher.utter_message(text=PERSON_OFFERED, buttons=[OFFICER_BUTTON])
        return [SlotSet(slot, None)]
    if slot == "task_confirmed" and tracker.get_slot("pending_task") == "cancel_absent_vote" and keeps_it(text):
        # "no actually keep the postal vote, forget it" at "Shall I cancel it?" was offered the cancel again (a probe).
        return [SlotSet("task_confirmed", False)]
    if (
        slot == "task_confirmed"
        and tracker.get_slot("pending_task") == "request_postal_vote"
        and ballot_elsewhere_in(text)
    ):
        # "can you send it to my son's address" at "Shall I go ahead?": where it goes is asked, unless said here.
        if address := ballot_address_in(text):
            dispatcher.utter_message(text=CHANGED)
        delivery = [SlotSet("ballot_delivery", "other_address"), SlotSet("ballot_address", address)]
        return [*delivery, SlotSet("task_confirmed", None)]
    # At the postcode or address question too ("it was 3rd of this month" was refused as no postcode: a probe), when
    # the message gives no postcode or address for the question.
    gives_a_place = find_postcode(text) is not None or re.search(r"^\W*\d+[a-z]?\s+[a-z]", text, re.I) is not None
    told_when = slot == "task_confirmed" or (slot in ("postcode", "address_uprn") and not gives_a_place)
    if told_when and (notes := report_notes_added(tracker, text)):
        # "she died on the 3rd of November" or "I'm her son" at "Shall I go ahead?" got "I need a yes or a no", and
        # what was said went nowhere (a probe): it is passed on with the report, and the question asked again.
        dispatcher.utter_message(text=NOTED)
        return [SlotSet("report_notes", notes), SlotSet("task_confirmed", None)]
    if slot == "task_confirmed" and house_number_put_right(tracker, text):
        # "no wait it was 18" at "Shall I go ahead?" of a death report got "OK, I haven't recorded anything" (a
        # probe): the address is asked again, from the same postcode's list.
        dispatcher.utter_message(text=ADDRESS_AGAIN)
        return [SlotSet("address_uprn", None), SlotSet("task_confirmed", None)]
    if slot == "task_confirmed" and (changed := corrections_at_confirmation(tracker, text)):
        dispatcher.utter_message(text=CHANGED)
        return [*(SlotSet(name, value) for name, value in changed.items()), SlotSet("task_confirmed", None)]
    if slot == "task_confirmed" and NOT_KNOWN_AT_CONFIRMATION.match(text) and not text.lstrip().startswith("/"):
        # "i dont know her account number" at "Shall I go ahead?" with a death report was read as no, and the report
        # dropped (a probe): nothing more is needed, so that is said and the question asked again.
        dispatcher.utter_message(text=NOT_NEEDED_NOW)
        return [SlotSet(slot, None)]
    # A yes or no to "shall I go ahead?" ("yes cancel it", or its buttons' /affirm and /deny, which the domain
    # maps) and a code typed with other words are answers.
    if slot == "task_confirmed" and (answer is not None or tracker.slots_to_validate().get(slot) is not None):
        return None
    if answer is not None and coded and name != "stop":
        return None
    if slot == "postcode" and street_names(text) and not asks_to_stop(text, free_text=False):
        # "I don't know it, I live at 19 Rowan Close": the street's postcode is looked up (validate_postcode).
        return None
    if slot == "request_reference" and says_unknown(text) and not offered_a_way_out(tracker):
        # "I don't have the reference" got "If you'd rather not carry on, say stop", and no way on (a probe): who can
        # find the report, the phone and a person, as for "I lost my reference".
        dispatcher.utter_message(text=help_for(slot, text, tracker.get_slot("pending_task")), buttons=[OFFICER_BUTTON])
        return [SlotSet(slot, None), SlotSet("answer_misses", misses_so_far(tracker) + 1)]
    if (
        slot in CANCEL_NEEDS
        and CANCEL_WORDS.search(text)
        and not NOT_CANCELLING.search(text)
        and (len(text.split()) > 3 or re.search(r"\bjust\b", text, re.IGNORECASE))
    ):
        # "I already verified, just cancel it" at the code question stopped the cancelling (a probe): it is asked for
        # again, with why it is needed. A bare "cancel" or "cancel it" still stops.
        dispatcher.utter_message(text=f"{CANCEL_NEEDS[slot]} {help_for(slot, '', 'cancel_service_request')}")
        return [SlotSet(slot, None)]
    # A description or a place is whatever was typed, so a short "forget it" or "why?" there is checked first.
    if asks_to_stop(text, free_text=free_text):
        return stop_events(dispatcher, tracker)
    if answer is not None and not free_text:
        return None
    help_asked = asks_for_help(text, free_text=free_text) or (name == "not_helpful" and not free_text)
    if help_asked and not (slot in UNKNOWN_SLOTS and says_unknown(text)):
        if offered_a_way_out(tracker) and not ASKS_WHY.search(text):
            return stop_and_offer_a_person(dispatcher, tracker)
        dispatcher.utter_message(text=help_for(slot, text, tracker.get_slot("pending_task")), buttons=[OFFICER_BUTTON])
        return [SlotSet(slot, None), SlotSet("answer_misses", misses_so_far(tracker) + 1)]
    if name == "stop" and not free_text:
        return stop_events(dispatcher, tracker)
    asks_a_detail = not free_text and slot != "task_confirmed"
    said_no = name == "deny" or yes_or_no(text) is False
    if slot == "date_of_birth" and said_no and date_offered(tracker):
        dispatcher.utter_message(text=DAY_MONTH_YEAR)
        return [SlotSet(slot, None)]
    if slot == "address_uprn" and says_not_listed(text) and find_postcode(text) is None:
        say_address_not_listed(dispatcher, tracker.get_slot("postcode"))
        # Not a miss: it was understood, and the way out was just given (counted, the postcode typed next got "If
        # it's easier, you can call us" as well).
        return [SlotSet(slot, None)]
    if asks_a_detail and said_no:
        if misses_so_far(tracker) >= MISSES_BEFORE_OFFER - 1:
            return stop_events(dispatcher, tracker)
        dispatcher.utter_message(text=NO_MID_TASK, buttons=[STOP_BUTTON])
        return [SlotSet(slot, None), SlotSet("answer_misses", misses_so_far(tracker) + 1)]
    if asks_a_detail and (name == "affirm" or yes_or_no(text) is True):
        # "Yes" to a question that wants a detail: what is needed, then the question again ("How can I help?" was
        # said once; then the bare question repeated, "yes" after "yes", for a probe).
        dispatcher.utter_message(text=help_for(slot, text, tracker.get_slot("pending_task")), buttons=[OFFICER_BUTTON])
        return [SlotSet(slot, None), SlotSet("answer_misses", misses_so_far(tracker) + 1)]
    words = text.lower().split()
    if slot == "task_confirmed" and "?" not in text and not (words and words[0] in QUESTION_FIRST_WORDS):
        # "last month" at "Shall I go ahead?" got the service-voter article (a probe): neither yes nor no, and no
        # question, it is asked again as a yes or no.
        dispatcher.utter_message(text=YES_OR_NO)
        return [SlotSet(slot, None)]
    sure = float(intent.get("confidence") or 0.0) >= SWITCH_CONFIDENCE
    if sure and name in ARTICLE_INTENTS and answer_the_question(dispatcher, tracker):
        return [SlotSet(slot, None)]
    # "is it different at christmas?" at "Which address is yours?" got "I couldn't match that to one of the
    # addresses", and "what about recycling?" at the postcode question "that doesn't look like a postcode" (probes):
    # a question is answered, and the question asked again.
    # "hang on what time does ashbury library open on saturday" at the date of birth question was read as a date,
    # twice (a probe): a question at any detail question is answered, after a "hang on" or "sorry".
    plain = ASIDE.sub("", text)
    first = (re.findall(r"[a-z']+", plain.lower()) or [""])[0]
    asked = plain.rstrip().endswith("?") or first in QUESTION_FIRST_WORDS or FOLLOW_UP_START.search(plain) is not None
    # Elsewhere only what no in-form rule answers (a sure "what's your phone number?" is the rules' to answer).
    unruled = name in ("out_of_scope", "nlu_fallback", "inform") or not sure or unnamed_account_question(tracker, text)
    detail = slot in ("address_uprn", "postcode") or (
        slot not in FREE_TEXT_SLOTS and slot != "task_confirmed" and not free_text and unruled
    )
    question = detail and not re.search(r"\d", text) and asked
    if question and answer_the_question(dispatcher, tracker):
        return [SlotSet(slot, None)]
    return None


def cancelling_events(slot: str, reason: str, answer: tuple[Any, bool] | None) -> list[EventType]:
    """Read "cancel it the bin men came back" in the cancelling task: the reason, and a go-ahead, never a stop.

    At "Why don't you need it any more?" it stopped the task (the "cancel it" of "stop, cancel it"): nothing was
    cancelled. The reason is kept wherever it is said (not asked again), at "Shall I go ahead?" it is a yes, and
    at another question the question is asked again, unless the message answers it too.
    """
    if slot == "cancel_reason":
        return [SlotSet("cancel_reason", reason)]
    if slot == "task_confirmed":
        return [SlotSet("task_confirmed", True)]
    return [SlotSet("cancel_reason", reason), SlotSet(slot, answer[0] if answer is not None else None)]


def another_postcode_given(tracker: Tracker, text: str) -> bool:
    """Whether ``text`` gives a postcode other than the one held before it (whose addresses were offered)."""
    typed = find_postcode(text)
    if typed is None:
        return False
    users = [index for index, event in enumerate(tracker.events) if event.get("event") == "user"]
    before = tracker.events[: users[-1]] if users else []
    held = next(
        (e.get("value") for e in reversed(before) if e.get("event") == "slot" and e.get("name") == "postcode"), None
    )
    return held is not None and str(held).replace(" ", "").upper() != typed.replace(" ", "").upper()


# Words that say no place at all ("somewhere", "round here"): a probe's report went to the team as "where?".
VAGUE_PLACE = re.compile(
    r"(?:it'?s\s+)?(?:somewhere|some ?where|here|there|everywhere|anywhere|dunno|don'?t know|not sure|idk|no idea|"
    r"round here|around here|near me|near here|my area|in the road|on the road|the road|the street|on my street|"
    r"outside|nearby|where|what|huh|eh|pardon|sorry|"
    # a time is no place ("yesterday evening" went to the team as where the sofa was dumped: a probe)
    r"(?:since |from )?(?:yesterday|today|tonight|this morning|this afternoon|this evening|last night|last week|"
    r"(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))(?: (?:morning|afternoon|evening|night))?)",
    re.IGNORECASE,
)


# What names a place: a landmark or a word of an address ("the bus shelter on Priory Walk", "behind the garages").
PLACE_WORDS = re.compile(
    rf"\b(?:{STREET_TYPES}|outside|opposite|near|behind|beside|junction|corner|car ?park|bus (?:stop|shelter)|"
    r"shelter|alley|footpath|path|estate|school|shops?|church|station|centre|center|playground|field|woods?|bridge|"
    r"roundabout|lay-?by|verge|pavement|garages?|flats?|house|number|no\.? ?\d+)\b",
    re.IGNORECASE,
)
# Words that tell what is wrong rather than where ("it's a barking dog next door, it goes on all day").
DESCRIBES = re.compile(
    r"\b(?:it'?s|its|there'?s|there is|there are|keeps?|goes on|barking|playing|music|shouting|smell\w*|"
    r"all (?:day|night)|every (?:day|night)|broken|full of|overflowing|dumped|deep|huge|massive|"
    # "someone has sprayed offensive words on the wall" was sent as where the graffiti was (a probe).
    r"some(?:one|body) (?:has|have|'s)|sprayed|smashed|left|thrown|spilt|spilled|leaking)\b",
    re.IGNORECASE,
)


# How big or bad it is: "big one" at "Where is it?" was reported "at big one" (a probe).
SIZE = re.compile(
    r"\b(?:big|bigger|huge|massive|enormous|large|small|little|deep|wide|tiny|dangerous|nasty|awful|terrible)\b",
    re.IGNORECASE,
)


def names_a_place(text: str) -> bool:
    """Tell whether ``text`` names a place: a postcode, a house number, a street, a landmark or a capitalised name."""
    return bool(
        find_postcode(text)
        or NUMBERED_ADDRESS.search(text)
        or PLACE_WORDS.search(text)
        or re.search(r"\s(?!I\b|I')[A-Z][a-z]", text)
    )


def only_a_place(text: str) -> bool:
    """Tell whether ``text`` is nothing but an address or a postcode ("21 Rowan Close, TN41 6PA")."""
    plain = text.strip(" .,!")
    return bool(
        is_typed_address(plain)
        or (STREET.fullmatch(plain) and len(plain.split()) <= 4)
        or (find_postcode(plain) and len(plain.split()) <= 2)
        or ((match := NUMBERED_ADDRESS.match(plain)) and match.end() >= len(plain) - 1)
    )


# A description given where the place was asked is kept, and the place asked for again.
DESCRIPTION_NOTED = "Thanks, I've noted what the problem is."
PLACE_PUT_RIGHT = "Thanks, I've put that as where the problem is."
ADDED_TO_THE_REPORT = "Thanks, I've added that to the report."
ADDED_WORDS = 3  # the fewest words of more about the problem typed at the email question
PLACE_THEN_DESCRIPTION = "Thanks, I've put that as where it is, and what you told me before as what the problem is."


ADDRESS_NOT_MATCHED = (
    "Sorry, I couldn't match that to one of the addresses. Please choose one of the buttons, or type the house "
    "number and street."
)
# "my house isn't on the list" got the apology above and the same list for ever (a probe); "none of these" was read
# as a bare no ("say stop and nothing will be sent"). A resident whose home is not listed can give another postcode,
# or reach a person who can put the address records right.
ADDRESS_NOT_LISTED = (
    "Sorry, your address isn't in the council's list for {postcode}. If the postcode might be wrong, type the right "
    "one and I'll look again. If it is right, our address records may need updating: please call us on {phone}, "
    "or talk to a person here, and they can help you."
)
NOT_LISTED = re.compile(
    r"\bnone of (?:these|those|them|the above|those addresses|these addresses)\b|\bneither\b|"
    r"\bnot (?:on|in) (?:the|this|that|your) list\b|\bnot (?:listed|there|shown|showing|here)\b|"
    r"\b(?:isn'?t|is not|aren'?t|are not|'s not)\s+(?:there|listed|shown|showing|here|on (?:it|the list|there))\b|"
    r"\b(?:can'?t|cannot|don'?t) see (?:it|mine|my (?:house|home|address|flat|number|one))\b|"
    r"\b(?:my (?:house|home|address|flat|number|one)|mine) (?:is )?missing\b|\bmissing from\b|"
    r"\bnot one of (?:these|them)\b",
    re.IGNORECASE,
)


def say_address_not_listed(dispatcher: CollectingDispatcher, postcode: str | None) -> None:
    """Tell the resident their address is not in the postcode's list: another postcode, or a person."""
    dispatcher.utter_message(
        text=ADDRESS_NOT_LISTED.format(postcode=postcode, phone=council_phone()), buttons=[OFFICER_BUTTON]
    )


def says_not_listed(text: str) -> bool:
    """Whether a message at "Which address is yours?" says the resident's address is not among the choices."""
    return bool(NOT_LISTED.search(text))


def names_an_unlisted_number(text: str, addresses: list[str]) -> bool:
    """Whether ``text`` gives a house number that no offered address has ("it's 25 Priory Gardens" among 1 to 19)."""
    numbers = {number.lower() for number in HOUSE_NUMBER.findall(text)}
    listed = {number.lower() for address in addresses for number in HOUSE_NUMBER.findall(address)}
    return bool(numbers) and not numbers & listed


HOUSE_NUMBER = re.compile(r"\b\d+[a-z]?\b", re.IGNORECASE)


# "actually no, just the next election" at the postal vote's "Shall I go ahead?" was read as no: "OK, I haven't recorded
# anything", and every answer was lost (a probe). A no that puts a detail right changes it and asks again.
CORRECTION_CUE = re.compile(
    r"\b(?:actually|instead|change (?:it|that)|make (?:it|that)|rather|i meant|should be|sorry|not \w+ but)\b|"
    # "its Kathleen Grey not Gray", "it's spelt Tom Gray" (a probe's got "I need a yes or a no")
    r"\bspel(?:t|led)\b|\bnot\s+[\w'-]+\W*$|"
    r"^\W*(?:no|nope|nah|wait)\b[\s,.!-]+\w",
    re.IGNORECASE,
)
DURATION_WORDS = re.compile(
    r"\b(?:next (?:election|poll|vote)|just (?:the )?(?:next|one|this)|only (?:the )?(?:next|one|this)|"
    r"one election|this election|long[ -]term|permanent\w*|all (?:future )?elections|every election|"
    r"indefinitely|for good)\b",
    re.IGNORECASE,
)
CHANGED = "OK, I've changed that."
ADDRESS_AGAIN = "Sorry about that. Let's choose the right address."
# A house number typed alone, as a correction ("no wait it was 18", "sorry it's number 18 not 19").
# The number ends the message ("no, it was 3 bins" puts no house number right).
HOUSE_NUMBER_LAST = re.compile(r"\b(\d{1,4}[a-z]?)(?:\s+not\s+\d{1,4}[a-z]?)?\W*$", re.IGNORECASE)


def house_number_put_right(tracker: Tracker, text: str) -> bool:
    """Whether ``text``, at "Shall I go ahead?", puts right the house number of the address chosen from a list."""
    if not tracker.get_slot("address_uprn") or "address_uprn" not in required_slots_for(
        tracker.get_slot("pending_task"), tracker.slots
    ):
        return False
    return bool(CORRECTION_CUE.search(text) and HOUSE_NUMBER_LAST.search(text) and not find_postcode(text))


PERSON_OFFERED = (
    "Of course. Press \"Talk to a person\" and I'll pass you to an officer with what you've told me so far."
)
# Said when a resident declines a cancel ("no" at "Shall I cancel it?", or "no keep it" at any of its questions): "I
# haven't recorded anything" to a resident who declined to cancel a report left them unsure whether it was still
# open (a probe).
NOTHING_DONE = {
    "cancel_service_request": "OK, I haven't cancelled it: your report is still open. What else can I help with?",
    "cancel_absent_vote": "OK, I haven't cancelled anything: your postal or proxy vote stays as it is. What else can "
    "I help with?",
}


# A no to cancelling, in other words: "actually keep it", "I want to keep my postal vote", "leave it".
def keeps_it(text: str) -> bool:
    """Whether the words keep what the cancel in hand would end (task_kit.KEEPS_IT, or "leave it")."""
    return KEEPS_IT.search(text) is not None or re.search(r"\bleave it\b", text, re.I) is not None


NOTED = "Thank you, I'll pass that on with the report."


# The report's questions where the email (or "no email") may come early, and how each is asked again after it.
EMAIL_ANSWERED_AT = {
    "problem_description": "please describe the problem in a few words.",
    "problem_location": "where is the problem?",
    # "me@example.com" at a missed bin's postcode question got "What would you like me to do with that?" (a probe).
    "postcode": "what is the postcode of the address?",
    "address_uprn": "please choose the address from the list.",
}
NO_EMAIL_SAID = re.compile(
    r"^\W*(?:no|without|without an?|don'?t have an?|dont have an?|i don'?t have an?|no need for an?) e-?mail"
    r"(?: (?:address|thanks|please))?\W*$",
    re.IGNORECASE,
)


def email_answered_early(tracker: Tracker, text: str) -> tuple[str, str] | None:
    """Return (the email answer, what to say) when a report's earlier question (EMAIL_ANSWERED_AT) gets the email's."""
    if tracker.get_slot("pending_task") != "report_problem" or tracker.get_slot("contact_email"):
        return None
    again = EMAIL_ANSWERED_AT.get(str(tracker.get_slot("requested_slot")), "")
    if NO_EMAIL_SAID.match(text):
        return "none", f"OK, no email updates. Now, {again}"
    email = find_email(text)
    if email and len(leftover_words(text, email)) < SHORT_STATEMENT_WORDS:
        return email, f"Thanks, I'll send updates to that email address. Now, {again}"
    return None


# A request to report, not an answer to a report's question: "report it", "ok can you report that please".
REPORT_IT = re.compile(
    r"^\W*(?:(?:ok|okay|yes|yeah|please|pls|then|so|can you|could you|go on|i want to|i'?d like to)[\s,]+)*"
    r"report (?:it|that|this|one)\b[\s\w]{0,20}$",
    re.IGNORECASE,
)


def after_the_death_answer(tracker: Tracker) -> str | None:
    """Return "died" when the report was started from the death registration answer's button, else None."""
    return "died" if TASK_OFFERS["report_death_or_left"] in last_bot_text(tracker) else None


def names_the_bin(text: str) -> bool:
    """Whether a missed-bin report says which bin, in enough words to send as it is."""
    return BIN_KIND_WORDS.search(text) is not None and len(text.split()) >= DESCRIBED_WORDS


def opening_description(text: str) -> str | None:
    """Return the words that got an answer offering a report as the report's description, when they say what is wrong.

    They name a kind of problem and say a little about it ("dead fox in the road", "neighbours music every nite till
    3am"); "potholes" alone says too little.
    """
    plain = " ".join(text.split())
    return plain[:1000] if category_of(plain) != "other" and len(plain.split()) >= OPENING_DESCRIBED_WORDS else None


OPENING_DESCRIBED_WORDS = 4


def invited_category(tracker: Tracker) -> str | None:
    """Return the kind of problem the bot's last answer invited a report of ("You can report a street light here").

    "ok can you report it then please" after it was asked for a reference (a probe): it reports that kind. Any answer
    offering to take the report in this chat counts ("Or report it in this chat", "tell us in this chat"): "Station
    Road" after the potholes answer was lost (a probe).
    """
    said = last_bot_text(tracker)
    offer = REPORT_OFFERED.search(said)
    if offer is None:
        return None
    # The offer's own words first: the trees answer speaks of trees that "block light" before it offers the report.
    category = category_of(offer[0])
    category = category_of(said) if category == "other" else category
    return None if category == "other" else category


def place_for_the_invited_report(tracker: Tracker, text: str) -> str | None:
    """Return ``text`` as the place of the report the bot's last answer invited, when it is nothing but a place.

    "street lamp flickring" got the street lights answer ("You can report a broken street light in this chat"), and
    "rowan close" typed next got "Sorry, I didn't quite get that"; after the potholes answer, "mill lane" was asked
    "Where is it?" (a probe).
    """
    kind = invited_category(tracker)
    if kind is None or kind in ADDRESSED_CATEGORIES or not a_place_alone(text):
        return None
    return place_as_said(text)


def place_as_said(text: str) -> str:
    """Return a place typed as an answer without the words leading into it ("no wait it's on", "its at").

    A noise report was filed "at its at 7 Priory Walk", and graffiti "at no wait it's on the wall of the church hall,
    Mill Lane" (a probe).
    """
    plain = text.strip(" .,!")
    while (shorter := IT_IS_AT.sub("", PLACE_LEAD_IN.sub("", plain))) != plain:
        plain = shorter
    return plain[:240]


PLACE_LEAD_IN = re.compile(r"^\W*(?:no|nope|sorry|actually|wait|oh|oops|hang on|ok|okay|er+m?|um+)\b\W*", re.IGNORECASE)


def a_place_alone(text: str) -> bool:
    """Tell whether ``text`` says where and nothing else: an address, or a few words naming a place.

    "outside 19 rowan close" after the dead animals answer, and "Rowan close by number 19" after the potholes one, got
    "I'm still not able to help with that" (a probe): only a bare address counted. A question, what is wrong, or a
    kind of problem named is more than a place.
    """
    plain = IT_IS_AT.sub("", text.strip(" .,!"))  # "its at 21 rowan close", "its on the high street" (a probe)
    if only_a_place(plain):
        return True
    words = re.findall(r"[a-z']+", plain.lower())
    return (
        0 < len(words) <= PLACE_ALONE_WORDS
        and "?" not in plain
        and words[0] not in QUESTION_FIRST_WORDS
        and names_a_place(plain)
        and not DESCRIBES.search(plain)
        and not SIZE.search(plain)
        and category_of(plain) == "other"
    )


IT_IS_AT = re.compile(r"^\W*(?:it'?s|its|it is|they'?re|theyre|they are)\s+(?:(?:at|on|in|outside|near|by)\s+)?", re.I)


PLACE_ALONE_WORDS = 8  # the most words a place typed on its own is given in


def report_notes_added(tracker: Tracker, text: str) -> str | None:
    """Return a report's notes with ``text`` added, when it tells when it happened or who is reporting, else None."""
    said = strip_pleasantries(text).strip()
    born = a_birth_date(said)
    if tracker.get_slot("pending_task") != "report_death_or_left" or not (born or report_details_told(text)):
        return None
    said = f"date of birth {said}" if born else said
    notes = " / ".join(part for part in (tracker.get_slot("report_notes"), said) if part)
    return notes[:1000] if notes != tracker.get_slot("report_notes") else None


# A new name put right at the confirmation: "actually it should be Jodie Brown-Kemp", "no, make it Jodie Smyth".
NEW_NAME_CORRECTED = re.compile(
    r"\b(?:should be|it'?s|its|make it|change it to|meant|is|spelt|spelled)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,3})"
)
# A name's spelling put right ("sorry its spelt Joan Smyth", "it's spelled Tom Gray").
SPELT = re.compile(r"\bspel(?:t|led|ling)\b", re.IGNORECASE)
# ... or the new spelling set against the old ("its Kathleen Grey not Gray").
SPELT_OR_NOT = re.compile(r"\bspel(?:t|led|ling)\b|\bnot\s+[A-Z][\w'-]+\W*$")


# "it was the alley behind the co-op not tesco": the new place, then the word of the old one it replaces.
PLACE_NOT = re.compile(
    r"^(?P<new>.+?)\s*,?\s+(?:not|rather than|instead of)\s+(?:the\s+|at\s+|on\s+)?(?P<old>[\w' -]+?)\W*$", re.I
)


def place_instead(text: str, held: Any) -> str | None:
    """Return the place a correction gives instead of the one held, when it names a word of the held one to replace."""
    said = PLACE_NOT.match(text.strip())
    if said is None or not held:
        return None
    old_words = {word for word in re.findall(r"[a-z']+", said["old"].lower()) if len(word) > 2}
    if not old_words or not old_words & set(re.findall(r"[a-z']+", str(held).lower())):
        return None
    new = re.sub(r"^\W*(?:it was|it'?s|its|it is)\s+", "", place_as_said(said["new"]), flags=re.I)
    return new or None


def new_name_put_right(text: str, held: str) -> str | None:
    """Return the new name a correction at the confirmation gives, keeping the first name when only the surname is."""
    renamed = NEW_NAME_CORRECTED.search(text)
    name = clean_full_name(renamed[1]) if renamed else None
    if name is None and (HYPHEN_WORDS.search(text) or NAME_CORRECTION_LEAD_IN.match(text)):
        name = clean_full_name(text)
    if name is None or not held:
        return None
    if HYPHEN_WORDS.search(text) and not HYPHEN_WITH.search(text):
        name = name.replace("-", " ")
    held_words = held.replace("-", " ").split()
    if name.split() == held_words[1:]:
        name = f"{held_words[0]} {name}"  # the surname alone put right: "Smith Jones" for "Rita Smith-Jones"
    return name if name != held else None


# "Has the person died, or have they moved out?" put again after an answer to another question.
REPORT_KIND_AGAIN = "Has the person died, or have they moved out?"
HYPHEN_WORDS = re.compile(r"\bhyphens?\b|\bdouble[ -]barrell?ed\b", re.IGNORECASE)
HYPHEN_WITH = re.compile(r"\bwith (?:a |the )?hyphen\b", re.IGNORECASE)


def corrections_at_confirmation(tracker: Tracker, text: str) -> dict[str, Any]:
    """Return the details a message at "Shall I go ahead?" puts right (only those that differ), else nothing."""
    if not CORRECTION_CUE.search(text):
        return {}
    wanted = set(required_slots_for(tracker.get_slot("pending_task"), tracker.slots))
    found: dict[str, Any] = {}
    if "vote_duration" in wanted and (duration := DURATION_WORDS.search(text)):
        found["vote_duration"] = vote_duration_in(duration.group(0))
    if "contact_email" in wanted and (email := STRUCTURED["contact_email"](text)) is not None:
        found["contact_email"] = email[0]
    if "reporter_email" in wanted and (given := find_email(text)):
        # "sorry wrong one, its rita.richardson@example.com" at "Shall I cancel it?" was a no (a probe).
        found["reporter_email"] = given
    if "reported_name" in wanted and (name := new_name_put_right(text, str(tracker.get_slot("reported_name") or ""))):
        # "sorry its spelt Joan Smyth" at "Shall I go ahead?" got "I need a yes or a no", and "yes" recorded Joan Smith
        # (a probe).
        found["reported_name"] = name
    if "new_name" in wanted and (name := new_name_put_right(text, str(tracker.get_slot("new_name") or ""))):
        # "actually it should be Jodie Brown-Kemp" at "Shall I go ahead?" got "I need a yes or a no" (a probe); "sorry,
        # no hyphen: Janice Ogilvy Dunn" was a no, and "no wait it's Smith Jones, no hyphen" lost the first name.
        found["new_name"] = name
    held_proxy = str(tracker.get_slot("proxy_name") or "")
    if "proxy_name" in wanted and SPELT_OR_NOT.search(text) and (name := new_name_put_right(text, held_proxy)):
        # "its Kathleen Grey not Gray" at "Shall I go ahead?" got "I need a yes or a no" (a probe).
        found["proxy_name"] = name
    elif "proxy_name" in wanted and (proxy := proxy_named(text)) is not None:
        # "no, make it my son Peter Dunn" at "Shall I go ahead?" named the old proxy still (a probe).
        found["proxy_name"], found["proxy_relationship"] = proxy[0], proxy[1] or tracker.get_slot("proxy_relationship")
    if "problem_location" in wanted and (place := place_instead(text, tracker.get_slot("problem_location"))):
        # "actually it was the alley behind the co-op not tesco" was added to the description, and the report filed
        # "at down the lane behind tesco" (a probe).
        found["problem_location"] = place
    elif "problem_location" in wanted and (place := place_told(text)) is not None:
        # "no, it's actually on Elm Road" (a probe's report was dropped by it).
        found["problem_location"] = place
    elif "problem_location" in wanted and (renumbered := renumbered_place(tracker.get_slot("problem_location"), text)):
        # "wait, it was behind number 5 not 3" got "I need a yes or a no", and "yes" filed number 3 (a probe).
        found["problem_location"] = renumbered
    elif (
        "problem_description" in wanted
        and "contact_email" not in found
        and (described := described_again(tracker, text))
    ):
        # Not when the correction is of the email: "actually my email is rob@example.com" was added to the sofa's
        # description as "(correction: my email is rob@example.com)" (a probe).
        # "actually it was the general waste not recycling" was filed as "recycling bin, blue one" (a probe).
        found["problem_description"] = described
    return {name: value for name, value in found.items() if value and value != tracker.get_slot(name)}


# A proxy named with how they are related: "my brother Mark Richardson", "my friend, Sarah Jones".
RELATION_AND_NAME = re.compile(
    rf"\b(?:my|our)\s+(?P<relation>{RELATIONS})\b[\s,:-]+(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){{1,2}})"
)
# A new proxy named in a correction: "change it to my son Peter Dunn", "actually make it Peter Dunn".
# "change my proxy to my son instead, Mark Dunn": a few words may come between who they are and the name.
PROXY_NAMED = re.compile(
    rf"\b(?:to|is|be|with|make it|it'?s)\s+(?:(?:my|our)\s+(?P<relation>{RELATIONS})\b(?:\s+instead)?[\s,:-]+)?"
    r"(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)+)"
)


def proxy_named(text: str) -> tuple[str, str | None] | None:
    """Return the proxy a correction names, with "my son" if said, else None."""
    if not CORRECTION_CUE.search(text):
        return None
    match = PROXY_NAMED.search(text)
    name = clean_full_name(match.group("name")) if match else None
    if match is None or name is None:
        return None
    relation = match.group("relation")
    return name, f"my {relation.lower()}" if relation else None


def proxy_changed(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> dict[str, Any] | None:
    """Change the proxy when a later answer names another one ("no wait, change it to my son Peter Dunn")."""
    proxy = proxy_named(text)
    if proxy is None or proxy[0] == tracker.get_slot("proxy_name"):
        return None
    name, relation = proxy
    dispatcher.utter_message(
        text=f"Thanks, I've changed your proxy to {name}" + (f" ({relation})." if relation else ".")
    )
    return {"proxy_name": name, **({"proxy_relationship": relation} if relation else {})}


# A house number put right: "it was behind number 5 not 3", "no 5 not 3", "it's 7, not 9".
NUMBER_PUT_RIGHT = re.compile(
    r"\b(?:number|no\.?|#)?\s*(?P<new>\d+[a-z]?)\s*,?\s+not\s+(?:number\s+|no\.?\s*)?(?P<old>\d+[a-z]?)\b",
    re.IGNORECASE,
)


def renumbered_place(place: Any, text: str) -> str | None:
    """Return the report's place with its house number put right, or None when the message puts none right."""
    match = NUMBER_PUT_RIGHT.search(text)
    if not place or match is None:
        return None
    old = re.compile(rf"\b{re.escape(match.group('old'))}\b", re.IGNORECASE)
    if not old.search(str(place)):
        return None
    return old.sub(match.group("new"), str(place), count=1)


GIVES_UP = re.compile(
    r"\b(?:changed my mind|not needed|(?:don'?t|do not) (?:want|need|bother)|forget|cancel|stop|leave it|"
    r"never ?mind|no need|not any ?more|sorted|fixed)\b",
    re.IGNORECASE,
)


def described_again(tracker: Tracker, text: str) -> str | None:
    """Return the description with a correction of it added, when a correction at the confirmation is about it."""
    words = CORRECTION_START.sub("", text).strip(" ,.!")
    # "no the description should say it flickers" threw the whole report away (a probe)
    said_instead = r"\b(?:it was|it'?s|was|is|not|should (?:say|read|be)|description)\b"
    if len(words.split()) < 3 or not re.search(said_instead, words, re.IGNORECASE):
        return None
    if GIVES_UP.search(words):  # "no, I've changed my mind, it's not needed" is a no
        return None
    return f"{tracker.get_slot('problem_description')} (correction: {words})"[:1000]


# "I don't know her account number", "not sure of the exact date, is that a problem?": a detail not known, said at the
# confirmation, when nothing more is asked.
NOT_KNOWN_AT_CONFIRMATION = re.compile(
    r"^\W*(?:(?:sorry|um|erm|oh|but)[\s,]+)*(?:i\s+)?(?:don'?t|dont|do not)\s+know\s+(?:the|her|his|their|my|it|what|"
    r"when|exactly|which)\b|^\W*(?:i'?m\s+)?not sure (?:of|about|what|when|which) \w+|^\W*no idea (?:of|about|what|"
    r"when) \w+",
    re.IGNORECASE,
)
NOT_NEEDED_NOW = "That's fine: I don't need anything more for this. Shall I go ahead? Please say yes or no."
YES_OR_NO = "Sorry, I need a yes or a no here. If you'd rather not, say no and nothing will be sent."


# Said once to a bare "no" where the question wants a detail; a second "no" stops the task.
NO_MID_TASK = "That's OK. If you'd rather not carry on, say \"stop\" and nothing will be sent."
STOP_BUTTON = {"title": "Stop", "payload": "/stop"}
# Said when the resident still can't give a detail after hearing why it is needed and where to find it.
STOPPED_FOR_A_PERSON = (
    "I'll stop asking, and nothing has been sent. A person can help you with this instead: would you like me to ask "
    "an officer to join this chat? Or you can call us on {phone}."
)
CANNOT_GIVE_IT = "That's OK, " + STOPPED_FOR_A_PERSON
OFFER_BUTTONS = [
    {"title": "Yes, talk to a person", "payload": "/request_officer"},
    {"title": "No, thanks", "payload": "/deny"},
]


# "Why?" is a question, answered each time it is asked; only "I don't know" again gives up.
ASKS_WHY = re.compile(r"\bwhy\b|\bwhat for\b|\bwhat do (?:you|u|ya) (?:mean|need)\b", re.IGNORECASE)


def name_over_two_messages(tracker: Tracker, text: str) -> str | None:
    """Join a surname typed alone to a first name typed alone just before, at the same name question, or None."""
    word = text.strip(" .,!")
    if not NAME_WORD.fullmatch(word):
        return None
    previous, latest = slots_asked_at_the_last_two_messages(tracker)
    said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    if previous != latest or len(said) < 2:
        return None
    first = said[-2].strip(" .,!")
    return clean_full_name(f"{first} {word}") if NAME_WORD.fullmatch(first) and " " not in first else None


def slots_asked_at_the_last_two_messages(tracker: Tracker) -> tuple[str | None, str | None]:
    """Return the slot the form was asking for when the previous and the latest messages came in."""
    asked: str | None = None
    at_messages: list[str | None] = []
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif event.get("event") == "user":
            at_messages.append(asked)
    previous, latest = [None, None, *at_messages][-2:]
    return previous, latest


def offered_a_way_out(tracker: Tracker) -> bool:
    """Tell whether the bot's reply to the previous message already explained this question and offered a person.

    Then "I don't know" again gets a clear offer of a person, not the same explanation a fourth time. A way out
    offered at another question does not count: "I lost my reference" was explained and the next question asked,
    and "why do you need that?" at that next question stopped the task (a probe).
    """
    previous, latest = slots_asked_at_the_last_two_messages(tracker)
    if previous != latest:
        return False
    latest_seen = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if latest_seen:
                return False
            latest_seen = True
        elif event.get("event") == "bot" and latest_seen and way_out() in str(event.get("text") or ""):
            return True
    return False


def stop_events(dispatcher: CollectingDispatcher, tracker: Tracker, *, said: str | None = None) -> list[EventType]:
    """End the task in hand (nothing is sent), and answer a question asked with the stop, if there is one.

    ``said`` replaces both (a cancel the resident no longer wants says what stays as it is).
    """
    if said:
        dispatcher.utter_message(text=said)
    elif tracker.get_slot("pending_task") == "cancel_service_request":
        # "OK, I've stopped there and nothing has been sent" after a code had been emailed (a probe): what stays.
        dispatcher.utter_message(text=f"{CANCELLING_STOPPED}: the report is still open.")
        if not answer_the_question(dispatcher, tracker):
            dispatcher.utter_message(text="What else can I help with?")
    else:
        dispatcher.utter_message(text="OK, I've stopped there and nothing has been sent.")
        if not answer_the_question(dispatcher, tracker):
            dispatcher.utter_message(text="What else can I help with?")
    return [SlotSet(tracker.get_slot("requested_slot"), None), SlotSet("verification_outcome", STOPPED)]


def stop_and_offer_a_person(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, said: str = CANNOT_GIVE_IT
) -> list[EventType]:
    """Stop asking for a detail the resident cannot give, and offer a person (a yes hands over)."""
    dispatcher.utter_message(text=said.format(phone=council_phone()), buttons=OFFER_BUTTONS)
    return [
        SlotSet(tracker.get_slot("requested_slot"), None),
        SlotSet("verification_outcome", STOPPED),
        SlotSet(SLOT_OFFICER_OFFERED, True),
        SlotSet(SLOT_HANDOFF_REASON, "fallback"),
    ]


# Replies that say nothing about the problem: yes, no, ok and thanks are not a description.
_NOT_A_DETAIL = (
    r"(?:y|yes|yeah|yep|yup|ye|ya|n|no|nope|nah|ok|okay|k|kk|sure|fine|thanks|thank you|ta|cheers|done|"
    # "hello?" was sent to the team as what the dumped rubbish was (a probe).
    r"hello|hi|hiya|hey|anyone there|are you there|you there|still there|"
    r"same|as above|see above|like i said|go ahead|please|talk to a person|no,? thanks|not now|later)"
)
# Answers that say nothing about a problem or a place: yes, no, thanks, and the words of the buttons ("Yes, go ahead"
# and "No, thanks" were sent to the team as where a problem was, by a probe).
NOT_A_DESCRIPTION = re.compile(rf"\W*{_NOT_A_DETAIL}(?:[\s,.!]+{_NOT_A_DETAIL})*\W*", re.IGNORECASE)


async def postcode_of_street(
    backoffice: BackOffice, text: str, names: list[str], dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """Find the postcode of the street a resident named instead of their postcode, and their address on it.

    "when is bin day on Rowan Close" and "I don't know it, I live at 19 Rowan Close" were asked for the postcode
    again and again (a probe). One postcode goes on to the address question (or straight to the house the
    message numbers); several are offered as buttons; a street not in the area is said so.
    """
    try:
        found = [street for name in names for street in await backoffice.find_streets(name=name)]
    except BackOfficeError:
        dispatcher.utter_message(text=STREETS_DOWN)
        return {"postcode": None}
    if not found:
        dispatcher.utter_message(text=STREET_NOT_FOUND.format(street=names[0]))
        return {"postcode": None}
    lowered = text.lower()
    in_town = [street for street in found if street.town.lower() in lowered] or found
    postcodes = list(dict.fromkeys(street.postcode for street in in_town))
    if len(postcodes) > 1:
        dispatcher.utter_message(
            text=f"{in_town[0].street} has more than one postcode. Which is yours?",
            buttons=[{"title": f"{s.postcode} ({s.street}, {s.town})", "payload": s.postcode} for s in in_town],
        )
        return {"postcode": None}
    street = in_town[0]
    try:
        addresses = await backoffice.find_addresses(postcode=street.postcode)
    except BackOfficeError:
        return {"postcode": street.postcode, "address_uprn": None, "verification_outcome": FAILED_DURING_QUESTIONS}
    line = NUMBERED_ADDRESS.search(text)
    uprn = choose_address(line.group(0), [(a.uprn, a.address) for a in addresses]) if line else None
    dispatcher.utter_message(text=f"The postcode for {street.street}, {street.town} is {street.postcode}.")
    return {"postcode": street.postcode, "address_uprn": str(uprn) if uprn else None}


# Said when the account holder's details are given instead of the account number.
DETAILS_INSTEAD = "No problem. I can check the account with the bill payer's name, date of birth and postcode instead."


# The account holder named instead of the account number: "in the name of ...", or "its Janice Dunn" written as a name.
IN_THE_NAME_OF = re.compile(
    r".*\b(?:(?:in|under) the name(?: of)?|in (?:my |her |his )?name of)\s+([a-z][a-z' -]{2,40})$"
    r"|.*\b(?:it'?s|it is|its)\s+([A-Z][a-z'-]+(?: [A-Z][a-z'-]+)+)$",
    re.IGNORECASE,
)


def holder_details_in(text: str) -> dict[str, str]:
    """Return the name, date of birth (ISO) and postcode ``text`` gives, read as the identity check reads them."""
    named = IN_THE_NAME_OF.match(text.strip(" .!"))
    in_the_name_of, written_as_a_name = named.groups() if named else (None, None)
    said = in_the_name_of or (written_as_a_name if written_as_a_name and written_as_a_name.istitle() else None)
    if said and (name := clean_full_name(said)):
        # "its in the name of Janice Dunn", "i dont know my account number, its Janice Dunn" (a probe).
        return {"full_name": name}
    if says_unknown(text):
        return {}
    told = own_details_in(text)
    # A bare name counts when written as one ("Rita Richardson"): "hang on" and "no idea" are no names.
    capitalised = all(word[:1].isupper() for word in text.split())
    name = told.get("full_name") or (clean_full_name(text) if capitalised and not re.search(r"\d", text) else None)
    born = parse_date_of_birth(told["date_of_birth"], today=dt.date.today()) if "date_of_birth" in told else None
    postcode = find_postcode(text)
    found = {"full_name": name, "date_of_birth": born.isoformat() if born else None, "postcode": postcode}
    return {slot: value for slot, value in found.items() if value}


# Said when a street named instead of a postcode is not in the area, or cannot be looked up just now.
STREET_NOT_FOUND = (
    "I can't find a street called {street} in the Ashdown Vale area. Please check the spelling, or type your "
    "postcode, like TN41 6PA."
)
STREETS_DOWN = "Sorry, I can't look streets up just now. Please type your postcode, like TN41 6PA."
# Answers to "How do you know them?" that say no relationship, and what the resident is told then.
NOT_A_RELATION = re.compile(
    r"\W*(?:i\s+)?(?:idk|dunno|don'?t know|do not know|not sure|no idea|none|n/?a|nothing|nobody|no ?one|why|what|huh|"
    r"eh|pardon|whatever|anything|dont care|don'?t mind|skip|pass)\W*",
    re.IGNORECASE,
)
# A proxy named with more: "long term, his name is Mark Dunn".
NAME_TOLD = re.compile(
    r"\b(?:his|her|their|the|my \w+'s|proxy'?s?)\s+name(?:'s|\s+is|\s+will be)\s+(?P<name>.+)$", re.I
)
# Why a resident can't vote in person, given before it is asked.
REASON_GIVEN = re.compile(
    r"\b(?:walk\w*|arthritis|disab\w*|ill|illness|unwell|poorly|health|hospital|mobility|wheelchair|housebound|"
    r"blind|sight|deaf|carer|caring|working|work|shifts?|away|abroad|holiday|can'?t get out|cannot get out)\b",
    re.IGNORECASE,
)
REASON_NEEDED = (
    "The application form asks why you can't vote in person, so I need a few words. For example: my health, a "
    "disability, work, or I'll be away."
)
RELATION_NEEDED = (
    "The application form asks how you know your proxy, so I need a few words. For example: my daughter, a friend, "
    "my neighbour, a colleague."
)
# A correction of where the problem is, typed at the description question.
CORRECTION_START = re.compile(r"^\W*(?:actually|sorry|oops|i mean|correction|no|wait)\b[\s,.:-]*", re.IGNORECASE)
CORRECTS_THE_PLACE = re.compile(
    r"^\W*(?:actually|sorry|oops|i mean|correction|wait)\b.{0,30}?\b(?:it'?s|its|it is|the (?:place|location) is)?\s*"
    r"(?:outside|opposite|near|next to|at number|number \d|no\.? ?\d)",
    re.IGNORECASE,
)


# A place is never a question that starts so and ends with "?" ("by the park?" may be one; "is it free?" is not).
QUESTION_FIRST_WORDS = frozenset(
    """
    is are will would do does did can could how what why when who should shall where which whats what's wheres
    where's isnt isn't wont won't cant can't wat wot wen hw y
    """.split()  # noqa: SIM905
)
# Words that may lead into a question ("actually is it a council thing or county?", "so whats the point?").
QUESTION_LEAD_INS = frozenset("actually so and but ok okay sorry um erm oh wait just also then right hang on".split())  # noqa: SIM905
# A question typed where the report asks for its place or its description.
NOT_ANSWERED_HERE = (
    "I can't answer that one here, but you can ask me again once the report is made, or talk to a person. "
)
NOT_A_PLACE = NOT_ANSWERED_HERE + "First, I need to know where the problem is."
NOT_A_DESCRIPTION_BUT_A_QUESTION = NOT_ANSWERED_HERE + "First, please describe the problem in a few words."


def is_a_question(text: str) -> bool:
    """Tell whether ``text`` is a question: a question word first, a question mark last ("how long will it take?")."""
    words = re.findall(r"[a-z']+", text.lower())
    while len(words) > 1 and words[0] in QUESTION_LEAD_INS:
        words = words[1:]
    return text.rstrip().endswith("?") and bool(words) and words[0] in QUESTION_FIRST_WORDS


# Intents whose article answers a question asked with a stop ("forget it, when are you open?").
ANSWERED_INTENTS = ARTICLE_INTENTS | {"opening_hours", "contact_details", "bot_capabilities"}
# How likely the question's intent must be, in the message's ranking, when "stop" leads it.
RANKED_QUESTION_CONFIDENCE = 0.2


# Words that put a question aside from the answer asked for: "hang on", "sorry, quick question", "btw".
ASIDE = re.compile(
    r"^(?:(?:hang on|hold on|wait|sorry|oh|ok|okay|quick question|before that|before i do|by the way|btw|also|"
    r"one more thing|just wondering)\b[\s,.!:-]*)+",
    re.IGNORECASE,
)


def answer_the_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question asked with a stop, if there is one; say whether it was answered.

    The question's intent is the message's own, or (when the classifier read the whole as "stop") the likeliest
    question in its ranking; failing both, the words after the stop are searched in the articles.
    """
    message = tracker.latest_message
    intent = str((message.get("intent") or {}).get("name") or "")
    text = str(message.get("text") or "")
    stop = STOP_ASKED.search(text)
    rest = ASIDE.sub("", text[stop.end() :] if stop else text)
    if intent not in ANSWERED_INTENTS:
        if not looks_like_question(rest) or len(rest.split()) < 2:
            return False
        ranked = [
            str(r.get("name"))
            for r in message.get("intent_ranking") or []
            if r.get("name") in ANSWERED_INTENTS and float(r.get("confidence") or 0.0) >= RANKED_QUESTION_CONFIDENCE
        ]
        intent = ranked[0] if ranked else ""
    entities = entities_of(message)
    try:
        knowledge = get_knowledge()
        if intent:
            article = knowledge.for_intent(intent, entities)
            if article is not None:
                say_article(dispatcher, article)
                return True
        return say_decision(dispatcher, for_missed(rest, knowledge.articles()))
    except (ArticleError, OSError):
        return False


def misses_so_far(tracker: Tracker) -> int:
    """Return how many replies in a row have not answered the question asked."""
    return int(tracker.get_slot("answer_misses") or 0)


def count_misses(
    dispatcher: CollectingDispatcher, tracker: Tracker, events: list[EventType], *, said_from: int = 0
) -> list[EventType]:
    """Count a reply that did not answer the question; from the second, add the phone number and an officer.

    A resident whose date of birth the bot cannot read was asked the same question four times; now the
    second miss in a row adds the way out to the example, and any answer that fills a detail starts afresh. The
    third stops asking and offers a person (what the validation said from ``said_from`` on is not said): a name,
    a date of birth and a postcode given for the email on a report to cancel got the same three messages back each
    time (a probe).
    """
    slot = tracker.get_slot("requested_slot")
    filled = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    if not slot or slot not in filled:
        return []
    question = QUESTIONS.get(slot)
    read = question.read(str(tracker.latest_message.get("text") or "")) if question is not None else None
    if question is not None and read is not None and read.startswith(tuple(question.requests)):
        return []
    if filled[slot] is not None:
        return [SlotSet("answer_misses", 0)] if misses_so_far(tracker) else []
    optional = slot == "contact_email" and tracker.get_slot("pending_task") != "receipt_request"
    if optional and misses_so_far(tracker) + 1 >= MISSES_BEFORE_OFFER:
        # The email for updates is optional: a report is never dropped for want of it (a probe's was, after "yes" and
        # a name typed there: "I'll stop asking, and nothing has been sent").
        del dispatcher.messages[said_from:]
        dispatcher.utter_message(text=WITHOUT_AN_EMAIL)
        return [SlotSet("contact_email", "none"), SlotSet("answer_misses", 0)]
    if any(value is not None for name, value in filled.items() if name in QUESTIONS_AHEAD and name != slot):
        # An answer to a later question, kept (an address typed at "died, or moved out?"): no miss.
        return []
    misses = misses_so_far(tracker) + 1
    if misses > MISSES_BEFORE_OFFER:
        del dispatcher.messages[said_from:]
        return [*stop_and_offer_a_person(dispatcher, tracker, said=STILL_NOT_IT), SlotSet("answer_misses", 0)]
    if misses >= MISSES_BEFORE_OFFER:
        dispatcher.utter_message(text=way_out(), buttons=[OFFICER_BUTTON])
    return [SlotSet("answer_misses", misses)]


# The questions an answer given early may fill (count_misses counts no miss for it).
QUESTIONS_AHEAD = DETAIL_SLOTS
EMAIL_PLEASE = "What's your email address?"
WITHOUT_AN_EMAIL = "No problem, I'll carry on without an email address. You can ask me for news with the reference."
STILL_NOT_IT = "Sorry, I still can't take that as the answer, so " + STOPPED_FOR_A_PERSON


def required_slots_for(task: str | None, slots: Mapping[str, Any]) -> list[str]:
    """Return the slots ``task`` still needs, in the order they are asked, given the slots so far."""
    outcome = slots.get("verification_outcome")
    if task is None or outcome in ("not_verified", "locked", STOPPED):
        return []
    if outcome in FAILED:
        return ["task_confirmed"]  # "shall I try again?", with the answers so far kept
    if task in IDENTITY_TASKS and not slots.get("identity_verified"):
        return list(IDENTITY_SLOTS)
    if task in ACCOUNT_TASKS and not slots.get("account_verified"):
        # The reference, postcode and name are all on the bill; the holder's date of birth is what proves it.
        if slots.get("account_reference") == UNKNOWN:
            return ["account_reference", "full_name", "date_of_birth", "postcode"]
        return ["account_reference", "postcode", "date_of_birth"]
    declared = REGISTRY.get(task)
    if declared is None:
        return []
    needed = list(ADDRESS_SLOTS) if declared.needs == "address" else []
    for slot in declared.slots:
        condition = declared.asked_if.get(slot)
        if (condition is None or condition(slots)) and slot not in needed:
            needed.append(slot)
    return needed


class ValidateTaskForm(FormValidationAction):
    """Decide what the task form asks next and check each answer."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    @property
    def backoffice(self) -> BackOffice:
        return self._backoffice or BackOffice.from_settings()

    def name(self) -> str:
        return "validate_task_form"

    def __getattr__(self, name: str) -> Any:
        """Check the answer to a task's own question: ``validate_<slot>`` for a slot its ``Task`` declares.

        rasa_sdk looks ``validate_<slot>`` up by name; the questions one task declares in its topic module
        (``Task.questions``) are found here, so a new task's question needs no method in this form.
        """
        question = QUESTIONS.get(name.removeprefix("validate_")) if name.startswith("validate_") else None
        if question is None:
            raise AttributeError(name)
        slot = name.removeprefix("validate_")

        async def validate(
            value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> dict[str, Any]:
            read = question.read(str(value or ""))
            if read is None:
                dispatcher.utter_message(text=question.again)
            elif question.check is not None:
                checked, said = await question.check(self.backoffice, tracker, read)
                if said:
                    dispatcher.utter_message(text=said)
                if isinstance(checked, dict):
                    return checked
                read = checked
            return {slot: read}

        return validate

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        return events

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return required_slots_for(tracker.get_slot("pending_task"), tracker.slots)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Fill the slot being asked for from a message that answers it, whatever its intent (form_answers).

        The domain's mappings already took the message when its intent allowed; this catches the answers
        the classifier read as something else, such as an email address read as ``contact_details``, and
        the code-like answers an entity extractor cut short ("tn41 2lb" is tokenised "tn41", "2", "lb", so
        the postcode rule misses it and a fragment may be mapped): the code in the message wins.
        """
        slot = tracker.get_slot("requested_slot")
        if details_given(tracker) or CARD_HIDDEN in str(tracker.latest_message.get("text") or ""):
            return []  # validated together by get_validation_events; a hidden card number answers nothing
        mapped = tracker.slots_to_validate()
        if not slot or (slot in mapped and not misread(slot, mapped[slot])):
            return []
        answer = answer_to(slot, tracker)
        if answer is None or (asks_for_another_task(tracker) and not answer[1]):
            return []
        return [SlotSet(slot, answer[0])]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate the new answers; once the identity details are complete, have the back office check them.

        A clear request for another task replaces the task in hand: the form goes on with the new one's
        questions, and the message is not taken as an answer to the old one's. A reply that is nothing but
        an answer to the question asked ("TN41 6PA") is an answer, whatever the classifier made of it.
        """
        events: list[EventType]
        if (forgotten := card_digits_forgotten(tracker)) is not None:
            return forgotten
        if LOGS_OUT.search(str(tracker.latest_message.get("text") or "")):
            # "forget my details" mid-task stopped the task, and the identity proved stayed (a probe).
            dispatcher.utter_message(text=FORGOTTEN)
            return [
                *await forget_identity(self.backoffice, tracker),
                SlotSet("requested_slot", None),
                SlotSet("verification_outcome", STOPPED),
            ]
        if (declined := cancel_declined_events(dispatcher, tracker)) is not None:
            return declined
        if (other := another_reference_events(tracker)) is not None:
            return other
        if asks_for_another_task(tracker) and not is_bare_answer(tracker):
            aside = await self._answer_aside(dispatcher, tracker)
            if aside is not None:
                return aside
            asked = task_asked_for(tracker)
            switched = other_absent_vote(tracker, str(tracker.latest_message.get("text") or ""))
            if switched:
                # The other kind instead of this one, not as well: nothing is kept to come back to.
                dispatcher.utter_message(text=SWITCHED_VOTE[switched])
            # The details given for the identity check go on to the other kind of vote ("proxy vote pls", "kathleen
            # gray", "17/8/84", "actually make it a postal vote instead" was asked the name again: a probe).
            carried = [
                SlotSet(slot, tracker.get_slot(slot))
                for slot in IDENTITY_SLOTS
                if switched and slot != tracker.get_slot("requested_slot") and tracker.get_slot(slot)
            ]
            events = [
                *words_not_an_answer(tracker),
                *([] if switched else set_aside_events(dispatcher, tracker, asked)),
                *start_task_events(tracker, task=asked),
                *carried,
            ]
            told = await self._check_told(events, dispatcher, tracker, domain)
            if not told:
                return events
            events += told
        elif (not_an_answer := not_an_answer_events(dispatcher, tracker)) is not None:
            return not_an_answer
        elif given := details_given(tracker):
            events = await self._validate_details(given, dispatcher, tracker, domain)
        else:
            said_from = len(dispatcher.messages)
            events = await super().get_validation_events(dispatcher, tracker, domain)
            events += count_misses(dispatcher, tracker, events, said_from=said_from)
        slots = dict(tracker.slots) | {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        task = slots.get("pending_task")
        if slots.get("verification_outcome") in FAILED and slots.get("task_confirmed") is True:
            events += await self._try_again(dispatcher, tracker, domain, slots)
            slots |= {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        if slots.get("verification_outcome"):
            return events
        if task in IDENTITY_TASKS and not slots.get("identity_verified") and all(slots.get(s) for s in IDENTITY_SLOTS):
            events += await self._verify(tracker.sender_id, slots)
        elif (
            task in ACCOUNT_TASKS
            and not slots.get("account_verified")
            and all(slots.get(s) for s in required_slots_for(task, slots))
        ):
            events += await self._verify_account(tracker.sender_id, slots)
        just_verified = any(e.get("name") == "identity_verified" and e.get("value") for e in events)
        elsewhere = slots.get("identity_verified") and slots.get("ballot_delivery") == "other_address"
        if (
            task == "request_postal_vote"
            and not slots.get("vote_duration")
            and (just_verified or elsewhere)
            and await self._postal_vote_held(tracker.sender_id)
        ):
            # Kathleen, who has a postal vote, was asked how long she wanted one for before hearing she had one (a
            # probe); so was one verified earlier in the chat who then wanted the ballot pack sent elsewhere (a change
            # of where it goes). Nothing more is asked, and the confirmation step says the vote is held.
            events.append(SlotSet("vote_duration", "permanent"))
        return events

    async def _answer_aside(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
        """Answer a question asked at "Shall I go ahead?" that a task answers outright, and keep the request.

        "wait whats the deadline for that?" at the postal vote's confirmation started the deadlines task in place of
        the request (start_task_events forgets the pending task and its answers): the deadlines were given, then
        "ok yes" got "How can I help?" and nothing was recorded. A task that records nothing and needs nothing more
        (deadlines, the next election, a verified resident's registration) is answered here instead, and the form
        asks "Shall I go ahead?" again. None when the message asks for anything else (that still switches task).
        """
        asked = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        pending = tracker.get_slot("pending_task")
        declared = REGISTRY.get(asked)
        if (
            tracker.get_slot("requested_slot") != "task_confirmed"
            or tracker.get_slot("verification_outcome")
            or declared is None
            or declared.summary is not None
            or declared.record_summary is not None
        ):
            return None
        text = str(tracker.latest_message.get("text") or "")
        kinds = deadline_kinds_in(text)
        slots = dict(tracker.slots) | {
            "pending_task": asked,
            "deadline_kind": kinds[0] if kinds else DEADLINE_OF_TASK.get(str(pending)),
        }
        if any(not slots.get(slot) for slot in required_slots_for(asked, slots)):
            return None
        aside = copy.copy(tracker)
        aside.slots = slots
        try:
            reply = await declared.handler(self.backoffice, aside)
        except BackOfficeError:
            apologise_for_failure(dispatcher)
            return [SlotSet("task_confirmed", None)]
        if not isinstance(reply, Reply):
            reply = Reply(text=reply)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        if CHANGED_MY_MIND.search(text):
            # "actually no I've changed my mind, I'll just go to the polling station. where is it?" got the station,
            # then "Shall I go ahead?" again, and "thx" was told a yes or a no was needed (a probe): it is a no.
            return [SlotSet("task_confirmed", False)]
        return [SlotSet("task_confirmed", None)]

    async def _check_told(
        self, started: list[EventType], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Check the details a request for another task gave mid-form ("am I registered? I'm Rita Richardson, ...").

        At the start of a form Rasa has the details the opening message filled checked; a form already running is
        not started again, so it checks them here, in the order they are asked.
        """
        tracker.slots.update({e["name"]: e["value"] for e in started if e.get("event") == "slot"})
        told = {e["name"]: e["value"] for e in started if e.get("event") == "slot" and e["name"] in OPENING_DETAILS}
        checked: dict[str, Any] = {}
        for name in sorted((n for n, v in told.items() if v is not None), key=list(DETAIL_ORDER).index):
            answer = await getattr(self, f"validate_{name}")(told[name], dispatcher, tracker, domain)
            checked |= answer
            tracker.slots.update(answer)
        return [SlotSet(name, value) for name, value in checked.items()]

    async def _validate_details(
        self, given: dict[str, str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Check each detail a message gave at once, in the order they are asked.

        What the message put in the slot asked for is cleared when it was not that detail (the question is then
        asked again, or is no longer needed).
        """
        slot = str(tracker.get_slot("requested_slot"))
        checked: dict[str, Any] = {} if slot in given else {slot: None}
        payment = find_payment_reference(str(tracker.latest_message.get("text") or ""))
        if slot == "account_reference" and slot not in given and payment:
            checked |= payment_reference_instead(payment, dispatcher, tracker)
        checked["answer_misses"] = 0
        for name in sorted(given, key=list(DETAIL_ORDER).index):
            answer = await getattr(self, f"validate_{name}")(given[name], dispatcher, tracker, domain)
            checked |= answer
            tracker.slots.update(answer)
        if tracker.get_slot("account_reference") not in (None, UNKNOWN):
            # The account number proves the account with the postcode and date of birth: no name is needed.
            checked["full_name"] = None
        return [SlotSet(name, value) for name, value in checked.items()]

    async def _try_again(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, slots: dict[str, Any]
    ) -> list[EventType]:
        """Pick up where the back office failed, with the answers kept, once the resident says try again.

        A failure during the questions goes back to them (the task's own confirmation is still to come),
        and a postcode whose lookup failed is looked up again; a failed task keeps its confirmation, so
        the task is simply done again (with the same idempotency key, so never twice).
        """
        events: list[EventType] = [SlotSet("verification_outcome", None)]
        if slots.get("verification_outcome") == FAILED_AT_THE_END:
            return events
        events.append(SlotSet("task_confirmed", None))
        if slots.get("postcode") and not slots.get("address_uprn"):
            looked_up = await self.validate_postcode(slots["postcode"], dispatcher, tracker, domain)
            events += [SlotSet(name, value) for name, value in looked_up.items()]
        return events

    async def _verify_account(self, conversation_id: str, slots: dict[str, Any]) -> list[EventType]:
        reference = slots.get("account_reference")
        try:
            result = await self.backoffice.verify_account(
                conversation_id=conversation_id,
                postcode=slots["postcode"],
                account_reference=None if reference == UNKNOWN else reference,
                full_name=slots.get("full_name"),
                date_of_birth=slots.get("date_of_birth"),
            )
            outcome = result.outcome
        except BackOfficeError:
            return [SlotSet("verification_outcome", FAILED_DURING_QUESTIONS)]  # kept to check again
        return [
            SlotSet("full_name", None),
            SlotSet("date_of_birth", None),
            SlotSet("account_verified", outcome == "verified"),
            SlotSet("verification_outcome", None if outcome == "verified" else outcome),
        ]

    async def _postal_vote_held(self, conversation_id: str) -> bool:
        """Whether the verified resident already has a postal vote."""
        try:
            record = await self.backoffice.my_electoral_record(conversation_id=conversation_id)
        except BackOfficeError:
            return False  # asked as before; the confirmation looks again
        return any(vote.kind == "postal" and vote.status == "active" for vote in record.absent_votes)

    async def _verify(self, conversation_id: str, slots: dict[str, Any]) -> list[EventType]:
        try:
            result = await self.backoffice.verify_identity(
                conversation_id=conversation_id,
                full_name=slots["full_name"],
                date_of_birth=slots["date_of_birth"],
                uprn=int(slots["address_uprn"]),
            )
            outcome = result.outcome
        except BackOfficeError:
            return [SlotSet("verification_outcome", FAILED_DURING_QUESTIONS)]  # kept to check again
        # The answers have done their job: keep them no longer than needed.
        return [
            SlotSet("full_name", None),
            SlotSet("date_of_birth", None),
            SlotSet("identity_verified", outcome == "verified"),
            SlotSet("verification_outcome", None if outcome == "verified" else outcome),
        ]

    async def validate_full_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if (names := old_and_new_names(str(value or ""))) is not None:
            # "Jodie Kemp, well thats my old name, new one is Jodie Smith" looped at the name question (a probe): the
            # name on the register is checked, and the new one kept for a change of name.
            old, new = names
            kept = {"new_name": new} if tracker.get_slot("pending_task") == "changed_name" else {}
            return {"full_name": old} | kept
        if (joined := name_over_two_messages(tracker, str(value or ""))) is not None:
            # "Janice", refused as no full name, then "Dunn": the third try stopped the check (a probe).
            return {"full_name": joined}
        return _name_answer(
            "full_name", value, dispatcher, whose='your first name and surname, for example "Sam Taylor"'
        )

    async def validate_date_of_birth(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        born = parse_date_of_birth(str(value or ""), today=dt.date.today())
        meant = month_first_date(str(value or ""), today=dt.date.today()) if born is None else None
        if meant is not None:
            # "01/26/1978" was taken silently as 26 January 1978 (a probe). Asked in words, with the date as a button
            # that answers in words: nothing is checked on a guess.
            words = f"{meant.day} {meant:%B} {meant.year}"
            dispatcher.utter_message(
                text=MONTH_FIRST.format(typed=str(value).strip(), words=words),
                buttons=[{"title": f"{YES_TO_DATE}{words}", "payload": words}],
            )
            return {"date_of_birth": None}
        if born is None:
            dispatcher.utter_message(text=DATE_UNREADABLE)
            return {"date_of_birth": None}
        return {"date_of_birth": born.isoformat()}

    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        postcode = find_postcode(str(value or ""))
        if postcode is None and (streets := street_names(str(value or ""))):
            return await postcode_of_street(self.backoffice, str(value or ""), streets, dispatcher)
        if postcode is None and (mended := street_names(street_types_spelt_right(str(value or "")))):
            # "priory wlak", "rowan cloes" (a probe): looked up as put right; a street not found says nothing more.
            quiet = CollectingDispatcher()
            found = await postcode_of_street(self.backoffice, street_types_spelt_right(str(value or "")), mended, quiet)
            if found.get("postcode") or any(message.get("buttons") for message in quiet.messages):
                dispatcher.messages.extend(quiet.messages)
                return found
        if postcode is None:
            dispatcher.utter_message(text="Sorry, that doesn't look like a postcode. Please type it like TN41 6PA.")
            return {"postcode": None}
        try:
            addresses = await self.backoffice.find_addresses(postcode=postcode)
        except BackOfficeError:  # kept, to look up again if the resident tries again
            return {"postcode": postcode, "address_uprn": None, "verification_outcome": FAILED_DURING_QUESTIONS}
        if not addresses:
            dispatcher.utter_message(
                text=f"I can't find {postcode} in the Ashdown Vale area. Please check it, or "
                "if you live elsewhere, your own council can help."
            )
            return {"postcode": None}
        if len(addresses) == 1:
            return {"postcode": postcode, "address_uprn": str(addresses[0].uprn)}
        return {"postcode": postcode, "address_uprn": None}

    async def validate_address_uprn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        postcode = tracker.get_slot("postcode")
        if not postcode:
            return {"address_uprn": None}
        try:
            addresses = await self.backoffice.find_addresses(postcode=postcode)
        except BackOfficeError:
            return {"address_uprn": None, "verification_outcome": FAILED_DURING_QUESTIONS}
        text = str(tracker.latest_message.get("text") or value or "")
        answer = str(value or "")
        if find_postcode(answer) == find_postcode(str(postcode)):
            # "19 Rowan Close, TN41 6PA" got "Sorry, I couldn't match that" (a probe): the postcode asked is no part
            # of the address chosen from its list.
            answer = POSTCODE.sub(" ", answer)
        uprn = choose_address(answer, [(a.uprn, a.address) for a in addresses])
        if uprn is None and not another_postcode_given(tracker, text):
            # A new postcode was looked up by validate_postcode (its addresses are offered); an apology for not
            # matching the old list came first (a probe: "sorry wrong postcode, it's TN44 3LW").
            if names_an_unlisted_number(text, [a.address for a in addresses]):
                say_address_not_listed(dispatcher, postcode)
            else:
                dispatcher.utter_message(text=ADDRESS_NOT_MATCHED)
        if uprn and (stopped := await self._missed_collection_stop(dispatcher, tracker, uprn, text)):
            # The bin was named before the address ("my brown bin wasn't collected this week"): checked once known.
            return {"address_uprn": str(uprn)} | stopped
        return {"address_uprn": str(uprn) if uprn else None}

    async def validate_vote_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        duration = vote_duration_in(str(value or ""))
        changed = (
            proxy_changed(dispatcher, tracker, str(value or ""))
            if tracker.get_slot("pending_task") == ("request_proxy_vote")
            else None
        )
        if changed is None and tracker.get_slot("pending_task") == "request_proxy_vote" and duration is None:
            named = RELATION_AND_NAME.search(str(value or ""))
            if named and (name := clean_full_name(named.group("name"))) and not tracker.get_slot("proxy_name"):
                # "my brother Mark Richardson, 2 Rowan Close" at "How long would you like it for?" was lost (a probe).
                relation = f"my {named.group('relation').lower()}"
                dispatcher.utter_message(text=f"Thanks, I've noted {name} ({relation}) as your proxy.")
                return {"proxy_name": name, "proxy_relationship": relation, "vote_duration": None}
        if changed is not None:
            # "actually no, make it my sister Anne Clarke instead" at the duration question was lost (a probe).
            return changed | {"vote_duration": None}
        if duration:
            named_too = NAME_TOLD.search(str(value or ""))
            proxy = clean_full_name(named_too.group("name")) if named_too else None
            if (
                proxy
                and tracker.get_slot("pending_task") == "request_proxy_vote"
                and not tracker.get_slot("proxy_name")
            ):
                # "long term, his name is Mark Dunn" at the duration question: the name was asked again (a probe).
                return {"vote_duration": duration, "proxy_name": proxy}
            return {"vote_duration": duration}
        dispatcher.utter_message(text="Sorry, was that just for the next election, or long term?")
        return {"vote_duration": None}

    async def validate_proxy_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if first := clean_full_name(text) or clean_full_name(PROXY_NAME_ENDS.split(text, maxsplit=1)[0]):
            # "her name is Sarah Dunn, she lives at 4 Oak Road Ashbury TN41 2AB" was told "That looks like a postcode"
            # and "Graham Gray, my husband" refused, three times over (a probe): the name is what comes first; who
            # they are is kept when said.
            relation = re.search(rf"\bmy\s+({RELATIONS})\b", text, re.IGNORECASE)
            known = {"proxy_relationship": f"my {relation.group(1).lower()}"} if relation else {}
            return {"proxy_name": first} | (known if not tracker.get_slot("proxy_relationship") else {})
        if REASON_GIVEN.search(text) and not tracker.get_slot("proxy_reason"):
            # "I have trouble walking, arthritis" at the proxy's name was refused as a name (a probe): it is the reason
            # the form asks for later, kept, and the name asked again.
            dispatcher.utter_message(text="Thanks, I've noted that as the reason you can't vote in person.")
            return {"proxy_name": None, "proxy_reason": text[:300]}
        return _name_answer("proxy_name", value, dispatcher, whose="your proxy's first name and surname")

    async def validate_new_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if (names := old_and_new_names(text)) is not None:
            return {"new_name": names[1]}
        if (now := NAME_NOW.match(text.strip())) and (name := clean_full_name(now.group(1))):
            # "its Rita Okafor now, was Richardson before obviously" looped at the new name question (a probe).
            return {"new_name": name}
        return _name_answer("new_name", value, dispatcher, whose="your new first name and surname")

    async def validate_reported_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if clean_full_name(text) is None and (told := reported_name_told(text)) is not None:
            # "my lodger Tom Hughes left in October" at the name question was refused as no name (a probe); when it
            # happened goes with the report too.
            notes = {"report_notes": report_notes_added(tracker, text)} if report_details_told(text) else {}
            return {"reported_name": told} | {k: v for k, v in notes.items() if v}
        return _name_answer("reported_name", value, dispatcher, whose="the person's first name and surname")

    async def validate_report_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = report_kind_in(str(value or ""))
        if kind:
            return {"report_kind": kind}
        text = str(tracker.latest_message.get("text") or value or "")
        if find_postcode(text) and (place := await self._address_ahead(text, tracker, domain)):
            # Their address, typed a question early: it was asked "died, or moved out?" twice, then the way out, and
            # then asked for again (a probe). It is kept, and the question put once more.
            dispatcher.utter_message(text=f"Thank you, I've noted the address. {REPORT_KIND_AGAIN}")
            return {"report_kind": None, **place}
        dispatcher.utter_message(text="Sorry, has the person died, or moved out?")
        return {"report_kind": None}

    async def _address_ahead(self, text: str, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Return the postcode and, when it names one of that postcode's homes, the address ``text`` gives; else {}.

        Nothing is said: the question in hand is asked again, and the address questions later ask what is missing.
        """
        place = await self.validate_postcode(text, CollectingDispatcher(), tracker, domain)
        if not place.get("postcode") or place.get("verification_outcome"):
            return {}
        if place.get("address_uprn") is None:
            there = copy.deepcopy(tracker)
            there.slots["postcode"] = place["postcode"]
            chosen = await self.validate_address_uprn(text, CollectingDispatcher(), there, domain)
            place |= {"address_uprn": chosen.get("address_uprn")} if not chosen.get("verification_outcome") else {}
        return place

    async def validate_account_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        payment = find_payment_reference(str(value or ""))
        if payment is not None and find_account_reference(str(value or "")) is None:
            return payment_reference_instead(payment, dispatcher, tracker)
        if find_account_reference(str(value or "")) is None and (instead := holder_details_in(str(value or ""))):
            # "Rita Richardson", "26/01/1978", "TN41 6PA" typed at the account number question each got "that doesn't
            # look like an account number", for ever (a probe): the check by name, date of birth and postcode
            # starts with what was given.
            dispatcher.utter_message(text=DETAILS_INSTEAD)
            return {"account_reference": UNKNOWN, **instead}
        answer = _reference_answer(
            "account_reference",
            value,
            dispatcher,
            find=find_account_reference,
            may_not_have=True,
            hint="that doesn't look like an account number. It starts with "
            "CT and has 8 digits, like CT12345678. If you don't have it, just say so.",
        )
        if answer["account_reference"] == UNKNOWN:
            dispatcher.utter_message(text=NO_ACCOUNT_NUMBER.format(way_out=way_out()), buttons=[OFFICER_BUTTON])
        return answer

    async def validate_payment_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        receipt = tracker.get_slot("pending_task") == "receipt_request"
        if value == LATEST or asks_for_latest_payment(str(value or "")):
            return {"payment_reference": LATEST}
        text = str(value or "")
        if find_payment_reference(text) is None and (described := payment_described(text)) is not None:
            return await self._payment_told(dispatcher, tracker, *described)
        return _reference_answer(
            "payment_reference",
            value,
            dispatcher,
            find=find_payment_reference,
            may_not_have=True,
            hint="a payment reference looks like PAY-12345678. If you don't have one, say so and I'll "
            + ("email a statement instead." if receipt else "list your latest payments."),
        )

    async def _missed_collection_stop(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, uprn: Any, text: str
    ) -> dict[str, Any] | None:
        """Stop a missed-bin report at an address where none was due lately, saying why; None to go on with it."""
        if tracker.get_slot("pending_task") != "report_problem" or tracker.get_slot("service_category") != "missed_bin":
            return None
        if not str(uprn or "").isdigit():
            return None
        said = f"{words_of_the_task(tracker)} {text}"
        refused = await missed_collection_check(self.backoffice, int(str(uprn)), said)
        if refused is None:
            return None
        if not any(message.get("text") == refused for message in dispatcher.messages):
            # Said once: the address and what was missed, given together, are each checked (a probe got it twice).
            dispatcher.utter_message(text=refused, buttons=OFFER_BUTTONS)
        return {"verification_outcome": STOPPED, SLOT_OFFICER_OFFERED: True, SLOT_HANDOFF_REASON: "fallback"}

    async def _payment_told(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        amount: str | None,
        day: tuple[int, int] | None,
    ) -> dict[str, Any]:
        """Find the payment the resident told by its amount or day among the account's latest, or let them choose."""
        try:
            payments = (await self.backoffice.my_account(conversation_id=conversation_of(tracker))).recent_payments
        except BackOfficeError:
            payments = []
        matching = [
            p
            for p in payments
            if (amount is None or p.amount.lstrip("£").replace(",", "") == amount)
            and (day is None or (day[0] in (0, int(p.date[8:10])) and day[1] == int(p.date[5:7])))
        ]
        if len(matching) == 1:
            found = matching[0]
            dispatcher.utter_message(text=f"That's {found.reference}: {found.amount} on {long_date(found.date)}.")
            return {"payment_reference": found.reference}
        choices = matching or payments
        if not choices:
            dispatcher.utter_message(text=NO_PAYMENT_TO_CHOOSE)
            return {"payment_reference": None}
        said = "Which of these is it?" if matching else "I couldn't find a payment like that. Your latest payments are:"
        dispatcher.utter_message(
            text=said,
            buttons=[
                {
                    "title": f"{p.amount} on {long_date(p.date)} ({p.reference})",
                    "payload": f'/inform{{"payment_reference": "{p.reference}"}}',
                }
                for p in choices[:MAX_PAYMENT_BUTTONS]
            ],
        )
        return {"payment_reference": None}

    async def validate_request_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _reference_answer(
            "request_reference",
            value,
            dispatcher,
            find=request_reference_asked,
            may_not_have=False,
            hint="a request reference looks like SR-123456. You got it in "
            "our reply or email when you told us about the problem.",
        )

    async def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        email = find_email(text)
        if email:
            return {"contact_email": email}
        if tracker.get_slot("pending_task") != "receipt_request" and (text == "none" or says_unknown(text)):
            return {"contact_email": "none"}
        if tracker.get_slot("pending_task") == "report_problem" and (
            find_postcode(text) or NUMBERED_ADDRESS.search(text) or street_names(text)
        ):
            # "Priory Walk, TN44 3LW" typed late, at the email question, got "Sorry, I need an email address" and the
            # report went to the team "at big one" (a probe): it is where the problem is.
            dispatcher.utter_message(text=PLACE_PUT_RIGHT)  # the email question is asked again
            return {"contact_email": None, "problem_location": text.strip()[:240]}
        if tracker.get_slot("pending_task") == "report_problem" and (
            len(text.split()) >= ADDED_WORDS and (PLACE_WORDS.search(text) or DESCRIBES.search(text))
        ):
            # "loads of it by the school gate" at the email question was lost (a probe): it goes with the report.
            described = " / ".join(part for part in (tracker.get_slot("problem_description"), text.strip()) if part)
            dispatcher.utter_message(text=ADDED_TO_THE_REPORT)
            return {"contact_email": None, "problem_description": described[:1000]}
        dispatcher.utter_message(text="Sorry, I need an email address like name@example.com.")
        return {"contact_email": None}

    async def validate_service_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        category = category_of(text)
        place = find_postcode(text) is not None or NUMBERED_ADDRESS.search(text) is not None
        if category == "other" and place and not tracker.get_slot("problem_location"):
            # "15 Weald Mews TN42 6FW" at "What kind of problem is it?" was sent as the kind of problem, and the next
            # answers slid one question along (a probe): where it is is kept, and the kind asked again.
            dispatcher.utter_message(text=PLACE_NOTED)
            return {"service_category": None, "problem_location": text[:240]}
        return {"service_category": category}

    async def validate_problem_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if is_a_question(text):  # "where?" is the word "where" ("where?" was sent as the place)
            # "is this going to cost me anything?" at "Where is the problem?" was sent to the team as the place. A
            # question the classifier was sure of is answered before this; searched, this one got a parking article.
            dispatcher.utter_message(text=NOT_A_PLACE)
            return {"problem_location": None}
        if REPORT_IT.match(text):
            # "report it" (after "how do i report fly tipping") was sent to the team as the place (a probe).
            return {"problem_location": None}
        if len(text) < 4 or VAGUE_PLACE.fullmatch(text.strip(" .!?")) or NOT_A_DESCRIPTION.fullmatch(text):
            dispatcher.utter_message(
                text="Sorry, I need a bit more to find it: a street name, a landmark or a postcode."
            )
            return {"problem_location": None}
        if (
            not tracker.get_slot("problem_description")
            and (len(text.split()) >= 4 or SIZE.search(text))
            and (DESCRIBES.search(text) or SIZE.search(text))
            and not names_a_place(text)
        ):
            # "it's a barking dog next door, it goes on all day while they're at work" at "Where is it?" was lodged as
            # where the noise was, and the address typed next as what it was (a probe).
            dispatcher.utter_message(text=DESCRIPTION_NOTED)
            return {"problem_location": None, "problem_description": text[:1000]}
        return {"problem_location": place_as_said(text) or text[:240]}

    async def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if REPORT_IT.match(text):
            return {"problem_description": None}
        if is_a_question(text):
            # "how long will it take to clear?" and "is it the council or the county that fixes these?" at "Please
            # describe the problem" were sent to the team as the description (a probe).
            dispatcher.utter_message(text=NOT_A_DESCRIPTION_BUT_A_QUESTION)
            return {"problem_description": None}
        if len(text) < 3 or NOT_A_DESCRIPTION.fullmatch(text):
            # "yes" was sent to the team as the description of a missed bin (a probe).
            dispatcher.utter_message(
                text="Could you tell me a little more about the problem? For example, which bin was missed, or how "
                "big the hole is."
            )
            return {"problem_description": None}
        if stopped := await self._missed_collection_stop(dispatcher, tracker, tracker.get_slot("address_uprn"), text):
            return {"problem_description": text[:1000]} | stopped
        place = str(tracker.get_slot("problem_location") or "")
        if place and (
            (only_a_place(text) and not names_a_place(place))
            or (
                names_a_place(text)
                and not DESCRIBES.search(text)
                and DESCRIBES.search(place)
                and len(text.split()) <= 8
            )
        ):
            # The place given where the problem was asked, after the problem was given where the place was.
            dispatcher.utter_message(text=PLACE_THEN_DESCRIPTION)
            return {"problem_location": text[:240], "problem_description": place[:1000]}
        if CORRECTS_THE_PLACE.search(text) and tracker.get_slot("problem_location"):
            # "actually it's outside number 7 not 3" at the description question corrects the place (a probe).
            place = CORRECTION_START.sub("", text).strip() or text
            dispatcher.utter_message(text=f'Thanks, I\'ve changed where it is to "{place[:240]}".')
            return {"problem_location": place[:240], "problem_description": None}
        return {"problem_description": text[:1000]}

    async def validate_proxy_relationship(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if (changed := proxy_changed(dispatcher, tracker, text)) is not None:
            return changed if "proxy_relationship" in changed else changed | {"proxy_relationship": None}
        if is_a_question(text):
            # "why do i need to give all this?" was recorded as how the voter knows their proxy (a probe).
            dispatcher.utter_message(text=help_for("proxy_relationship", text, tracker.get_slot("pending_task")))
            return {"proxy_relationship": None}
        held = str(tracker.get_slot("proxy_name") or "")
        if SPELT.search(text) and (name := new_name_put_right(text, held)):
            # "sorry its spelt Tom Gray" at "How do you know them?" was recorded as how the voter knows "Tom Grey" (a
            # probe): the proxy's name is put right, and the question asked again.
            dispatcher.utter_message(text=CHANGED)
            return {"proxy_name": name, "proxy_relationship": None}
        if (
            not re.search(r"[^\W\d_]{2}", text)
            or NOT_A_DESCRIPTION.fullmatch(text)
            or NOT_A_RELATION.fullmatch(text)
            or (only_a_place(text) or NUMBERED_ADDRESS.match(text.strip()))
        ):
            # "yes", "idk", "12" and "3 Oak Lane Ashbury" were sent to the electoral team as how the voter knows
            # their proxy (probes).
            dispatcher.utter_message(text=RELATION_NEEDED)
            return {"proxy_relationship": None}
        return {"proxy_relationship": text[:80]}

    async def validate_proxy_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if (changed := proxy_changed(dispatcher, tracker, text)) is not None:
            return changed | {"proxy_reason": None}
        if not re.search(r"[^\W\d_]{2}", text) or NOT_A_DESCRIPTION.fullmatch(text) or NOT_A_RELATION.fullmatch(text):
            # "yes" was taken as the reason for a long-term proxy, which the form must state (a probe).
            dispatcher.utter_message(text=REASON_NEEDED)
            return {"proxy_reason": None}
        return {"proxy_reason": text[:300] if text else None}


# Said when a payment reference is given for the account number: the back office finds an account only by its
# number, postcode and holder, so the payment reference cannot prove it; where the number is, and the other way on.
PAYMENT_REFERENCE_INSTEAD = (
    "Thanks, {payment} is a payment reference rather than your account number.{kept} The account number starts "
    "with CT and has 8 digits, like CT12345678; it's at the top of your council tax bill and on any letter about "
    "your council tax. What is your account number? If you don't have it to hand, just say so and I'll check the "
    "account with the name, date of birth and postcode of the person who pays it instead."
)
PAYMENT_REFERENCE_KEPT = " I've kept it to look up that payment once I've checked the account is yours."


def payment_reference_instead(payment: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Answer a payment reference typed at the account number question: say kindly what is asked, keep it if needed.

    "PAY-12345678" there was told only that it did not look like an account number, and a payment it named was
    asked for again once the account was checked. The account number is asked again (the form goes on); the
    payment reference fills the task's own question when the task asks one.
    """
    task = tracker.get_slot("pending_task")
    keep = "payment_reference" in required_slots_for(task, dict(tracker.slots) | {"account_verified": True})
    kept = PAYMENT_REFERENCE_KEPT if keep else ""
    dispatcher.utter_message(text=PAYMENT_REFERENCE_INSTEAD.format(payment=payment, kept=kept))
    return {"account_reference": None} | ({"payment_reference": payment} if keep else {})


def _reference_answer(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    *,
    find: Callable[[str], str | None],
    may_not_have: bool,
    hint: str,
) -> dict[str, Any]:
    """Accept a reference for ``slot`` (or, where allowed, "I don't have it"), or explain its format."""
    text = str(value or "")
    reference = find(text)
    if reference is None and may_not_have and (text == UNKNOWN or says_unknown(text)):
        reference = UNKNOWN
    if reference is None:
        dispatcher.utter_message(text=f"Sorry, {hint}")
    return {slot: reference}


NAME_WORDS = r"[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+){1,3}?"
OLD_AND_NEW = (
    # "Jodie Kemp, well thats my old name, new one is Jodie Smith", "Jodie Kemp (old name), now Jodie Smith"
    re.compile(
        rf"^\W*(?P<old>{NAME_WORDS})\W+(?:well\s+)?(?:that'?s|thats|it'?s|its|was|is)?\s*(?:my\s+)?"
        rf"(?:old|maiden|previous|former)(?:\s+name)?\W+(?:but\s+)?(?:my\s+)?(?:new\s+(?:one|name)|now|it'?s now)"
        rf"(?:\s+(?:is|will be|'?s))?\W*(?P<new>{NAME_WORDS})\W*$",
        re.IGNORECASE,
    ),
    # "my old name is Jodie Kemp and my new name is Jodie Smith", "was Jodie Kemp, now Jodie Smith"
    re.compile(
        rf"(?:old|maiden|previous|former)\s+name\s+(?:is|was|'?s)?\s*(?P<old>{NAME_WORDS})\W+(?:and\s+|but\s+)?"
        rf"(?:my\s+)?(?:new\s+(?:one|name)|now)(?:\s+(?:is|will be|'?s))?\W*(?P<new>{NAME_WORDS})\W*$",
        re.IGNORECASE,
    ),
)


# A change of name asked in one sentence: "change my name from Jodie Kemp to Jodie Walsh", "change my name to Janice
# Smith, I was Janice Dunn" (both went to other topics or were asked again: a probe).
FROM_AND_TO = (
    re.compile(
        rf"\bname\s+from\s+(?P<old>{NAME_WORDS})\s+to\s+(?P<new>{NAME_WORDS})\W*(?:pls|please|thanks)?\W*$", re.I
    ),
    re.compile(
        rf"\bname\s+to\s+(?P<new>{NAME_WORDS})\W+(?:i was|i used to be|it was|was|previously|formerly)\s+"
        rf"(?P<old>{NAME_WORDS})\W*$",
        re.IGNORECASE,
    ),
)
# The new name said with the old: "its Rita Okafor now, was Richardson before", "Rita Okafor now".
NAME_NOW = re.compile(rf"^\W*(?:(?:it'?s|its|it is|i'?m|im)\s+)?({NAME_WORDS})\s+now\b", re.IGNORECASE)


def old_and_new_names(text: str) -> tuple[str, str] | None:
    """Return (the old name, the new one) when a name answer gives both, else None."""
    for pattern in (*OLD_AND_NEW, *FROM_AND_TO):
        match = pattern.search(text.strip())
        if match and (old := clean_full_name(match.group("old"))) and (new := clean_full_name(match.group("new"))):
            return old, new
    return None


# Where a proxy's name stops in a longer answer: "Sarah Dunn, she lives at ...", "Graham Gray - my husband".
PROXY_NAME_ENDS = re.compile(
    r"[,;(]|\s+-\s+|\s+(?:she|he|they|who|lives|living|at|from|my|our)\b|(?<!name)\s+is\b|\s+\d", re.IGNORECASE
)


def _name_answer(slot: str, value: Any, dispatcher: CollectingDispatcher, *, whose: str) -> dict[str, Any]:
    """Accept a full name for ``slot``, or say kindly what is needed and ask again."""
    text = str(value or "")
    name = clean_full_name(text)
    if name is None:
        # A postcode, an address or a date typed here was refused as a name again and again, without saying why (a
        # probe reporting a death gave the postcode and the address at the name question): it is asked for later.
        other = (
            "a postcode"
            if find_postcode(text)
            else "a date"
            if parse_date_of_birth(text, today=dt.date.today())
            else "an address"
            if NUMBERED_ADDRESS.search(text)
            else None
        )
        later = f"That looks like {other}. I'll ask for that in a moment. First, " if other else "Sorry, "
        if other is None and COUNCIL_TAX.search(text):
            # "council tax too" at the name of the person who died got a bare "Sorry, I need ..." (a probe).
            later = "You can ask me about council tax once this is done. First, "
        dispatcher.utter_message(text=f"{later}I need {whose}.")
    return {slot: name}


class ActionAskAddressUprn(Action):
    """Ask which address at the postcode is the resident's, with a button for each."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_ask_address_uprn"

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        postcode = find_postcode(str(tracker.get_slot("postcode") or ""))
        if postcode is None:
            # e.g. "forget it, when is my bin day" typed at another task's postcode question: the new task starts
            # with no postcode, or with that sentence in the slot.
            dispatcher.utter_message(response="utter_ask_postcode")
            return [SlotSet("requested_slot", "postcode"), SlotSet("postcode", None)]
        try:
            addresses = await (self._backoffice or BackOffice.from_settings()).find_addresses(postcode=postcode)
        except BackOfficeError:
            apologise_for_failure(dispatcher)
            return []
        buttons = [
            {"title": a.address, "payload": f'/inform{{"address_uprn": "{a.uprn}"}}'}
            for a in addresses[:MAX_ADDRESS_BUTTONS]
        ]
        whose = "was theirs" if tracker.get_slot("pending_task") in ABOUT_SOMEONE_ELSE else "is yours"
        dispatcher.utter_message(text=f"Which address at {postcode} {whose}?", buttons=buttons)
        return []


REFERENCE_TASKS = frozenset({"request_progress", "cancel_service_request"})
# "it's not a missed bin, it's a pothole", "actually no it's my bin that was missed, not a pothole", "sorry I meant
# graffiti": another kind of problem. The kind named as not meant is left out before the words are read for a kind.
PUTS_RIGHT = re.compile(r"\b(?:not|isn'?t|wasn'?t|actually|meant|instead|sorry|my mistake|wrong one)\b", re.IGNORECASE)
NOT_MEANT = re.compile(
    r"\b(?:not|isn'?t|wasn'?t)\s+(?:a|an|the|my|about)?\s*[a-z-]+(?:\s+(?:bin|light|tipping|rubbish|fouling|tree))?",
    re.IGNORECASE,
)


def category_corrected(text: str, held: str | None) -> str | None:
    """Return the kind of problem a correction names instead of the one held, or None."""
    plain = text.replace("\u2019", "'")
    if not held or not PUTS_RIGHT.search(plain):
        return None
    new = category_of(NOT_MEANT.sub(" ", plain))
    return new if new not in ("other", held) else None


# Words that decline the request in hand while asking something else at its confirmation.
CHANGED_MY_MIND = re.compile(
    r"\bchanged? my mind\b|\bnever ?mind\b|\bdon'?t bother\b|\bforget (?:it|that|about it)\b|\bi'?ll just\b|"
    r"\bdon'?t (?:want|need) (?:it|one|that|a postal vote|a proxy)\b|^\W*(?:actually|oh|wait|hmm)?[\s,]*no\b",
    re.IGNORECASE,
)
MAX_PAYMENT_BUTTONS = 6
NO_PAYMENT_TO_CHOOSE = (
    "I can't see any payments on your account this year. If you don't have the payment reference, say so and I'll "
    "email a statement of your account instead."
)


DURATION_SAID = re.compile(
    r"\b(?:long[ -]?term|permanent\w*|next (?:election|one|vote|poll)|"
    r"(?:only|just) (?:for )?(?:the )?(?:next|one|this)|every election|for good|all elections)\b",
    re.IGNORECASE,
)


def proxy_told(text: str) -> dict[str, str]:
    """Return what an opening request for a proxy vote already says: how long, the proxy's name, and why."""
    told: dict[str, str] = {}
    if (duration := vote_duration_in(text)) is not None and DURATION_SAID.search(text):
        told["vote_duration"] = duration
    if (named := NAME_TOLD.search(text)) and (name := clean_full_name(named.group("name"))):
        told["proxy_name"] = name
    if (reason := REASON_GIVEN.search(text)) is not None:
        told["proxy_reason"] = text[max(0, text.rfind(",", 0, reason.start()) + 1) :].strip(" ,.")[:300]
    return told


def words_of_the_task(tracker: Tracker) -> str:
    """Return what the resident wrote since the task in hand started (which bin a missed-bin report is about)."""
    said: list[str] = []
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "pending_task":
            said = said[-1:]  # the message that started the task is set before it
        elif event.get("event") == "user":
            said.append(str(event.get("text") or ""))
    return " ".join(said)


PLACE_NOTED = "Thanks, I've noted where it is."


class ActionAskDateOfBirth(Action):
    """Ask for the date of birth, unless this turn's reply already asked for it again.

    After a date the bot could not read ("Sorry, I couldn't read that as a date of birth. Please write it as
    ...") or read only month first ("... Did you mean 26 January 1978?"), the form's usual question ("Thank you.
    What is your date of birth?") thanked the resident for a mistake and asked a second question over the first.
    """

    def name(self) -> str:
        return "action_ask_date_of_birth"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if _asked_again_this_turn(tracker):
            return []
        if _replied_this_turn(tracker):
            # After help, a quick answer or "I'm still here", "Thank you." thanked the resident for a question.
            dispatcher.utter_message(text=DATE_OF_BIRTH_AGAIN)
        else:
            dispatcher.utter_message(response="utter_ask_date_of_birth")
        return []


DATE_OF_BIRTH_AGAIN = "What is your date of birth? For example 05/11/1990."


def _replied_this_turn(tracker: Tracker) -> bool:
    """Whether the bot already said something since the resident's last message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def _asked_again_this_turn(tracker: Tracker) -> bool:
    """Whether a reply since the resident's last message already asked for the date of birth again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            text = str(event.get("text") or "")
            if text.startswith((DATE_UNREADABLE, MONTH_FIRST.split("{", 1)[0])):
                return True
    return False


# Asked after the back office failed; the answers so far are kept for a retry or an officer.
TRY_AGAIN = (
    f"{FAILURE_APOLOGY} and I couldn't finish that just now. I've kept what you've told me. Shall I try "
    "again? You can also call us on {phone}, or I can pass this to an officer with the details you've "
    "given."
)
TRY_AGAIN_BUTTONS = [
    {"title": "Try again", "payload": "/affirm"},
    {"title": "Talk to a person", "payload": "/request_officer"},
    {"title": "No, leave it", "payload": "/deny"},
]


class ActionAskTaskConfirmed(Action):
    """Summarise what will be recorded and ask the resident to confirm."""

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    def name(self) -> str:
        return "action_ask_task_confirmed"

    @within_deadline
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("verification_outcome") in FAILED:
            dispatcher.utter_message(text=TRY_AGAIN.format(phone=council_phone()), buttons=TRY_AGAIN_BUTTONS)
            return []
        declared = REGISTRY.get(str(tracker.get_slot("pending_task")))
        if declared is not None and declared.record_summary is not None:
            return await self._ask_from_record(dispatcher, tracker, declared.record_summary)
        address = await self._chosen_address(tracker)
        self._ask(dispatcher, confirmation_summary(tracker, address=address))
        return []

    @staticmethod
    def _ask(dispatcher: CollectingDispatcher, summary: str) -> None:
        dispatcher.utter_message(
            text=f"{summary} Shall I go ahead?",
            buttons=[{"title": "Yes, go ahead", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        )

    async def _ask_from_record(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, summary_of: RecordSummary
    ) -> list[EventType]:
        """Name what will be done from the resident's own record, or end the form when there is nothing to do.

        "I'll record a request to cancel your postal or proxy vote" was asked of a resident with only a proxy
        vote, and of one with nothing to cancel. With nothing to do there is nothing to confirm: the form ends and
        the task says so. A failed look-up is offered again, and the summary is looked up again then.
        """
        try:
            summary = await summary_of(self._backoffice or BackOffice.from_settings(), tracker)
        except BackOfficeError:
            dispatcher.utter_message(text=TRY_AGAIN.format(phone=council_phone()), buttons=TRY_AGAIN_BUTTONS)
            return [SlotSet("verification_outcome", FAILED_DURING_QUESTIONS)]
        if summary is None:
            return [SlotSet("task_confirmed", True), SlotSet("requested_slot", None)]
        self._ask(dispatcher, summary)
        return []

    async def _chosen_address(self, tracker: Tracker) -> str | None:
        uprn, postcode = tracker.get_slot("address_uprn"), tracker.get_slot("postcode")
        if not uprn or not postcode:
            return None
        try:
            addresses = await (self._backoffice or BackOffice.from_settings()).find_addresses(postcode=postcode)
        except BackOfficeError:
            return None  # the summary then says "the address you chose"
        return next((a.address for a in addresses if str(a.uprn) == str(uprn)), None)


def confirmation_summary(tracker: Tracker, *, address: str | None = None) -> str:
    """Describe, in one sentence, the request the form is about to record (the task's own summary)."""
    declared = REGISTRY.get(str(tracker.get_slot("pending_task")))
    if declared is None or declared.summary is None:
        return "I'll record your request."
    return declared.summary(tracker, address)
