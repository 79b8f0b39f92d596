"""Start a task (reset the form, remember what it is for) and complete it once the form has its details."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import bins, electoral, payments, service_requests
from bot.actions.common import apologise_for_failure, council_phone
from bot.actions.knowledge import decision_instead, say_decision
from bot.actions.task_form import start_task_events
from bot.backoffice import BackOffice, BackOfficeError, NoEmailOnFile, NotFound, NotVerified, within_deadline
from bot.names import (
    ACCOUNT_TASKS,
    FAILED,
    FAILED_AT_THE_END,
    FORM_SLOTS,
    SLOT_HANDOFF_REASON,
    SLOT_OFFICER_OFFERED,
    UNKNOWN,
)
from bot.routing import task_of_article


@dataclass(frozen=True)
class Reply:
    """A task's answer when it is more than text: buttons, and slots to set."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    events: list[EventType] = field(default_factory=list)


TaskHandler = Callable[[BackOffice, Tracker], Awaitable[str | Reply]]


class ActionStartTask(Action):
    """Remember which task the resident asked for and clear what an earlier task left behind.

    A message that names another service with its own article ("register my baby's birth") gets that
    article instead, and the task form never starts: the rule's next step is replaced by listening. When
    that article belongs to a task of its own ("what day is recycling picked up" read as a problem report
    names bin days), that task starts instead: the article would only tell the resident to ask for it.
    """

    def name(self) -> str:
        return "action_start_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
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
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        outcome = tracker.get_slot("verification_outcome")
        done: list[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("pending_task", None)]
        if outcome == "not_verified":
            dispatcher.utter_message(text=payments.NOT_VERIFIED if task in ACCOUNT_TASKS else electoral.NOT_VERIFIED,
                                     buttons=[{"title": "Try again", "payload": f"/{task}"},
                                              {"title": "Talk to a person", "payload": "/request_officer"}])
            return done
        if outcome == "locked":
            # A council tax check that locks points to the council tax line, not to electoral services.
            dispatcher.utter_message(text=payments.LOCKED if task in ACCOUNT_TASKS else electoral.LOCKED,
                                     buttons=[{"title": "Yes, talk to a person", "payload": "/request_officer"},
                                              {"title": "No, thanks", "payload": "/deny"}])
            return [*done, SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "locked_out")]
        if tracker.get_slot("task_confirmed") is False and outcome in FAILED:
            dispatcher.utter_message(text=f"OK, I'll leave it there. If you'd like to try later, just ask me again, "
                                          f"or call us on {council_phone()}.")
            return done
        if tracker.get_slot("task_confirmed") is False:
            dispatcher.utter_message(text="OK, I haven't recorded anything. What else can I help with?")
            return done
        if outcome in FAILED or task not in HANDLERS:
            apologise_for_failure(dispatcher)
            return done
        backoffice = self._backoffice or BackOffice.from_settings()
        try:
            reply = await HANDLERS[task](backoffice, tracker)
            if isinstance(reply, Reply):
                dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
                return [*done, *reply.events]
            dispatcher.utter_message(text=reply)
        except NotVerified:
            # The verified identity expired (it lasts as long as the conversation session): check again.
            dispatcher.utter_message(text="To keep your details safe, your check has run out. I need to ask for "
                                          "your details again.")
            verified_slot = "account_verified" if task in ACCOUNT_TASKS else "identity_verified"
            return [*done, SlotSet("pending_task", task), SlotSet(verified_slot, False), FollowupAction("task_form")]
        except NotFound:
            dispatcher.utter_message(text="Sorry, I couldn't find that address in our records. "
                                          + electoral.no_details_call())
        except BackOfficeError:
            # Keep every answer and ask whether to try again (or hand over with them): nothing is lost.
            return [SlotSet("pending_task", task), SlotSet("verification_outcome", FAILED_AT_THE_END),
                    SlotSet("task_confirmed", None), FollowupAction("task_form")]
        return done


def request_key(tracker: Tracker, request: dict[str, Any]) -> str:
    """Return the idempotency key of a request: the same chat asking for the same thing sends the same key.

    A key minted when a task started made a second application each time a resident asked again. One
    derived from the conversation, the task and what is asked is the same on a retry, a double click or a
    second ask, so the back office returns the request it already holds (and the resident is told so).
    """
    content = json.dumps([tracker.sender_id, tracker.get_slot("pending_task"), request], sort_keys=True, default=str)
    return "chat-" + hashlib.sha256(content.encode()).hexdigest()[:40]


def _conversation(tracker: Tracker) -> str:
    return str(tracker.sender_id)


def _uprn(tracker: Tracker) -> int | None:
    value = tracker.get_slot("address_uprn")
    return int(value) if value else None


async def _check_registration(backoffice: BackOffice, tracker: Tracker) -> str:
    return electoral.registration_status(await backoffice.my_electoral_record(conversation_id=_conversation(tracker)))


async def _absent_vote_status(backoffice: BackOffice, tracker: Tracker) -> str:
    return electoral.absent_vote_status(await backoffice.my_electoral_record(conversation_id=_conversation(tracker)))


async def _polling_station(backoffice: BackOffice, tracker: Tracker) -> str:
    return electoral.polling_station(await backoffice.polling_station(uprn=_uprn(tracker) or 0))


async def _ask_bin_day(backoffice: BackOffice, tracker: Tracker) -> str:
    return bins.next_collections(await backoffice.bin_collections(uprn=_uprn(tracker) or 0))


async def _next_election(backoffice: BackOffice, tracker: Tracker) -> str:
    uprn = _uprn(tracker)
    return electoral.upcoming_elections(await backoffice.upcoming_elections(uprn=uprn), for_address=uprn is not None)


async def _election_deadlines(backoffice: BackOffice, tracker: Tracker) -> str:
    elections = await backoffice.upcoming_elections(uprn=_uprn(tracker))
    return electoral.deadlines(elections, kind=tracker.get_slot("deadline_kind"))


async def _absent_vote_request(backoffice: BackOffice, tracker: Tracker, *, kind: str, action: str) -> str:
    request: dict[str, Any] = {
        "kind": kind, "action": action, "duration": tracker.get_slot("vote_duration") or "next_poll",
        "poll_date": None, "proxy_name": tracker.get_slot("proxy_name"),
        "proxy_relationship": tracker.get_slot("proxy_relationship"), "reason": tracker.get_slot("proxy_reason"),
        "delivery": "home" if kind == "postal" else None,
    }
    return electoral.absent_vote_recorded(await backoffice.request_absent_vote(
        conversation_id=_conversation(tracker), idempotency_key=request_key(tracker, request), **request))


async def _existing_absent_vote_kind(backoffice: BackOffice, tracker: Tracker) -> str | None:
    record = await backoffice.my_electoral_record(conversation_id=_conversation(tracker))
    votes = record.get("absent_votes") or []
    return str(votes[0]["kind"]) if votes else None


async def _cancel_absent_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    kind = await _existing_absent_vote_kind(backoffice, tracker)
    if kind is None:
        return "You don't have a postal or proxy vote with us, so there's nothing to cancel. You can vote in person."
    return await _absent_vote_request(backoffice, tracker, kind=kind, action="cancel")


async def _renew_absent_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    record = await backoffice.my_electoral_record(conversation_id=_conversation(tracker))
    votes = record.get("absent_votes") or []
    if not votes:
        return ("You don't have a postal or proxy vote with us at the moment, so there's nothing to renew. "
                "Would you like to apply for one? Just say \"postal vote\" or \"proxy vote\".")
    vote = votes[0]
    status = electoral.absent_vote_line(vote)
    result = await _absent_vote_request(backoffice, tracker, kind=vote["kind"], action="renew")
    return f"{status} {result}"


async def _change(backoffice: BackOffice, tracker: Tracker, *, kind: str, details: dict[str, Any]) -> str:
    key = request_key(tracker, {"kind": kind, "details": details})
    result = await backoffice.request_electoral_change(conversation_id=_conversation(tracker), idempotency_key=key,
                                                       kind=kind, details=details)
    return electoral.change_recorded(result)


async def _changed_name(backoffice: BackOffice, tracker: Tracker) -> str:
    return await _change(backoffice, tracker, kind="name_change", details={"new_name": tracker.get_slot("new_name")})


async def _open_register_opt_out(backoffice: BackOffice, tracker: Tracker) -> str:
    return await _change(backoffice, tracker, kind="open_register_opt_out", details={})


async def _report_death_or_left(backoffice: BackOffice, tracker: Tracker) -> str:
    """Report that someone at an address died or moved out: the back office takes the name and the address."""
    postcode, uprn = tracker.get_slot("postcode"), _uprn(tracker)
    addresses = await backoffice.find_addresses(postcode=postcode) if postcode else []
    line = next((a.address for a in addresses if a.uprn == uprn), None)
    address = f"{line}, {postcode}" if line else postcode
    details = {"person_name": tracker.get_slot("reported_name"), "address": address}
    return await _change(backoffice, tracker, kind=tracker.get_slot("report_kind") or "left_address", details=details)


async def _payment_received(backoffice: BackOffice, tracker: Tracker) -> str:
    reference = tracker.get_slot("payment_reference")
    conversation_id = _conversation(tracker)
    if reference and reference != UNKNOWN:
        try:
            return payments.payment_found(await backoffice.my_payment(conversation_id=conversation_id,
                                                                      payment_reference=reference))
        except NotFound:
            account = await backoffice.my_account(conversation_id=conversation_id)
            return payments.payment_not_found(reference, account)
    return payments.recent_payments(await backoffice.my_account(conversation_id=conversation_id))


async def _council_tax_balance(backoffice: BackOffice, tracker: Tracker) -> str:
    return payments.balance(await backoffice.my_account(conversation_id=_conversation(tracker)))


async def _recovery_notice(backoffice: BackOffice, tracker: Tracker) -> str:
    return payments.recovery(await backoffice.my_account(conversation_id=_conversation(tracker)))


async def _receipt_request(backoffice: BackOffice, tracker: Tracker) -> str:
    reference = tracker.get_slot("payment_reference")
    has_payment = bool(reference) and reference != UNKNOWN
    request = {"kind": "receipt" if has_payment else "statement",
               "payment_reference": reference if has_payment else None}
    try:
        result = await backoffice.request_document(conversation_id=_conversation(tracker),
                                                   idempotency_key=request_key(tracker, request), **request)
    except NoEmailOnFile:
        return payments.NO_EMAIL_ON_FILE
    return payments.document_sent(result)


async def _report_problem(backoffice: BackOffice, tracker: Tracker) -> str:
    email = tracker.get_slot("contact_email")
    request = {"category": tracker.get_slot("service_category") or "other", "uprn": _uprn(tracker),
               "location_text": tracker.get_slot("problem_location"),
               "description": tracker.get_slot("problem_description"),
               "contact_email": None if email in (None, "none") else email}
    result = await backoffice.lodge_service_request(conversation_id=_conversation(tracker),
                                                    idempotency_key=request_key(tracker, request), **request)
    return service_requests.lodged(result)


async def _request_progress(backoffice: BackOffice, tracker: Tracker) -> str | Reply:
    reference = str(tracker.get_slot("request_reference"))
    try:
        result = await backoffice.service_request_progress(reference=reference)
    except NotFound:
        return service_requests.not_found(reference)
    if result.get("overdue"):
        return Reply(text=service_requests.progress(result),
                     buttons=[{"title": "Yes, ask an officer", "payload": "/request_officer"},
                              {"title": "No, thanks", "payload": "/deny"}],
                     events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "overdue_request")])
    return service_requests.progress(result)


HANDLERS: dict[str, TaskHandler] = {
    "check_registration": _check_registration,
    "absent_vote_status": _absent_vote_status,
    "polling_station": _polling_station,
    "ask_bin_day": _ask_bin_day,
    "next_election": _next_election,
    "election_deadlines": _election_deadlines,
    "request_postal_vote": lambda b, t: _absent_vote_request(b, t, kind="postal", action="new"),
    "request_proxy_vote": lambda b, t: _absent_vote_request(b, t, kind="proxy", action="new"),
    "cancel_absent_vote": _cancel_absent_vote,
    "renew_absent_vote": _renew_absent_vote,
    "changed_name": _changed_name,
    "open_register_opt_out": _open_register_opt_out,
    "report_death_or_left": _report_death_or_left,
    "payment_received": _payment_received,
    "council_tax_balance": _council_tax_balance,
    "recovery_notice": _recovery_notice,
    "receipt_request": _receipt_request,
    "report_problem": _report_problem,
    "request_progress": _request_progress,
}
