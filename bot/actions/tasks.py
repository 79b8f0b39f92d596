"""Start a task (reset the form, remember what it is for) and complete it once the form has its details.

What each task does is declared with it in its topic module and read from bot.tasks_registry.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import electoral, payments
from bot.actions.common import apologise_for_failure, council_phone
from bot.actions.form_answers import (
    STRUCTURED,
    ballot_elsewhere_in,
    details_in,
    name_in,
    report_kind_told,
    street_names,
    strip_pleasantries,
)
from bot.actions.form_help import OFFICER_BUTTON
from bot.actions.handoff import CARRY_ON_START, ActionRequestOfficer, complaint_details
from bot.actions.knowledge import (
    EMERGENCY_NEWS,
    ONLY_THE_EMAIL_HELD,
    REPORT_OFFERED,
    answered_as_a_follow_up,
    council_tax_after_a_death,
    decision_instead,
    kept_for_the_offer,
    say_article,
    say_decision,
    task_button,
)
from bot.actions.service_requests import (
    EMAIL_INVITATION,
    answer_at_the_invitation,
    invited_reference,
    request_in_last_reply,
    say_reply,
)
from bot.actions.session import logged_out_events
from bot.actions.task_form import (
    CANCELLING_STOPPED,
    NOTHING_DONE,
    another_reference_events,
    checked_again,
    last_task,
    postcode_of_street,
    start_task_events,
)
from bot.actions.task_kit import Reply, last_bot_text, opening_request, taken_back
from bot.actions.two_requests import BY_INTENT, noticed_both, offer_the_second, requests_in, second_request
from bot.backoffice import BackOffice, BackOfficeError, NotFound, NotVerified, within_deadline
from bot.knowledge import ArticleError, get_knowledge
from bot.names import (
    FAILED,
    FAILED_AT_THE_END,
    SLOT_HANDOFF_REASON,
    SLOT_OFFICER_OFFERED,
    STOPPED,
    UNKNOWN,
)
from bot.nlp.edits import one_slip
from bot.parsing import (
    applies_for_someone_else,
    asks_about_others_council_tax,
    find_email,
    find_payment_reference,
    find_postcode,
    find_request_reference,
    follow_up_of,
)
from bot.routing import (
    ASKS_TO_CHASE,
    QUESTION,
    for_missed,
    is_a_clear_emergency,
    reports_a_missed_collection,
    task_of_article,
    wants_a_person,
)
from bot.tasks_registry import ACCOUNT_TASKS, ADDRESS_TASKS, FORGOTTEN_SLOTS, IDENTITY_TASKS, REGISTRY, TASKS

# Intents a message telling of a death and its council tax may be read as; the death report comes first.
BEREAVEMENT_INTENTS = ACCOUNT_TASKS | {"report_death_or_left"}


def tells_of_a_death_and_council_tax(tracker: Tracker) -> bool:
    """Tell whether the latest message says someone died and asks for their council tax to be dealt with.

    "My mum died and I need to sort her council tax" got the register-a-death article or the balance check (for
    an account the resident cannot prove is theirs), the council tax part or the death dropped. The death is
    reported first, and the council tax after a death explained once it is recorded (electoral._report_death_or_left).
    A question ("do we still pay council tax on her flat?") is left to the articles.
    """
    text = str(tracker.latest_message.get("text") or "")
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    return (
        intent in BEREAVEMENT_INTENTS
        and report_kind_told(text) == "died"
        and bool(electoral.COUNCIL_TAX.search(text))
        and not QUESTION.search(text.lower())
    )


def officer_offered(dispatcher: CollectingDispatcher, said: str) -> list[EventType]:
    """Say ``said``, which offers an officer for what the chat cannot do, with the yes and no buttons.

    Listening next: the form that follows action_start_task's rule had no task, and apologised (a probe).
    """
    dispatcher.utter_message(text=said, buttons=OFFER_BUTTONS)
    return [
        SlotSet(SLOT_OFFICER_OFFERED, True),
        SlotSet(SLOT_HANDOFF_REASON, "resident_asked"),
        FollowupAction("action_listen"),
    ]


def cancels_the_vote_of_someone_who_died(tracker: Tracker) -> bool:
    """Tell whether the latest message asks to cancel the postal or proxy vote of someone it says has died."""
    text = str(tracker.latest_message.get("text") or "")
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    return (
        intent in ABSENT_VOTE_TASKS
        and report_kind_told(text) == "died"
        and (intent == "cancel_absent_vote" or bool(CANCEL_WORD.search(text)))
    )


# Said before the death report a request to cancel the vote of someone who died starts.
VOTE_ENDS_WITH_THE_DEATH = (
    "When electoral services take them off the register, their postal or proxy vote ends too, so there's nothing "
    "else to cancel. Nothing of yours will change."
)


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
        if (logged_out := await logged_out_events(dispatcher, tracker)) is not None:
            return logged_out
        if (another := another_reference_events(tracker)) is not None:
            # "sorry wrong one, I meant SR-245497" mid-cancellation, read as another task, started an electoral
            # register check (a probe): the cancelling goes on with that reference.
            return another
        if tells_of_a_death_and_council_tax(tracker):
            return start_task_events(tracker, task="report_death_or_left")
        if cancels_the_vote_of_someone_who_died(tracker):
            # "my husbnd pased away, he had a postal vote, pls cancel it" was offered the withdrawal of the widow's
            # own postal vote request (a probe): the death is reported, and that ends his vote.
            dispatcher.utter_message(text=VOTE_ENDS_WITH_THE_DEATH)
            return start_task_events(tracker, task="report_death_or_left")
        if (after_a_death := council_tax_after_a_death(dispatcher, tracker)) is not None:
            return after_a_death
        if (noted := complaint_details(dispatcher, tracker)) is not None:
            return noted
        if (going_back := going_back_events(tracker)) is not None:
            return going_back
        if taken_back(tracker) is not None:
            # "I want to keep my postal vote, I pressed the wrong thing" just after its cancel was recorded.
            return [FollowupAction("action_stop_with_nothing_to_stop")]
        if (follow_up := answered_as_a_follow_up(dispatcher, tracker)) is not None:
            # "how much?" after the register-to-vote article started the council tax balance (a probe).
            return follow_up
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        from bot.actions.task_form import place_for_the_invited_report  # it imports this module

        typed = str(tracker.latest_message.get("text") or "")
        if intent != "report_problem" and place_for_the_invited_report(tracker, typed):
            # "Station Road" after the potholes answer's "report it in this chat" was read as polling_station and asked
            # for a postcode (found on the stack): nothing but a place, it is where the problem is.
            return start_task_events(tracker, task="report_problem")
        if intent == tracker.get_slot("pending_task") and carry_on_pending(tracker):
            # "continue the report" after the emergency's offer to carry on: the report goes on with its answers.
            return [FollowupAction("task_form")]
        text = str(tracker.latest_message.get("text") or "")
        if wants_a_person(text):
            # "My bin wasn't collected, can I speak to a person": asked for a person, the resident gets one (the
            # officer's packet names the subject); the form would have asked for a postcode instead. Handed over here
            # and then listening, not by a follow-up action (after one the policy went on with the task's rule).
            return [*await ActionRequestOfficer().run(dispatcher, tracker, domain), FollowupAction("action_listen")]
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        if intent in ("cancel_service_request", "request_progress") and ABSENT_VOTE_REFERENCE.search(text):
            # "cancel AV-940433" asked for an SR reference again and again (an attack): an AV reference is a postal or
            # proxy vote application, whose cancel checks who the resident is.
            vote_task = "cancel_absent_vote" if intent == "cancel_service_request" else "absent_vote_status"
            return start_task_events(tracker, task=vote_task)
        if intent == "receipt_request" and OTHER_EMAIL_NAMED.search(text):
            # "a receipt ... sent to my work email" heard only at the very end that documents go to the address held
            # (a probe): said first, so the resident can decide before proving the account.
            dispatcher.utter_message(text=ONLY_TO_THE_EMAIL_HELD.format(phone=council_phone()))
        if intent == "request_progress" and (chased := await chased_events(dispatcher, tracker, domain)) is not None:
            return chased
        if intent == "report_problem" and is_a_clear_emergency(text):
            # "a big tree has come down ... theres wires hanging down" was a routine report, fixed "within 1 working
            # day" (a probe): danger to life gets the 999 advice and an urgent officer, as an emergency does.
            return await emergency_events(dispatcher, tracker, domain)
        if (again := follow_up_of(last_task(tracker), text)) is not None and intent != again:
            # "and proxy?" after the postal vote's deadline started a proxy application and its identity check (a
            # probe): it asks the same question about the other kind.
            return start_task_events(tracker, task=again)
        if intent in ABSENT_VOTE_TASKS and not applies_for_someone_else(text) and wants_the_ballot_elsewhere(text):
            # "can I have my postal vote sent to my daughter's address" was read as a status question (an end-to-end
            # test): it asks for a postal vote whose ballot pack goes there (a change of it, for one already held).
            return start_task_events(tracker, task="request_postal_vote")
        if intent == "changed_name" and CANCEL_WORD.search(text):
            # "cancel the name change i asked for" started a second change of name (a probe): withdrawing one is for
            # an officer, who can see it.
            return officer_offered(dispatcher, NAME_CHANGE_NOT_CANCELLED_HERE)
        if intent == "open_register_opt_out" and BACK_ON_THE_OPEN_REGISTER.search(text):
            # "i want to stay on the open register" was offered the opt-out (a probe): going back on is for an officer.
            return officer_offered(dispatcher, BACK_ON_OPEN_REGISTER_REPLY)
        if intent in ABSENT_VOTE_TASKS and electoral.CHANGES_THE_PROXY.search(text):
            # "i need to change who my proxy is, its my brother at the moment but he cant do it now" was offered the
            # withdrawal of the proxy (a probe): the new proxy is asked for, as a change of the one held.
            return start_task_events(tracker, task="request_proxy_vote")
        if intent in ABSENT_VOTE_TASKS and electoral.UNDOES_A_CANCEL.search(text) and CANCEL_WORD.search(text):
            # "I asked to cancel my postal vote by mistake, please undo that": the waiting cancellation is withdrawn.
            return start_task_events(tracker, task="cancel_absent_vote")
        if (instead := safer_than_a_cancel(tracker, intent, text)) is not None:
            # "and proxy?" read as cancel_absent_vote (0.56) was offered the withdrawal of a live proxy application,
            # one "yes" away (a probe): a cancel or change needs words that ask for one.
            return instead
        if intent == "cancel_absent_vote" and (other := electoral.switched_to(text)):
            # "actually i want to switch to a proxy instead" was offered the cancelling of the postal vote again (a
            # probe): it asks for the other kind, whose confirmation names the vote already held.
            return start_task_events(tracker, task=other)
        if intent in ("request_postal_vote", "request_proxy_vote") and ASKS_IF_HELD.search(text):
            # "do i already have a postal vote?" was given a second application (a probe): it asks what is held.
            return start_task_events(tracker, task="absent_vote_status")
        if intent in ABSENT_VOTE_TASKS and last_bot_text(tracker).startswith(FOR_SOMEONE_ELSE_START):
            # "she's bedbound, can you just cancel it" after the refusal went on as the typist's own (a probe).
            dispatcher.utter_message(text=STILL_FOR_SOMEONE_ELSE)
            return [FollowupAction("action_listen")]
        if intent in ABSENT_VOTE_TASKS and applies_for_someone_else(text):
            # "Can I apply for a postal vote for my mum?": the application was made for the verified resident
            # (a probe got AV-... in their name). Each voter applies for their own absent vote.
            dispatcher.utter_message(text=FOR_SOMEONE_ELSE_REPLY)
            return [FollowupAction("action_listen")]
        if intent in ACCOUNT_TASKS and asks_about_others_council_tax(text):
            # "what does my neighbour owe?" started the resident's own account check (a probe).
            dispatcher.utter_message(text=OTHERS_COUNCIL_TAX_REPLY.format(phone=council_phone()))
            return [FollowupAction("action_listen")]
        if intent == "ask_bin_day" and reports_a_missed_collection(text):
            # "my bin wsn't collected" read as a bin day question (make test's simulated resident got its bin days).
            return start_task_events(tracker, task="report_problem")
        second = second_request(text, intent)
        if second is not None and intent in {request.intent for request in requests_in(text)}:
            # "I need a postal vote and when is my bin day": the intent is one of two requests the message makes
            # (searched whole, it read as a question about postal votes and got the article, both lost). The
            # intent's task starts; the other is offered when it is done.
            dispatcher.utter_message(text=noticed_both(intent, second))
            return start_task_events(tracker)
        decision = decision_instead(tracker)
        task = task_of_article(decision.answer)
        if task is None and say_decision(dispatcher, decision):
            return [*kept_for_the_offer(decision.answer, text), FollowupAction("action_listen")]
        if locked_here(tracker, task or intent):
            # A chat whose checks are locked was asked every question again, only to hear at the end that nothing
            # could be checked (a probe): it hears so at once, with the officer.
            return [*say_locked(dispatcher, task or intent), FollowupAction("action_listen")]
        events = start_task_events(tracker, task=task)
        return events + await self._street_told(dispatcher, text, task or intent, events)

    async def _street_told(
        self, dispatcher: CollectingDispatcher, text: str, task: str, events: list[EventType]
    ) -> list[EventType]:
        """Look up the street an address question opens with ("when is bin day on Rowan Close"), for its postcode."""
        names = street_names(text)
        if (
            task not in ADDRESS_TASKS
            or not names
            or any(e.get("name") == "postcode" and e.get("value") for e in events)
        ):
            return []
        found = await postcode_of_street(BackOffice.from_settings(), text, names, dispatcher)
        return [SlotSet(name, value) for name, value in found.items() if name in ("postcode", "address_uprn") and value]


# Words that ask to cancel or change a postal or proxy vote, or a report; without one, a cancel is not started.
CHANGES_A_VOTE = re.compile(
    r"\b(?:cancel\w*|cancle\w*|canx|cncl|withdraw\w*|stop\w*|remove|delete|end|revoke|scrap|undo|change\w*|switch\w*|"
    r"swap|instead|else|different|update|new proxy|no longer|any ?more|(?:don'?t|do not|dont) (?:want|need)|"
    r"come off|take me off|get rid|back to|rather|fell out|in person|call (?:it )?off|not needed|sorted|fixed|"
    r"came back|collected|emptied|repaired|back on|ignore|take back|forget|close|isn'?t needed|replace|off|"
    r"go to|goes to|send (?:it|my \w+(?: \w+)?) to|new address|her address|his address|their address)\b",
    re.IGNORECASE,
)
# A question about whether a postal or proxy vote is held, not a request for one.
ASKS_IF_HELD = re.compile(
    r"\b(?:do|did|have|has|am|is|was) (?:i|we|my|me)\b.{0,20}\b(?:already|still|got|registered for)\b"
    r"|\b(?:already|still) (?:have|got|on|registered)\b|\bis my (?:postal|proxy)\b|\bstatus\b",
    re.IGNORECASE,
)


def safer_than_a_cancel(tracker: Tracker, intent: str, text: str) -> list[EventType] | None:
    """Return what a cancel without words asking for one does instead (the status, the progress, a miss), else None."""
    if intent not in ("cancel_absent_vote", "cancel_service_request") or CHANGES_A_VOTE.search(text):
        return None
    if any(one_slip(word, asked) for word in re.findall(r"[a-z]{3,}", text.lower()) for asked in CANCEL_WORDS):
        # "canecl my postal vote pls", "stp my postal vote" (simulated residents were shown their votes instead).
        return None
    if intent == "cancel_service_request":
        return start_task_events(tracker, task="request_progress")
    if tracker.get_slot("identity_verified") or electoral.VOTE_KINDS.search(text) or ABSENT_VOTE.search(text):
        return start_task_events(tracker, task="absent_vote_status")
    return [FollowupAction("action_handle_miss")]


def wants_the_ballot_elsewhere(text: str) -> bool:
    """Whether ``text`` asks for a postal ballot pack to go somewhere other than home."""
    postal = any(match.lastgroup == "postal" for match in electoral.VOTE_KINDS.finditer(text))
    return (postal or BALLOT.search(text) is not None) and ballot_elsewhere_in(text)


# Words that ask for a cancel, read with one slip of the keys as well ("canecl", "stp", "withdrw").
CANCEL_WORDS = ("cancel", "stop", "withdraw", "remove", "delete", "scrap")
# A word that asks to cancel something ("cancel it please", "cancle that", "can you withdraw it").
CANCEL_WORD = re.compile(r"\b(?:cancel\w*|cancle\w*|cncl|withdraw\w*|call it off)\b", re.IGNORECASE)
BALLOT = re.compile(r"\bballot(?: pack| papers?)?s?\b", re.IGNORECASE)
# "Absent vote", the name for both kinds, besides the kinds themselves (electoral.VOTE_KINDS).
ABSENT_VOTE = re.compile(r"\babsent\b", re.IGNORECASE)


# Absent votes are the voter's own: applied for, changed or looked up only by the voter, once they have proved who
# they are in their own conversation.
ABSENT_VOTE_TASKS = frozenset(
    {"request_postal_vote", "request_proxy_vote", "cancel_absent_vote", "renew_absent_vote", "absent_vote_status"}
)
OTHERS_COUNCIL_TAX_REPLY = (
    "I can't tell you about anyone else's council tax: each household's account is private. If you pay or look "
    "after it for them, for example with power of attorney, please call us on {phone} and we'll help. I can check "
    "your own council tax, if you like."
)
FOR_SOMEONE_ELSE_REPLY = (
    "I can only deal with postal and proxy votes for the person I'm talking to: each voter applies for, changes or "
    "checks their own, because they sign the application and we check it's them. They can ask me in their own "
    "chat, apply online (https://www.gov.uk/apply-postal-vote or https://www.gov.uk/apply-proxy-vote), or call "
    f"electoral services on {electoral.ELECTORAL_PHONE} for a paper form that someone can help them fill in (they "
    "sign it themselves). Can I help with anything for you?"
)

FOR_SOMEONE_ELSE_START = FOR_SOMEONE_ELSE_REPLY[:60]
# How a reply offers to renew a postal vote (bot.actions.electoral.vote_already_held): a yes takes the offer.
RENEWAL_OFFERED = 'just say "renew my postal vote"'
STILL_FOR_SOMEONE_ELSE = (
    "I'm sorry, I can't do that for them, even to help: nothing has been changed. Electoral services can help "
    f"someone who can't get to a computer, for example with a paper form they sign: call {electoral.ELECTORAL_PHONE}."
)

# Said when a name is given after the resident proved who they are (it may be someone else at the keyboard).
NAMED_AFTER_THE_CHECK = (
    "Thanks. Before I look anything else up I'll check the details again, in case someone else is typing now. "
    "What would you like me to do?"
)

# Said when a verified resident asks about an account reference that is not the one they proved.
OTHER_ACCOUNT = (
    "I can only talk about the council tax account you've proved is yours in this chat, so I can't tell you "
    "anything about that account number. The person who pays that bill can ask us themselves, or call us on "
    "{phone}. Would you like to hear about your own account?"
)


async def asks_about_another_account(backoffice: BackOffice, tracker: Tracker) -> bool:
    """Tell whether an account task names an account reference other than the verified account's.

    "What's the balance on CT…?" after proving another account was answered with the resident's own balance
    as if it were the one asked about. The reference in the message is compared with the verified account;
    nothing about the other account is looked up, so nothing about it can be said.
    """
    named = tracker.get_slot("account_reference")
    if tracker.get_slot("pending_task") not in ACCOUNT_TASKS or not named or named == UNKNOWN:
        return False
    account = await backoffice.my_account(conversation_id=str(tracker.sender_id))
    return str(account.account_reference or "").upper() != str(named).upper()


# How long the back office keeps a chat's checks locked after repeated failures (api/verification_common.py).
LOCK_MINUTES = 15


def locked_here(tracker: Tracker, task: str | None) -> bool:
    """Say whether a check ``task`` needs was locked in this chat lately (council tax and electoral checks apart)."""
    kind = ACCOUNT_TASKS if task in ACCOUNT_TASKS else IDENTITY_TASKS if task in IDENTITY_TASKS else None
    if kind is None or tracker.get_slot("account_verified" if kind is ACCOUNT_TASKS else "identity_verified"):
        return False
    pending = None
    since = time.time() - LOCK_MINUTES * 60
    for event in (e for e in tracker.events if e.get("event") == "slot"):
        if event.get("name") == "pending_task":
            pending = event.get("value") or pending
        elif (event.get("name"), event.get("value")) == ("verification_outcome", "locked") and pending in kind:
            locked_at = float(event.get("timestamp") or time.time())
            if locked_at > since:
                return True
    return False


def say_locked(dispatcher: CollectingDispatcher, task: str) -> list[EventType]:
    """Say no more checks can be made here for now, and offer an officer (a council tax lock names its own line)."""
    dispatcher.utter_message(
        text=payments.LOCKED if task in ACCOUNT_TASKS else electoral.LOCKED,
        buttons=[
            {"title": "Yes, talk to a person", "payload": "/request_officer"},
            {"title": "No, thanks", "payload": "/deny"},
        ],
    )
    return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "locked_out")]


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
        if outcome == STOPPED:
            return done  # the form already said it stopped, and answered any question asked with it
        if outcome == "not_verified":
            return [*done, *not_verified_reply(dispatcher, tracker, str(task))]
        if outcome == "locked":
            return [*done, *say_locked(dispatcher, str(task))]
        if tracker.get_slot("task_confirmed") is False and outcome in FAILED:
            dispatcher.utter_message(
                text=f"OK, I'll leave it there. If you'd like to try later, just ask me again, "
                f"or call us on {council_phone()}."
            )
            return done
        if tracker.get_slot("task_confirmed") is False:
            dispatcher.utter_message(text=NOTHING_DONE.get(str(task), NOTHING_RECORDED))
            kept = {slot: tracker.get_slot(slot) for slot in FORGOTTEN_SLOTS if tracker.get_slot(slot) is not None}
            return [*done, SlotSet(DECLINED_ANSWERS, {"task": task, "answers": kept})]
        if outcome in FAILED or task not in REGISTRY:
            apologise_for_failure(dispatcher)
            return done
        backoffice = self._backoffice or BackOffice.from_settings()
        try:
            if await asks_about_another_account(backoffice, tracker):
                dispatcher.utter_message(
                    text=OTHER_ACCOUNT.format(phone=council_phone()),
                    buttons=[{"title": "Yes, my own account", "payload": f"/{task}"}],
                )
                return done
            reply = await REGISTRY[task].handler(backoffice, tracker)
            if not isinstance(reply, Reply):
                reply = Reply(text=reply)
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
            second = second_request(opening_request(tracker), task)
            if second is not None:
                # The other request made in the message that started this task, now this one is done.
                text, buttons = offer_the_second(second)
                dispatcher.utter_message(text=text, buttons=buttons)
            elif (left := task_left_behind(tracker, str(task))) is not None:
                dispatcher.utter_message(**offer_to_go_back(left))
            return [*done, *reply.events]
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


# Said to a no at "Shall I go ahead?" (a cancel's no: task_form.NOTHING_DONE).
NOTHING_RECORDED = "OK, I haven't recorded anything. What else can I help with?"


def task_left_behind(tracker: Tracker, task: str) -> str | None:
    """Return the task this one interrupted mid-question ("when is the next election" at the address), or None.

    The task in hand replaced it while the form was still asking (no answer given, no stop said): once this one is
    answered, the resident is offered the earlier one back rather than have it vanish.
    """
    started = [
        (index, event.get("value"))
        for index, event in enumerate(tracker.events)
        if event.get("event") == "slot" and event.get("name") == "pending_task"
    ]
    if not started or started[-1][1] != task:
        return None
    here = started[-1][0]
    earlier = next(((index, value) for index, value in reversed(started[:-1]) if value != task), None)
    if earlier is None or earlier[1] is None or earlier[1] not in TASKS:
        return None
    between = tracker.events[earlier[0] + 1 : here]
    ended = any(
        (e.get("event") == "action" and e.get("name") == "action_complete_task")
        or (e.get("event") == "active_loop" and not e.get("name"))
        for e in between
    )
    return None if ended else str(earlier[1])


def offer_to_go_back(task: str) -> dict[str, Any]:
    """Return the message that offers the interrupted ``task`` again, with the button that starts it."""
    request = BY_INTENT.get(task)
    called = request.called if request else "what you asked before"
    button = {"title": request.title, "payload": f"/{task}"} if request else task_button(task)
    return {"text": f"We were in the middle of {called}. Shall we go back to it?", "buttons": [button]}


# Said once a check has failed more than once: the same "please check" again would be a loop.
STILL_NOT_VERIFIED = (
    "I'm sorry, I still couldn't match those details, so I'll stop checking here to keep the record safe. "
    "{where} Please call us on {phone}: we can check who you are another way. Or would you like me to ask an "
    "officer to join this chat?"
)
WHERE_DETAILS_ARE = {
    True: "Your council tax account number is at the top of your bill, next to the date it was sent, and "
    "starts with CT.",
    False: "The register holds your name as you gave it when you registered (sometimes a full first name).",
}
OFFER_BUTTONS = [
    {"title": "Yes, talk to a person", "payload": "/request_officer"},
    {"title": "No, thanks", "payload": "/deny"},
]


NOT_VERIFIED_OPENINGS = (payments.NOT_VERIFIED, electoral.NOT_VERIFIED, STILL_NOT_VERIFIED.split("{", 1)[0])


def failed_checks(tracker: Tracker) -> int:
    """Count the identity or account checks that failed in this conversation (the bot said it could not match)."""
    return sum(
        1
        for e in tracker.events
        if e.get("event") == "bot" and str(e.get("text") or "").startswith(NOT_VERIFIED_OPENINGS)
    )


def not_verified_reply(dispatcher: CollectingDispatcher, tracker: Tracker, task: str) -> list[EventType]:
    """Say a check failed: the first time, what to check and a try-again button; after that, a way out.

    Asking a resident to check their details a third and fourth time only loops: after two failures the
    bot explains where the details are, gives the phone number and offers an officer instead.
    """
    if failed_checks(tracker) == 0:
        dispatcher.utter_message(
            text=payments.NOT_VERIFIED if task in ACCOUNT_TASKS else electoral.NOT_VERIFIED,
            buttons=[
                {"title": "Try again", "payload": f"/{task}"},
                {"title": "Talk to a person", "payload": "/request_officer"},
            ],
        )
        return []
    dispatcher.utter_message(
        text=STILL_NOT_VERIFIED.format(where=WHERE_DETAILS_ARE[task in ACCOUNT_TASKS], phone=council_phone()),
        buttons=OFFER_BUTTONS,
    )
    return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]


# How utter_what_for begins (domain/electoral.yml): asked once, the second time gets buttons instead.
WHAT_FOR = "Thanks. What would you like me to do with that?"
TALK_TO_A_PERSON = OFFICER_BUTTON
CHOICES_FOR_DETAILS = {
    "inform_account": [
        {"title": "Check my council tax balance", "payload": "/council_tax_balance"},
        {"title": "Did my payment go through?", "payload": "/payment_received"},
    ],
    "inform": [
        {"title": "Am I registered to vote?", "payload": "/check_registration"},
        {"title": "Where do I vote?", "payload": "/polling_station"},
        {"title": "Check my council tax balance", "payload": "/council_tax_balance"},
    ],
}


# What every answer giving deadlines says (bot.actions.electoral.poll_deadlines).
DEADLINES_GIVEN = ": the deadline "
# An answer that invites the bin-day question (its postcode is the question's answer).
BIN_DAY_NAMED = re.compile(r"\bwhen is my bin day\b|\byour bin day\b", re.IGNORECASE)


def offered_task(tracker: Tracker) -> list[str]:
    """Return the one task the bot's latest reply offered as a button ("Shall we do that now? [When is my bin day?]").

    A postcode typed instead of tapping it ("TN41 6PA") was asked "What would you like me to do with that?" (seen in
    the web chat, after "when is my bin day and what time do you open?" was answered with the opening hours).
    """
    if invited_reference(tracker):
        # "Request SR-... If you reported it, tell me the email address ...", then the email: its progress.
        return ["request_progress"]
    said = [e for e in tracker.events if e.get("event") == "bot"]
    if said and electoral.POSTCODE_INVITATION in str(said[-1].get("text") or ""):
        # "...tell me your postcode and I'll say which apply to you.", then "TN41 6PA": the polls there (a probe), or
        # their deadlines when the invitation followed deadlines (they got the polls alone: a probe).
        return ["election_deadlines" if DEADLINES_GIVEN in str(said[-1].get("text")) else "next_election"]
    if said and BIN_DAY_NAMED.search(str(said[-1].get("text") or "")):
        # The Christmas collections article ends "Ask me 'when is my bin day?'": the postcode typed next was asked
        # "What would you like me to do with that?" (a probe).
        return ["ask_bin_day"]
    buttons = ((said[-1].get("data") or {}).get("buttons") or []) if said else []
    tasks = [str(b.get("payload") or "").lstrip("/") for b in buttons]
    tasks = [task for task in tasks if task in TASKS]
    return tasks if len(tasks) == 1 and len(buttons) == 1 else []


def task_that_failed(tracker: Tracker) -> str | None:
    """Return the task whose check the bot's latest reply said had failed, or None if it said something else."""
    said = [e for e in tracker.events if e.get("event") == "bot"]
    if not said or not str(said[-1].get("text") or "").startswith(NOT_VERIFIED_OPENINGS):
        return None
    for event in reversed(said):
        buttons = (event.get("data") or {}).get("buttons") or []
        retry = next((b.get("payload") for b in buttons if b.get("title") == "Try again"), None)
        if retry and str(retry).lstrip("/") in REGISTRY:
            return str(retry).lstrip("/")
    return None


# Asked when a message gives no detail and names no task clearly: the likeliest tasks, and a person.
WHICH_TASK = "I'm not sure what you'd like me to do. Is it one of these?"
# How likely a task must be, in the message's intent ranking, to be offered as a button.
OFFERED_TASK_CONFIDENCE = 0.05
MAX_OFFERED_TASKS = 3
# "Try again", "retry", "can I try that again", "let me have another go", with pleasantries around it.
RETRY = re.compile(
    r"^(?:(?:can|could|may) (?:i|we|you) |let me |let'?s |i'?ll |i will |please )?(?:try(?: it| that| this)?"
    r"(?: again| once more)|retry|re-try|have another go|another go|go again)(?: please| now| then)?$",
    re.IGNORECASE,
)


def asks_to_retry(text: str) -> bool:
    """Tell whether ``text`` is nothing but a request to try again ("Try again", "retry", "try again please")."""
    return bool(RETRY.match(strip_pleasantries(text.replace("\u2019", "'")).strip(" ?.!")))


def gives_a_detail(text: str) -> bool:
    """Tell whether ``text`` holds a detail a task could use: a name, a date of birth, a postcode, a reference."""
    return name_in(text) is not None or has_a_coded_detail(text)


def has_a_coded_detail(text: str) -> bool:
    """Tell whether ``text`` holds an email, postcode, date or reference (a detail a parser reads, not a name)."""
    return find_email(text) is not None or any(read(text) for read in STRUCTURED.values())


# A message that is a detail and little else: "my.name@gmail.com", "TN41 6PA please".
ONLY_A_DETAIL_WORDS = 4


def only_a_detail(text: str) -> bool:
    """Tell whether ``text`` is an email, postcode, date or reference with at most a few words around it."""
    return has_a_coded_detail(text) and len(text.split()) <= ONLY_A_DETAIL_WORDS


def try_the_task_again(dispatcher: CollectingDispatcher, tracker: Tracker, task: str) -> list[EventType]:
    """Start a task whose check failed again, keeping a name typed as the retry; after two failures, a way out."""
    if failed_checks(tracker) >= 2:
        # Then listening: without it the policy ran the same action again, ten times over, and the chat went silent
        # (a probe's "Try again" after the second failure).
        return [*not_verified_reply(dispatcher, tracker, task), FollowupAction("action_listen")]
    text = str(tracker.latest_message.get("text") or "")
    # The check failed on the details as a whole, so the postcode (and address) is asked again too: kept, a probe's
    # retry asked for the date of birth alone, and the postcode was typed into it.
    retyped: list[EventType] = [SlotSet("postcode", None), SlotSet("address_uprn", None)]
    if task in IDENTITY_TASKS:
        # "Rita Richardson 24/01/1978 TN41 6PA" typed straight after a failed check is the next try, whole: only a
        # name was kept, and the form asked for the name again (a probe). Each detail is checked as an answer.
        found, _ = details_in(text)
        if "postcode" not in found:
            found.pop("address_uprn", None)
        name = found.get("full_name") or name_in(text)
        told = {k: v for k, v in found.items() if k in ("date_of_birth", "postcode", "address_uprn")}
        retyped += [SlotSet(slot, value) for slot, value in ({"full_name": name} | told).items() if value]
    elif postcode := find_postcode(text):
        retyped.append(SlotSet("postcode", postcode))
    return [*start_task_events(tracker, task=task), *retyped, FollowupAction("task_form")]


def retry_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Start the failed check again when the latest message asks to try again straight after it; else None.

    Typed "Try again" is the retry its button offers, whatever the classifier made of the words.
    """
    task = task_that_failed(tracker)
    if task is None or not asks_to_retry(str(tracker.latest_message.get("text") or "")):
        return None
    return try_the_task_again(dispatcher, tracker, task)


def likely_tasks(tracker: Tracker) -> list[str]:
    """Return the tasks the latest message's intent ranking gives some chance, likeliest first."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [
        str(r.get("name"))
        for r in ranking
        if r.get("name") in TASKS and float(r.get("confidence") or 0.0) >= OFFERED_TASK_CONFIDENCE
    ][:MAX_OFFERED_TASKS]


def address_left_behind(text: str) -> list[EventType]:
    """Forget the address chosen at the old postcode when a new one is given on its own.

    "actually my postcode is TN42 6FW" after a bin day at TN41 6PA, then "when is my bin day": the old address was
    tried at the new postcode and the resident heard "Sorry, I couldn't match that to one of the addresses" (a probe).
    """
    return [SlotSet("address_uprn", None)] if find_postcode(text) else []


class ActionDetailsWithoutTask(Action):
    """Answer details (an account number, a name) typed when no question is waiting for them.

    Straight after a failed check they are another try at it: the task starts again with them. After
    repeated failures the resident hears where the details are, the phone number and an officer offer;
    "What would you like me to do with that?" over and over was a loop with no way out. A message read as
    details that gives none ("am i regd 2 vote") is never asked what to do "with that": the likeliest tasks
    are offered, or the articles searched, with a person.
    """

    def name(self) -> str:
        return "action_details_without_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (reply := answer_at_the_invitation(tracker)) is not None:
            return [*say_reply(dispatcher, reply), FollowupAction("action_listen")]
        task = task_that_failed(tracker)
        text = str(tracker.latest_message.get("text") or "")
        if asks_about_others_council_tax(text):
            # "can u check account CT24821414 too its my mums" got "What would you like me to do with that?" (a probe).
            dispatcher.utter_message(text=OTHERS_COUNCIL_TAX_REPLY.format(phone=council_phone()))
            return [FollowupAction("action_listen")]
        if task is None and (report := report_offered_by_the_answer(tracker)) is not None:
            # "21 rowan close TN41 6PA" after the noise answer's "report it ... in this chat" got "What would you like
            # me to do with that?" (a probe): it is where the problem is.
            return report
        asked = [request.intent for request in requests_in(text) if request.intent in TASKS] or offered_task(tracker)
        if task is None and asked and gives_a_detail(text):
            # "i'd like a postal vote. Rita Richardson 26/01/1978 TN41 6PA", read as details alone, was asked
            # "What would you like me to do with that?": the request it makes starts, with the details it gives.
            return [*start_task_events(tracker, task=asked[0]), FollowupAction("task_form")]
        if task is None and find_payment_reference(text) and last_task(tracker) == "receipt_request":
            # "actually it's PAY-28020117" just after a statement was sent for want of the reference got "What would
            # you like me to do with that?" (a probe): it is the payment the receipt was wanted for.
            return [
                *start_task_events(tracker, task="receipt_request"),
                SlotSet("document_kind", "receipt"),
                FollowupAction("task_form"),
            ]
        if task is None and (recheck := checked_again(tracker, text)):
            dispatcher.utter_message(text=NAMED_AFTER_THE_CHECK)
            return [SlotSet(name, value) for name, value in recheck.items()]
        if task is None and not gives_a_detail(text):
            return self._not_details(dispatcher, tracker, text)
        if task is None and last_bot_text(tracker).startswith(WHAT_FOR):
            # Asked once already: name the likely tasks as buttons, with a person, rather than ask again.
            intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
            dispatcher.utter_message(
                text=WHICH_TASK,
                buttons=[*CHOICES_FOR_DETAILS.get(intent, CHOICES_FOR_DETAILS["inform"]), TALK_TO_A_PERSON],
            )
            return address_left_behind(text)
        if task is None:
            dispatcher.utter_message(response="utter_what_for")
            return address_left_behind(text)
        return try_the_task_again(dispatcher, tracker, task)

    @staticmethod
    def _not_details(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
        tasks = likely_tasks(tracker)
        if tasks:
            dispatcher.utter_message(text=WHICH_TASK, buttons=[*map(task_button, tasks), TALK_TO_A_PERSON])
            return []
        try:
            if say_decision(dispatcher, for_missed(text, get_knowledge().articles()), mark=True):
                return []
        except (ArticleError, OSError):
            pass
        dispatcher.utter_message(text=WHICH_TASK, buttons=[*CHOICES_FOR_DETAILS["inform"], TALK_TO_A_PERSON])
        return []


class ActionYesWithNothingAsked(Action):
    """Answer a yes when no question is waiting: after a failed check it is "try again"; else how can I help.

    The failed check's "Try again" button starts the check again; typed, "try again" was read as yes and got
    "How can I help?", so the resident had to start over in their own words. After an emergency stopped a task,
    yes to carrying on goes on with it.
    """

    def name(self) -> str:
        return "action_yes_with_nothing_asked"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        task = task_that_failed(tracker)
        if task is not None:
            return try_the_task_again(dispatcher, tracker, task)
        if offered_to_carry_on(tracker):
            # Yes to carrying on after an emergency stopped the task: the form goes on with the answers it kept.
            return [FollowupAction("task_form")]
        if (report := report_offered_by_the_answer(tracker)) is not None:
            return report
        if RENEWAL_OFFERED in last_bot_text(tracker):
            # "yes" to "It's due for renewal: just say 'renew my postal vote'" got "How can I help?" (a probe).
            return [*start_task_events(tracker, task="renew_absent_vote"), FollowupAction("task_form")]
        if (declined := declined_task_events(tracker)) is not None:
            return declined
        if (taken := going_back_events(tracker, said_yes=True)) is not None:
            # "yes please" to "We were in the middle of your report. Shall we go back to it?" (or to "You also asked
            # about ... Shall we do that now?") got "How can I help?" (a probe): yes takes the offer, as its button.
            return taken
        dispatcher.utter_message(response="utter_how_can_i_help")
        return []


ABSENT_VOTE_REFERENCE = re.compile(r"\bAV[\s-]?\d{6}\b", re.IGNORECASE)
OTHER_EMAIL_NAMED = re.compile(
    r"@|\b(?:work|other|different|new|another|personal|husband'?s|wife'?s|accountant'?s)\s+e-?mail\b", re.IGNORECASE
)
ONLY_TO_THE_EMAIL_HELD = (
    f"Just so you know: {ONLY_THE_EMAIL_HELD}, not to another one. To change that address, please call us on {{phone}}."
)


CHASE_NEEDS_THE_REPORTER = (
    "Request {reference}: I can ask an officer to chase it once I know you reported it. "
    + EMAIL_INVITATION
    + " (like name@example.com), or call us on {phone}."
)
CHASED = "I'll pass {reference} to an officer to chase it up with the team, with what you've told me."


async def chased_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """Hand a request just reported on to an officer when the resident asks to chase it up; else None.

    "please chase it up, it's been there for weeks" after a request's status repeated the status and asked for the
    reporter's email again (a probe).
    """
    text = str(tracker.latest_message.get("text") or "")
    named = find_request_reference(text)
    if not ASKS_TO_CHASE.search(text):
        return None
    if (invited := invited_reference(tracker)) is not None and named in (None, invited):
        # Said the status as to anyone, with the invitation to give the report's email: "please chase it up" there
        # repeated the status word for word (the last probe). Only the reporter may have it chased, so the invitation
        # is said again (the email typed next is read as its answer).
        dispatcher.utter_message(text=CHASE_NEEDS_THE_REPORTER.format(reference=invited, phone=council_phone()))
        return [FollowupAction("action_listen")]
    reference = request_in_last_reply(tracker)
    if reference is None or named not in (None, reference):
        # Another reference named ("chase up SR-245497" after SR-898446 was reported): that one's progress, not a
        # chase of the request in the last reply (a probe had the wrong one passed to an officer).
        return None
    dispatcher.utter_message(text=CHASED.format(reference=reference))
    return [*await ActionRequestOfficer().run(dispatcher, tracker, domain), FollowupAction("action_listen")]


async def emergency_events(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """Give the emergency advice and hand over as urgent, then listen (for an emergency read as another request)."""
    if (advice := get_knowledge().for_intent("emergency", {})) is not None:
        say_article(dispatcher, advice)
    urgent = copy.copy(tracker)
    urgent.slots = {**tracker.slots, SLOT_HANDOFF_REASON: "emergency"}
    return [*await ActionRequestOfficer().run(dispatcher, urgent, domain), FollowupAction("action_listen")]


DECLINED_ANSWERS = "declined_answers"


def declined_task_events(tracker: Tracker) -> list[EventType] | None:
    """Do the task the resident said no to at "Shall I go ahead?" just now, with its answers, on a yes straight after.

    "actually yes do it" after a no at the confirmation of a name change got "How can I help?" (a probe), and every
    answer had to be given again. The answers are kept in a slot at the no (the tracker store seals its events).
    """
    said = last_bot_text(tracker)
    declined = tracker.get_slot(DECLINED_ANSWERS)
    if not said.startswith((NOTHING_RECORDED, *NOTHING_DONE.values())) or not isinstance(declined, dict):
        return None
    task = declined.get("task")
    if task not in REGISTRY:
        return None
    answers = declined.get("answers") or {}
    return [
        *(SlotSet(slot, value) for slot, value in answers.items() if slot in FORGOTTEN_SLOTS),
        SlotSet("pending_task", task),
        SlotSet("task_confirmed", True),
        SlotSet(DECLINED_ANSWERS, None),
        FollowupAction("task_form"),
    ]


# Words that take up an offer to go back to a task in one's own words ("ok go back to the report", "can we finish the
# report now", "ok back to the fly tipping"): a probe got an article or "Sorry, I didn't quite get that".
GOES_BACK = re.compile(
    r"\b(?:go(?:ing)? back|back to|finish|continue|carry on|resume|return to|get on with|go on with)\b", re.IGNORECASE
)


def going_back_events(tracker: Tracker, *, said_yes: bool = False) -> list[EventType] | None:
    """Take up the task the bot's latest reply offered back, when the resident says yes or says so in words."""
    offered = task_offered(tracker)
    if offered is None or not (said_yes or GOES_BACK.search(str(tracker.latest_message.get("text") or ""))):
        return None
    return [*start_task_events(tracker, task=offered), FollowupAction("task_form")]


def task_offered(tracker: Tracker) -> str | None:
    """Return the task the bot's latest reply offered as its one button ("Shall we go back to it?"), else None."""
    said = [e for e in tracker.events if e.get("event") == "bot"]
    buttons = ((said[-1].get("data") or {}).get("buttons") or []) if said else []
    tasks = [str(b.get("payload", ""))[1:] for b in buttons if str(b.get("payload", ""))[1:] in TASKS]
    return tasks[0] if len(buttons) == 1 and len(tasks) == 1 else None


# An article that offers to take the report here ("You can report it in this chat"), and the words that take it up.
# "You can report it in this chat", "report a broken street light in this chat", "report graffiti in this chat", "to
# report dog mess ..., tell us in this chat" ("yes please report it for me" after the street-light one got "How can I
# help?": a probe).
TAKES_UP_THE_REPORT = re.compile(
    r"\b(?:report|reprot|log)\s+(?:it|this|that|them|one)\b|\b(?:do|sort) (?:it|that|this) for me\b|"
    r"^\W*(?:yes|yeah|yep|ok|okay|please|go on|go ahead)\W*(?:please)?\W*$",
    re.IGNORECASE,
)


def report_offered_by_the_answer(tracker: Tracker) -> list[EventType] | None:
    """Start the report an article just offered to take, when the resident takes it up; else None.

    A probe: the fly-tipping answer says "You can report it in this chat", and "ok can you report it then" got
    "Sorry, I didn't quite get that"; the description typed next got the bulky waste article.
    """
    offered = last_bot_text(tracker)
    text = str(tracker.latest_message.get("text") or "")
    from bot.actions.task_form import invited_category, place_for_the_invited_report  # it imports this module

    takes_it_up = TAKES_UP_THE_REPORT.search(text) or place_for_the_invited_report(tracker, text)
    if not REPORT_OFFERED.search(offered) or not takes_it_up:
        return None
    started = start_task_events(tracker, task="report_problem")
    told = any(e.get("name") == "service_category" and e.get("value") for e in started)
    category = invited_category(tracker)
    chosen = [SlotSet("service_category", category)] if category and not told else []
    return [*started, *chosen, FollowupAction("task_form")]


def offered_to_carry_on(tracker: Tracker) -> bool:
    """Tell whether the bot's latest reply offered to carry on with a task an emergency stopped (still in hand)."""
    said = last_bot_text(tracker)
    offers = (CARRY_ON_START, EMERGENCY_NEWS)  # the offer, or the thanks for news that repeats it
    return bool(tracker.get_slot("pending_task")) and said.startswith(offers)


# How many messages after the offer to carry on it still stands ("what number should I ring again?", then "continue
# the report": a probe's report was lost at the first message that was not "carry on").
CARRY_ON_STANDS_FOR = 4


def carry_on_pending(tracker: Tracker) -> bool:
    """Tell whether a task an emergency stopped was offered back lately and has not been taken up or replaced."""
    if not tracker.get_slot("pending_task") or tracker.active_loop.get("name"):
        return False
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users > CARRY_ON_STANDS_FOR:
                return False
        elif event.get("event") == "bot" and str(event.get("text") or "").startswith(CARRY_ON_START):
            return True
        elif event.get("event") == "slot" and event.get("name") == "pending_task":
            return False  # another task started since
    return False


NAMES_A_REQUEST = re.compile(r"\b(?:request|report|complaint I made|ticket|sr[\s-]?\d{6})\b", re.IGNORECASE)


class ActionStopWithNothingToStop(Action):
    """Answer "stop" or "cancel" when no question is waiting.

    Straight after a problem was reported, or its progress told to its reporter, "cancel it please" means that
    request: "No problem. What else can I help you with?" left a resident thinking their report was cancelled
    while it stayed open (a probe). The cancelling asks "Shall I go ahead?" before anything is done.
    """

    def name(self) -> str:
        return "action_stop_with_nothing_to_stop"

    def __init__(self, backoffice: BackOffice | None = None) -> None:
        self._backoffice = backoffice

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (logged_out := await logged_out_events(dispatcher, tracker)) is not None:
            # "forget my details" read as stop got "No problem", and the record was shown again (a probe).
            return logged_out
        reference = request_in_last_reply(tracker)
        if reference is None and last_bot_text(tracker).startswith(CANCELLING_STOPPED):
            # "actually no, I do want to cancel it" just after stopping the cancelling got "No problem" (a probe).
            reference = tracker.get_slot("request_reference")
        text = str(tracker.latest_message.get("text") or "")
        if (undone := await self._undo_just_done(dispatcher, tracker, text)) is not None:
            return undone
        if last_bot_text(tracker).startswith(FOR_SOMEONE_ELSE_START):
            # "can you just cancel it" after the refusal got "No problem. What else can I help you with?", which
            # read as done (a probe).
            dispatcher.utter_message(text=STILL_FOR_SOMEONE_ELSE)
            return []
        if reference and CANCEL_WORD.search(text):
            return [
                *start_task_events(tracker, task="cancel_service_request"),
                SlotSet("request_reference", reference),
                FollowupAction("task_form"),
            ]
        said = last_bot_text(tracker)
        if CANCEL_WORD.search(text) and (quoted := find_request_reference(said)):
            # "can u cancel it" after the progress of SR-246414 was told to anyone got "No problem" (a probe): that
            # request is the one; the cancelling checks who reported it.
            return [
                *start_task_events(tracker, task="cancel_service_request"),
                SlotSet("request_reference", quoted),
                FollowupAction("task_form"),
            ]
        if CANCEL_WORD.search(text) and said.startswith(electoral.CONFIRMED) and electoral.VOTE_HELD.search(said):
            # "can i cancel it" after the postal vote's status got "No problem" (a probe): that vote is the one.
            return [*start_task_events(tracker, task="cancel_absent_vote"), FollowupAction("task_form")]
        if CANCEL_WORD.search(text) and NAMES_A_REQUEST.search(text):
            # "I want to cancel a request" with nothing before it got "No problem. What else can I help you with?",
            # read as done (a probe): the cancelling starts, asking which request.
            return [*start_task_events(tracker, task="cancel_service_request"), FollowupAction("task_form")]
        dispatcher.utter_message(response="utter_no_problem")
        return []

    async def _undo_just_done(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
    ) -> list[EventType] | None:
        """Undo, or say plainly what happens to, the request just recorded when the next words take it back.

        "no wait, dont" straight after "Done: your request to cancel your postal vote is recorded" got "No problem.
        What else can I help you with?", and the cancellation stood (a probe). A postal or proxy request is withdrawn
        (nothing has changed yet, and it can be asked for again); a report is offered for cancelling; anything else
        is said to stand, with an officer who can stop it.
        """
        reference = taken_back(tracker)
        if reference is None:
            return None
        if reference.startswith("AV-"):
            backoffice = self._backoffice or BackOffice.from_settings()
            try:
                result = await backoffice.withdraw_absent_vote_request(
                    conversation_id=str(tracker.sender_id), reference=reference
                )
            except BackOfficeError:
                # "wait no" got "No problem" when the back office failed, and the request stood.
                apologise_for_failure(dispatcher)
                return [
                    SlotSet(SLOT_OFFICER_OFFERED, True),
                    SlotSet(SLOT_HANDOFF_REASON, "fallback"),
                    FollowupAction("action_listen"),
                ]
            dispatcher.utter_message(text=electoral.absent_vote_withdrawn(result))
            return [FollowupAction("action_listen")]
        if reference.startswith("EC-") and electoral.OPTED_IN in last_bot_text(tracker):
            # "undo the open register thing, I want to stay on it" just after going back on was offered to have an
            # officer stop the very change that keeps them on (a probe).
            dispatcher.utter_message(text=STILL_ON_THE_OPEN_REGISTER.format(reference=reference))
            return [FollowupAction("action_listen")]
        if reference.startswith("EC-") and electoral.OPTED_OUT in last_bot_text(tracker):
            # "cancel that" just after the open register opt-out got "No problem" and the opt-out stood (a probe): the
            # resident, whose identity this chat checked, is put back on it at once.
            backoffice = self._backoffice or BackOffice.from_settings()
            try:
                dispatcher.utter_message(text=await electoral.back_on_the_open_register(backoffice, tracker))
            except BackOfficeError:
                apologise_for_failure(dispatcher)
                return [SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "fallback")]
            return [FollowupAction("action_listen")]
        if reference.startswith("SR-"):
            return [
                *start_task_events(tracker, task="cancel_service_request"),
                SlotSet("request_reference", reference),
                FollowupAction("task_form"),
            ]
        dispatcher.utter_message(text=ALREADY_RECORDED.format(reference=reference), buttons=OFFER_BUTTONS)
        # Listening next: this action may follow "that didn't help" or a task's start, which no rule ends.
        return [
            SlotSet(SLOT_OFFICER_OFFERED, True),
            SlotSet(SLOT_HANDOFF_REASON, "resident_asked"),
            FollowupAction("action_listen"),
        ]


# Wanting to be on the open register, not off it: "I want to stay on the open register", "put me back on it".
BACK_ON_THE_OPEN_REGISTER = re.compile(
    r"\b(?:stay|remain|keep me|be put back|put me back|go back|get back|back) on\b|\b(?:opt|sign) (?:back )?in\b|"
    r"\brejoin\b",
    re.IGNORECASE,
)
STILL_ON_THE_OPEN_REGISTER = (
    "You're on the open register now (reference {reference}), so there's nothing more to do. If you'd rather be left "
    'out of it after all, just say "take me off the open register".'
)
NAME_CHANGE_NOT_CANCELLED_HERE = (
    "I can't withdraw a change of name request in this chat, and I haven't made a new one. An officer can withdraw "
    f"it: would you like me to ask one? Or you can call electoral services on {electoral.ELECTORAL_PHONE}."
)
BACK_ON_OPEN_REGISTER_REPLY = (
    "You're on the open register unless you've asked to be left out of it, and nothing changes if you do nothing. If "
    "you asked to leave it and want to go back on, an officer can do that: would you like me to ask one? Or you can "
    f"call electoral services on {electoral.ELECTORAL_PHONE}."
)
ALREADY_RECORDED = (
    "That's already recorded (reference {reference}), so I can't undo it here. An officer checks it before "
    "anything changes. Would you like me to ask an officer to stop it? Or you can call electoral services on "
    f"{electoral.ELECTORAL_PHONE}."
)
