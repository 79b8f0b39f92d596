"""Cancelling, withdrawing and renewing a postal or proxy vote, and describing one: what the resident reads.

The defects a probe found: "actually cancel that" after applying got "nothing to cancel"; a renewal was recorded
without "Shall I go ahead?" and its answer said to reapply at gov.uk; "(postal new)" and "(active)" were said as
they are; a resident with only a proxy vote was asked to confirm cancelling their "postal or proxy vote".
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ActionAskTaskConfirmed, required_slots_for
from bot.actions.tasks import ActionCompleteTask, ActionStartTask
from bot.nlp.intent_classifier import read_the_turn
from tests.support.backoffice_fake import backoffice, slots_of
from tests.support.trackers import bot, make_tracker, message, user_event

ME = ("GET", "/api/v1/electoral/me")
REQUESTS = ("POST", "/api/v1/electoral/absent-vote-requests")
RECORD = {
    "registration_status": "registered",
    "polling_district": "AA1",
    "ward": "Ashbury",
    "station": None,
    "open_register_opt_out": False,
    "absent_votes": [],
    "open_requests": [],
}
APPLIED = RECORD | {
    "open_requests": [
        {"reference": "AV-000123", "kind": "postal_new", "status": "received", "created_at": "2026-12-04T10:00:00Z"}
    ]
}
POSTAL_VOTE = {"kind": "postal", "status": "active", "expires_on": "2027-03-01", "renewal_due": True}
PROXY_VOTE = {"kind": "proxy", "status": "active", "expires_on": None, "renewal_due": False, "proxy_name": "Dev Patel"}
# The chat so far: a postal vote applied for, then "actually cancel that".
APPLIED_HERE = (
    message("I'd like a postal vote", "request_postal_vote"),
    {"event": "action", "name": "action_start_task"},
    bot(
        "Done: your postal vote request is recorded with reference AV-000123. We will email or post you the "
        "official application form to sign; return it by the deadline."
    ),
    message("actually cancel that", "cancel_absent_vote"),
    {"event": "action", "name": "action_start_task"},
)


def recorded(kind: str, action: str, reference: str = "AV-000200") -> dict:
    return {
        "reference": reference,
        "kind": kind,
        "action": action,
        "status": "received",
        "next_step": "An electoral services officer will make the change and write to you to confirm it.",
        "next_poll": None,
        "still_open_routes": [],
    }


def withdrawal(reference: str, outcome: str = "withdrawn") -> tuple[tuple[str, str], httpx.Response]:
    route = ("POST", f"/api/v1/electoral/absent-vote-requests/{reference}/withdrawal")
    body = {"reference": reference, "kind": "postal", "action": "new", "outcome": outcome, "withdrawn_at": None}
    return route, httpx.Response(200, json=body)


def ask(routes, *events, **slots) -> tuple[list, str]:
    """What the form does when it comes to "Shall I go ahead?" for a verified resident: its events and its words."""
    dispatcher, calls = CollectingDispatcher(), []
    tracker = make_tracker(*events, slots={"identity_verified": True, "requested_slot": "task_confirmed"} | slots)
    result = asyncio.run(ActionAskTaskConfirmed(backoffice(routes, calls)).run(dispatcher, tracker, {}))
    return result, " ".join(m["text"] or "" for m in dispatcher.messages)


def finish(routes, *events, **slots) -> tuple[list, str]:
    """Complete the task once confirmed: the back-office calls made and what the resident reads."""
    dispatcher, calls = CollectingDispatcher(), []
    tracker = make_tracker(*events, slots={"identity_verified": True, "task_confirmed": True} | slots)
    asyncio.run(ActionCompleteTask(backoffice(routes, calls)).run(dispatcher, tracker, {}))
    return calls, " ".join(m["text"] or "" for m in dispatcher.messages)


def test_an_application_just_made_is_withdrawn_with_its_reference() -> None:
    routes = {ME: httpx.Response(200, json=APPLIED), **dict([withdrawal("AV-000123")])}
    _, asked = ask(routes, *APPLIED_HERE, pending_task="cancel_absent_vote")
    calls, said = finish(routes, *APPLIED_HERE, pending_task="cancel_absent_vote")

    assert asked == (
        "I'll withdraw your postal vote request, reference AV-000123, so nothing more happens with it. "
        "Shall I go ahead?"
    )
    assert [c.url.path for c in calls if c.method == "POST"] == [
        "/api/v1/electoral/absent-vote-requests/AV-000123/withdrawal"
    ]
    assert json.loads(calls[-1].content) == {"conversation_id": "conversation-1"}
    assert said.startswith("Done: I've withdrawn your postal vote request, reference AV-000123.")
    assert "nothing to cancel" not in said


def test_an_application_made_in_an_earlier_chat_is_withdrawn_once_the_resident_is_verified() -> None:
    routes = {ME: httpx.Response(200, json=APPLIED), **dict([withdrawal("AV-000123", "already_withdrawn")])}
    opening = (
        message("cancel my postal vote application", "cancel_absent_vote"),
        {"event": "action", "name": "action_start_task"},
    )
    _, asked = ask(routes, *opening, pending_task="cancel_absent_vote")
    _, said = finish(routes, *opening, pending_task="cancel_absent_vote")
    assert "withdraw your postal vote request, reference AV-000123" in asked
    assert said == "Your postal vote request, reference AV-000123, is already withdrawn, so there's nothing to cancel."


def test_with_nothing_to_cancel_nothing_is_asked_and_nothing_is_recorded() -> None:
    routes = {ME: httpx.Response(200, json=RECORD)}
    events, asked = ask(routes, *APPLIED_HERE, pending_task="cancel_absent_vote")
    calls, said = finish(routes, *APPLIED_HERE, pending_task="cancel_absent_vote")

    assert asked == "" and slots_of(events) == {"task_confirmed": True, "requested_slot": None}  # the form ends
    assert [c.method for c in calls] == ["GET"]
    assert said.startswith("You don't have a postal or proxy vote with us, or an application waiting, so there's")


def test_a_failed_look_up_before_the_confirmation_is_offered_again() -> None:
    events, asked = ask({ME: httpx.Response(503)}, *APPLIED_HERE, pending_task="cancel_absent_vote")
    assert "I've kept what you've told me. Shall I try again?" in asked
    assert slots_of(events) == {"verification_outcome": "error"}  # "yes" then asks "Shall I go ahead?" afresh


@pytest.mark.parametrize("text", ["cancel my absent vote", "cancel my postal or proxy vote", "cancel my postal vote"])
def test_a_resident_with_only_a_proxy_vote_is_told_only_of_their_proxy_vote(text: str) -> None:
    record = RECORD | {"absent_votes": [PROXY_VOTE]}
    routes = {ME: httpx.Response(200, json=record), REQUESTS: httpx.Response(201, json=recorded("proxy", "cancel"))}
    opening = (
        message(text, "cancel_absent_vote"),
        {"event": "action", "name": "action_start_task"},
    )
    _, asked = ask(routes, *opening, pending_task="cancel_absent_vote")
    calls, said = finish(routes, *opening, pending_task="cancel_absent_vote")

    assert asked == "I'll record a request to cancel your proxy vote, so you can vote in person. Shall I go ahead?"
    body = json.loads(calls[-1].content)
    assert (body["kind"], body["action"]) == ("proxy", "cancel")
    assert said.startswith("Done: your request to cancel your proxy vote is recorded with reference AV-000200.")
    assert "postal" not in asked + said


def test_cancelling_one_of_two_votes_names_that_one_and_does_not_promise_voting_in_person() -> None:
    record = RECORD | {"absent_votes": [POSTAL_VOTE, PROXY_VOTE]}
    opening = (message("cancel my proxy vote", "cancel_absent_vote"), {"event": "action", "name": "action_start_task"})
    _, asked = ask({ME: httpx.Response(200, json=record)}, *opening, pending_task="cancel_absent_vote")
    assert asked == "I'll record a request to cancel your proxy vote. Shall I go ahead?"


def test_applying_again_after_withdrawing_is_a_new_application() -> None:
    """The same key would have had the back office answer with the withdrawn one ("You already have ...")."""
    chat = (*APPLIED_HERE, bot("Done: I've withdrawn your postal vote request, reference AV-000123. Nothing more."))
    routes = {
        ME: httpx.Response(200, json=RECORD),
        REQUESTS: httpx.Response(201, json=recorded("postal", "new", "AV-000124")),
    }
    slots = {"pending_task": "request_postal_vote", "vote_duration": "permanent"}
    before, _ = finish(routes, *APPLIED_HERE, **slots)
    after, said = finish(routes, *chat, **slots)
    assert json.loads(before[-1].content)["idempotency_key"] != json.loads(after[-1].content)["idempotency_key"]
    assert "AV-000124" in said


def test_a_renewal_asks_shall_i_go_ahead_and_its_answer_does_not_contradict_itself() -> None:
    record = RECORD | {"absent_votes": [POSTAL_VOTE]}
    renewed = recorded("postal", "renew") | {
        "next_step": "We will email or post you the official application form to sign; return it by the deadline."
    }
    routes = {ME: httpx.Response(200, json=record), REQUESTS: httpx.Response(201, json=renewed)}
    opening = (message("renew my postal vote", "renew_absent_vote"), {"event": "action", "name": "action_start_task"})

    assert required_slots_for("renew_absent_vote", {"identity_verified": True}) == ["task_confirmed"]
    _, asked = ask(routes, *opening, pending_task="renew_absent_vote")
    declined, _ = finish(routes, *opening, pending_task="renew_absent_vote", task_confirmed=False)
    calls, said = finish(routes, *opening, pending_task="renew_absent_vote")

    assert asked == (
        "I'll record a request to renew your postal vote, which ends on Monday 1 March 2027. We'll then send you "
        "the form to sign. Shall I go ahead?"
    )
    assert declined == []
    assert (json.loads(calls[-1].content)["kind"], json.loads(calls[-1].content)["action"]) == ("postal", "renew")
    assert said == (
        "Done: your request to renew your postal vote is recorded with reference AV-000200. We will email or post "
        "you the official application form to sign; return it by the deadline."
    )


def test_with_nothing_to_renew_nothing_is_asked() -> None:
    routes = {ME: httpx.Response(200, json=RECORD)}
    opening = (message("renew my postal vote", "renew_absent_vote"), {"event": "action", "name": "action_start_task"})
    events, asked = ask(routes, *opening, pending_task="renew_absent_vote")
    calls, said = finish(routes, *opening, pending_task="renew_absent_vote")
    assert asked == "" and slots_of(events)["requested_slot"] is None
    assert [c.method for c in calls] == ["GET"] and "nothing to renew" in said
    # "Would you like to apply for one?" was answered "yes pls", which got "How can I help?" (a probe): the reply
    # asks no yes-or-no question it cannot take an answer to, and says what to type.
    assert "?" not in said and '"postal vote"' in said


def test_a_residents_votes_and_requests_are_described_in_plain_words() -> None:
    record = RECORD | {
        "absent_votes": [POSTAL_VOTE, PROXY_VOTE | {"status": "expired", "expires_on": "2026-05-01"}],
        "open_requests": [
            {
                "reference": "AV-000123",
                "kind": "postal_new",
                "status": "received",
                "created_at": "2026-12-04T10:00:00Z",
            },
            {
                "reference": "AV-000124",
                "kind": "proxy_cancel",
                "status": "in_progress",
                "created_at": "2026-12-03T10:00:00Z",
            },
            {
                "reference": "EC-000321",
                "kind": "name_change",
                "status": "received",
                "created_at": "2026-12-02T10:00:00Z",
            },
        ],
    }
    _, said = finish({ME: httpx.Response(200, json=record)}, message("x", "inform"), pending_task="absent_vote_status")

    assert "(" not in said and "_" not in said
    for code in ("postal new", "proxy cancel", "name change", "active", "expired", "is received", "in progress"):
        assert code not in said
    assert "You have a postal vote, which ends on Monday 1 March 2027." in said
    assert "You had a proxy vote with Dev Patel as your proxy, which ended on Friday 1 May 2026." in said
    assert "Your postal vote request, reference AV-000123, is waiting for an officer." in said
    assert "Your request to cancel your proxy vote, reference AV-000124, is with an officer now." in said
    assert "Your request to change your name on the register, reference EC-000321, is waiting for an officer." in said


RENEWED_HERE = (
    message("renew my postal vote", "renew_absent_vote"),
    {"event": "action", "name": "action_start_task"},
    bot("Done: your request to renew your postal vote is recorded with reference AV-000125. We will email or post."),
)
WITHDRAW_RENEWAL = (
    "I'll withdraw your request to renew your postal vote, reference AV-000125, so nothing more happens with it."
)
RENEWING = RECORD | {
    "absent_votes": [POSTAL_VOTE],
    "open_requests": [
        {"reference": "AV-000125", "kind": "postal_renew", "status": "received", "created_at": "2026-12-04T10:00:00Z"}
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "please cancel my postal vote",
            "I'll record a request to cancel your postal vote, so you can vote in person.",
        ),
        (
            "actually cancel that",
            WITHDRAW_RENEWAL,
        ),
        (
            "cancel my renewal application",
            WITHDRAW_RENEWAL,
        ),
    ],
)
def test_after_a_renewal_a_vote_is_cancelled_and_the_renewal_withdrawn_as_the_words_say(text, expected) -> None:
    opening = (*RENEWED_HERE, message(text, "cancel_absent_vote"), {"event": "action", "name": "action_start_task"})
    _, asked = ask({ME: httpx.Response(200, json=RENEWING)}, *opening, pending_task="cancel_absent_vote")
    assert asked == f"{expected} Shall I go ahead?"


def test_a_vote_due_for_renewal_says_the_chat_can_renew_it() -> None:
    """Renewal is a task of its own now; the status answer only sent residents to gov.uk."""
    from bot.actions.electoral import absent_vote_line
    from bot.backoffice_models import AbsentVote

    vote = AbsentVote(kind="postal", status="active", expires_on="2027-01-31", renewal_due=True)

    assert 'I can renew it for you here, just say "renew my postal vote"' in absent_vote_line(vote)


@pytest.mark.parametrize(
    ("text", "read_as", "task"),
    [
        (
            "I'd rather vote by post than go to the polling station from now on",
            "cancel_absent_vote",
            "request_postal_vote",
        ),
        ("can i post my vote in instead of going in person", "cancel_absent_vote", "request_postal_vote"),
        ("I want to vote in person instead of by post", "request_postal_vote", "cancel_absent_vote"),
        ("I'd like to vote at the polling station instead of by post", "request_postal_vote", "cancel_absent_vote"),
        (
            "switch me back from postal voting to going to the polling station",
            "request_postal_vote",
            "cancel_absent_vote",
        ),
    ],
)
def test_which_way_a_resident_turns_between_post_and_in_person_leads_the_intent_ranking(text, read_as, task) -> None:
    """The 5-fold NLU report lost request_postal_vote to cancel_absent_vote (and back) on "X instead of Y"."""
    ranking = [
        {"name": read_as, "confidence": 0.6},
        {"name": "absent_vote_status", "confidence": 0.25},
        {"name": task, "confidence": 0.15},
    ]

    assert read_the_turn(text, ranking) == [
        {"name": task, "confidence": 0.6},
        {"name": "absent_vote_status", "confidence": 0.25},
        {"name": read_as, "confidence": 0.15},
    ]


def test_a_message_that_does_not_say_which_way_keeps_its_reading() -> None:
    for text, intent in (
        ("remove my postal vote, I'd rather go to the polling station", "cancel_absent_vote"),
        ("i work long shifts, can i vote by post instead", "request_postal_vote"),
    ):
        events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(user_event(text, intent)), {}))
        other = "request_postal_vote" if intent == "cancel_absent_vote" else "cancel_absent_vote"
        ranking = [{"name": intent, "confidence": 0.5}, {"name": other, "confidence": 0.5}]

        assert slots_of(events)["pending_task"] == intent
        assert read_the_turn(text, ranking) == ranking


def test_a_postal_vote_being_cancelled_is_not_offered_for_renewal() -> None:
    """A probe cancelled its postal vote (AV-004989), then asked "am I registered?": "You have a postal vote ... It's
    due for renewal: I can renew it for you here"."""
    from bot.actions.electoral import absent_vote_line, absent_vote_status
    from bot.backoffice_models import AbsentVote, ElectoralRecord, OpenRequest

    vote = AbsentVote(kind="postal", status="active", expires_on="2027-01-31", renewal_due=True)
    cancelling = [OpenRequest(reference="AV-004989", kind="postal_cancel", status="received")]
    line = absent_vote_line(vote, cancelling)
    assert "asked to cancel it (reference AV-004989)" in line and "renew" not in line
    renewing = [OpenRequest(reference="AV-447096", kind="postal_renew", status="received")]
    assert "Your renewal, reference AV-447096, is being dealt with" in absent_vote_line(vote, renewing)
    assert "I can renew it for you here" in absent_vote_line(vote)

    record = ElectoralRecord(
        registration_status="registered",
        polling_district="AA",
        ward="Millbrook",
        station=None,
        open_register_opt_out=False,
        absent_votes=[vote],
        open_requests=cancelling,
    )
    assert absent_vote_status(record).count("AV-004989") == 1


# A resident with a postal vote asked for one again and was given a second application; one with a postal vote was
# given a proxy for the same election without a word (a probe).


def test_asking_for_the_postal_vote_already_held_records_nothing_and_says_so() -> None:
    routes = {ME: httpx.Response(200, json=RECORD | {"absent_votes": [POSTAL_VOTE]})}
    opening = (message("i want a postal vote", "request_postal_vote"), {"event": "action", "name": "action_start_task"})
    events, asked = ask(routes, *opening, pending_task="request_postal_vote", vote_duration="permanent")
    calls, said = finish(routes, *opening, pending_task="request_postal_vote", vote_duration="permanent")
    assert asked == "" and slots_of(events)["task_confirmed"] is True
    assert said.startswith("You already have a postal vote, which ends on Monday 1 March 2027")
    assert "renew" in said and not any(call.method == "POST" for call in calls)


@pytest.mark.parametrize(
    ("record", "task", "held"),
    [
        (RECORD | {"absent_votes": [PROXY_VOTE]}, "request_postal_vote", "You already have a proxy vote"),
        (APPLIED, "request_proxy_vote", "You've already applied for a postal vote"),
    ],
)
def test_the_other_kind_of_absent_vote_is_named_before_going_ahead(record: dict, task: str, held: str) -> None:
    slots = {"vote_duration": "next_poll", "proxy_name": "Jo Bloggs", "proxy_relationship": "my daughter"}
    _, asked = ask({ME: httpx.Response(200, json=record)}, pending_task=task, **slots)
    assert f"{held}. You can't vote by post and by proxy at the same election" in asked
    assert asked.endswith("Shall I go ahead?")


def test_a_first_postal_vote_is_confirmed_as_before() -> None:
    _, asked = ask(
        {ME: httpx.Response(200, json=RECORD)}, pending_task="request_postal_vote", vote_duration="next_poll"
    )
    assert asked == "I'll record a request for a postal vote for the next election. Shall I go ahead?"


@pytest.mark.parametrize("text", ["and proxy?", "proxy?", "what about my postal vote"])
def test_a_cancel_guessed_from_words_that_ask_no_cancel_shows_the_votes_instead(text: str) -> None:
    # "and proxy?" after "am I registered" was read as cancel_absent_vote (0.56) and offered the withdrawal of a live
    # proxy application (a probe).
    tracker = make_tracker(message(text, "cancel_absent_vote", 0.56), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "absent_vote_status"


@pytest.mark.parametrize(
    "text",
    [
        "cancel my proxy",
        "I don't want a postal vote any more",
        "send my postal vote to my new address",
        # Misspelt (simulated residents were shown their votes instead: `make journeys` at 03:54 on 2026-12-05).
        "canecl my postal vote pls",
        "stp my postal vote",
    ],
)
def test_words_that_ask_to_cancel_or_change_still_do(text: str) -> None:
    tracker = make_tracker(message(text, "cancel_absent_vote", 0.9), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "cancel_absent_vote"


@pytest.mark.parametrize(
    "text", ["do i already have a postal vote?", "have I got a proxy vote set up", "is my postal vote still active"]
)
def test_asking_whether_a_vote_is_held_is_no_application(text: str) -> None:
    tracker = make_tracker(message(text, "request_postal_vote", 0.8))
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "absent_vote_status"


def undo(said: str, typed: str, routes: dict, intent: str = "deny") -> tuple[list, str, list]:
    from bot.actions.tasks import ActionStopWithNothingToStop

    calls: list = []
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(bot(said), message(typed, intent, 0.9))
    events = asyncio.run(ActionStopWithNothingToStop(backoffice(routes, calls)).run(dispatcher, tracker, {}))
    return events, " ".join(m["text"] or "" for m in dispatcher.messages), calls


def test_no_wait_dont_just_after_a_cancellation_withdraws_it() -> None:
    # "no wait, dont" straight after it was recorded got "No problem. What else can I help you with?", and the
    # cancellation stood (a probe).
    done = "Done: your request to cancel your postal vote is recorded with reference AV-418272. An officer ..."
    routes = dict([withdrawal("AV-418272")])
    _, said, calls = undo(done, "no wait, dont", routes)
    assert [call.url.path for call in calls] == ["/api/v1/electoral/absent-vote-requests/AV-418272/withdrawal"]
    assert "AV-418272" in said and "No problem" not in said


ALREADY_CANCELLING = (
    "You already have a request to cancel your postal vote with us, reference AV-719815, so I haven't made another. "
    "An electoral services officer will make the change and write to you to confirm it."
)


@pytest.mark.parametrize(
    ("said", "typed", "intent"),
    [
        # A probe: read as "that didn't help", and offered a person, with the cancel standing.
        (ALREADY_CANCELLING, "wait no I didn't mean that", "not_helpful"),
        # A probe: "No problem. What else can I help you with?", with the cancel standing.
        (ALREADY_CANCELLING, "oh no, I pressed the wrong thing, I want to keep it", "stop"),
        (
            "Done: your request to cancel your postal vote is recorded with reference AV-719815.",
            "I want to keep my postal vote",
            "request_postal_vote",
        ),
        (
            "Done: your request to cancel your postal vote is recorded with reference AV-719815.",
            "sorry I hit the wrong button",
            "out_of_scope",
        ),
    ],
)
def test_taking_back_a_cancel_just_recorded_withdraws_it_whatever_the_intent(
    said: str, typed: str, intent: str
) -> None:
    from bot.actions.fallback import ActionHandleMiss
    from bot.actions.handoff import ActionNotHelpful

    tracker = make_tracker(bot(said), message(typed, intent, 0.9))
    first = {"not_helpful": ActionNotHelpful(), "request_postal_vote": ActionStartTask()}.get(intent)
    first = ActionHandleMiss() if intent == "out_of_scope" else first
    if first is not None:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(first.run(dispatcher, tracker, {}))
        assert events == [FollowupAction("action_stop_with_nothing_to_stop")] and dispatcher.messages == []
    _, answer, calls = undo(said, typed, dict([withdrawal("AV-719815")]), intent)
    assert [call.url.path for call in calls] == ["/api/v1/electoral/absent-vote-requests/AV-719815/withdrawal"]
    assert "AV-719815" in answer and "No problem" not in answer


def test_keeping_words_after_anything_but_a_cancel_take_nothing_back() -> None:
    done = "Done: your postal vote request is recorded with reference AV-000123. We will post you the form."
    events, _, calls = undo(done, "great, I'll keep it handy", dict([withdrawal("AV-000123")]), "thank")
    assert calls == [] and events == []


def test_a_failed_withdrawal_apologises_with_a_phone_number_and_an_officer() -> None:
    routes = {("POST", "/api/v1/electoral/absent-vote-requests/AV-719815/withdrawal"): httpx.Response(503)}
    events, said, _ = undo(ALREADY_CANCELLING, "wait no I didn't mean that", routes)
    assert "No problem" not in said and "call us" in said and slots_of(events)["officer_offered"] is True


def test_no_after_a_report_offers_to_cancel_it_and_no_elsewhere_is_still_no_problem() -> None:
    reported = "Thank you, I've reported it: your reference is SR-426815. We clear dumped rubbish within 3 days."
    events, _, calls = undo(reported, "no wait that was wrong", {})
    assert slots_of(events)["pending_task"] == "cancel_service_request"
    assert slots_of(events)["request_reference"] == "SR-426815" and calls == []
    events, _, calls = undo("Our opening hours are 9 to 5.", "no", {})
    assert events == [] and calls == []  # utter_no_problem, as before


def test_no_after_a_report_of_a_death_says_it_stands_and_offers_an_officer() -> None:
    events, said, _ = undo("Done: your report is recorded with reference EC-545041.", "no wait", {})
    assert "EC-545041" in said and "can't undo it here" in said and slots_of(events)["officer_offered"] is True


@pytest.mark.parametrize("typed", ["no thanks", "no", "no that's all"])
def test_no_thanks_after_a_request_is_recorded_takes_nothing_back(typed: str) -> None:
    done = "Done: your postal vote request is recorded with reference AV-000123. We will post you the form."
    events, _, calls = undo(done, typed, dict([withdrawal("AV-000123")]))
    assert calls == [] and events == []


def test_a_resident_whose_registration_is_pending_hears_so_before_applying() -> None:
    # Jodie, whose registration is still being checked, was given a postal vote without a word about it (a probe).
    record = RECORD | {"registration_status": "pending"}
    _, asked = ask(
        {ME: httpx.Response(200, json=record)}, pending_task="request_postal_vote", vote_duration="next_poll"
    )
    assert "still checking your application to register" in asked and asked.endswith("Shall I go ahead?")


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("actually i want to switch to a proxy instead", "request_proxy_vote"),
        ("can I change my postal vote to a proxy vote", "request_proxy_vote"),
        ("change my proxy to a postal vote", "request_postal_vote"),
    ],
)
def test_switching_to_the_other_kind_of_vote_applies_for_it(text: str, task: str) -> None:
    # "actually i want to switch to a proxy instead" was offered the cancelling of the postal vote (a probe).
    tracker = make_tracker(message(text, "cancel_absent_vote", 0.8), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == task


@pytest.mark.parametrize("intent", ["stop", "cancel_absent_vote"])
def test_cancel_it_after_the_refusal_for_someone_else_is_refused_again(intent: str) -> None:
    # "she's bedbound. can you just cancel it" got "No problem. What else can I help you with?" (a probe).
    from bot.actions.tasks import FOR_SOMEONE_ELSE_REPLY, ActionStopWithNothingToStop

    tracker = make_tracker(bot(FOR_SOMEONE_ELSE_REPLY), message("she's bedbound. can you just cancel it", intent, 0.8))
    dispatcher = CollectingDispatcher()
    action = ActionStopWithNothingToStop() if intent == "stop" else ActionStartTask()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "can't do that for them" in said and "nothing has been changed" in said
    assert "pending_task" not in slots_of(events)


def test_yes_to_the_offer_to_renew_a_postal_vote_renews_it() -> None:
    # "yes" to 'just say "renew my postal vote"' got "How can I help?" (a probe).
    from bot.actions.tasks import ActionYesWithNothingAsked

    held = (
        "You already have a postal vote, which ends on Sunday 31 January 2027, so there's no need to apply again. "
        "It's due for renewal: just say \"renew my postal vote\" and I'll do that instead."
    )
    tracker = make_tracker(bot(held), message("yes", "affirm"), slots={"identity_verified": True})
    events = asyncio.run(ActionYesWithNothingAsked().run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "renew_absent_vote"


# A ballot pack wanted somewhere other than home: a probe found no way to say so, and the application went to the
# registered address without a word.
ELSEWHERE = "4 Mill Lane, Ashbury TN41 2AB as I'm staying with my son"


@pytest.mark.parametrize(
    ("opening", "given"),
    [
        ("can I get a postal vote sent to my daughter's address", None),
        ("postal vote please, I'll be at a different address", None),
        (f"i want a postal vote, send it to {ELSEWHERE}", ELSEWHERE),
        # The second probe: her postcode was taken as the resident's ("I can't find TN43 2AA in the area").
        (
            "I want a postal vote but I'm in hospital for a while so please send the ballot papers to my daughter's "
            "house, 22 Station Road, Millbrook TN43 2AA",
            "22 Station Road, Millbrook TN43 2AA",
        ),
        (
            "postal vote pls, send it to my daughters address tho, 4 Mill Lane Hastings TN34 1AB",
            "4 Mill Lane Hastings TN34 1AB",
        ),
    ],
)
def test_a_postal_vote_wanted_elsewhere_asks_where_unless_told(opening: str, given) -> None:
    tracker = make_tracker(message(opening, "request_postal_vote"))
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["ballot_delivery"] == "other_address" and started["ballot_address"] == given
    assert started.get("postcode") is None and started.get("address_uprn") is None  # hers, not the resident's
    slots = {"ballot_delivery": "other_address", "vote_duration": "next_poll", "identity_verified": True}
    assert required_slots_for("request_postal_vote", slots) == ["vote_duration", "ballot_address", "task_confirmed"]
    assert required_slots_for("request_postal_vote", {"identity_verified": True}) == ["vote_duration", "task_confirmed"]


def test_the_ballot_address_is_confirmed_and_sent_with_the_reason() -> None:
    slots = {"pending_task": "request_postal_vote", "vote_duration": "next_poll", "ballot_address": ELSEWHERE}
    routes = {ME: httpx.Response(200, json=RECORD), REQUESTS: httpx.Response(201, json=recorded("postal", "new"))}
    _, asked = ask(routes, **slots)
    calls, said = finish(routes, **slots)
    assert asked == (
        "I'll record a request for a postal vote for the next election, with your ballot pack sent to "
        "4 Mill Lane, Ashbury TN41 2AB. Shall I go ahead?"
    )
    sent = json.loads(next(c for c in calls if c.method == "POST").content)
    assert sent["delivery"] == "other_address" and sent["delivery_address"] == "4 Mill Lane, Ashbury TN41 2AB"
    assert sent["delivery_reason"] == "I'm staying with my son" and "AV-000200" in said


def test_a_postal_vote_held_with_its_pack_wanted_elsewhere_is_a_change_not_a_refusal() -> None:
    slots = {"pending_task": "request_postal_vote", "vote_duration": "permanent", "ballot_address": ELSEWHERE}
    record = RECORD | {"absent_votes": [POSTAL_VOTE]}
    routes = {ME: httpx.Response(200, json=record), REQUESTS: httpx.Response(201, json=recorded("postal", "change"))}
    _, asked = ask(routes, **slots)
    calls, _ = finish(routes, **slots)
    assert asked.startswith("You already have a postal vote. I'll record a request to send its ballot pack to 4 Mill")
    assert json.loads(next(c for c in calls if c.method == "POST").content)["action"] == "change"


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("Flat 2, 10 High Street, Brighton BN1 1AA", "Flat 2, 10 High Street, Brighton BN1 1AA"),
        ("home", "home"),
        ("just send it to my home address", "home"),
        ("my daughter's", None),
        ("TN41 2AB", None),
    ],
)
def test_the_ballot_address_answer_needs_a_whole_address_or_home(answer: str, kept) -> None:
    from bot.actions.electoral import BALLOT_ADDRESS

    assert BALLOT_ADDRESS.read(answer) == kept


def test_send_it_elsewhere_at_the_confirmation_asks_where() -> None:
    from bot.actions.task_form import ValidateTaskForm

    slots = {
        "pending_task": "request_postal_vote",
        "vote_duration": "next_poll",
        "identity_verified": True,
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(message("can you send it to my son's address instead", "inform"), slots=slots)
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, {"forms": {}})))
    assert set_to["ballot_delivery"] == "other_address" and set_to["requested_slot"] == "ballot_address"


@pytest.mark.parametrize("intent", ["absent_vote_status", "cancel_absent_vote", "request_postal_vote"])
def test_a_postal_vote_sent_elsewhere_starts_the_application_whatever_absent_vote_intent(intent: str) -> None:
    # "can I have my postal vote sent to my daughter's address" was read as a status question and got the status.
    text = "can I have my postal vote sent to my daughter's address"
    started = slots_of(
        asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(text, intent)), {}))
    )
    assert started["pending_task"] == "request_postal_vote" and started["ballot_delivery"] == "other_address"


UNDO = "I asked to cancel my postal vote by mistake, ref AV-014039, please undo that I want to keep it"
CANCEL_WAITING = RECORD | {
    "absent_votes": [POSTAL_VOTE],
    "open_requests": [
        {"reference": "AV-014039", "kind": "postal_cancel", "status": "received", "created_at": "2026-12-05T02:40:00Z"}
    ],
}


def test_a_cancellation_asked_by_mistake_is_withdrawn_not_asked_for_again() -> None:
    # The second probe: this was offered "I'll record a request to cancel your postal vote" again.
    opening = (message(UNDO, "cancel_absent_vote"), {"event": "action", "name": "action_start_task"})
    routes = {ME: httpx.Response(200, json=CANCEL_WAITING), **dict([withdrawal("AV-014039")])}
    _, asked = ask(routes, *opening, pending_task="cancel_absent_vote")
    calls, said = finish(routes, *opening, pending_task="cancel_absent_vote")
    assert asked.startswith("I'll withdraw your request to cancel your postal vote, reference AV-014039")
    assert "AV-014039" in said
    assert [c.url.path for c in calls if c.method == "POST"] == [
        "/api/v1/electoral/absent-vote-requests/AV-014039/withdrawal"
    ]


def test_undo_with_no_cancellation_waiting_cancels_nothing() -> None:
    opening = (message(UNDO, "cancel_absent_vote"), {"event": "action", "name": "action_start_task"})
    routes = {ME: httpx.Response(200, json=RECORD | {"absent_votes": [POSTAL_VOTE]})}
    calls, said = finish(routes, *opening, pending_task="cancel_absent_vote")
    assert said.startswith("There's no request to cancel your postal or proxy vote waiting")
    assert not any(c.method == "POST" for c in calls)


@pytest.mark.parametrize("intent", ["request_postal_vote", "absent_vote_status", "cancel_absent_vote"])
def test_undoing_a_cancellation_starts_the_withdrawal_whatever_absent_vote_intent(intent: str) -> None:
    started = slots_of(
        asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(UNDO, intent)), {}))
    )
    assert started["pending_task"] == "cancel_absent_vote"


def test_keep_it_at_the_cancel_confirmation_is_a_no() -> None:
    # The second probe: "no actually keep the postal vote, forget it" got the cancel offer again.
    from bot.actions.task_form import ValidateTaskForm

    slots = {"pending_task": "cancel_absent_vote", "identity_verified": True, "requested_slot": "task_confirmed"}
    tracker = make_tracker(
        message("no actually keep the postal vote, forget it", "cancel_absent_vote", 0.9), slots=slots
    )
    set_to = slots_of(
        asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, {"forms": {}}))
    )
    assert set_to["task_confirmed"] is False


@pytest.mark.parametrize(
    ("task", "slot", "text", "intent"),
    [
        ("cancel_absent_vote", "address_uprn", "no keep it", "stop"),
        ("cancel_absent_vote", "date_of_birth", "actually I want to keep my postal vote", "request_postal_vote"),
        ("cancel_absent_vote", "postcode", "no dont cancel it", "deny"),
        ("cancel_service_request", "reporter_email", "leave it, I'll keep it open", "stop"),
    ],
)
def test_keep_it_at_any_question_of_a_cancel_stops_and_says_nothing_is_cancelled(
    task: str, slot: str, text: str, intent: str
) -> None:
    # A probe: "no keep it" at the address question of a cancel said "I've stopped there", then searched the articles
    # for "keep it" and offered "Help to keep your home warm".
    from bot.actions.task_form import ValidateTaskForm

    tracker = make_tracker(message(text, intent, 0.9), slots={"pending_task": task, "requested_slot": slot})
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, {"forms": {}})))
    said = [m.get("text") for m in dispatcher.messages]
    assert len(said) == 1 and said[0].startswith("OK, I haven't cancelled")
    assert not any(m.get("buttons") for m in dispatcher.messages)
    assert set_to[slot] is None and set_to["verification_outcome"] == "stopped"


@pytest.mark.parametrize(
    "text",
    [
        "i need to change who my proxy is, its my brother at the moment but he cant do it now",
        "replace my proxy",
        "I need a new proxy",
        "my proxy can't do it any more",
    ],
)
def test_changing_the_proxy_asks_for_the_new_one_not_a_cancel(text: str) -> None:
    # The second probe: this was offered "I'll withdraw your proxy vote request", and the new proxy named was refused.
    tracker = make_tracker(message(text, "cancel_absent_vote", 0.9), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "request_proxy_vote"


def test_a_new_proxy_for_a_proxy_vote_held_is_a_change() -> None:
    slots = {
        "pending_task": "request_proxy_vote",
        "vote_duration": "next_poll",
        "proxy_name": "Sarah Jones",
        "proxy_relationship": "my friend",
    }
    routes = {
        ME: httpx.Response(200, json=RECORD | {"absent_votes": [PROXY_VOTE]}),
        REQUESTS: httpx.Response(201, json=recorded("proxy", "change")),
    }
    _, asked = ask(routes, **slots)
    calls, _ = finish(routes, **slots)
    change = "I'll record a request to change your proxy to Sarah Jones (my friend) instead of Dev Patel."
    assert asked == f"{change} Shall I go ahead?"
    sent = json.loads(next(c for c in calls if c.method == "POST").content)
    assert sent["action"] == "change" and sent["proxy_name"] == "Sarah Jones"


@pytest.mark.parametrize(
    ("answer", "address", "reason"),
    [
        (
            "22 Station Road, Millbrook TN43 2AA, I'm staying with her while I recover",
            "22 Station Road, Millbrook TN43 2AA",
            "I'm staying with her while I recover",
        ),
        (ELSEWHERE, "4 Mill Lane, Ashbury TN41 2AB", "I'm staying with my son"),
        (
            "12 rue de la Paix, Paris because I live there in winter",
            "12 rue de la Paix, Paris",
            "I live there in winter",
        ),
    ],
)
def test_the_ballot_address_ends_at_its_postcode_and_the_rest_is_why(answer: str, address: str, reason: str) -> None:
    # In the browser: ", I'm staying with her while I recover" was confirmed as part of the address.
    from bot.actions.form_answers import ballot_delivery_of

    assert ballot_delivery_of(answer) == (address, reason)


def test_the_ballot_sent_to_a_daughters_at_the_confirmation_is_taken() -> None:
    # The third probe: "oh actually can you send it to my daughters, 8 Station Road, Millbrook TN43 1AA, im staying
    # with her" got "I need a yes or a no", and "yes" recorded the request for home.
    from bot.actions.task_form import ValidateTaskForm

    text = "oh actually can you send it to my daughters, 8 Station Road, Millbrook TN43 1AA, im staying with her"
    slots = {
        "pending_task": "request_postal_vote",
        "vote_duration": "permanent",
        "identity_verified": True,
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(message(text, "inform"), slots=slots)
    set_to = slots_of(
        asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, {"forms": {}}))
    )
    assert set_to["ballot_address"].startswith("8 Station Road, Millbrook TN43 1AA")
    assert set_to.get("task_confirmed") is None


def test_the_form_keeps_the_task_chosen_from_the_same_message() -> None:
    # Through the stack: "change my proxy pls" (read as cancel_absent_vote) started the proxy application, and the
    # form, seeing a sure cancel in the same message, switched back and offered to withdraw a postal vote request.
    from bot.actions.task_form import ValidateTaskForm

    opening = message("change my proxy pls", "cancel_absent_vote", 0.97)
    started = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(opening), {}))
    tracker = make_tracker(opening, {"event": "action", "name": "action_start_task"}, *started, slots=slots_of(started))
    set_to = slots_of(
        asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, {"forms": {}}))
    )
    assert set_to.get("pending_task", "request_proxy_vote") == "request_proxy_vote"
    assert set_to["requested_slot"] == "full_name"


def test_cancel_it_instead_after_being_told_of_the_vote_held_cancels_that_vote() -> None:
    # A probe: "actually no, can I cancel it instead" after "You already have a postal vote", not understood as words
    # (nlu_fallback), got "I'm sorry, I'm still not able to help with that".
    from bot.actions.fallback import ActionHandleMiss

    held = "You already have a postal vote, which ends on Sunday 31 January 2027, so there's no need to apply again."
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "request_postal_vote"},
        bot(held),
        message("actually no, can I cancel it instead", "nlu_fallback", 0.3),
        slots={"identity_verified": True},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "cancel_absent_vote" and dispatcher.messages == []
    assert events[-1] == FollowupAction("task_form")


OPTED_OUT = "Thank you. I've recorded that with reference EC-364637. Done: you are now left out of the open register."


@pytest.mark.parametrize(
    ("typed", "intent"),
    [("cancel that", "stop"), ("wait no", "deny"), ("i didnt mean that, put me back on it", "out_of_scope")],
)
def test_taking_back_the_open_register_opt_out_just_recorded_puts_the_resident_back_on(typed, intent) -> None:
    # A probe: "cancel that" and "wait no" after the opt-out was recorded got "No problem. What else can I help you
    # with?", and the opt-out stood.
    back_on = {"reference": "EC-364638", "next_step": "Done: you are now included in the open register."}
    routes = {("POST", "/api/v1/electoral/change-requests"): httpx.Response(201, json=back_on)}
    _, said, calls = undo(OPTED_OUT, typed, routes, intent)
    assert "Done: you are now included in the open register." in said and "No problem" not in said
    [call] = calls
    assert json.loads(call.content)["kind"] == "open_register_opt_in"


def test_taking_back_an_opt_out_found_already_recorded_puts_the_resident_back_on_too() -> None:
    # A probe: "wait no, cancel that" after "That's already recorded with reference EC-851794 ... Done: you are now
    # left out of the open register" got "No problem", and the resident stayed off it.
    again = (
        "That's already recorded with reference EC-851794, so I haven't made another request. Done: you are now left "
        "out of the open register. This does not affect your vote."
    )
    back_on = {"reference": "EC-851795", "next_step": "Done: you are now included in the open register."}
    routes = {("POST", "/api/v1/electoral/change-requests"): httpx.Response(201, json=back_on)}
    _, said, calls = undo(again, "wait no, cancel that", routes, "stop")
    assert "included in the open register" in said and [json.loads(c.content)["kind"] for c in calls] == [
        "open_register_opt_in"
    ]


def test_undoing_just_after_going_back_on_the_open_register_says_they_are_on_it() -> None:
    # A probe: "undo the open register thing, I want to stay on it" just after going back on was offered an officer to
    # stop the change that keeps them on.
    back_on = "Thank you. I've recorded that with reference EC-515482. Done: you are now included in the open register."
    _, said, calls = undo(back_on, "undo the open register thing, I want to stay on it", {}, "open_register_opt_out")
    assert said.startswith("You're on the open register now (reference EC-515482)") and calls == []


def test_asking_to_go_back_on_the_open_register_ends_the_turn() -> None:
    # A probe: the answer was followed by "Sorry, something went wrong": the form ran next with no task.
    events = asyncio.run(
        ActionStartTask().run(
            CollectingDispatcher(),
            make_tracker(message("put me back on the open register", "open_register_opt_out")),
            {},
        )
    )
    assert events[-1] == FollowupAction("action_listen")


def test_taking_back_another_change_to_the_register_says_it_stands_and_offers_an_officer() -> None:
    recorded = "Thank you. I've recorded that with reference EC-634997. An electoral services officer will update it."
    events, said, calls = undo(recorded, "cancel that", {}, "stop")
    assert "EC-634997" in said and "can't undo it here" in said and "No problem" not in said
    assert slots_of(events)["officer_offered"] is True and calls == []


@pytest.mark.parametrize("text", ["i want to stay on the open register", "can you put me back on the open register"])
def test_wanting_to_be_on_the_open_register_is_not_an_opt_out(text: str) -> None:
    # A probe: "i want to stay on the open register, undo it" was offered the opt-out again.
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, "open_register_opt_out")), {}))
    assert not slots_of(events).get("pending_task")
    [reply] = dispatcher.messages
    assert reply["text"].startswith("You're on the open register unless") and slots_of(events)["officer_offered"]


@pytest.mark.parametrize(
    ("text", "name", "relationship"),
    [
        ("her name is Sarah Dunn, she lives at 4 Oak Road Ashbury TN41 2AB", "Sarah Dunn", None),
        ("Graham Gray, my husband", "Graham Gray", "my husband"),
        ("Mark Dunn my son", "Mark Dunn", "my son"),
    ],
)
def test_a_proxys_name_given_with_more_is_taken(text: str, name: str, relationship: str | None) -> None:
    # A probe: "her name is Sarah Dunn, she lives at 4 Oak Road Ashbury TN41 2AB" got "That looks like a postcode", and
    # "Graham Gray, my husband" "Sorry, I need your proxy's first name and surname", until the form gave up.
    from bot.actions.task_form import ValidateTaskForm

    slots = {"pending_task": "request_proxy_vote", "identity_verified": True, "requested_slot": "proxy_name"}
    mapped = {"event": "slot", "name": "proxy_name", "value": text}  # the domain maps the text, as Rasa does
    tracker = make_tracker(message(text, "inform", 0.8), mapped, slots=slots)
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm(backoffice({}, [])).run(dispatcher, tracker, {"forms": {}})))
    assert set_to["proxy_name"] == name and set_to.get("proxy_relationship") == relationship
    assert not any("looks like" in (m.get("text") or "") for m in dispatcher.messages)


def test_changing_the_proxy_at_the_duration_question_never_switches_to_a_cancel() -> None:
    # A probe: "actually can i change my proxy to my son instead, Mark Dunn" at "How long would you like it for?" was
    # read as cancelling, and "yes" withdrew the resident's open proxy request.
    from bot.actions.task_form import ValidateTaskForm

    text = "actually can i change my proxy to my son instead, Mark Dunn"
    slots = {
        "pending_task": "request_proxy_vote",
        "identity_verified": True,
        "requested_slot": "vote_duration",
        "proxy_name": "Sarah Dunn",
        "proxy_relationship": "my daughter",
    }
    mapped = {"event": "slot", "name": "vote_duration", "value": text}
    tracker = make_tracker(message(text, "cancel_absent_vote", 0.95), mapped, slots=slots)
    set_to = slots_of(
        asyncio.run(ValidateTaskForm(backoffice({}, [])).run(CollectingDispatcher(), tracker, {"forms": {}}))
    )
    assert set_to.get("pending_task", "request_proxy_vote") == "request_proxy_vote"
    assert set_to["proxy_name"] == "Mark Dunn"


def test_a_new_proxy_named_when_asking_to_change_it_is_kept() -> None:
    text = "sorry can i change the proxy to my sister Anne Gray instead"
    tracker = make_tracker(message(text, "request_proxy_vote", 0.9), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert (started["pending_task"], started["proxy_name"], started["proxy_relationship"]) == (
        "request_proxy_vote",
        "Anne Gray",
        "my sister",
    )
