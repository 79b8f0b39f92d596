"""Completing a task: the exact events and what the resident is told, with the back office on MockTransport."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ActionAskTaskConfirmed, ValidateTaskForm
from bot.actions.tasks import ActionCompleteTask, ActionDetailsWithoutTask, ActionStartTask
from bot.backoffice import BackOffice
from council import council_facts
from tests.support.backoffice_fake import backoffice, complete, slots_of
from tests.support.trackers import make_tracker, user_event

STATION = {
    "name": "Ashbury Village Hall",
    "address": "Church Lane, Ashbury",
    "postcode": "TN41 6QB",
    "accessibility": "Step-free access from the car park.",
}
RECORD = {
    "registration_status": "registered",
    "polling_district": "AA1",
    "ward": "Ashbury",
    "station": STATION,
    "open_register_opt_out": False,
    "absent_votes": [],
    "open_requests": [],
}
ELECTIONS = {
    "today": "2026-11-25",
    "elections": [
        {
            "title": "Millbrook ward by-election",
            "election_type": "local",
            "poll_date": "2027-02-18",
            "area": "Millbrook",
            "deadlines": [
                {
                    "kind": "registration",
                    "label": "Register to vote",
                    "deadline": "2027-02-02T23:59:59+00:00",
                    "passed": False,
                },
                {
                    "kind": "postal",
                    "label": "Apply for a postal vote",
                    "deadline": "2027-02-03T17:00:00+00:00",
                    "passed": False,
                },
                {
                    "kind": "proxy",
                    "label": "Apply for a proxy vote",
                    "deadline": "2027-02-10T17:00:00+00:00",
                    "passed": False,
                },
            ],
        }
    ],
}


def test_starting_a_task_remembers_it_and_clears_old_answers(dispatcher) -> None:
    tracker = make_tracker(user_event("can I get a postal vote", "request_postal_vote"))
    events = slots_of(asyncio.run(ActionStartTask().run(dispatcher, tracker, {})))
    assert events["pending_task"] == "request_postal_vote"
    assert events["full_name"] is None and events["task_confirmed"] is None


def test_a_verified_resident_hears_their_own_registration(dispatcher) -> None:
    events, calls, said = complete(
        {("GET", "/api/v1/electoral/me"): httpx.Response(200, json=RECORD)},
        dispatcher,
        pending_task="check_registration",
    )
    assert "You're registered to vote" in said and "Ashbury Village Hall" in said
    assert calls[0].url.params["conversation_id"] == "conversation-1"
    assert slots_of(events)["pending_task"] is None


def test_a_pending_application_is_described_as_pending(dispatcher) -> None:
    record = RECORD | {"registration_status": "pending"}
    _, _, said = complete(
        {("GET", "/api/v1/electoral/me"): httpx.Response(200, json=record)},
        dispatcher,
        pending_task="check_registration",
    )
    assert "being processed" in said
    # A probe: "why not?? i applied ages ago" got "I'm still not able to help with that": why it takes time, and who
    # to call when it has taken too long, are said with it.
    assert "against government records" in said and "more than four weeks ago" in said and "01632 960 456" in said


def test_failed_checks_get_the_same_reply_whoever_was_asked_about(dispatcher) -> None:
    _, calls, said = complete(
        {}, dispatcher, pending_task="check_registration", verification_outcome="not_verified", identity_verified=False
    )
    assert calls == []
    assert "couldn't match those details" in said and "gov.uk/register-to-vote" in said
    assert dispatcher.messages[0]["buttons"][0] == {"title": "Try again", "payload": "/check_registration"}


def test_a_locked_check_offers_an_officer(dispatcher) -> None:
    events, _, said = complete(
        {}, dispatcher, pending_task="check_registration", verification_outcome="locked", identity_verified=False
    )
    assert "For your security" in said
    assert slots_of(events)["officer_offered"] is True and slots_of(events)["handoff_reason"] == "locked_out"
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_officer"


def test_a_locked_council_tax_check_points_to_the_council_tax_line_not_electoral_services(dispatcher) -> None:
    events, _, said = complete(
        {}, dispatcher, pending_task="council_tax_balance", verification_outcome="locked", identity_verified=False
    )
    assert "For your security" in said and "electoral services" not in said
    assert council_facts().phone in said
    assert slots_of(events)["officer_offered"] is True


def locked_earlier(minutes_ago: float, task: str = "check_registration") -> list[dict]:
    at = time.time() - minutes_ago * 60
    return [
        {"event": "slot", "name": "pending_task", "value": task, "timestamp": at - 60},
        {"event": "slot", "name": "verification_outcome", "value": "locked", "timestamp": at},
        {"event": "slot", "name": "pending_task", "value": None, "timestamp": at},
    ]


@pytest.mark.parametrize(
    ("asked", "intent"),
    [("am I registered to vote?", "check_registration"), ("I want a postal vote", "request_postal_vote")],
)
def test_a_chat_locked_lately_hears_so_before_any_question(dispatcher, asked: str, intent: str) -> None:
    # A probe locked the chat, asked again, and answered name, date of birth, postcode and address before hearing
    # that nothing could be checked.
    tracker = make_tracker(*locked_earlier(3), user_event(asked, intent))
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert "For your security" in said and slots_of(events)["officer_offered"] is True
    assert "pending_task" not in slots_of(events)


@pytest.mark.parametrize(
    ("history", "intent"),
    [
        (locked_earlier(20), "check_registration"),  # the lock has run out
        (locked_earlier(3), "council_tax_balance"),  # a council tax check is checked apart
        (locked_earlier(3, "council_tax_balance"), "check_registration"),
    ],
)
def test_a_lock_long_ago_or_on_the_other_check_still_asks(dispatcher, history: list, intent: str) -> None:
    tracker = make_tracker(*history, user_event("please check", intent))
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == intent and dispatcher.messages == []


def test_an_expired_verification_asks_for_the_details_again(dispatcher) -> None:
    events, _, said = complete(
        {("GET", "/api/v1/electoral/me"): httpx.Response(403, json={"detail": "not verified"})},
        dispatcher,
        pending_task="check_registration",
    )
    assert "your check has run out" in said and "ask for your details again" in said
    assert slots_of(events)["identity_verified"] is False and slots_of(events)["pending_task"] == "check_registration"
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "task_form"}


def test_a_polling_station_is_found_for_the_chosen_address(dispatcher) -> None:
    result = {"polling_district": "AA1", "ward": "Ashbury", "station": STATION, "poll_hours": "7am to 10pm"}
    _, calls, said = complete(
        {("GET", "/api/v1/polling-stations"): httpx.Response(200, json=result)},
        dispatcher,
        pending_task="polling_station",
        address_uprn="100099500102",
        identity_verified=False,
    )
    assert calls[0].url.params["uprn"] == "100099500102"
    assert "Ashbury Village Hall" in said and "7am to 10pm" in said and "Step-free" in said


def test_a_district_with_no_polling_station_yet_gets_a_kind_answer_not_a_failure(dispatcher) -> None:
    """The API answers station null while none is appointed; the bot read it as a station and the action failed."""
    result = {"polling_district": "AA1", "ward": "Ashbury", "station": None, "poll_hours": "7am to 10pm"}
    events, _, said = complete(
        {("GET", "/api/v1/polling-stations"): httpx.Response(200, json=result)},
        dispatcher,
        pending_task="polling_station",
        address_uprn="100099500102",
        identity_verified=False,
    )
    assert "has not been appointed yet" in said and "AA1" in said
    assert council_facts().electoral_phone in said
    assert slots_of(events)["pending_task"] is None


@pytest.mark.parametrize(
    ("task", "route", "answer"),
    [
        ("check_registration", ("GET", "/api/v1/electoral/me"), {"registration_status": "registered"}),
        ("council_tax_balance", ("GET", "/api/v1/payments/account"), {"band": "C", "balance": 12}),
        ("polling_station", ("GET", "/api/v1/polling-stations"), {"polling_district": "AA1", "ward": None}),
    ],
)
def test_an_answer_missing_what_the_bot_reads_keeps_the_answers_and_offers_a_retry(
    dispatcher, task, route, answer
) -> None:
    """A back office answering without a field the bot reads (or with the wrong type) failed the action midway."""
    events, _, said = complete(
        {route: httpx.Response(200, json=answer)},
        dispatcher,
        pending_task=task,
        address_uprn="100099500102",
        account_verified=True,
    )
    assert said == ""  # the form asks next, with the apology and a retry
    assert slots_of(events) == {"pending_task": task, "verification_outcome": "submit_error", "task_confirmed": None}


def test_deadlines_are_given_in_plain_words(dispatcher) -> None:
    _, _, said = complete(
        {("GET", "/api/v1/elections/upcoming"): httpx.Response(200, json=ELECTIONS)},
        dispatcher,
        pending_task="election_deadlines",
        deadline_kind="postal",
        identity_verified=False,
    )
    assert "Thursday 18 February 2027" in said
    assert "Apply for a postal vote: the deadline is 5pm on Wednesday 3 February 2027" in said
    assert "Register to vote" not in said


def test_a_passed_deadline_says_so_and_names_the_routes_still_open(dispatcher) -> None:
    late = json.loads(json.dumps(ELECTIONS))
    late["elections"][0]["deadlines"][1]["passed"] = True
    _, _, said = complete(
        {("GET", "/api/v1/elections/upcoming"): httpx.Response(200, json=late)},
        dispatcher,
        pending_task="election_deadlines",
        deadline_kind="postal",
        identity_verified=False,
    )
    assert "the deadline has passed" in said
    assert "apply for a proxy vote until 5pm on Wednesday 10 February 2027" in said
    assert "still counts for the next elections" in said


def test_a_postal_vote_request_is_sent_once_with_its_key_and_the_reference_is_given(dispatcher) -> None:
    recorded = {
        "reference": "AV-000123",
        "kind": "postal",
        "action": "new",
        "status": "received",
        "next_step": "We will post you the official application form to sign.",
        "next_poll": {
            "title": "Millbrook ward by-election",
            "poll_date": "2027-02-18",
            "deadline": "2027-02-03T17:00:00+00:00",
            "in_time": True,
        },
        "still_open_routes": [],
    }
    _, calls, said = complete(
        {("POST", "/api/v1/electoral/absent-vote-requests"): httpx.Response(201, json=recorded)},
        dispatcher,
        pending_task="request_postal_vote",
        vote_duration="permanent",
        task_confirmed=True,
    )
    [call] = calls
    body = json.loads(call.content)
    assert body["idempotency_key"].startswith("chat-") and body["kind"] == "postal" and body["duration"] == "permanent"
    assert "AV-000123" in said and "in time for the Millbrook ward by-election" in said


def test_a_declined_confirmation_records_nothing(dispatcher) -> None:
    _, calls, said = complete(
        {}, dispatcher, pending_task="request_postal_vote", vote_duration="next_poll", task_confirmed=False
    )
    assert calls == [] and "haven't recorded anything" in said


def test_a_late_request_says_which_routes_are_still_open(dispatcher) -> None:
    recorded = {
        "reference": "AV-000124",
        "kind": "postal",
        "action": "new",
        "status": "received",
        "next_step": "We will post you the form.",
        "next_poll": {
            "title": "Millbrook ward by-election",
            "poll_date": "2027-02-18",
            "deadline": "2027-02-03T17:00:00+00:00",
            "in_time": False,
        },
        "still_open_routes": [
            {
                "kind": "emergency_proxy",
                "label": "Apply for an emergency proxy",
                "deadline": "2027-02-18T17:00:00+00:00",
            }
        ],
    }
    _, _, said = complete(
        {("POST", "/api/v1/electoral/absent-vote-requests"): httpx.Response(201, json=recorded)},
        dispatcher,
        pending_task="request_postal_vote",
        vote_duration="next_poll",
        task_confirmed=True,
    )
    assert "too late" in said and "count for later elections" in said
    assert "apply for an emergency proxy until 5pm on Thursday 18 February 2027" in said


def ask_to_confirm(**slots) -> dict:
    """What the form says when it asks for task_confirmed next, given the slots."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(user_event("x", "inform"), slots=slots)
    asyncio.run(ActionAskTaskConfirmed(backoffice({}, [])).run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    return message


@pytest.mark.parametrize("task", ["check_registration", "polling_station", "election_deadlines"])
def test_a_failing_back_office_gets_an_apology_with_a_phone_number_and_a_retry(dispatcher, task) -> None:
    events, _, said = complete(
        {
            ("GET", "/api/v1/electoral/me"): httpx.Response(500),
            ("GET", "/api/v1/polling-stations"): httpx.Response(503),
            ("GET", "/api/v1/elections/upcoming"): httpx.Response(500),
        },
        dispatcher,
        pending_task=task,
        address_uprn="1",
    )
    assert said == ""  # the form asks next, with the apology
    assert slots_of(events) == {"pending_task": task, "verification_outcome": "submit_error", "task_confirmed": None}
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "task_form"}
    asked = ask_to_confirm(pending_task=task, address_uprn="1", verification_outcome="submit_error")
    assert "Sorry" in asked["text"] and "01632 960 123" in asked["text"] and "kept what you've told me" in asked["text"]
    assert [b["payload"] for b in asked["buttons"]] == ["/affirm", "/request_officer", "/deny"]


POSTAL_SLOTS = {"pending_task": "request_postal_vote", "vote_duration": "permanent", "task_confirmed": True}


def test_a_back_office_error_keeps_the_answers_and_trying_again_records_it_once() -> None:
    """The issue: a back-office error wiped the form. Now the answers stay, and "try again" finishes the task."""
    route = ("POST", "/api/v1/electoral/absent-vote-requests")
    failed, first_call, _ = complete({route: httpx.Response(503)}, CollectingDispatcher(), **POSTAL_SLOTS)
    kept = POSTAL_SLOTS | slots_of(failed)
    assert kept["vote_duration"] == "permanent" and kept["pending_task"] == "request_postal_vote"
    assert "vote_duration" not in slots_of(failed)  # nothing the resident said is cleared

    # The resident taps "Try again": the form takes the yes, clears the failure and has everything again.
    yes = make_tracker(
        user_event("try again", "affirm"),
        {"event": "slot", "name": "task_confirmed", "value": True},
        slots=kept | {"requested_slot": "task_confirmed", "identity_verified": True},
    )
    retried = {
        e["name"]: e["value"]
        for e in asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), yes, {}))
        if e["event"] == "slot"
    }
    assert retried["verification_outcome"] is None and retried.get("task_confirmed", True) is True
    assert retried["requested_slot"] is None  # the form is done: the task runs again

    _, second_call, said = complete(
        {route: httpx.Response(201, json=RECORDED_POSTAL)}, CollectingDispatcher(), **(kept | retried)
    )
    assert "AV-000123" in said
    assert json.loads(first_call[0].content) == json.loads(second_call[0].content)  # same key: never twice


def test_saying_no_to_trying_again_leaves_it_kindly() -> None:
    dispatcher = CollectingDispatcher()
    events, calls, said = complete(
        {},
        dispatcher,
        pending_task="request_postal_vote",
        vote_duration="permanent",
        verification_outcome="submit_error",
        task_confirmed=False,
    )
    assert calls == [] and "leave it there" in said and "01632 960 123" in said
    assert slots_of(events)["pending_task"] is None


def test_a_stalled_back_office_is_given_up_on_within_the_actions_deadline(monkeypatch) -> None:
    """Rasa would wait 300 s on the action and the hub only 30 s: the action must answer first, progress kept."""
    from bot import settings

    async def stalled(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return httpx.Response(201, json=RECORDED_POSTAL)

    monkeypatch.setenv("CA_ACTION_DEADLINE_SECONDS", "0.3")
    settings.get_settings.cache_clear()
    try:
        slow = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(stalled))
        tracker = make_tracker(user_event("yes", "affirm"), slots={"identity_verified": True} | POSTAL_SLOTS)
        events = asyncio.run(ActionCompleteTask(slow).run(CollectingDispatcher(), tracker, {}))
    finally:
        settings.get_settings.cache_clear()
    assert slots_of(events)["verification_outcome"] == "submit_error"


def test_the_action_server_answers_well_inside_the_hubs_wait_for_rasa() -> None:
    """Two actions reaching the back office and one address question in a turn must end before the hub gives up."""
    import ast
    from pathlib import Path

    from bot.settings import BotSettings

    source = ast.parse((Path(__file__).parents[2] / "api" / "settings.py").read_text())
    [hub_wait] = [
        node.value.value
        for node in ast.walk(source)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "rasa_timeout_seconds"
    ]
    bot = BotSettings()
    assert 2 * bot.action_deadline_seconds + bot.backoffice_timeout_seconds < hub_wait
    assert bot.backoffice_timeout_seconds <= bot.action_deadline_seconds


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        ("election_deadlines", "last day for a postal vote", "postal"),
        ("election_deadlines", "whens the cut off for a postle vote", "postal"),
        ("election_deadlines", "is it to late to regester", "registration"),
        ("election_deadlines", "can i still get an emergancy proxie im in hospital", "emergency_proxy"),
        ("election_deadlines", "deadline for the voter id thing", "voter_authority_certificate"),
        ("election_deadlines", "what are the election deadlines", None),  # every deadline is listed
        ("next_election", "last day for a postal vote", None),  # another task: its own rule starts it
    ],
)
def test_the_deadline_asked_about_is_read_from_the_words_of_a_deadline_question(
    dispatcher, intent, text, expected
) -> None:
    # No entity: the learnt extractor (a CRF) often misses deadline_kind, so the bot reads the words itself.
    events = slots_of(asyncio.run(ActionStartTask().run(dispatcher, make_tracker(user_event(text, intent)), {})))
    assert events["deadline_kind"] == expected


def test_a_wrong_deadline_entity_does_not_override_the_words(dispatcher) -> None:
    event = user_event("last day for a postal vote", "election_deadlines")
    event["parse_data"]["entities"] = [{"entity": "deadline_kind", "value": "proxy", "confidence_entity": 0.95}]
    events = slots_of(asyncio.run(ActionStartTask().run(dispatcher, make_tracker(event), {})))
    assert events["deadline_kind"] == "postal"


def test_a_station_whose_address_starts_with_its_name_is_named_once(dispatcher) -> None:
    station = STATION | {"name": "St Michael's Church Hall", "address": "St Michael's Church Hall, Rowan Close"}
    record = RECORD | {"station": station}
    _, _, said = complete(
        {("GET", "/api/v1/electoral/me"): httpx.Response(200, json=record)},
        dispatcher,
        pending_task="check_registration",
    )
    assert said.count("St Michael's Church Hall") == 1


RECORDED_POSTAL = {
    "reference": "AV-000123",
    "kind": "postal",
    "action": "new",
    "status": "received",
    "next_step": "We will post you the official application form to sign.",
    "next_poll": None,
    "still_open_routes": [],
}


def test_asking_twice_sends_the_same_key_and_the_second_answer_names_the_existing_reference() -> None:
    """The key comes from the chat and what is asked, not from when the task started (issue: two applications)."""
    route = ("POST", "/api/v1/electoral/absent-vote-requests")
    slots = {"pending_task": "request_postal_vote", "vote_duration": "permanent", "task_confirmed": True}
    _, first, first_said = complete({route: httpx.Response(201, json=RECORDED_POSTAL)}, CollectingDispatcher(), **slots)
    _, again, again_said = complete({route: httpx.Response(200, json=RECORDED_POSTAL)}, CollectingDispatcher(), **slots)

    assert json.loads(first[0].content)["idempotency_key"] == json.loads(again[0].content)["idempotency_key"]
    assert "Done: your postal vote request is recorded with reference AV-000123" in first_said
    assert "You already have a postal vote request with us, reference AV-000123" in again_said
    assert "haven't made another" in again_said


def test_another_chat_or_another_request_gets_another_key() -> None:
    from bot.actions.task_kit import request_key

    def key(sender: str, **request) -> str:
        tracker = make_tracker(
            user_event("x", "inform"), slots={"pending_task": "request_postal_vote"}, sender_id=sender
        )
        return request_key(tracker, request)

    assert key("a", duration="permanent") == key("a", duration="permanent")
    assert len({key("a", duration="permanent"), key("b", duration="permanent"), key("a", duration="next_poll")}) == 3
    assert 8 <= len(key("a")) <= 80


def test_a_report_that_someone_died_sends_the_name_and_address_the_back_office_takes(dispatcher) -> None:
    """The bot sent {name, uprn, postcode}, which the back office refuses (422): "my father has died" always failed."""
    addresses = {"postcode": "TN41 6PA", "addresses": [{"uprn": 100099500102, "address": "19 Rowan Close, Ashbury"}]}
    recorded = {"reference": "EC-000321", "kind": "died", "next_step": "Thank you for letting us know."}
    _, calls, said = complete(
        {
            ("GET", "/api/v1/addresses"): httpx.Response(200, json=addresses),
            ("POST", "/api/v1/electoral/change-requests"): httpx.Response(201, json=recorded),
        },
        dispatcher,
        pending_task="report_death_or_left",
        identity_verified=False,
        reported_name="Arthur Bloggs",
        report_kind="died",
        postcode="TN41 6PA",
        address_uprn="100099500102",
        task_confirmed=True,
    )
    body = json.loads(calls[-1].content)
    assert body["kind"] == "died"
    assert body["details"] == {"person_name": "Arthur Bloggs", "address": "19 Rowan Close, Ashbury, TN41 6PA"}
    assert "EC-000321" in said


def test_a_reported_problem_sends_what_the_back_office_takes_and_names_the_reference(dispatcher) -> None:
    lodged = {
        "reference": "SR-000777",
        "category": "missed_bin",
        "category_label": "Missed bin",
        "status": "open",
        "expected_by": "2026-11-27",
        "service_standard": "We collect missed bins within 2 working days.",
        "responsible_team": "Waste",
    }
    _, calls, said = complete(
        {("POST", "/api/v1/service-requests"): httpx.Response(201, json=lodged)},
        dispatcher,
        pending_task="report_problem",
        identity_verified=False,
        service_category="missed_bin",
        address_uprn="100099500102",
        problem_description="the blue bin was not emptied",
        contact_email="none",
        task_confirmed=True,
    )
    body = json.loads(calls[-1].content)
    assert {key: value for key, value in body.items() if key != "idempotency_key"} == {
        "conversation_id": "conversation-1",
        "category": "missed_bin",
        "uprn": 100099500102,
        "location_text": None,
        "description": "the blue bin was not emptied",
        "contact_email": None,
    }
    assert "SR-000777" in said and "Friday 27 November 2026" in said and "2 working days" in said


def test_declining_to_cancel_a_report_says_it_is_still_open(dispatcher) -> None:
    """A probe: "no" to cancelling a report got "I haven't recorded anything", which left it unsure the report stood."""
    _, calls, said = complete(
        {}, dispatcher, pending_task="cancel_service_request", request_reference="SR-123456", task_confirmed=False
    )
    assert calls == [] and "haven't cancelled it: your report is still open" in said


@pytest.mark.parametrize(
    ("text", "others"),
    [
        ("im rita richardsons daughter, can you check her council tax, CT26041538", True),
        ("can you check my mum's council tax balance", True),
        ("what's the balance on the account for my dad", True),
        ("my son paid my council tax yesterday, did it go through", False),
        ("my husband paid the council tax over the phone, can you confirm it's gone through for us", False),
        ("what's my council tax balance", False),
        # After the resident's own check (a probe was shown its own last payment as if it answered this).
        ("when did she last pay", True),
        ("when did I last pay", False),
    ],
)
def test_a_relatives_council_tax_is_theirs_to_ask_about(dispatcher, text: str, others: bool) -> None:
    # A probe said it was Rita's daughter and asked for "her council tax": it was told how to challenge a band.
    tracker = make_tracker(user_event(text, "council_tax_balance"))
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert ("anyone else's council tax" in said) is others
    assert ("pending_task" in slots_of(events)) is not others


def test_an_account_number_said_to_be_a_relatives_gets_the_someone_else_reply(dispatcher) -> None:
    # A probe: "thanks. now can u check account CT24821414 too its my mums" got "What would you like me to do with
    # that?", and "when did she last pay" then showed its own last payment.
    text = "thanks. now can u check account CT24821414 too its my mums"
    asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(user_event(text, "inform_account")), {}))
    assert "anyone else's council tax" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("out", [False, True])
def test_an_opt_out_asked_for_again_once_out_says_so_and_records_nothing(out: bool) -> None:
    # A probe: asked again, the opt-out was confirmed again and then answered "That's already recorded ... Done: you are
    # now left out of the open register", both at once.
    record = httpx.Response(200, json=RECORD | {"open_register_opt_out": out})
    calls: list[httpx.Request] = []
    asker = CollectingDispatcher()
    tracker = make_tracker(
        user_event("opt me out of the open register", "open_register_opt_out"),
        slots={"identity_verified": True, "pending_task": "open_register_opt_out"},
    )
    events = asyncio.run(
        ActionAskTaskConfirmed(backoffice({("GET", "/api/v1/electoral/me"): record}, calls)).run(asker, tracker, {})
    )
    assert bool(asker.messages) is not out  # nothing to confirm once out
    assert (slots_of(events).get("task_confirmed") is True) is out
    recorded = httpx.Response(
        201,
        json={
            "reference": "EC-231016",
            "kind": "open_register_opt_out",
            "next_step": "Done: you are now left out of the open register. This does not affect your vote.",
        },
    )
    dispatcher = CollectingDispatcher()
    _, calls, said = complete(
        {("GET", "/api/v1/electoral/me"): record, ("POST", "/api/v1/electoral/change-requests"): recorded},
        dispatcher,
        pending_task="open_register_opt_out",
        task_confirmed=True,
    )
    assert [c.method for c in calls] == (["GET"] if out else ["GET", "POST"])
    assert ("already left out of the open register" in said) is out and ("EC-231016" in said) is not out


def test_the_same_change_recorded_twice_does_not_say_done_as_well() -> None:
    from bot.actions.electoral import change_recorded
    from bot.backoffice_models import ChangeRecorded

    said = change_recorded(
        ChangeRecorded(
            reference="EC-231016",
            next_step="Done: you are now left out of the open register. This does not affect your vote.",
            already_recorded=True,
        )
    )
    assert "Done" not in said and "already recorded" in said and "You are now left out" in said


def reported(dispatcher, category: str, standard: str, **slots) -> tuple[list, str]:
    """Complete a report of ``category`` (the back office promising ``standard``); return its calls and the reply."""
    lodged = {
        "reference": "SR-000778",
        "category": category,
        "category_label": category.title(),
        "status": "open",
        "expected_by": "2026-11-27",
        "service_standard": standard,
        "responsible_team": "Street Scene",
    }
    _, calls, said = complete(
        {("POST", "/api/v1/service-requests"): httpx.Response(201, json=lodged)},
        dispatcher,
        pending_task="report_problem",
        identity_verified=False,
        service_category=category,
        task_confirmed=True,
        **slots,
    )
    return calls, said


def test_a_street_report_is_not_filed_against_an_address_given_earlier_in_the_chat(dispatcher) -> None:
    # The second probe of session 11: the bin days at 19 Rowan Close, then graffiti "on the wall of the library, high
    # street ashbury": the report was filed against 19 Rowan Close.
    calls, _ = reported(
        dispatcher,
        "graffiti",
        "We remove graffiti within 5 working days.",
        postcode="TN41 6PA",
        address_uprn="100099500102",
        problem_location="the wall of the library, high street ashbury",
        problem_description="tags in black paint",
        contact_email="none",
    )
    body = json.loads(calls[-1].content)
    assert body["uprn"] is None and body["location_text"] == "the wall of the library, high street ashbury"


@pytest.mark.parametrize(("email", "told"), [("none", True), ("sam@example.com", False)])
def test_a_noise_report_with_no_email_does_not_promise_to_contact_the_reporter(dispatcher, email, told) -> None:
    # The second probe of session 11: "no" to the email, then "We contact you about a noise complaint within 5 working
    # days", with nothing to contact them by.
    _, said = reported(
        dispatcher,
        "noise",
        "We contact you about a noise complaint within 5 working days.",
        problem_location="21 rowan close",
        problem_description="loud music every night till 3am",
        contact_email=email,
    )
    assert ("You didn't give an email address, so the team can't contact you" in said) is told
