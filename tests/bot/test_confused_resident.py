"""Journeys that finish for confused residents (issue 12, a probe of a fresh stack by a confused resident).

Each test drives the action the stack runs at that turn with the message the resident typed and the intent
the classifier gave it, and checks what the resident would notice. The classifier's reading is given as a
test's input on purpose: whatever it reads, the reply must move the resident on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import electoral, handoff, payments, tasks
from bot.actions.electoral import ELECTORAL_PHONE
from bot.actions.fallback import ActionHandleMiss
from bot.actions.form_answers import answer_in
from bot.actions.handoff import ActionRequestOfficer
from bot.actions.knowledge import ActionAnswerFromKnowledge
from bot.actions.task_form import ActionAskDateOfBirth, ValidateTaskForm, start_task_events
from bot.actions.tasks import ActionCompleteTask, ActionDetailsWithoutTask, ActionStartTask, ActionYesWithNothingAsked
from bot.actions.two_requests import requests_in, second_request
from bot.knowledge import get_knowledge
from bot.names import FORM_SLOTS
from tests.support.backoffice_fake import FakeBackOffice, backoffice, slots_of
from tests.support.trackers import NOT_MAPPED, bot, make_tracker, message

WHAT_FOR = "do with that"
RITA = {"uprn": "100099500102", "postcode": "TN41 6PA", "born": "1978-01-26"}  # 19 Rowan Close (FakeBackOffice)


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


def run_form(
    task: str,
    asked: str,
    latest: dict[str, Any],
    backoffice: FakeBackOffice | None = None,
    *,
    earlier: tuple[dict[str, Any], ...] = (),
    **slots: Any,
) -> tuple[dict[str, Any], CollectingDispatcher, list[dict[str, Any]]]:
    """Run the form's validation on ``latest`` (the reply to ``asked``, after the ``earlier`` events) as Rasa does;
    return the slots set, what was said and the back office's calls."""
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": task, "requested_slot": asked}
    base |= {"identity_verified": False, "account_verified": False} | slots
    intent = latest["parse_data"]["intent"]["name"]
    mapped = [] if intent in NOT_MAPPED else [{"event": "slot", "name": asked, "value": latest["text"]}]
    tracker = make_tracker(*earlier, latest, *mapped, slots=base)
    tracker.slots.update(slots_of(mapped))
    dispatcher = CollectingDispatcher()
    backoffice = backoffice or FakeBackOffice(accounts=True)
    events = asyncio.run(ValidateTaskForm(backoffice.client()).run(dispatcher, tracker, {"forms": {}}))
    return slots_of(events), dispatcher, [json_of(call) for call in backoffice.calls]


def json_of(call: Any) -> dict[str, Any]:
    import json

    return {"path": call.url.path, **(json.loads(call.content) if call.content else dict(call.url.params))}


def followed_by_form(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "followup" and e.get("name") == "task_form" for e in events)


# 1. "What would you like me to do with that?" only when the resident gave a value to do something with.


@pytest.mark.parametrize("intent", ["inform", "inform_account"])
@pytest.mark.parametrize("text", ["am i regd 2 vote", "regd?", "wot do i do now", "am i on it"])
def test_a_message_with_no_detail_in_it_is_never_asked_what_to_do_with_that(text: str, intent: str) -> None:
    ranking = [(intent, 0.41), ("check_registration", 0.22), ("request_proxy_vote", 0.12), ("greet", 0.05)]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(bot("Hello!"), message(text, intent, 0.41, ranking))
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    assert WHAT_FOR not in said(dispatcher)
    assert all(m.get("response") != "utter_what_for" for m in dispatcher.messages)
    # The likeliest tasks are offered, the likeliest first, and a person.
    assert payloads(dispatcher)[:2] == ["/check_registration", "/request_proxy_vote"]
    assert "/request_officer" in payloads(dispatcher)
    assert not followed_by_form(events)


def test_a_message_with_no_detail_and_no_likely_task_is_still_answered_without_what_for() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message("wot do i do now", "inform", 0.6, [("inform", 0.6), ("greet", 0.3)]))
    asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    assert dispatcher.messages and WHAT_FOR not in said(dispatcher)
    assert all(m.get("response") != "utter_what_for" for m in dispatcher.messages)
    assert "/request_officer" in payloads(dispatcher)


@pytest.mark.parametrize("text", ["Janice Dunn", "TN41 6PA", "CT26041538", "26/01/1978", "SR-245007"])
def test_a_detail_with_no_task_still_asks_what_to_do_with_it(text: str) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(bot("Hello!"), message(text, "inform")), {}))
    assert dispatcher.messages[0].get("response") == "utter_what_for"


# 7. "Try again" typed after a failed check is the retry its button offers.

RETRY = [{"title": "Try again", "payload": "/check_registration"}, {"title": "Talk to a person", "payload": "/x"}]


@pytest.mark.parametrize("text", ["Try again", "try again please", "yes", "ok try again"])
def test_try_again_read_as_yes_after_a_failed_check_starts_the_check_again(text: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        message("am I registered to vote", "check_registration"),
        bot(electoral.NOT_VERIFIED, RETRY),
        message(text, "affirm"),
    )
    events = asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "check_registration" and followed_by_form(events)
    assert "How can I help" not in said(dispatcher)


@pytest.mark.parametrize("text", ["retry", "Try again", "try again please", "can I try again", "let me try that again"])
@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
def test_try_again_not_understood_after_a_failed_check_starts_the_check_again(text: str, intent: str) -> None:
    dispatcher = CollectingDispatcher()
    retry = [{"title": "Try again", "payload": "/council_tax_balance"}]
    tracker = make_tracker(
        message("whats my balance", "council_tax_balance"),
        bot(payments.NOT_VERIFIED, retry),
        message(text, intent, 0.4),
    )
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "council_tax_balance" and followed_by_form(events)
    assert "didn't quite get that" not in said(dispatcher)


@pytest.mark.parametrize("text", ["try again", "Try again please", "can I try again"])
def test_try_again_after_the_second_failed_check_asks_instead_of_booking_an_officer(text: str) -> None:
    # Read as yes to the officer offer, "try again" recorded an officer request nobody had asked for (a probe).
    calls: list[httpx.Request] = []
    client = backoffice({}, calls)
    lockout = tasks.STILL_NOT_VERIFIED.format(where=tasks.WHERE_DETAILS_ARE[False], phone="01632 960 123")
    tracker = make_tracker(
        message("am I registered to vote", "check_registration"),
        bot(electoral.NOT_VERIFIED, RETRY),
        message("Rita Richardson", "inform"),
        bot(lockout, [{"title": "Yes, talk to a person", "payload": "/request_officer"}]),
        message(text, "affirm"),
        slots={"officer_offered": True},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRequestOfficer(client).run(dispatcher, tracker, {}))
    assert calls == []  # no handoff recorded
    assert "would you like me to ask an officer" in said(dispatcher)
    assert slots_of(events).get("officer_offered") is True


def test_yes_to_the_officer_offer_after_a_failed_check_still_books_one() -> None:
    calls: list[httpx.Request] = []
    ticket = {"reference": "HO-000009", "status": "waiting", "queue_position": 1, "expected_wait_minutes": 4}
    client = backoffice({("POST", "/api/v1/conversations/c1/handoffs"): httpx.Response(201, json=ticket)}, calls)
    lockout = tasks.STILL_NOT_VERIFIED.format(where=tasks.WHERE_DETAILS_ARE[False], phone="01632 960 123")
    tracker = make_tracker(
        message("am I registered to vote", "check_registration"),
        bot(lockout, [{"title": "Yes, talk to a person", "payload": "/request_officer"}]),
        message("yes please", "affirm"),
        slots={"officer_offered": True},
        sender_id="c1",
    )
    asyncio.run(ActionRequestOfficer(client).run(CollectingDispatcher(), tracker, {}))
    assert [request.method for request in calls] == ["POST"]


def test_yes_with_nothing_asked_and_no_failed_check_asks_how_to_help() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(bot("You're welcome."), message("yes", "affirm"))
    assert asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {})) == []
    assert dispatcher.messages[0].get("response") == "utter_how_can_i_help"


def test_try_again_with_no_failed_check_is_not_a_task() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(bot("Hello!"), message("try again", "nlu_fallback", 0.3))
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert "pending_task" not in slots_of(events) and not followed_by_form(events)


# 2. Everything typed at once at the first identity question is split: name, date of birth, postcode (and address).


@pytest.mark.parametrize(
    "text",
    [
        "Rita Richardson 26/01/1978 TN41 6PA",
        "Rita Richardson, born 26 Jan 1978, TN41 6PA",
        "my name is Rita Richardson, dob 26-01-1978 and my postcode is tn41 6pa",
        "Rita Richardson\n26th January 1978\nTN41 6PA",
    ],
)
@pytest.mark.parametrize("intent", ["inform", "check_registration", "out_of_scope"])
def test_name_date_of_birth_and_postcode_given_at_once_are_all_taken(text: str, intent: str) -> None:
    set_to, dispatcher, _ = run_form("check_registration", "full_name", message(text, intent, 0.6))
    assert set_to["full_name"] == "Rita Richardson"
    assert set_to["date_of_birth"] == RITA["born"] and set_to["postcode"] == RITA["postcode"]
    # Only what is still missing is asked: which of the three addresses at the postcode.
    assert set_to["requested_slot"] == "address_uprn"
    assert not [m for m in dispatcher.messages if (m.get("text") or "").startswith("Sorry")]


def test_name_date_of_birth_and_full_address_at_once_check_the_register_straight_away() -> None:
    text = "Rita Richardson 26/01/1978 19 Rowan Close, Ashdown TN41 6PA"
    set_to, _, calls = run_form("check_registration", "full_name", message(text, "inform"))
    assert set_to["identity_verified"] is True
    [check] = [c for c in calls if c["path"] == "/api/v1/electoral/verifications"]
    assert check["full_name"] == "Rita Richardson" and check["date_of_birth"] == RITA["born"]
    assert str(check["uprn"]) == RITA["uprn"]


def test_name_and_date_of_birth_at_once_ask_only_the_postcode() -> None:
    set_to, dispatcher, _ = run_form("check_registration", "full_name", message("Rita Richardson 26/01/1978", "inform"))
    assert set_to["full_name"] == "Rita Richardson" and set_to["date_of_birth"] == RITA["born"]
    assert set_to["requested_slot"] == "postcode" and dispatcher.messages == []


def test_account_number_postcode_and_date_of_birth_at_once_check_the_account() -> None:
    set_to, _, calls = run_form(
        "council_tax_balance", "account_reference", message("CT26041538, TN41 6PA, 26/01/1978", "inform_account")
    )
    [check] = [c for c in calls if c["path"] == "/api/v1/payments/verifications"]
    assert check["account_reference"] == "CT26041538" and check["postcode"] == RITA["postcode"]
    assert check["date_of_birth"] == RITA["born"] and check["full_name"] is None
    assert set_to["account_verified"] is True


def test_name_date_of_birth_and_postcode_on_the_no_account_number_route_check_the_account() -> None:
    set_to, _, calls = run_form(
        "council_tax_balance",
        "full_name",
        message("Rita Richardson, born 26 Jan 1978, TN41 6PA", "inform"),
        account_reference="unknown",
    )
    [check] = [c for c in calls if c["path"] == "/api/v1/payments/verifications"]
    assert check["full_name"] == "Rita Richardson" and check["account_reference"] is None
    assert set_to["account_verified"] is True


def test_a_name_alone_is_still_just_the_name() -> None:
    set_to, _, _ = run_form("check_registration", "full_name", message("Rita Richardson", "inform"))
    assert set_to["full_name"] == "Rita Richardson" and set_to["requested_slot"] == "date_of_birth"


# 3. On the name route, the account number found after all is taken and used.


@pytest.mark.parametrize("text", ["CT26041538", "found it CT26041538", "ct 2604 1538", "it's CT26041538 sorry"])
@pytest.mark.parametrize("asked", ["full_name", "date_of_birth", "postcode"])
def test_the_account_number_typed_on_the_name_route_is_used(text: str, asked: str) -> None:
    slots = {"full_name": "Rita Richardson"} if asked != "full_name" else {}
    slots |= {"date_of_birth": "1978-01-26"} if asked == "postcode" else {}
    set_to, dispatcher, _ = run_form(
        "council_tax_balance", asked, message(text, "inform_account"), **slots, account_reference="unknown"
    )
    assert set_to["account_reference"] == "CT26041538"
    assert "name" not in said(dispatcher) and not said(dispatcher).startswith("Sorry")
    # The name route's name is no longer asked for (the account number, postcode and date of birth prove it).
    assert set_to.get("requested_slot") != "full_name"
    assert set_to.get("full_name") is None


def test_the_account_number_on_the_name_route_with_the_rest_checks_the_account() -> None:
    set_to, _, calls = run_form(
        "council_tax_balance",
        "postcode",
        message("TN41 6PA", "inform"),
        full_name="Rita Richardson",
        date_of_birth="1978-01-26",
        account_reference="unknown",
    )
    assert set_to["account_verified"] is True  # the route as it was still works
    set_to, _, calls = run_form(
        "council_tax_balance",
        "postcode",
        message("CT26041538 TN41 6PA", "inform_account"),
        full_name="Rita Richardson",
        date_of_birth="1978-01-26",
        account_reference="unknown",
    )
    [check] = [c for c in calls if c["path"] == "/api/v1/payments/verifications"]
    assert check["account_reference"] == "CT26041538" and check["postcode"] == "TN41 6PA"
    assert check["full_name"] is None


# 4. A full address typed at the postcode question uses its postcode, and the matching address.


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("19 Rowan Close, Ashdown, TN41 6PA", "100099500102"),
        ("19 rowan close tn41 6pa", "100099500102"),
        ("Orchard House, Rowan Close, Ashdown TN41 6PA", "100099500103"),
        ("Rowan Close, TN41 6PA", None),  # no house named: the addresses are offered
        ("42 Rowan Close, TN41 6PA", None),  # no such house: the addresses are offered
    ],
)
@pytest.mark.parametrize("intent", ["inform", "report_problem", "polling_station"])
def test_a_full_address_at_the_postcode_question_uses_its_postcode(text: str, uprn: str | None, intent: str) -> None:
    set_to, dispatcher, _ = run_form(
        "polling_station" if intent != "polling_station" else "ask_bin_day", "postcode", message(text, intent, 0.9)
    )
    assert "pending_task" not in set_to  # not taken for a new request
    assert set_to["postcode"] == "TN41 6PA" and set_to.get("address_uprn") == uprn
    assert set_to["requested_slot"] == ("address_uprn" if uprn is None else None)
    assert "What is the postcode" not in said(dispatcher)  # the postcode is not asked again
    # A house that is not at the postcode is said so; the addresses there are then offered.
    assert ("isn't in the council's list for TN41 6PA" in said(dispatcher)) == text.startswith("42")


# 5. A death and the council tax in one message: the death is reported, then what happens to the council tax.

BEREAVED = "my mum died and I need to sort her council tax"
AFTER_A_DEATH = next(a for a in get_knowledge().articles() if a.slug == "council-tax-after-death")


@pytest.mark.parametrize("intent", ["report_death_or_left", "council_tax_balance", "recovery_notice"])
def test_a_death_and_council_tax_starts_the_death_report_knowing_the_person_died(intent: str) -> None:
    dispatcher = CollectingDispatcher()
    events = slots_of(asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(BEREAVED, intent)), {})))
    assert events["pending_task"] == "report_death_or_left" and events["report_kind"] == "died"
    assert dispatcher.messages == []  # the report starts: no article instead of it
    # The form asks who died, never again whether they died or moved out.
    set_to, asked, _ = run_form(
        "report_death_or_left", "reported_name", message("Joan Smith", "inform"), report_kind=events["report_kind"]
    )
    assert set_to["requested_slot"] == "postcode" and "died" not in said(asked)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my dad passed away, please take him off the register", "died"),
        # Misspelt as residents type them (the second probe of session 10 got "Thank you for letting us know" for the
        # first, with no sympathy; the form had learnt these words only for its "died or moved out?" question).
        ("my mum past away last week", "died"),
        ("my husband dyed on sunday", "died"),
        ("my dad pased away", "died"),
        ("my wife is decesed, please take her off", "died"),
        ("my lodger has moved out, take her off the electoral register", "left_address"),
        ("someone at my address died or moved out", None),  # both: the form asks which
        ("I need to update the register", None),
    ],
)
def test_what_happened_is_taken_from_the_opening_message_only_when_it_says_one_thing(text: str, kind: str) -> None:
    events = slots_of(start_task_events(make_tracker(message(text, "report_death_or_left"))))
    assert events["report_kind"] == kind


def completed_death_report(opening: str, *, as_stored: bool = False, kind: str = "died") -> str:
    recorded = {"reference": "EC-000321", "kind": kind, "next_step": "Thank you for letting us know."}
    calls: list[httpx.Request] = []
    client = backoffice(
        {
            ("GET", "/api/v1/addresses"): httpx.Response(200, json={"postcode": "TN41 6PA", "addresses": []}),
            ("POST", "/api/v1/electoral/change-requests"): httpx.Response(201, json=recorded),
        },
        calls,
    )
    slots = {"pending_task": "report_death_or_left", "reported_name": "Joan Smith", "report_kind": kind}
    slots |= {"postcode": "TN41 6PA", "address_uprn": "100099500102", "task_confirmed": True}
    first = message(opening, "report_death_or_left")
    if as_stored:
        # As Rasa reads the chat back turns later: the tracker store keeps no resident's text, only sealed slots.
        started = slots_of(start_task_events(make_tracker(message(opening, "report_death_or_left"))))
        slots["opening_words"] = started["opening_words"]
        first = {**first, "text": None, "parse_data": {**first["parse_data"], "text": None}}
    tracker = make_tracker(
        first,
        {"event": "action", "name": "action_start_task"},
        bot("Thank you for letting us know. What is the person's full name?"),
        message("Joan Smith", "inform"),
        message("yes", "affirm"),
        slots=slots,
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCompleteTask(client).run(dispatcher, tracker, {}))
    return said(dispatcher)


def test_when_and_who_in_the_opening_report_are_kept_for_electoral_services() -> None:
    # The tracker store keeps no words, so "my mum Joan Smith died last Tuesday" had lost "last Tuesday" by the
    # confirmation (checked through the hub): what the opening tells is kept as the report's notes at the start.
    opening = "my mum Joan Smith died last Tuesday"
    events = slots_of(
        asyncio.run(
            ActionStartTask().run(CollectingDispatcher(), make_tracker(message(opening, "report_death_or_left")), {})
        )
    )
    assert events["report_notes"] == opening and events["reported_name"] == "Joan Smith"
    plain = slots_of(
        asyncio.run(
            ActionStartTask().run(
                CollectingDispatcher(), make_tracker(message("the man who lived here died", "report_death_or_left")), {}
            )
        )
    )
    assert plain.get("report_notes") is None


@pytest.mark.parametrize("as_stored", [False, True])
def test_after_the_death_is_reported_the_council_tax_asked_about_is_explained(as_stored: bool) -> None:
    # as_stored: through the stack the council tax went unanswered (a probe): the opening's words were gone by then.
    reply = completed_death_report(BEREAVED, as_stored=as_stored)
    assert "EC-000321" in reply
    assert AFTER_A_DEATH.answer.splitlines()[1] in reply and AFTER_A_DEATH.source in reply
    assert reply.index("EC-000321") < reply.index(AFTER_A_DEATH.source)


def test_after_a_move_out_is_reported_the_council_tax_asked_about_is_answered() -> None:
    # A probe: "take her off the register and the council tax" had the move reported and the council tax dropped.
    reply = completed_death_report(
        "my daughter moved out, take her off the register and the council tax", kind="left_address"
    )
    discounts = get_knowledge().article("council-tax-discounts")
    assert "You also asked about council tax." in reply and discounts.source in reply


def test_a_death_reported_without_council_tax_is_not_told_about_council_tax() -> None:
    assert "council tax" not in completed_death_report("my father has died").lower()


# 8. Two requests in one message: the first is done, the second noticed and offered once it is.

TWO = "I need a postal vote and when is my bin day"


@pytest.mark.parametrize(
    ("intent", "first", "then"),
    [("request_postal_vote", "postal vote", "bin day"), ("ask_bin_day", "bin day", "postal vote")],
)
def test_two_requests_in_one_message_are_both_noticed_and_the_first_started(intent: str, first: str, then: str) -> None:
    dispatcher = CollectingDispatcher()
    events = slots_of(asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(TWO, intent)), {})))
    assert events["pending_task"] == intent
    reply = said(dispatcher)
    assert first in reply and then in reply and reply.index(first) < reply.index(then)


@pytest.mark.parametrize(
    "text",
    [
        "I need a postal vote",
        "I need a postal vote for the next election",
        "please cancel SR-245007, the bin was collected after all",
        "can I have a postal vote and send it to my address",
    ],
)
def test_one_request_is_one_request(text: str) -> None:
    dispatcher = CollectingDispatcher()
    intent = "cancel_service_request" if "SR-" in text else "request_postal_vote"
    asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, intent)), {}))
    assert "two things" not in said(dispatcher)


def completed_postal_vote(opening: str) -> CollectingDispatcher:
    recorded = {"reference": "AV-000123", "kind": "postal", "next_step": "We'll write to you."}
    client = backoffice({("POST", "/api/v1/electoral/absent-vote-requests"): httpx.Response(201, json=recorded)}, [])
    slots = {"pending_task": "request_postal_vote", "vote_duration": "permanent", "task_confirmed": True}
    tracker = make_tracker(
        message(opening, "request_postal_vote"),
        {"event": "action", "name": "action_start_task"},
        message("yes", "affirm"),
        slots=slots | {"identity_verified": True},
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCompleteTask(client).run(dispatcher, tracker, {}))
    return dispatcher


def test_once_the_first_is_done_the_second_request_is_offered() -> None:
    dispatcher = completed_postal_vote(TWO)
    assert "AV-000123" in said(dispatcher) and "bin day" in said(dispatcher)
    assert said(dispatcher).index("AV-000123") < said(dispatcher).index("bin day")
    assert payloads(dispatcher)[-1] == "/ask_bin_day"


def test_a_single_request_done_offers_nothing_else() -> None:
    dispatcher = completed_postal_vote("I need a postal vote")
    assert "AV-000123" in said(dispatcher) and "/ask_bin_day" not in payloads(dispatcher)


def test_a_question_answered_from_an_article_offers_the_other_request_made_with_it() -> None:
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    dispatcher = CollectingDispatcher()
    text = "what are your opening hours and when is my bin day"
    asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, make_tracker(message(text, "opening_hours")), {}))
    opening_hours = get_knowledge().for_intent("opening_hours", {})
    assert opening_hours is not None and opening_hours.answer in said(dispatcher)
    assert payloads(dispatcher)[-1] == "/ask_bin_day" and "bin day" in dispatcher.messages[-1]["text"]


def test_a_quick_question_in_the_middle_of_a_task_offers_nothing_else() -> None:
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    dispatcher = CollectingDispatcher()
    text = "what are your opening hours and when is my bin day"
    tracker = make_tracker(message(text, "opening_hours"), slots={"requested_slot": "postcode"})
    asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert "/ask_bin_day" not in payloads(dispatcher)


def test_a_payment_reference_typed_with_the_account_details_is_not_asked_again() -> None:
    set_to, _, _ = run_form(
        "payment_received",
        "account_reference",
        message("CT26041538 PAY-12345678 TN41 6PA 26/01/1978", "payment_received", 0.7),
    )
    assert set_to["account_verified"] is True and set_to["payment_reference"] == "PAY-12345678"
    assert set_to["requested_slot"] is None  # nothing left to ask: the payment is looked up


# A task asked for together with a person ("my bin wasn't collected, can i speak to a person"): seen in the web chat,
# the report form started and asked for the postcode; the resident asked for a person and gets one.


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my bin wasnt collected, can i speak to a person", "report_problem"),
        ("I want to talk to a real person about my council tax balance", "council_tax_balance"),
        ("postal vote please but I'd rather speak to someone", "request_postal_vote"),
    ],
)
def test_a_task_asked_for_with_a_person_hands_over_instead_of_starting_the_form(
    text: str, intent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[httpx.Request] = []
    ticket = {
        "reference": "HO-000010",
        "status": "waiting",
        "in_office_hours": True,
        "queue_position": 1,
        "expected_wait_minutes": 4,
        "officer_hours": "Monday to Friday, 9am to 5pm",
        "reply_by": None,
    }
    client = backoffice({("POST", "/api/v1/conversations/c1/handoffs"): httpx.Response(201, json=ticket)}, calls)
    monkeypatch.setattr(handoff.BackOffice, "from_settings", classmethod(lambda cls: client))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, intent), sender_id="c1"), {}))
    assert [request.method for request in calls] == ["POST"]
    assert "HO-000010" in said(dispatcher)
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["action_listen"]
    assert not slots_of(events).get("pending_task")


def test_a_task_that_mentions_people_without_asking_for_one_starts() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message("can a person register someone else to vote by post", "request_postal_vote"))
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert slots_of(events).get("pending_task") == "request_postal_vote"


# An absent vote asked for another person: a probe verified as Rita Richardson, asked "can I apply for a postal vote
# for my mum Janice Dunn?", answered the form, and AV-164383 was recorded in Rita's name.


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can I apply for a postal vote for my mum Janice Dunn?", "request_postal_vote"),
        ("I need a proxy vote for my father, he's in hospital", "request_proxy_vote"),
        ("I want to be the proxy for my neighbour", "request_proxy_vote"),
        ("cancel her postal vote please", "cancel_absent_vote"),
        ("has my husband's postal vote been renewed", "absent_vote_status"),
        ("postal vote on behalf of my dad", "request_postal_vote"),
    ],
)
def test_an_absent_vote_for_someone_else_is_explained_not_applied_for(text: str, intent: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message(text, intent), slots={"identity_verified": True})
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert not slots_of(events).get("pending_task")
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["action_listen"]
    assert "each voter applies for" in said(dispatcher) and "01632 960 456" in said(dispatcher)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want my daughter to vote for me", "request_proxy_vote"),
        ("can my son be my proxy", "request_proxy_vote"),
        ("a postal vote for me and my husband please", "request_postal_vote"),
        ("I want a postal vote for the next election", "request_postal_vote"),
    ],
)
def test_a_residents_own_absent_vote_naming_a_relative_still_starts(text: str, intent: str) -> None:
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(text, intent)), {}))
    assert slots_of(events).get("pending_task") == intent


# A request and the resident's details in one message read as details alone: the probe's "i'd like a postal vote.
# Rita Richardson 26/01/1978 TN41 6PA" was asked "What would you like me to do with that?" (twice, in two chats).


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("i'd like a postal vote. Rita Richardson 26/01/1978 TN41 6PA", "request_postal_vote"),
        ("Rita Richardson 26/01/1978 TN41 6PA - am I registered to vote?", "check_registration"),
    ],
)
def test_details_with_a_request_start_that_request_with_them(text: str, task: str) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(message(text, "inform")), {}))
    slots = slots_of(events)
    assert slots.get("pending_task") == task
    assert slots.get("full_name") == "Rita Richardson" and slots.get("postcode") == "TN41 6PA"
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["task_form"]
    assert "What would you like me to do" not in said(dispatcher)


def test_details_alone_are_still_asked_what_for() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(message("CT26041538", "inform")), {}))
    assert not slots_of(events).get("pending_task")


# A question at "Where is the problem?": the probe's "is this going to cost me anything?" was reported to the team as
# the pothole's place ("I'll report a pothole problem at is this going to cost me anything?").


@pytest.mark.parametrize("text", ["is this going to cost me anything?", "how long will it take to fix?"])
def test_a_question_is_not_taken_as_the_place_of_a_problem(text: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message(text, "out_of_scope", 0.4), slots={"pending_task": "report_problem"})
    set_to = asyncio.run(ValidateTaskForm().validate_problem_location(text, dispatcher, tracker, {}))
    assert set_to == {"problem_location": None}
    assert "ask me again once the report is made" in said(dispatcher)


@pytest.mark.parametrize("text", ["outside 12 High Street", "by the park?", "where the bus stop is on Mill Lane"])
def test_a_place_is_still_a_place(text: str) -> None:
    tracker = make_tracker(message(text, "inform"), slots={"pending_task": "report_problem"})
    set_to = asyncio.run(ValidateTaskForm().validate_problem_location(text, CollectingDispatcher(), tracker, {}))
    assert set_to == {"problem_location": text}


# A name given after the check: the probe proved it was Rita Richardson, typed "actually my name is Kathleen Gray and
# my postcode is TN44 3LW", asked "am i registered to vote?" and was answered with Rita's record.


def test_a_name_given_after_the_check_makes_the_next_task_check_again() -> None:
    slots = {"identity_verified": True, "account_verified": True}
    dispatcher = CollectingDispatcher()
    text = "actually my name is Kathleen Gray and my postcode is TN44 3LW"
    events = asyncio.run(
        ActionDetailsWithoutTask().run(dispatcher, make_tracker(message(text, "inform"), slots=slots), {})
    )
    assert slots_of(events) == {"identity_verified": False, "account_verified": False}
    assert "check the details again" in said(dispatcher)


def test_a_task_asked_with_a_name_in_a_verified_conversation_checks_that_name() -> None:
    text = "am i registered to vote? I'm Kathleen Gray, 5 Priory Walk TN44 3LW, born 17/08/1984"
    tracker = make_tracker(message(text, "check_registration"), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["identity_verified"] is False
    assert started.get("full_name") == "Kathleen Gray" and started.get("postcode") == "TN44 3LW"


def test_a_verified_resident_asking_without_a_name_stays_verified() -> None:
    tracker = make_tracker(message("do i have a postal vote?", "absent_vote_status"), slots={"identity_verified": True})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert "identity_verified" not in started


# The next try, typed whole straight after a failed check: the probe's "Rita Richardson 24/01/1978 TN41 6PA" kept
# only the name and the form asked for the name again.


def test_details_typed_whole_after_a_failed_check_are_the_next_try() -> None:
    tracker = make_tracker(
        message(
            "am i on the electoral roll? im Rita Richardson, 19 Rowan Close TN41 6PA, dob 25/1/78", "check_registration"
        ),
        bot(electoral.NOT_VERIFIED, RETRY),
        message("Rita Richardson 24/01/1978 TN41 6PA", "inform"),
    )
    events = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))
    slots = slots_of(events)
    assert slots["pending_task"] == "check_registration"
    assert (slots["full_name"], slots["date_of_birth"], slots["postcode"]) == (
        "Rita Richardson",
        "24/01/1978",
        "TN41 6PA",
    )
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["task_form"]


# Another council tax question mid-check keeps the account number: the probe's "did my council tax payment go
# through? account CT24821414", then "what's my balance?" at the date of birth, was asked for the account again.


def test_an_account_number_carries_from_one_council_tax_task_to_the_next() -> None:
    tracker = make_tracker(
        message("what's my balance?", "council_tax_balance"),
        slots={
            "pending_task": "payment_received",
            "account_reference": "CT24821414",
            "requested_slot": "date_of_birth",
        },
    )
    assert slots_of(start_task_events(tracker))["account_reference"] == "CT24821414"


@pytest.mark.parametrize(
    ("before", "account", "text", "intent"),
    [
        ("check_registration", "CT24821414", "what's my balance?", "council_tax_balance"),
        ("payment_received", "CT24821414", "am I registered to vote?", "check_registration"),
        ("payment_received", "unknown", "what's my balance?", "council_tax_balance"),
    ],
)
def test_no_account_number_is_carried_where_none_was_given_for_council_tax(before, account, text, intent) -> None:
    tracker = make_tracker(message(text, intent), slots={"pending_task": before, "account_reference": account})
    assert slots_of(start_task_events(tracker))["account_reference"] is None


# A new postcode given on its own after a task: the probe's "actually my postcode is TN42 6FW" after a bin day at
# TN41 6PA, then "when is my bin day", was told "Sorry, I couldn't match that to one of the addresses".


def test_a_new_postcode_on_its_own_forgets_the_address_chosen_at_the_old_one() -> None:
    tracker = make_tracker(
        message("actually my postcode is TN42 6FW", "inform"),
        slots={"postcode": "TN42 6FW", "address_uprn": "100099504414"},
    )
    events = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events) == {"address_uprn": None}


# "hi, when is my bin day and what time do you open?" (a probe): the opening hours were dropped.


def test_what_time_you_open_is_noticed_beside_a_bin_day() -> None:
    text = "hi, when is my bin day and what time do you open?"
    assert [request.intent for request in requests_in(text)] == ["ask_bin_day", "opening_hours"]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, "ask_bin_day")), {}))
    assert "two things" in said(dispatcher) and "opening hours" in said(dispatcher)


# A missed collection read as a bin day question: make test's simulated resident ("my bin wsn't collected", a typo)
# got its bin days, not a report.


@pytest.mark.parametrize(
    "text",
    [
        "my bin wsn't collected",
        "my bin wadn't collected",
        "my bin wasn't colleted",
        "bins werent emptied this week",
        "you missed my recycling",
        "bin not collected",
    ],
)
@pytest.mark.parametrize("intent", ["ask_bin_day", "report_problem"])
def test_a_missed_collection_read_as_a_bin_day_question_is_reported(text: str, intent: str) -> None:
    # As report_problem, the search named the bin days article, whose task then started (seen in the web chat).
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(text, intent)), {}))
    started = slots_of(events)
    assert started["pending_task"] == "report_problem" and started["service_category"] == "missed_bin"


@pytest.mark.parametrize("text", ["when is my bin collected", "what day are the bins emptied", "is my bin day moving"])
def test_a_bin_day_question_is_still_a_bin_day_question(text: str) -> None:
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(text, "ask_bin_day")), {}))
    assert slots_of(events)["pending_task"] == "ask_bin_day"


def test_one_question_ending_in_a_question_mark_is_one_request() -> None:
    # "what's the deadline for a postal vote?" was answered and then offered "You also asked about a postal vote".
    assert second_request("what's the deadline for a postal vote?", "election_deadlines") is None
    assert second_request("when is my bin day? and can I get a postal vote", "ask_bin_day") is not None


def test_a_postcode_typed_instead_of_tapping_an_offered_task_starts_it() -> None:
    offer = bot(
        "You also asked about your bin day. Shall we do that now?",
        [{"title": "When is my bin day?", "payload": "/ask_bin_day"}],
    )
    tracker = make_tracker(offer, message("TN41 6PA", "inform"))
    events = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "ask_bin_day" and slots_of(events)["postcode"] == "TN41 6PA"


# 9. A date of birth that can only be month first (01/26/1978) is not guessed: the resident is asked what they meant.

AT_THE_ADDRESS = {"full_name": "Rita Richardson", "postcode": "TN41 6PA", "address_uprn": RITA["uprn"]}


def verifications(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if c["path"] == "/api/v1/electoral/verifications"]


@pytest.mark.parametrize("text", ["01/26/1978", "1/26/78", "born 01-26-1978"])
def test_a_month_first_date_of_birth_is_asked_about_not_guessed(text: str) -> None:
    set_to, dispatcher, calls = run_form(
        "check_registration", "date_of_birth", message(text, "inform"), **AT_THE_ADDRESS
    )
    assert set_to["date_of_birth"] is None and verifications(calls) == []  # nothing checked on a guess
    assert "Did you mean 26 January 1978?" in said(dispatcher)
    assert payloads(dispatcher) == ["26 January 1978"]  # tapping it answers in words, read one way only


def test_a_month_first_date_given_with_other_details_is_asked_about_too() -> None:
    text = "Rita Richardson, 01/26/1978, TN41 6PA"
    set_to, dispatcher, calls = run_form("check_registration", "full_name", message(text, "inform"))
    assert set_to["full_name"] == "Rita Richardson" and set_to["postcode"] == "TN41 6PA"
    assert not set_to.get("date_of_birth") and verifications(calls) == []
    assert "Did you mean 26 January 1978?" in said(dispatcher)


def asked_about(text: str) -> tuple[dict[str, Any], ...]:
    """The events of ``text`` typed at the date of birth question and the bot's replies to it."""
    _, dispatcher, _ = run_form("check_registration", "date_of_birth", message(text, "inform"), **AT_THE_ADDRESS)
    return (
        message(text, "inform"),
        *(
            {"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons") or []}}
            for m in dispatcher.messages
        ),
    )


@pytest.mark.parametrize(
    "reply, intent", [("yes", "affirm"), ("Yes that's right", "affirm"), ("26 January 1978", "inform")]
)
def test_yes_to_the_date_in_words_checks_that_date(reply: str, intent: str) -> None:
    set_to, _, calls = run_form(
        "check_registration",
        "date_of_birth",
        message(reply, intent),
        earlier=asked_about("01/26/1978"),
        **AT_THE_ADDRESS,
    )
    [check] = verifications(calls)
    assert check["date_of_birth"] == RITA["born"] and set_to["identity_verified"] is True


def test_no_to_the_date_in_words_asks_for_it_as_day_month_year() -> None:
    set_to, dispatcher, calls = run_form(
        "check_registration",
        "date_of_birth",
        message("no", "deny"),
        earlier=asked_about("01/26/1978"),
        **AT_THE_ADDRESS,
    )
    assert set_to["date_of_birth"] is None and verifications(calls) == []
    assert "day, month and year" in said(dispatcher) and "stop" not in said(dispatcher).lower()


@pytest.mark.parametrize(
    "text, born",
    [
        ("26/01/1978", "1978-01-26"),
        ("26 Jan 78", "1978-01-26"),
        ("1/2/1978", "1978-02-01"),
        ("12/11/1978", "1978-11-12"),
    ],
)
def test_a_uk_date_of_birth_is_read_day_first_without_a_question(text: str, born: str) -> None:
    _, dispatcher, calls = run_form("check_registration", "date_of_birth", message(text, "inform"), **AT_THE_ADDRESS)
    [check] = verifications(calls)
    assert check["date_of_birth"] == born and "Did you mean" not in said(dispatcher)


# 10. "What's my elector number?" is told where to find it, never given it, and not the council's contact details.

ELECTOR_NUMBER = ["what's my elector number?", "whats my electoral number", "where do i find my elector number"]


@pytest.mark.parametrize("text", ELECTOR_NUMBER)
@pytest.mark.parametrize(
    "intent, action",
    [
        ("contact_details", ActionAnswerFromKnowledge),
        ("check_registration", ActionStartTask),
        ("nlu_fallback", ActionHandleMiss),
        ("out_of_scope", ActionHandleMiss),
    ],
)
def test_an_elector_number_question_is_told_where_to_find_it(text: str, intent: str, action: type) -> None:
    # A probe got the council's contact details, which say nothing of it.
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action().run(dispatcher, make_tracker(message(text, intent)), {}))
    reply = said(dispatcher)
    assert "poll card" in reply and "letter" in reply  # where it is printed
    assert get_knowledge().article("contact-details").source not in reply
    assert ELECTORAL_PHONE in reply  # electoral services, for a resident who proves who they are
    assert not [e for e in events if e.get("name") == "pending_task" and e.get("value")]  # no check started


# 10. A date the bot could not take is asked about once: the form's usual question ("Thank you. What is your date of
# birth?") followed "Did you mean 26 January 1978?" and "Sorry, I couldn't read that as a date of birth ...",
# thanking the resident for a mistake and asking over the bot's own question.
def ask_date_of_birth(*events: dict[str, Any]) -> list[str]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskDateOfBirth().run(dispatcher, make_tracker(*events), {}))
    return [str(m.get("response") or m.get("text")) for m in dispatcher.messages]


@pytest.mark.parametrize("typed", ["01/26/1978", "the 40th of Smarch", "yesterday"])
def test_a_date_not_taken_is_asked_about_once(typed: str) -> None:
    replies = [m for m in asked_about(typed) if m["event"] == "bot"]
    assert replies, "the bot said why it could not take the date"
    assert ask_date_of_birth(user_of(typed), *replies) == []


def test_the_date_of_birth_is_still_asked_after_a_name_or_a_digression() -> None:
    assert ask_date_of_birth(user_of("Rita Richardson")) == ["utter_ask_date_of_birth"]
    # After a digression's answer the question is asked without "Thank you." (a probe's "hello?" was thanked).
    assert ask_date_of_birth(user_of("what time are you open?"), bot("We're open 9am to 5pm, Monday to Friday.")) == [
        "What is your date of birth? For example 05/11/1990."
    ]
    # An earlier turn's "couldn't read that" does not silence this turn's question.
    earlier = [m for m in asked_about("yesterday") if m["event"] == "bot"]
    assert ask_date_of_birth(user_of("yesterday"), *earlier, user_of("Rita Richardson")) == ["utter_ask_date_of_birth"]


def user_of(text: str) -> dict[str, Any]:
    return message(text, "inform")


# 11. At the email question of a problem report, having no email is an answer, never "stop" (D6: "i dont do email" got
# "OK, I've stopped there and nothing has been sent." and the contact details; "what do you need my email for?" got
# "Sorry, I need an email address like name@example.com.").
REPORT_SO_FAR = {
    "service_category": "dumped_rubbish",
    "problem_location": "Mill Lane by the bus stop",
    "problem_description": "six black bags and a mattress",
}
NO_EMAIL = ["i dont do email", "I don't have email", "no email address", "I haven't got an email"]
STOPPED_SAID = "stopped there"


@pytest.mark.parametrize("text", NO_EMAIL)
@pytest.mark.parametrize("intent", ["stop", "deny", "contact_details", "inform", "nlu_fallback"])
def test_no_email_at_a_problem_report_goes_ahead_without_one(text: str, intent: str) -> None:
    slots, dispatcher, _ = run_form("report_problem", "contact_email", message(text, intent), **REPORT_SO_FAR)
    assert slots["contact_email"] == "none"
    assert slots.get("verification_outcome") is None and STOPPED_SAID not in said(dispatcher)
    assert "Sorry" not in said(dispatcher)


@pytest.mark.parametrize("text", NO_EMAIL)
def test_no_email_after_asking_why_is_still_an_answer(text: str) -> None:
    # The probe's order: the why counted as one reply that did not answer, so the second went to "stop".
    earlier = (message("what do you need my email for?", "contact_details"), bot("Why ... or talk to a person."))
    slots, dispatcher, _ = run_form(
        "report_problem",
        "contact_email",
        message(text, "contact_details"),
        earlier=earlier,
        answer_misses=1,
        **REPORT_SO_FAR,
    )
    assert slots["contact_email"] == "none" and STOPPED_SAID not in said(dispatcher)


@pytest.mark.parametrize(
    "text", ["what do you need my email for?", "what do you need my email address for", "why do you need my email?"]
)
@pytest.mark.parametrize("intent", ["stop", "inform", "contact_details", "nlu_fallback"])
def test_asking_why_the_email_is_wanted_gets_the_reason_and_the_question_again(text: str, intent: str) -> None:
    slots, dispatcher, _ = run_form("report_problem", "contact_email", message(text, intent), **REPORT_SO_FAR)
    reply = said(dispatcher)
    assert "updates" in reply and "skip" in reply  # why, and that it is optional
    assert "name@example.com" not in reply and STOPPED_SAID not in reply
    assert slots["contact_email"] is None and slots.get("verification_outcome") is None
    assert slots.get("requested_slot", "contact_email") == "contact_email"


# 12. A question answered at "Shall I go ahead?" keeps the request (D7: "wait whats the deadline for that?" at the
# postal vote's confirmation got the deadlines, then "ok yes" got "How can I help?" and nothing was recorded).
UPCOMING = {
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
            ],
        }
    ],
}
RECORDED = {
    "reference": "AV-000123",
    "kind": "postal",
    "action": "new",
    "already_recorded": False,
    "next_step": "We'll post you the form to sign.",
    "deadline": {
        "title": "Millbrook ward by-election",
        "poll_date": "2027-02-18",
        "deadline": "2027-02-03T17:00:00+00:00",
        "in_time": True,
    },
    "still_open_routes": [],
}
POSTAL_AT_CONFIRMATION = {
    "identity_verified": True,
    "postcode": RITA["postcode"],
    "address_uprn": RITA["uprn"],
    "vote_duration": "next_poll",
}


def electoral_office(calls: list[httpx.Request]):
    return backoffice(
        {
            ("GET", "/api/v1/elections/upcoming"): httpx.Response(200, json=UPCOMING),
            ("POST", "/api/v1/electoral/absent-vote-requests"): httpx.Response(201, json=RECORDED),
        },
        calls,
    )


def validate_at_confirmation(latest: dict[str, Any], slots: dict[str, Any], calls: list[httpx.Request]):
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": "request_postal_vote", "requested_slot": "task_confirmed"}
    tracker = make_tracker(bot("I'll record a request ... Shall I go ahead?"), latest, slots=base | slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(electoral_office(calls)).run(dispatcher, tracker, {"forms": {}}))
    return base | slots | slots_of(events), dispatcher


@pytest.mark.parametrize(
    "text", ["wait whats the deadline for that?", "when is the deadline", "whens the deadline for postal votes"]
)
def test_a_deadline_question_at_the_confirmation_is_answered_and_ok_yes_records_the_request(text: str) -> None:
    calls: list[httpx.Request] = []
    slots, dispatcher = validate_at_confirmation(
        message(text, "election_deadlines", 0.95), POSTAL_AT_CONFIRMATION, calls
    )
    assert "Apply for a postal vote: the deadline is 5pm on Wednesday 3 February 2027" in said(dispatcher)
    # The request is still the one in hand, with its answers, and the question is asked again.
    assert slots["pending_task"] == "request_postal_vote" and slots["vote_duration"] == "next_poll"
    assert slots["requested_slot"] == "task_confirmed" and slots["task_confirmed"] is None
    assert slots.get("verification_outcome") is None

    slots, _ = validate_at_confirmation(message("ok yes", "affirm"), slots, calls)
    assert slots["task_confirmed"] is True and slots["pending_task"] == "request_postal_vote"
    dispatcher = CollectingDispatcher()
    asyncio.run(
        ActionCompleteTask(electoral_office(calls)).run(
            dispatcher, make_tracker(message("ok yes", "affirm"), slots=slots), {}
        )
    )
    assert [c.url.path for c in calls if c.method == "POST"] == ["/api/v1/electoral/absent-vote-requests"]
    assert "AV-000123" in said(dispatcher)


def test_a_request_for_another_recording_task_at_the_confirmation_still_switches() -> None:
    calls: list[httpx.Request] = []
    slots, _ = validate_at_confirmation(
        message("actually can I have a proxy vote instead", "request_proxy_vote", 0.95), POSTAL_AT_CONFIRMATION, calls
    )
    assert slots["pending_task"] == "request_proxy_vote"


# 13. A missed collection told at a name, date of birth or account question switches to the report (D5: "forget council
# tax, my bin was not collected" got "Sorry, I need your first name and surname..."; at the date of birth, "Sorry, I
# couldn't read that as a date of birth."); "me, Rita Richardson" is a name.
BIN_NOT_COLLECTED = ["my bin was not collected", "forget council tax, my bin was not collected"]
AT_A_DETAIL = [
    ("council_tax_balance", "full_name", {"account_reference": "unknown"}),
    ("council_tax_balance", "account_reference", {}),
    ("check_registration", "date_of_birth", {"full_name": "Rita Richardson"}),
    ("check_registration", "full_name", {}),
]


@pytest.mark.parametrize("text", BIN_NOT_COLLECTED)
@pytest.mark.parametrize("task, asked, so_far", AT_A_DETAIL)
@pytest.mark.parametrize("intent, confidence", [("report_problem", 0.6), ("nlu_fallback", 0.4), ("inform", 0.7)])
def test_a_missed_collection_at_a_detail_question_starts_the_report(
    text: str, task: str, asked: str, so_far: dict[str, Any], intent: str, confidence: float
) -> None:
    slots, dispatcher, calls = run_form(task, asked, message(text, intent, confidence), **so_far)
    assert slots["pending_task"] == "report_problem" and slots["service_category"] == "missed_bin"
    assert "Sorry" not in said(dispatcher)
    assert not [c for c in calls if "verifications" in c["path"]]  # nothing checked with the old task's details
    assert slots.get("full_name") is None and slots.get("date_of_birth") is None


@pytest.mark.parametrize("text", ["me, Rita Richardson", "me Rita Richardson", "it's me, Rita Richardson"])
@pytest.mark.parametrize("intent", ["inform", "nlu_fallback"])
def test_me_and_a_name_is_that_name(text: str, intent: str) -> None:
    slots, dispatcher, _ = run_form("check_registration", "full_name", message(text, intent, 0.6))
    assert slots["full_name"] == "Rita Richardson" and "Sorry" not in said(dispatcher)


@pytest.mark.parametrize(
    "offer, task",
    [
        ("We were in the middle of your report. Shall we go back to it?", "report_problem"),
        ("You also asked about your council tax balance. Shall we do that now?", "council_tax_balance"),
    ],
)
def test_yes_to_an_offer_of_one_task_takes_it_as_its_button_does(offer: str, task: str) -> None:
    """A probe: "yes please" to "Shall we go back to it?" got "How can I help?"."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(bot(offer, [{"title": "Go", "payload": f"/{task}"}]), message("yes please", "affirm"))
    events = asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == task and followed_by_form(events)
    assert "How can I help" not in said(dispatcher)


def test_a_failed_check_does_not_send_a_registered_resident_to_register_first() -> None:
    """A probe: right details, refused for a few minutes after someone else's guesses (the same answer as any
    failure, so a guesser learns nothing), were told "Maybe you're not registered ... register again" first; and a
    lock on the connection was said to be "in this chat" in a brand-new chat."""
    assert "try again in a few minutes" in electoral.NOT_VERIFIED
    assert electoral.NOT_VERIFIED.index("try again") < electoral.NOT_VERIFIED.index("register at")
    assert "details in this chat" not in electoral.LOCKED + payments.LOCKED


def test_a_payment_reference_just_after_a_statement_asks_for_its_receipt() -> None:
    """A probe said it had no payment reference, got a statement by email, then typed "actually it's PAY-28020117":
    "What would you like me to do with that?"."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "receipt_request"},
        bot("I've emailed a statement of this year's payments (DR-000123) to j***@e***.com."),
        {"event": "slot", "name": "pending_task", "value": None},
        message("actually it's PAY-28020117", "inform"),
    )
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    set_to = slots_of(events)
    assert set_to["pending_task"] == "receipt_request" and set_to["document_kind"] == "receipt"
    assert set_to["payment_reference"] == "PAY-28020117" and followed_by_form(events)
    assert "What would you like me to do" not in said(dispatcher)


CARRY_ON_OFFER = handoff.CARRY_ON.format(called="your report")


def test_the_offer_to_carry_on_after_an_emergency_outlasts_a_question_in_between() -> None:
    """A probe: "what number should I ring again?" after the offer, then "continue the report": the report was lost."""
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "report_problem"},
        message("a tree has fallen on a car and someone is trapped", "emergency"),
        bot(CARRY_ON_OFFER, [handoff.CARRY_ON_BUTTON]),
        message("what number should I ring again?", "contact_details"),
        bot("You can call us on 01632 960 123."),
        message("continue the report", "report_problem"),
        slots={"pending_task": "report_problem", "problem_location": "Mill Lane"},
    )
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {}))
    assert events == [{"event": "followup", "name": "task_form", "timestamp": None}]


def test_news_of_an_emergency_already_handed_over_is_noted_not_a_new_emergency() -> None:
    """A probe: "the fire brigade are here now, they got him out" got the 999 advice and the handover again."""
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "report_problem"},
        message("a tree has fallen on a car and someone is trapped", "emergency"),
        bot(CARRY_ON_OFFER, [handoff.CARRY_ON_BUTTON]),
        message("the fire brigade are here now, they got him out", "emergency"),
        slots={"pending_task": "report_problem"},
    )
    events = asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]
    assert "the officer will see it" in said(dispatcher) and "call 999 now" not in said(dispatcher)
    assert payloads(dispatcher) == ["/affirm"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("ok go back to the report", "ask_bin_day"),
        ("can we finish the report now", "nlu_fallback"),
        ("ok back to the fly tipping", "out_of_scope"),
    ],
)
def test_going_back_to_an_offered_task_in_words_takes_it_up(text: str, intent: str) -> None:
    """A probe: typed, going back to the report offered after another answer got an article or "didn't get that"."""
    from bot.actions.fallback import ActionHandleMiss
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    action = {"ask_bin_day": ActionStartTask(), "nlu_fallback": ActionHandleMiss()}.get(
        intent, ActionAnswerFromKnowledge()
    )
    tracker = make_tracker(
        bot(
            "We were in the middle of your report. Shall we go back to it?",
            [{"title": "Go", "payload": "/report_problem"}],
        ),
        message(text, intent),
    )
    events = asyncio.run(action.run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "report_problem" and followed_by_form(events)


def test_carry_on_after_the_thanks_for_news_of_the_emergency_carries_on() -> None:
    """Seen in the browser: "carry on" after "Thank you for letting us know ... I can carry on" got "How can I help?"
    (and the hub then kept it for the officer)."""
    from bot.actions.knowledge import EMERGENCY_NEWS

    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "report_problem"},
        bot(CARRY_ON_OFFER, [handoff.CARRY_ON_BUTTON]),
        message("the fire brigade are here now, they got him out", "emergency"),
        bot(EMERGENCY_NEWS, [handoff.CARRY_ON_BUTTON]),
        message("carry on", "affirm"),
        slots={"pending_task": "report_problem"},
    )
    events = asyncio.run(ActionYesWithNothingAsked().run(CollectingDispatcher(), tracker, {}))
    assert events == [{"event": "followup", "name": "task_form", "timestamp": None}]


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # Answered about bins alone (a probe): "n also" is "and also", and how to pay is a question of its own.
        ("hw do i pay my counsil tax n also when is bin day", ["how_to_pay", "ask_bin_day"]),
        ("bin day & postal vote pls", ["ask_bin_day", "request_postal_vote"]),
        ("I paid and it went through", []),
        # Only the bin day was heard, and the name typed next refused as a postcode (a probe).
        ("can u check my voter registration and also whens my bin day", ["check_registration", "ask_bin_day"]),
        ("am i still on the electoral roll and what day are the bins", ["check_registration", "ask_bin_day"]),
    ],
)
def test_two_requests_in_text_speak_are_both_heard(text: str, intents: list[str]) -> None:
    assert [request.intent for request in requests_in(text)] == intents


@pytest.mark.parametrize("text", ["actually yes do it", "yes go ahead after all", "sorry i meant yes"])
def test_a_yes_straight_after_saying_no_at_the_confirmation_does_what_was_declined(text: str) -> None:
    """A probe: "actually yes do it" after a no to "Shall I go ahead?" of a name change got "How can I help?", and
    every answer had to be given again (live, the answers are kept in a slot: the tracker store seals its events)."""
    slots = {
        "pending_task": "changed_name",
        "identity_verified": True,
        "new_name": "Rita Okafor",
        "task_confirmed": False,
    }
    declined = CollectingDispatcher()
    at_no = asyncio.run(ActionCompleteTask().run(declined, make_tracker(message("no", "deny"), slots=slots), {}))
    after = {**slots, **slots_of(at_no)}
    tracker = make_tracker(
        message("no", "deny"),
        bot(said(declined)),
        message(text, "affirm"),
        slots=after,
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {}))
    set_to = slots_of(events)
    assert (set_to["pending_task"], set_to["new_name"], set_to["task_confirmed"]) == (
        "changed_name",
        "Rita Okafor",
        True,
    )
    assert followed_by_form(events) and "How can I help" not in said(dispatcher)


def test_a_yes_long_after_saying_no_is_not_taken_as_doing_it() -> None:
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "changed_name"},
        message("no", "deny"),
        bot("OK, I haven't recorded anything. What else can I help with?"),
        message("when is the next election", "next_election"),
        bot("The next election is on 7 May 2027."),
        message("yes", "affirm"),
    )
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {})) == []
    assert "How can I help" in said(dispatcher) or dispatcher.messages[0].get("response") == "utter_how_can_i_help"


def test_a_question_asked_while_changing_ones_mind_at_the_confirmation_is_answered_and_declines() -> None:
    # A probe: "actually no I've changed my mind, I'll just go to the polling station" with a question got the answer,
    # then "Shall I go ahead?" again, and "thx" was told a yes or a no was needed.
    calls: list[httpx.Request] = []
    text = "actually no I've changed my mind, I'll just vote in person. when is the deadline?"
    slots, dispatcher = validate_at_confirmation(
        message(text, "election_deadlines", 0.9), POSTAL_AT_CONFIRMATION, calls
    )
    assert "Apply for a postal vote: the deadline is" in said(dispatcher)
    assert slots["task_confirmed"] is False
    assert not [c for c in calls if c.method == "POST"]


@pytest.mark.parametrize("typed", ["I think the number is 245007", "245007", "its 245007 i think"])
def test_a_request_reference_without_its_letters_is_the_reference(typed: str) -> None:
    # A probe: "I think the number is 245007" at "What is the reference?" was refused for lacking "SR-".
    found = answer_in(
        "request_reference", {"text": typed, "intent": {"name": "request_progress"}}, task="request_progress"
    )
    assert found is not None and found[0] == "SR-245007"


def test_a_complaint_about_a_councillor_gets_the_monitoring_officer_not_a_handover() -> None:
    # A probe: "I want to complain about a councillor" got the complaints process, the Ombudsman and a handover; the
    # Ombudsman does not look at councillors' conduct.
    from bot.actions.handoff import ActionComplaint

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message("I want to complain about a councillor", "complaint"))
    events = asyncio.run(ActionComplaint().run(dispatcher, tracker, {}))
    assert "Monitoring Officer" in said(dispatcher) and "Ombudsman does not look" in said(dispatcher)
    assert followed_by_listen(events)


def followed_by_listen(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "followup" and e.get("name") == "action_listen" for e in events)


@pytest.mark.parametrize(
    ("typed", "uprn"), [("19 Rowan Close TN41 6PA", "100099500102"), ("she lived at TN41 6PA", None)]
)
def test_an_address_typed_at_died_or_moved_out_is_kept_and_the_question_put_once_more(
    typed: str, uprn: str | None
) -> None:
    # The second probe of session 10: the address typed at "Has the person died, or have they moved out?" got
    # "Sorry, has the person died, or moved out?" twice, then the way out; the address was then asked again.
    from bot.actions.task_form import required_slots_for

    set_to, asked, _ = run_form(
        "report_death_or_left", "report_kind", message(typed, "inform"), FakeBackOffice(), reported_name="Joan Smith"
    )
    assert (set_to["postcode"], set_to.get("address_uprn")) == ("TN41 6PA", uprn)
    assert "noted" in said(asked) and "died, or have they moved out?" in said(asked)
    assert "answer_misses" not in set_to  # no miss: the way out is not brought nearer
    filled = {"reported_name": "Joan Smith"} | set_to | {"report_kind": "died"}
    still_asked = [slot for slot in required_slots_for("report_death_or_left", filled) if filled.get(slot) is None]
    assert still_asked == (["task_confirmed"] if uprn else ["address_uprn", "task_confirmed"])


def test_the_name_of_someone_who_moved_out_stops_before_what_they_did() -> None:
    # The second probe of session 11: recorded as "Jodie Kemp Doesnt has moved out".
    from bot.actions.form_answers import reported_name_told

    assert reported_name_told("someone called Jodie Kemp doesnt live here anymore") == "Jodie Kemp"
    assert reported_name_told("a man called tom baker has moved out") == "Tom Baker"


@pytest.mark.parametrize(
    ("text", "postcode", "line"),
    [
        ("my mum passed away, she lived at 10 priory gardens TN43 3EH, her name was Jodie Kemp", "TN43 3EH", "10 pri"),
        ("my dad died, can u take him off the voting list. John Smith, 19 Rowan Close TN41 6PA", "TN41 6PA", "19 Row"),
    ],
)
def test_where_the_person_lived_in_the_opening_report_is_not_asked_again(text: str, postcode: str, line: str) -> None:
    # The second probe of session 11: both were asked "Which address at ... was theirs?" after giving it.
    started = slots_of(start_task_events(make_tracker(message(text, "report_death_or_left"))))
    assert started["postcode"] == postcode and str(started["address_uprn"]).startswith(line)


@pytest.mark.parametrize(
    ("asked", "verified", "text", "intent"),
    [
        ("vote_duration", True, "actually make it a proxy", "request_postal_vote"),
        ("vote_duration", True, "i want a proxy vote instead", "request_proxy_vote"),
        ("full_name", False, "actually make it a proxy", "inform"),
        ("task_confirmed", True, "no wait, can it be a proxy instead", "deny"),
    ],
)
def test_changing_a_postal_vote_request_to_a_proxy_mid_task_switches_to_the_proxy(
    asked: str, verified: bool, text: str, intent: str
) -> None:
    # The probe of session 11: "actually make it a proxy" at "just for the next election, or long term?" was asked
    # that again, and a long-term postal vote was recorded; at the name question it was refused as no name.
    slots = {"identity_verified": verified, "vote_duration": "permanent" if asked == "task_confirmed" else None}
    set_to, asked_now, _ = run_form("request_postal_vote", asked, message(text, intent, 0.6), **slots)
    assert set_to["pending_task"] == "request_proxy_vote" and not set_to.get("set_aside")
    assert said(asked_now).startswith("OK, a proxy vote instead of a postal vote")
    assert "first name and surname" not in said(asked_now) and "next election, or long term" not in said(asked_now)
    assert set_to.get("full_name") is None


@pytest.mark.parametrize("text", ["no wait it was 18", "sorry it's number 18 not 19", "actually no 18"])
def test_a_house_number_put_right_at_the_confirmation_asks_the_address_again_not_drops_the_report(text: str) -> None:
    # The probe of session 11: "no wait it was 18" at "Shall I go ahead?" of a death report got "OK, I haven't
    # recorded anything."
    slots = {
        "reported_name": "John Richardson",
        "report_kind": "died",
        "postcode": "TN41 6PA",
        "address_uprn": "100099500102",
    }
    set_to, asked, _ = run_form("report_death_or_left", "task_confirmed", message(text, "deny", 0.7), **slots)
    assert set_to.get("task_confirmed") is None and set_to["address_uprn"] is None
    assert "haven't recorded" not in said(asked)


@pytest.mark.parametrize(
    ("task", "asked", "text", "answer"),
    [
        ("request_proxy_vote", "vote_duration", "whats a proxy?", "A proxy is someone you trust"),
        ("request_proxy_vote", "proxy_name", "sorry what is a proxy", "A proxy is someone you trust"),
        ("request_postal_vote", "vote_duration", "wat is a postal vote", "postal vote"),
    ],
)
def test_what_a_proxy_is_asked_mid_request_is_answered_and_the_question_asked_again(
    task: str, asked: str, text: str, answer: str
) -> None:
    # The probe of session 11: "whats a proxy?" at the duration question got "Sorry, was that just for the next
    # election, or long term?".
    set_to, said_now, _ = run_form(task, asked, message(text, task, 0.9), identity_verified=True)
    assert answer in said(said_now) and "next election, or long term" not in said(said_now)
    assert set_to.get(asked) is None and set_to.get("pending_task", task) == task


def at_the_confirmation(task: str, text: str, intent: str, **slots: Any) -> tuple[dict[str, Any], str]:
    """Run the form on ``text`` typed at ``task``'s "Shall I go ahead?"; return the slots it set and what it said.

    "Shall I go ahead?" is answered by yes or no (the domain maps no words into it), so nothing is mapped here.
    """
    held = dict.fromkeys(FORM_SLOTS) | {"pending_task": task, "requested_slot": "task_confirmed"} | slots
    tracker = make_tracker(message(text, intent, 0.6), slots=held)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {"forms": {}}))
    return slots_of(events), said(dispatcher)


def test_why_all_this_at_the_confirmation_says_why_and_that_nothing_is_sent_yet() -> None:
    # The probe of session 11: "why do i need to give all this?" at the postal vote's "Shall I go ahead?" got only
    # 'Please say "yes" to go ahead, or "no"'.
    set_to, told = at_the_confirmation(
        "request_postal_vote",
        "why do i need to give all this?",
        "out_of_scope",
        identity_verified=True,
        vote_duration="permanent",
    )
    assert "Nothing is sent until you say yes" in told
    assert set_to.get("task_confirmed") is None


@pytest.mark.parametrize(
    "text",
    ["my husbnd pased away, he had a postal vote, pls cancel it", "my mum died, can you cancel her proxy vote"],
)
def test_cancelling_the_vote_of_someone_who_died_reports_the_death_not_the_residents_vote(text: str) -> None:
    # The second probe of session 11: it was offered to withdraw the widow's own postal vote request.
    dispatcher = CollectingDispatcher()
    events = slots_of(
        asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, "cancel_absent_vote")), {}))
    )
    assert events["pending_task"] == "report_death_or_left" and events["report_kind"] == "died"
    assert "Nothing of yours will change" in said(dispatcher)


def test_a_spelling_put_right_at_the_confirmation_of_a_death_report_is_recorded() -> None:
    # The second probe of session 11: "sorry its spelt Joan Smyth" got "I need a yes or a no"; "yes" recorded Smith.
    slots = {
        "reported_name": "Joan Smith",
        "report_kind": "died",
        "postcode": "TN41 6PA",
        "address_uprn": "100099500102",
    }
    set_to, _, _ = run_form(
        "report_death_or_left", "task_confirmed", message("sorry its spelt Joan Smyth", "inform", 0.6), **slots
    )
    assert set_to["reported_name"] == "Joan Smyth" and set_to.get("task_confirmed") is None


@pytest.mark.parametrize("text", ["cancel the name change i asked for", "can i withdraw my change of name"])
def test_cancelling_a_name_change_does_not_start_another_one(text: str) -> None:
    # The second probe of session 11: it asked for the new name and offered to record a second change.
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, "changed_name")), {}))
    assert "pending_task" not in slots_of(events)
    assert "haven't made a new one" in said(dispatcher)
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_officer"


def test_switching_between_postal_and_proxy_keeps_the_details_given_for_the_check() -> None:
    # The second probe of session 11: "proxy vote pls", "kathleen gray", "17/8/84", "actually make it a postal vote
    # instead" was asked for the name again.
    set_to, _, _ = run_form(
        "request_proxy_vote",
        "postcode",
        message("actually make it a postal vote instead", "request_postal_vote", 0.6),
        full_name="Kathleen Gray",
        date_of_birth="1984-08-17",
    )
    assert set_to["pending_task"] == "request_postal_vote"
    assert (set_to["full_name"], set_to["date_of_birth"]) == ("Kathleen Gray", "1984-08-17")


def test_a_question_mid_task_read_as_a_council_tax_task_it_never_names_does_not_switch_to_it() -> None:
    # The second probe of session 11: "do i need to send proof?" during a change of name started the council tax
    # account check ("What is your council tax account number?").
    set_to, said_now, _ = run_form(
        "changed_name", "new_name", message("do i need to send proof?", "receipt_request", 0.95), identity_verified=True
    )
    assert set_to.get("pending_task", "changed_name") == "changed_name"
    assert "account number" not in said(said_now)


def test_council_tax_at_the_name_of_the_person_who_died_is_not_a_bare_sorry() -> None:
    # The second probe of session 11: "council tax too" at "What is the person's full name?" got "Sorry, I need the
    # person's first name and surname" (after it had been recorded as a name, the session before the fix).
    set_to, said_now, _ = run_form(
        "report_death_or_left", "reported_name", message("council tax too", "inform"), report_kind="died"
    )
    assert set_to["reported_name"] is None
    assert said(said_now).startswith("You can ask me about council tax once this is done.")


@pytest.mark.parametrize(
    ("held", "text", "place"),
    [
        (
            "down the lane behind tesco",
            "actually it was the alley behind the co-op not tesco",
            "the alley behind the co-op",
        ),
    ],
)
def test_a_place_put_right_at_the_confirmation_replaces_the_place(held: str, text: str, place: str) -> None:
    # The third probe of session 11: the correction was added to the description and the report filed at the old place.
    slots = {"service_category": "dumped_rubbish", "problem_location": held, "problem_description": "mattresses"}
    set_to, _, _ = run_form(
        "report_problem", "task_confirmed", message(text, "inform", 0.6), **slots, contact_email="none"
    )
    assert set_to["problem_location"] == place
    assert set_to.get("problem_description", "mattresses") == "mattresses"


@pytest.mark.parametrize(
    ("asked", "text", "stored"),
    [
        (
            "problem_location",
            "no wait it's on the wall of the church hall, Mill Lane",
            "the wall of the church hall, Mill Lane",
        ),
        ("problem_location", "its at 7 Priory Walk", "7 Priory Walk"),
    ],
)
def test_a_place_is_stored_without_the_words_leading_into_it(asked: str, text: str, stored: str) -> None:
    # The third probe of session 11 filed "at no wait it's on the wall of the church hall" and "at its at 7 Priory Walk"
    set_to, _, _ = run_form("report_problem", asked, message(text, "inform", 0.6), service_category="graffiti")
    assert set_to["problem_location"] == stored


@pytest.mark.parametrize(
    ("text", "proxy", "said_first"),
    [
        # The second probe of session 11: recorded with the relationship "sorry its spelt Tom Gray".
        ("sorry its spelt Tom Gray", "Tom Gray", "OK, I've changed that."),
        # The third probe: "why do i need to give all this?" was recorded as how the voter knows the proxy.
        ("why do i need to give all this?", "Tom Grey", "The application form asks how you know"),
    ],
)
def test_what_is_no_relationship_at_the_proxys_relationship_question_is_not_recorded_as_it(
    text: str, proxy: str, said_first: str
) -> None:
    set_to, said_now, _ = run_form(
        "request_proxy_vote",
        "proxy_relationship",
        message(text, "inform", 0.6),
        identity_verified=True,
        vote_duration="next_poll",
        proxy_name="Tom Grey",
    )
    assert set_to["proxy_relationship"] is None and set_to.get("proxy_name", "Tom Grey") == proxy
    assert said(said_now).startswith(said_first)


def test_a_proxys_name_put_right_at_the_confirmation_is_recorded() -> None:
    # The third probe of session 11: "its Kathleen Grey not Gray" got "Sorry, I need a yes or a no here".
    set_to, _ = at_the_confirmation(
        "request_proxy_vote",
        "its Kathleen Grey not Gray",
        "inform",
        identity_verified=True,
        vote_duration="next_poll",
        proxy_name="Kathleen Gray",
        proxy_relationship="my friend",
    )
    assert set_to["proxy_name"] == "Kathleen Grey" and set_to.get("task_confirmed") is None


@pytest.mark.parametrize("text", ["hmm actually proxy might be better", "a postal vote would be easier"])
def test_a_kind_of_vote_said_to_be_better_not_understood_as_words_starts_it(text: str) -> None:
    # The third probe of session 11: "hmm actually proxy might be better" got the homelessness article.
    events = asyncio.run(
        ActionHandleMiss().run(CollectingDispatcher(), make_tracker(message(text, "nlu_fallback")), {})
    )
    assert slots_of(events)["pending_task"] in ("request_proxy_vote", "request_postal_vote")
