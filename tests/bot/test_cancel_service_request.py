"""Cancelling a reported problem: what the form asks, how it reads the answers, and what the resident is told.

The back office is answered over httpx.MockTransport; what it decides (who may cancel) is tested in
tests/api/test_service_request_cancellation.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionRequestOfficer
from bot.actions.service_requests import CODE_MAYBE_SENT as CODE_SENT
from bot.actions.service_requests import progress
from bot.actions.task_form import ActionAskTaskConfirmed, ValidateTaskForm, required_slots_for, start_task_events
from bot.actions.tasks import ActionCompleteTask, ActionStartTask, ActionStopWithNothingToStop
from bot.backoffice import BackOffice
from bot.backoffice_models import ServiceRequestProgress, Update
from council import council_facts
from tests.support.backoffice_fake import backoffice, complete, slots_of
from tests.support.trackers import bot, make_tracker, user_event

ROUTE = ("POST", "/api/v1/service-requests/SR-245007/cancellation")
PROGRESS_ROUTE = ("POST", "/api/v1/service-requests/SR-245007/progress-checks")
CODE_ROUTE = ("POST", "/api/v1/service-requests/SR-245007/reporter-code")
TASK = {"pending_task": "cancel_service_request", "request_reference": "SR-245007"}


def result(outcome: str, **extra: Any) -> dict[str, Any]:
    return {
        "reference": "SR-245007",
        "category": "missed_bin",
        "category_label": "Missed bin collection",
        "status": "cancelled" if outcome != "already_closed" else "closed",
        "outcome": outcome,
        "responsible_team": "Waste and Recycling",
        "cancelled_at": "2026-11-24T10:15:00+00:00" if outcome != "already_closed" else None,
    } | extra


def test_the_form_asks_for_the_reference_the_email_given_and_a_reason_then_confirms() -> None:
    assert required_slots_for("cancel_service_request", {}) == [
        "request_reference",
        "reporter_email",
        "reporter_code",
        "cancel_reason",
        "task_confirmed",
    ]


@pytest.mark.parametrize(
    ("email", "asked"),
    [
        ("jo@example.com", ["reporter_code", "cancel_reason", "task_confirmed"]),  # a code went to the email given
        ("none", ["cancel_reason", "task_confirmed"]),  # the chat it was reported in
        ("not shown", []),  # a wrong email past the tries: the refusal at once
        ("code not sent", []),  # no code could be sent: the phone and an officer at once
    ],
)
def test_the_code_is_asked_only_once_one_was_emailed(email: str, asked: list[str]) -> None:
    filled = {"request_reference": "SR-245007", "reporter_email": email}
    assert required_slots_for("cancel_service_request", filled) == ["request_reference", "reporter_email", *asked]


def test_a_reference_in_the_opening_message_is_not_asked_for_again() -> None:
    tracker = make_tracker(user_event("I don't need it any more, cancel sr 245007", "cancel_service_request"))
    started = slots_of(start_task_events(tracker))
    assert started["pending_task"] == "cancel_service_request"
    assert started["request_reference"] == "SR-245007"


@pytest.mark.parametrize(
    "text",
    [
        "cancel SR-245007 my email is jo.bloggs@example.com",
        "pls cancel sr245007, i reported it with jo.bloggs@example.com",
    ],
)
def test_an_email_in_the_opening_message_is_checked_not_asked_for_again(text: str) -> None:
    # The second probe of session 10: "cancel SR-408517 my email is ..." was asked "What email address did you give
    # when you reported it?".
    opening = user_event(text, "cancel_service_request")
    set_at_start = start_task_events(make_tracker(opening))
    now = slots_of(set_at_start)
    assert now["reporter_email"] == "jo.bloggs@example.com"
    prefilled = [{"event": "slot", "name": s, "value": now[s]} for s in ("request_reference", "reporter_email")]
    # As Rasa starts the form: the filled slots after the form's action (slots_to_validate reads back to an action).
    action = {"event": "action", "name": "task_form"}
    tracker = make_tracker(opening, *set_at_start, action, *prefilled, slots=now | {"requested_slot": None})
    dispatcher = CollectingDispatcher()
    shown = {"reference": "SR-245007", "category_label": "Missed bin collection", "status": "open", "reporter": False}
    routes = {
        PROGRESS_ROUTE: httpx.Response(200, json=shown),
        CODE_ROUTE: httpx.Response(200, json={"outcome": "sent", "minutes": 15}),
    }
    calls: list[httpx.Request] = []
    events = asyncio.run(ValidateTaskForm(backoffice(routes, calls)).run(dispatcher, tracker, DOMAIN))
    assert slots_of(events).get("reporter_email", now["reporter_email"]) == "jo.bloggs@example.com"
    assert [m["text"] for m in dispatcher.messages] == [CODE_SENT]  # the code went to it; the next question is the code
    assert any(c.url.path.endswith("/reporter-code") for c in calls)


# The intents the domain's from_text mappings of these slots leave out (domain/service_requests.yml).
NOT_MAPPED = {"request_officer", "emergency", "card_payment_attempt", "stop", "opening_hours", "contact_details"}
DOMAIN = {
    "forms": {
        "task_form": {"required_slots": ["request_reference", "reporter_email", "reporter_code", "cancel_reason"]}
    }
}


def validate(slot: str, text: str, *, intent: str = "inform", confidence: float = 0.9) -> tuple[dict, list[str]]:
    """Run the task form on ``text`` answering ``slot`` as Rasa would; return the slots it set and what it said.

    Rasa's from_text mapping fills the slot first unless the intent is one it leaves out; the form then
    reads the message itself (an answer is an answer whatever the intent) and checks the value.
    """
    event = user_event(text, intent)
    event["parse_data"]["intent"]["confidence"] = confidence
    mapped = [] if intent in NOT_MAPPED else [{"event": "slot", "name": slot, "value": text}]
    tracker = make_tracker(event, *mapped, slots={**TASK, "requested_slot": slot} | {slot: None})
    tracker.slots.update(slots_of(mapped))
    dispatcher = CollectingDispatcher()
    # The back office finds any email given here the report's (whether it is is checked below, checked_email), and
    # the chat not the one it was reported in.
    shown = {"reference": "SR-245007", "category_label": "Missed bin collection", "status": "open", "reporter": False}
    routes = {
        PROGRESS_ROUTE: httpx.Response(200, json=shown),
        CODE_ROUTE: httpx.Response(200, json={"outcome": "sent", "minutes": 15}),
    }
    events = asyncio.run(ValidateTaskForm(backoffice(routes, [])).run(dispatcher, tracker, DOMAIN))
    checked = {slot: value for slot, value in slots_of(events).items() if slot in ("reporter_email", "cancel_reason")}
    return checked, [m["text"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("jo.bloggs@example.com", "jo.bloggs@example.com"),
        ("it was jo.bloggs@example.com thanks", "jo.bloggs@example.com"),
        # No email, and not the chat it was reported in: nothing shows the reporter (the refusal comes at once).
        ("I didn't give one", "not shown"),
        ("i never gave an email", "not shown"),
        ("don't have one", "not shown"),
    ],
)
def test_the_email_given_with_the_report_or_none_is_read(text: str, kept: str) -> None:
    checked, said = validate("reporter_email", text)
    assert checked == {"reporter_email": kept}
    assert said == ([CODE_SENT] if "@" in kept else [])


@pytest.mark.parametrize("intent", ["request_officer", "emergency"])
def test_a_bare_email_read_as_a_request_for_a_person_is_still_the_answer(intent: str) -> None:
    # "someone@example.com" was read as request_officer: the stranger was queued for an officer, not refused.
    checked, said = validate("reporter_email", "someone@example.com", intent=intent, confidence=0.93)
    assert checked == {"reporter_email": "someone@example.com"}
    assert said == [CODE_SENT]


def test_asking_for_someone_with_an_email_in_it_still_asks_for_a_person() -> None:
    text = "can I speak to someone, it's someone@example.com"
    checked, _ = validate("reporter_email", text, intent="request_officer")
    assert "reporter_email" not in checked


def test_an_email_the_classifier_read_as_contact_details_is_still_the_answer() -> None:
    checked, _ = validate("reporter_email", "jo.bloggs@example.com", intent="contact_details", confidence=0.97)
    assert checked == {"reporter_email": "jo.bloggs@example.com"}


def test_an_answer_that_is_not_an_email_is_explained_and_asked_again() -> None:
    checked, said = validate("reporter_email", "blue")
    assert checked == {"reporter_email": None}
    assert "the email address you gave when you reported it" in said[0]
    assert "If you didn't give one, just say so" in said[0]


def test_the_reason_is_kept_in_the_residents_words() -> None:
    checked, said = validate("cancel_reason", "  the bin was   collected after all ", intent="cancel_service_request")
    assert checked == {"cancel_reason": "the bin was collected after all"}
    assert said == []


def test_a_clear_request_for_another_task_is_not_taken_for_the_reason() -> None:
    event = user_event("how much council tax do I owe", "council_tax_balance")
    event["parse_data"]["intent"]["confidence"] = 0.95
    tracker = make_tracker(event, slots={**TASK, "requested_slot": "cancel_reason"})
    events = asyncio.run(ValidateTaskForm().get_validation_events(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "council_tax_balance"
    assert slots_of(events)["cancel_reason"] is None


def test_the_confirmation_repeats_only_what_the_resident_gave() -> None:
    """Nothing about the request (what, where) is said before the back office knows it is theirs."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        user_event("the bin came", "inform"),
        slots={**TASK, "reporter_email": "none", "cancel_reason": "the bin came"},
    )
    asyncio.run(ActionAskTaskConfirmed().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"] == "I'll cancel your request SR-245007. Shall I go ahead?"


def cancel(response: httpx.Response, **slots: Any) -> tuple[dict, list[httpx.Request], str]:
    filled = {
        **TASK,
        "reporter_email": "jo@example.com",
        "reporter_code": "123456",
        "cancel_reason": "collected after all",
    } | slots
    events, calls, said = complete({ROUTE: response}, CollectingDispatcher(), task_confirmed=True, **filled)
    return slots_of(events), calls, said


def test_a_cancelled_request_is_confirmed_and_the_answers_are_forgotten() -> None:
    slots, calls, said = cancel(httpx.Response(200, json=result("cancelled")))

    assert json.loads(calls[0].content) == {
        "conversation_id": "conversation-1",
        "reporter_code": "123456",
        "reason": "collected after all",
    }
    assert "I've cancelled your missed bin collection request SR-245007" in said
    assert "Waste and Recycling team won't deal with it now" in said
    assert slots["reporter_email"] is None and slots["cancel_reason"] is None and slots["pending_task"] is None
    assert slots["reporter_code"] is None


def test_the_chat_it_was_reported_in_sends_no_code_so_only_the_chat_can_prove_it() -> None:
    _, calls, _ = cancel(httpx.Response(200, json=result("cancelled")), reporter_email="none", reporter_code=None)
    assert json.loads(calls[0].content)["reporter_code"] is None


def test_no_code_sent_gets_an_apology_the_phone_and_an_officer_and_nothing_is_cancelled() -> None:
    slots, calls, said = cancel(httpx.Response(200, json=result("cancelled")), reporter_email="code not sent")
    assert calls == []
    assert "I can't send you a code by email just now" in said and council_facts().phone in said
    assert slots["officer_offered"] is True


def test_cancelling_twice_says_it_was_already_cancelled_and_when() -> None:
    _, _, said = cancel(httpx.Response(200, json=result("already_cancelled")))
    assert "SR-245007 was already cancelled on Tuesday 24 November 2026, so there's nothing more to do" in said


def test_a_closed_request_cannot_be_cancelled_and_the_resident_is_told_so() -> None:
    _, _, said = cancel(httpx.Response(200, json=result("already_closed")))
    assert "is already closed, so there's nothing to cancel" in said
    assert "cancelled your" not in said


def test_a_refusal_says_who_can_cancel_gives_the_phone_number_and_offers_an_officer() -> None:
    """Unknown reference and someone else's report get the same answer: nothing about the request is told."""
    slots, _, said = cancel(httpx.Response(404, json={"detail": "not found"}))

    assert said.startswith("I can't cancel SR-245007 with those details.")
    assert council_facts().phone in said
    assert slots["officer_offered"] is True and slots["handoff_reason"] == "cancel_refused"
    assert "missed bin" not in said.lower()


def test_a_failing_back_office_keeps_the_answers_and_offers_to_try_again() -> None:
    slots, _, said = cancel(httpx.Response(500))
    assert slots["verification_outcome"] == "submit_error"
    assert slots["pending_task"] == "cancel_service_request"
    assert "reporter_email" not in slots and "cancel_reason" not in slots  # kept: not cleared
    assert "cancelled" not in said


@pytest.mark.parametrize(
    "text",
    [
        "the bin was collected after all",  # names bin days
        "I don't need the pothole fixed any more, cancel SR-402266",  # names potholes
        "found my bin round the back, cancel the replacement bin request",  # names new bins
        "call off the crew for my missed bin, it's been collected",  # names missed bins
        "the fly tipping has gone, cancel sr 123456",  # names fly-tipping
    ],
)
def test_a_cancellation_naming_a_service_with_an_article_still_starts_the_task(text: str) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionStartTask().run(dispatcher, make_tracker(user_event(text, "cancel_service_request")), {})
    )
    assert dispatcher.messages == []
    assert slots_of(events)["pending_task"] == "cancel_service_request"


def test_cancelling_another_service_that_names_no_report_gets_its_article() -> None:
    """ "Cancel my garden waste" is the subscription's business, not a reported problem's."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(user_event("cancel my garden waste collection", "cancel_service_request"))
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert "pending_task" not in slots_of(events)
    assert "garden waste" in dispatcher.messages[0]["text"].lower()


def test_progress_of_a_cancelled_request_says_so_and_promises_no_date() -> None:
    said = progress(
        ServiceRequestProgress(
            reference="SR-245007",
            category_label="Pothole",
            status="cancelled",
            expected_by="2026-12-21",
            latest_update=Update(note="Cancelled at the request of the person who reported it.", at="2026-12-14T12:30"),
            reporter=True,
        )
    )
    assert said.startswith("Your pothole request SR-245007 is cancelled.")
    assert "We expect to deal with it" not in said


@pytest.mark.parametrize(
    ("text", "agreed"),
    [("yes cancel it", True), ("yep, cancel it please", True), ("cancel", False), ("no, don't cancel it", False)],
)
def test_confirming_a_cancellation_with_the_word_cancel_is_read_as_meant(text: str, agreed: bool) -> None:
    """At "I'll cancel your request ... Shall I go ahead?", "yes cancel it" is a yes, whatever the classifier says."""
    event = user_event(text, "cancel_service_request")
    tracker = make_tracker(
        event,
        slots={**TASK, "reporter_email": "none", "cancel_reason": "fixed", "requested_slot": "task_confirmed"},
    )
    events = asyncio.run(ValidateTaskForm().get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert slots_of(events) == {"task_confirmed": agreed}


def test_taking_the_officer_offer_after_a_refusal_tells_the_officer_why_and_which_reference() -> None:
    """The officer learns the reference and that the cancellation was refused, never the email tried."""
    refused, _, _ = cancel(httpx.Response(404, json={"detail": "not found"}))
    after = {**TASK, "reporter_email": "jo@example.com", "cancel_reason": "fixed"} | refused
    sent: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        ticket = {"reference": "HO-000042", "status": "waiting", "in_office_hours": True, "queue_position": 1}
        return httpx.Response(201, json=ticket | {"expected_wait_minutes": 5, "officer_hours": "9-5", "reply_by": None})

    tracker = make_tracker(
        user_event("cancel SR-245007", "cancel_service_request"),
        user_event("/request_officer", "request_officer"),
        slots=after,
    )
    client = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(handler))
    asyncio.run(ActionRequestOfficer(client).run(CollectingDispatcher(), tracker, {}))

    [packet] = sent
    assert (packet["reason"], packet["topic"], packet["wanted"]) == (
        "cancel_refused",
        "service_requests",
        "Cancel service request",
    )
    assert packet["collected"] == {"request_reference": "SR-245007"}
    assert "jo@example.com" not in json.dumps(packet)


LODGED = "Thank you, I've reported it: your reference is SR-246414. We collect missed bins within 2 working days."


def stop_with_nothing_to_stop(*events: dict) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ActionStopWithNothingToStop().run(dispatcher, make_tracker(*events), {}))
    return dispatcher.messages, returned


STATUS_TO_ANYONE = (
    "Request SR-246414 for missed bin collection is open. We expected to deal with it by Friday 20 November 2026, so "
    "it is late. If you reported it, tell me the email address you gave us with the report (like name@example.com)"
)
VOTE_STATUS = "Thank you, that's confirmed. You have a postal vote for all elections until 1 March 2029."


@pytest.mark.parametrize(
    ("shown", "task", "reference"),
    [(STATUS_TO_ANYONE, "cancel_service_request", "SR-246414"), (VOTE_STATUS, "cancel_absent_vote", None)],
)
def test_cancel_it_after_a_status_answer_cancels_what_it_was_about(
    shown: str, task: str, reference: str | None
) -> None:
    # The probe of session 11: "any news on SR-246414", then "can u cancel it", and "has my postal vote been sorted",
    # then "can i cancel it", each got "No problem. What else can I help you with?", read as done.
    for text in ("can u cancel it", "can i cancel it", "cancel it pls"):
        said, events = stop_with_nothing_to_stop(bot(shown), user_event(text, "stop"))
        started = slots_of(events)
        assert said == [] and started["pending_task"] == task, text
        assert started.get("request_reference") == reference
        assert any(e.get("event") == "followup" and e.get("name") == "task_form" for e in events)


def test_cancel_it_just_after_reporting_cancels_that_report_not_nothing() -> None:
    """Seen (a probe): "cancel it please" just after the report got "No problem. What else can I help you with?"
    and the report stayed open."""
    for text in ("cancel it please", "can you cancel it", "I want to cancel it", "cancle that"):
        said, events = stop_with_nothing_to_stop(bot(LODGED), user_event(text, "stop"))

        started = slots_of(events)
        assert said == [], text
        assert (started["pending_task"], started["request_reference"]) == ("cancel_service_request", "SR-246414")
        assert events[-1] == FollowupAction("task_form")


def test_cancel_it_after_the_reporter_heard_its_progress_cancels_that_one() -> None:
    progress = bot("Your missed bin collection request SR-246414 is open. We expect to deal with it by Friday.")
    _, events = stop_with_nothing_to_stop(progress, user_event("cancel it, it was collected", "stop"))

    assert slots_of(events)["request_reference"] == "SR-246414"


def test_stop_or_cancel_with_no_report_in_the_reply_before_is_no_problem() -> None:
    for earlier, text in (
        (bot("Hello, I'm the Ashdown Vale council assistant."), "cancel"),
        (bot(LODGED), "stop"),
        # "cancel it" after a request's progress told to anyone starts its cancelling now, which checks who reported
        # it (test_cancel_it_after_a_status_answer_cancels_what_it_was_about): "No problem" read as done.
    ):
        said, events = stop_with_nothing_to_stop(earlier, user_event(text, "stop"))

        assert [m["response"] for m in said] == ["utter_no_problem"] and events == [], text


def test_after_three_refusals_in_a_chat_the_back_office_is_not_asked_again() -> None:
    """Seen (a probe): six wrong emails, each refused, then the right one cancelled the request."""
    from tests.support.backoffice_fake import backoffice

    refused = "I can't cancel SR-245007 with those details. Only the person who reported a problem can cancel it."
    calls: list[httpx.Request] = []
    tracker = make_tracker(
        *[bot(refused) for _ in range(3)],
        user_event("yes", "affirm"),
        slots={**TASK, "reporter_email": "jo@example.com", "cancel_reason": "collected", "task_confirmed": True},
    )
    dispatcher = CollectingDispatcher()
    routes = {ROUTE: httpx.Response(200, json=result("cancelled"))}

    asyncio.run(ActionCompleteTask(backoffice(routes, calls)).run(dispatcher, tracker, {}))

    assert calls == []
    assert dispatcher.messages[0]["text"].startswith("I can't cancel SR-245007 with those details.")


def test_cancelling_a_report_made_in_this_chat_asks_no_email() -> None:
    """Seen in the web chat: "cancel it please" after reporting asked "What email address did you give?"; the chat
    it was reported in shows the reporter."""
    opening = user_event("cancel SR-246414 please", "cancel_service_request")

    here = slots_of(start_task_events(make_tracker(bot(LODGED), opening)))
    elsewhere = slots_of(start_task_events(make_tracker(opening)))

    assert here["reporter_email"] == "none" and here["request_reference"] == "SR-246414"
    assert elsewhere.get("reporter_email") is None


def answered(
    slot: str, text: str, *, reporter: bool, outcome: str, slots: dict[str, Any], earlier: tuple = ()
) -> tuple[dict, list[str], list]:
    """Answer ``slot`` with ``text`` as Rasa maps it; the back office says whether the chat shows the reporter
    (``reporter``) and what became of a code asked for (``outcome``). Returns the slots set, what was said, the calls.
    """
    shown = {"reference": "SR-245007", "category_label": "Missed bin collection", "status": "open"}
    routes = {
        PROGRESS_ROUTE: httpx.Response(200, json=shown | {"reporter": reporter}),
        CODE_ROUTE: httpx.Response(200, json={"outcome": outcome, "minutes": 15}),
    }
    calls: list = []
    mapped = [{"event": "slot", "name": slot, "value": text}]
    tracker = make_tracker(*earlier, user_event(text, "inform"), *mapped, slots={**slots, "requested_slot": slot})
    tracker.slots.update(slots_of(mapped))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(backoffice(routes, calls)).run(dispatcher, tracker, DOMAIN))
    return slots_of(events), [m["text"] for m in dispatcher.messages], calls


def checked_email(
    text: str, *, outcome: str = "sent", here: bool = False, earlier: tuple = ()
) -> tuple[dict, list[str], list]:
    """Answer the reporter email question: ``outcome`` is the back office's word on the code, ``here`` whether this
    chat reported it."""
    return answered("reporter_email", text, reporter=here, outcome=outcome, slots=TASK, earlier=earlier)


@pytest.mark.parametrize("outcome", ["not_matched", "too_many"])
def test_an_email_that_is_not_the_reports_gets_the_same_answer_as_the_right_one(outcome: str) -> None:
    # A probe: "That isn't the email address given with the report" told anyone which address had reported a request,
    # and a reporter held back by others' guesses was told their own address was wrong. Only the inbox tells.
    slots, said, calls = checked_email("janice@gmail.com", outcome=outcome)
    right, said_to_the_reporter, _ = checked_email("janice@gmail.com", outcome="sent")
    assert said == said_to_the_reporter == [CODE_SENT]
    assert slots["requested_slot"] == right["requested_slot"] == "reporter_code"
    assert json.loads(calls[-1].content)["reporter_email"] == "janice@gmail.com"


def test_the_reporters_email_is_sent_a_code_which_is_asked_for_before_the_reason() -> None:
    """An attacker guessed a demo reporter's email (firstname.lastname@...) and cancelled the request with it alone."""
    slots, said, calls = checked_email("janice.dunn@example.co.uk")
    assert slots["reporter_email"] == "janice.dunn@example.co.uk" and slots["requested_slot"] == "reporter_code"
    assert [c.url.path for c in calls][-1] == "/api/v1/service-requests/SR-245007/reporter-code"
    assert said == [CODE_SENT] and "I've emailed a 6-digit code to it" in CODE_SENT


def test_no_code_sent_stops_at_once() -> None:
    slots, _, _ = checked_email("janice.dunn@example.co.uk", outcome="mail_failed")
    assert slots["reporter_email"] == "code not sent" and slots["requested_slot"] is None


def test_an_email_given_in_the_chat_it_was_reported_in_needs_no_code() -> None:
    slots, _, calls = checked_email("janice.dunn@example.co.uk", here=True)
    assert slots["reporter_email"] == "none" and slots["requested_slot"] == "cancel_reason"
    assert all(c.url.path.endswith("/progress-checks") for c in calls)


def checked_code(
    text: str, *, right: bool = True, earlier: tuple = (), resend: str = "sent"
) -> tuple[dict, list[str], list]:
    """Answer the code question; the back office takes the code when ``right``."""
    slots = {**TASK, "reporter_email": "jo@example.com"}
    return answered("reporter_code", text, reporter=right, outcome=resend, slots=slots, earlier=earlier)


@pytest.mark.parametrize("text", ["123456", "it's 123 456", "the code is 123-456 thanks", "123456."])
def test_the_code_typed_back_goes_on_to_the_reason(text: str) -> None:
    slots, said, calls = checked_code(text)
    assert slots["reporter_code"] == "123456" and slots["requested_slot"] == "cancel_reason" and not said
    assert json.loads(calls[0].content)["reporter_code"] == "123456"


def test_a_wrong_code_is_said_and_asked_again_and_the_third_stops_it() -> None:
    slots, said, _ = checked_code("654321", right=False)
    assert slots["reporter_code"] is None and slots["requested_slot"] == "reporter_code"
    # "or it has run out": a code typed after 15 minutes was told it was wrong (a probe).
    assert said[0].startswith("That code doesn't match the one we emailed for SR-245007, or it has run out")

    earlier = tuple(bot("That code doesn't match the one we emailed for SR-245007. Please check") for _ in range(2))
    slots, _, _ = checked_code("654322", right=False, earlier=earlier)
    assert slots["reporter_code"] == "not shown" and slots["requested_slot"] is None


@pytest.mark.parametrize("text", ["I haven't got it", "nothing has come", "can you send it again", "not received"])
def test_a_code_that_has_not_come_is_sent_again_once(text: str) -> None:
    slots, said, calls = checked_code(text)
    assert slots["reporter_code"] is None and slots["requested_slot"] == "reporter_code"
    assert said[0].startswith("If that's the email address given with the report, I've emailed a new code to it.")
    assert json.loads(calls[0].content) == {"conversation_id": "conversation-1", "reporter_email": "jo@example.com"}

    _, again, calls = checked_code(text, earlier=(bot(said[0]),))
    assert again[0].startswith("I've already sent a new code.") and calls == []


def test_a_code_that_cannot_be_sent_again_leaves_the_first_one_working() -> None:
    # A probe: "send it again" with the mail server failing got "I can't send you a code ... so I can't cancel it
    # here", and the code that had come, typed next, got "I'm not sure what you'd like me to do".
    slots, said, _ = checked_code("send it again", resend="mail_failed")
    assert slots["reporter_code"] is None and slots["requested_slot"] == "reporter_code"
    assert said[0].startswith("I can't send another code just now. A code already sent still works")


def test_an_email_typed_again_at_the_code_question_is_sent_a_code() -> None:
    # A probe retyped the email at the code question and got "What would you like me to do with that?".
    slots, said, calls = checked_code("sorry it's jo.bloggs@example.com")
    assert (slots["reporter_email"], slots["reporter_code"]) == ("jo.bloggs@example.com", None)
    assert said == [CODE_SENT] and json.loads(calls[-1].content)["reporter_email"] == "jo.bloggs@example.com"


@pytest.mark.parametrize("text", ["I didn't give an email", "I can't get into that email account any more"])
def test_no_way_to_the_code_ends_with_the_way_on(text: str) -> None:
    slots, _, calls = checked_code(text)
    assert slots["reporter_code"] == "not shown" and slots["requested_slot"] is None and calls == []


def test_the_email_never_came_is_sent_again() -> None:
    # A probe: "the email never came" at the code question got the council's contact details.
    _, said, _ = checked_code("the email never came")
    assert said[0].startswith("If that's the email address given with the report, I've emailed a new code to it.")


def test_a_request_already_cancelled_or_closed_is_said_at_once_with_no_code() -> None:
    # A probe was sent a code, asked why and "Shall I go ahead?" to hear at the end that it was already cancelled.
    shown = {"reference": "SR-245007", "category_label": "Missed bin collection", "status": "cancelled"}
    calls: list = []
    tracker = make_tracker(
        user_event("jo@example.com", "inform"),
        {"event": "slot", "name": "reporter_email", "value": "jo@example.com"},
        slots={**TASK, "requested_slot": "reporter_email", "reporter_email": "jo@example.com"},
    )
    client = backoffice({PROGRESS_ROUTE: httpx.Response(200, json=shown | {"reporter": False})}, calls)
    events = asyncio.run(ValidateTaskForm(client).run(CollectingDispatcher(), tracker, DOMAIN))
    assert slots_of(events)["reporter_email"] == "already cancelled" and len(calls) == 1
    _, _, said = cancel(httpx.Response(500), reporter_email="already cancelled")
    assert said.startswith("Request SR-245007 is already cancelled, so there's nothing to cancel.")


def test_something_else_at_the_code_question_is_explained() -> None:
    slots, said, calls = checked_code("blue")
    assert slots["reporter_code"] is None and calls == []
    assert "the 6 digits in the email" in said[0]


def test_wrong_emails_are_not_checked_for_ever() -> None:
    # Past the tries nothing more is checked and the refusal comes at once (one chat must not learn the email).
    earlier = tuple(bot(CODE_SENT) for _ in range(3))
    slots, _, calls = checked_email("fourth@gmail.com", outcome="not_matched", earlier=earlier)
    assert slots["reporter_email"] == "not shown" and calls == []  # refused at once, not after the reason


def test_an_email_put_right_at_the_confirmation_replaces_the_one_given() -> None:
    # A probe: "sorry wrong one, its rita.richardson@example.com" at "Shall I go ahead?" was a no: nothing cancelled.
    text = "sorry wrong one, its rita.richardson@example.com"
    slots = {
        **TASK,
        "reporter_email": "rita@gmail.com",
        "cancel_reason": "collected",
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(user_event(text, "deny"), slots=slots)
    events = slots_of(asyncio.run(ValidateTaskForm().run(CollectingDispatcher(), tracker, DOMAIN)))
    assert events["reporter_email"] == "rita.richardson@example.com" and events.get("task_confirmed") is None


def test_no_email_from_another_chat_is_refused_at_once_with_the_way_on() -> None:
    # A probe: "didnt give one" was asked why it wasn't needed and "Shall I go ahead?" before the refusal.
    slots, said, calls = checked_email("didnt give one")
    assert slots["reporter_email"] == "not shown" and slots["requested_slot"] is None
    assert json.loads(calls[0].content)["reporter_email"] is None and not said
    assert len(calls) == 1  # no code is asked for
    assert required_slots_for("cancel_service_request", {**TASK, "reporter_email": "not shown"}) == [
        "request_reference",
        "reporter_email",
    ]
    finished = complete({}, CollectingDispatcher(), **TASK, reporter_email="not shown")
    assert finished[1] == [] and "I can't cancel SR-245007" in finished[2]


@pytest.mark.parametrize("slot", ["reporter_email", "reporter_code"])
def test_why_the_email_is_needed_is_answered_at_the_cancellation_questions(slot: str) -> None:
    # A probe: "why do you need my email? I'm the one who reported it" got "I don't need your email address for this".
    from bot.actions.form_help import help_for

    said = help_for(slot, "why do you need my email? I'm the one who reported it", task="cancel_service_request")
    assert "I don't need your email" not in said and "Only the person who reported a problem can cancel it" in said


def test_asking_for_the_code_again_is_no_miss_however_often() -> None:
    # A probe: "the email never came", "I haven't got the code", then "send it again" (the bot's own words) got
    # "Sorry, I still can't take that as the answer, so I'll stop asking", and the code that came was then refused.
    resent = bot("If that's the email address given with the report, I've emailed a new code to it. It replaces it.")
    mapped = [{"event": "slot", "name": "reporter_code", "value": "send it again"}]
    slots = {**TASK, "reporter_email": "jo@example.com", "requested_slot": "reporter_code", "answer_misses": 2}
    tracker = make_tracker(resent, user_event("send it again", "inform"), *mapped, slots=slots)
    tracker.slots.update(slots_of(mapped))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, DOMAIN))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "I can't take that as the answer" not in said and said.startswith("I've already sent a new code.")
    assert slots_of(events)["requested_slot"] == "reporter_code"


@pytest.mark.parametrize("slot", ["reporter_email", "reporter_code"])
def test_just_cancel_it_at_the_questions_that_show_the_reporter_asks_again_with_why(slot: str) -> None:
    # A probe: "I already verified, just cancel it" at the code question got "OK, I've stopped there and nothing has
    # been sent", and the cancelling ended without a word that the report stays open.
    slots = {**TASK, "reporter_email": "jo@example.com" if slot == "reporter_code" else None, "requested_slot": slot}
    tracker = make_tracker(user_event("I already verified, just cancel it", "stop"), slots=slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, DOMAIN))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert said.startswith("I can cancel it once") and "stopped" not in said
    assert slots_of(events).get("verification_outcome") is None


def test_stopping_a_cancellation_says_the_report_is_still_open() -> None:
    slots = {**TASK, "reporter_email": "jo@example.com", "requested_slot": "reporter_code"}
    tracker = make_tracker(user_event("forget it", "stop"), slots=slots)
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, DOMAIN))
    assert (
        dispatcher.messages[0]["text"]
        == "OK, I've stopped there. Nothing has been cancelled: the report is still open."
    )


@pytest.mark.parametrize("text", ["I want to cancel a request", "please cancel that request", "cancel my report"])
def test_cancelling_a_request_with_nothing_before_asks_which_one(text: str) -> None:
    # A probe: "I want to cancel a request" got "No problem. What else can I help you with?", read as done.
    said, events = stop_with_nothing_to_stop(user_event(text, "stop"))
    assert said == [] and slots_of(events)["pending_task"] == "cancel_service_request"
    assert events[-1] == FollowupAction("task_form")


@pytest.mark.parametrize("intent", ["report_problem", "request_progress"])
def test_a_reason_that_sounds_like_a_report_is_the_reason(intent: str) -> None:
    # Found live: "the bin was emptied in the end" at "Why don't you need it any more?" started a missed bin report.
    text = "the bin was emptied in the end"
    event = user_event(text, intent)
    event["parse_data"]["intent"]["confidence"] = 0.95
    mapped = [{"event": "slot", "name": "cancel_reason", "value": text}]
    slots = {**TASK, "reporter_email": "none", "requested_slot": "cancel_reason"}
    tracker = make_tracker(event, *mapped, slots=slots)
    tracker.slots.update(slots_of(mapped))
    events = asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, DOMAIN))
    set_to = slots_of(events)
    assert set_to["cancel_reason"] == text and set_to.get("pending_task", "cancel_service_request") == (
        "cancel_service_request"
    )


def test_a_change_of_mind_after_stopping_the_cancelling_goes_back_to_it() -> None:
    # A probe: "stop", then "actually no, I do want to cancel it" got "No problem. What else can I help you with?".
    stopped = bot("OK, I've stopped there. Nothing has been cancelled: the report is still open.")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        stopped, user_event("actually no, I do want to cancel it", "stop"), slots={"request_reference": "SR-245007"}
    )
    events = asyncio.run(ActionStopWithNothingToStop().run(dispatcher, tracker, {}))
    assert dispatcher.messages == [] and slots_of(events)["request_reference"] == "SR-245007"
    assert slots_of(events)["pending_task"] == "cancel_service_request"


def test_another_reference_read_as_another_task_mid_cancellation_goes_on_cancelling() -> None:
    # A probe: "sorry wrong one, I meant SR-245497" at the email question, read as another task, started an electoral
    # register check ("What is your full name, as it would appear on the electoral register?").
    event = user_event("sorry wrong one, I meant SR-245497", "check_registration")
    event["parse_data"]["intent"]["confidence"] = 0.9
    slots = {**TASK, "request_reference": "SR-140111", "requested_slot": "reporter_email"}
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(event, slots=slots), {}))
    set_to = slots_of(events)
    assert (set_to["pending_task"], set_to["request_reference"]) == ("cancel_service_request", "SR-245497")


def test_a_second_code_past_the_allowance_is_answered_as_one_sent() -> None:
    # A second probe: "I can't send another code just now" came only when the email was the report's (only its address
    # has an allowance to spend), so it told which email had reported the request.
    for outcome in ("too_many", "sent", "not_matched"):
        _, said, _ = checked_code("send it again", resend=outcome)
        assert said[0].startswith("If that's the email address given with the report, I've emailed a new code"), outcome


@pytest.mark.parametrize("intent", ["contact_details", "stop", "inform"])
def test_no_email_given_at_the_code_question_is_read_whatever_the_intent(intent: str) -> None:
    # make test (e2e): "I didn't give an email with it", read as contact_details, got "Sorry, the code is the 6 digits"
    # (the form read it, then read the value read once more, which said nothing).
    text = "I didn't give an email with it"
    event = user_event(text, intent)
    event["parse_data"]["intent"]["confidence"] = 0.9
    mapped = (
        [] if intent in ("stop", "contact_details") else [{"event": "slot", "name": "reporter_code", "value": text}]
    )
    slots = {**TASK, "reporter_email": "someone@example.com", "requested_slot": "reporter_code"}
    tracker = make_tracker(event, *mapped, slots=slots)
    tracker.slots.update(slots_of(mapped))
    events = asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, DOMAIN))
    assert slots_of(events)["reporter_code"] == "not shown"


@pytest.mark.parametrize("text", ["cancel the dog poo one, someone cleaned it", "cancel that pothole report"])
def test_cancelling_the_report_just_made_by_its_kind_takes_it_back(text: str) -> None:
    # The second probe of session 11: the dog fouling advice, then a new report.
    from bot.actions.task_kit import taken_back

    lodged = "Thank you, I've reported it: your reference is SR-338285. We clear dog fouling within 5 working days."
    assert taken_back(make_tracker(bot(lodged), user_event(text, "report_problem"))) == "SR-338285"
