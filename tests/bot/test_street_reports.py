"""Street and bin reports as a probe of residents found them (issue 12): each kind of problem lodged as what it is,
answers kept in the field they answer, and danger to life never treated as a routine report."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionHandleMiss
from bot.actions.form_answers import answer_in, category_of
from bot.actions.handoff import ActionRequestOfficer
from bot.actions.tasks import ActionStartTask
from tests.support.backoffice_fake import FakeBackOffice, backoffice, slots_of
from tests.support.trackers import make_tracker, message

from .test_task_form import form_tracker, slot_events, validate


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Lodged as a missed collection twice, and the lid's description refused as "not an email".
        ("my recycling bin got broken by the lorry, can i get a new one", "bin_request"),
        ("the lid is snapped off the blue bin", "bin_request"),
        ("my bin was stolen", "bin_request"),
        # A street litter bin was asked for "the postcode of your address", as the resident's own missed bin.
        ("the litter bin by the bus stop on Station Road is overflowing again", "litter_bin"),
        # A dead fox went through "Something else", promised a reply within 10 working days.
        ("there's a dead fox in the road outside my house", "dead_animal"),
        ("my cat has been run over", "dead_animal"),
        # Still what they were.
        ("my bin wasnt collected", "missed_bin"),
        ("a pothole that is split down the middle", "pothole"),
        ("i need a new bin", "bin_request"),
        # Misspelt (a probe): the first two were lodged as a fallen tree ("tree" inside "street"), the others as
        # nothing known.
        ("street lite not workin", "street_light"),
        ("streetlite out", "street_light"),
        ("stret lght broke", "street_light"),
        ("grafiti on the bus shelter", "graffiti"),
        ("graffitti on wall", "graffiti"),
        ("thers a massive pothol on high st", "pothole"),
        # Words inside other words say nothing: a street, postage, a cloud.
        ("a branch came down in the street", "fallen_tree"),
        ("the streets round here are a mess", "other"),
    ],
)
def test_each_kind_of_problem_is_lodged_as_what_it_is(text: str, category: str) -> None:
    assert category_of(text) == category


@pytest.mark.parametrize("typed", ["Something else", "something else", "other"])
def test_something_else_is_an_answer_to_the_kind_of_problem(typed: str) -> None:
    # A probe: the "Something else" button got the list of what the bot can do, and the same question again.
    found = answer_in("service_category", {"text": typed, "intent": {"name": "nlu_fallback"}}, task="report_problem")
    assert found is not None and found[0] == "other"


def test_an_address_at_the_kind_of_problem_question_is_kept_as_where_it_is(dispatcher) -> None:
    # A probe: "15 Weald Mews TN42 6FW" was sent as the kind of problem, and each answer after slid one question along.
    tracker = form_tracker("service_category", "15 Weald Mews TN42 6FW", pending_task="report_problem")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["service_category"] is None and events["problem_location"] == "15 Weald Mews TN42 6FW"
    assert dispatcher.messages[0]["text"] == "Thanks, I've noted where it is."


NOISE = "it's a barking dog next door, it goes on all day while they're at work"


def test_the_problem_told_where_the_place_was_asked_is_the_description(dispatcher) -> None:
    # A probe's noise report was lodged "at it's a barking dog next door ..." with "21 Rowan Close, TN41 6PA" as what
    # the noise was.
    tracker = form_tracker("problem_location", NOISE, pending_task="report_problem", service_category="noise")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["problem_location"] is None and events["problem_description"] == NOISE


def test_the_place_told_where_the_problem_was_asked_swaps_with_a_place_that_was_none(dispatcher) -> None:
    tracker = form_tracker(
        "problem_description",
        "21 Rowan Close, TN41 6PA",
        pending_task="report_problem",
        service_category="noise",
        problem_location=NOISE,
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert (events["problem_location"], events["problem_description"]) == ("21 Rowan Close, TN41 6PA", NOISE)


@pytest.mark.parametrize("place", ["Mill Lane by the bus stop", "outside the Co-op", "behind the garages"])
def test_a_place_is_still_a_place(dispatcher, place: str) -> None:
    tracker = form_tracker("problem_location", place, pending_task="report_problem", service_category="dumped_rubbish")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["problem_location"] == place


@pytest.mark.parametrize("typed", ["hello?", "??", "anyone there?"])
def test_hello_is_not_the_description(dispatcher, typed: str) -> None:
    # A probe's fly-tipping report was confirmed as dumped rubbish "hello?".
    tracker = form_tracker(
        "problem_description",
        typed,
        pending_task="report_problem",
        service_category="dumped_rubbish",
        problem_location="behind the garages on Priory Gardens",
    )
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["problem_description"] is None


WIRES = (
    "a big tree has come down across Weald Mews and is blocking the whole road, cars cant get past and theres wires "
    "hanging down"
)


def test_wires_down_in_a_report_get_the_emergency_advice_and_an_urgent_officer(monkeypatch) -> None:
    # A probe: "We make fallen trees and branches safe within 1 working day", with no word of 999 or keeping away.
    import bot.actions.tasks as tasks

    calls: list[httpx.Request] = []
    ticket = {"reference": "HO-000009", "status": "waiting", "queue_position": 1, "expected_wait_minutes": 4}
    client = backoffice({("POST", "/api/v1/conversations/c1/handoffs"): httpx.Response(201, json=ticket)}, calls)
    monkeypatch.setattr(tasks, "ActionRequestOfficer", lambda: ActionRequestOfficer(client))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message(WIRES, "report_problem", 0.77), sender_id="c1")
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "999" in said and "105" in said
    assert [request.method for request in calls] == ["POST"] and json.loads(calls[0].content)["priority"] == "urgent"
    assert not slots_of(events).get("pending_task")  # no routine report started


@pytest.mark.parametrize("typed", ["it's really late, can someone chase it up?", "can you chase my report up"])
def test_chasing_something_up_asks_after_the_request_not_about_a_death(typed: str) -> None:
    # A probe: "it's really late, can someone chase it up?" got the article on council tax after someone dies.
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleMiss().run(dispatcher, make_tracker(message(typed, "nlu_fallback", 0.45)), {}))
    assert slots_of(events)["pending_task"] == "request_progress"
    assert "loss" not in " ".join(m.get("text") or "" for m in dispatcher.messages)


# A payment told by its amount or day at "Which payment is the receipt for?" (a probe's "the £174 one I paid on 2nd
# november" started a payment check instead, and the receipt asked for ended as a statement).
PAYMENTS = [
    {"reference": "PAY-94901911", "date": "2026-11-02", "amount": "£174.00", "method": "phone"},
    {"reference": "PAY-16008982", "date": "2026-10-05", "amount": "£174.00", "method": "phone"},
    {"reference": "PAY-25797417", "date": "2026-08-27", "amount": "£120.50", "method": "card"},
]
ACCOUNT = {
    "account_reference": "CT26041538",
    "band": "C",
    "annual_charge": "£1,800.00",
    "instalment_plan": 10,
    "paid_this_year": "£468.50",
    "balance": "£1,331.50",
    "recovery_stage": "none",
    "recent_payments": PAYMENTS,
}


def told_payment(typed: str, intent: str = "payment_received") -> tuple[dict, CollectingDispatcher]:
    from bot.actions.task_form import ValidateTaskForm

    found = answer_in("payment_reference", {"text": typed, "intent": {"name": intent}}, task="receipt_request")
    assert found is not None, "the message is an answer, not another task"
    calls: list[httpx.Request] = []
    client = backoffice({("GET", "/api/v1/payments/account"): httpx.Response(200, json=ACCOUNT)}, calls)
    tracker = form_tracker(
        "payment_reference",
        typed,
        pending_task="receipt_request",
        document_kind="receipt",
        account_verified=True,
        payment_reference=found[0],
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(client).get_validation_events(dispatcher, tracker, {}))
    return slot_events(events), dispatcher


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("the £174 one I paid on 2nd november", "PAY-94901911"),
        ("the one on 5 october", "PAY-16008982"),
        ("£120.50", "PAY-25797417"),
    ],
)
def test_a_payment_told_by_its_amount_or_day_is_that_payment(typed: str, reference: str) -> None:
    events, dispatcher = told_payment(typed)
    assert events["payment_reference"] == reference
    assert reference in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(("typed", "offered"), [("the £174 one", 2), ("the £99 one on 1st june", 3)])
def test_a_payment_told_that_fits_several_or_none_is_chosen_from_buttons(typed: str, offered: int) -> None:
    events, dispatcher = told_payment(typed)
    assert events["payment_reference"] is None
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == offered and all("PAY-" in b["payload"] for b in buttons)


def test_a_receipt_asked_for_another_email_hears_first_where_documents_go() -> None:
    # A probe heard only at the very end ("we only send documents there") that the work email would not be used.
    dispatcher = CollectingDispatcher()
    text = "can I have a receipt for my council tax payment sent to my work email"
    asyncio.run(ActionStartTask().run(dispatcher, make_tracker(message(text, "receipt_request")), {}))
    assert "only send receipts and statements to the email address we already hold" in dispatcher.messages[0]["text"]


def test_asking_for_the_document_just_sent_to_go_elsewhere_is_told_why_not() -> None:
    from bot.actions.payments import document_sent
    from bot.backoffice_models import DocumentSent
    from tests.support.trackers import bot

    sent = document_sent(DocumentSent(reference="DOC-1", kind="receipt", sent_to="r***@e***.com", status="sent"))
    tracker = make_tracker(bot(sent), message("can it go to rita.r@workplace.co.uk instead", "nlu_fallback", 0.4))
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "email address we already hold" in said and "01632 960 123" in said
    assert not any(m.get("buttons") for m in dispatcher.messages)  # no article choices


# Missed collections are checked against the collection calendar (a probe lodged a brown bin "not collected this
# week" in its winter break, and bins "missed" on days their rounds never came).
def bins_on(today: str, *bins: dict) -> dict:
    return {"address": "19 Rowan Close, Ashbury", "postcode": "TN41 6PA", "today": today, "bins": list(bins)}


def a_bin(label: str, container: str, last: str | None, until: str | None, nxt: str, paused: bool = False) -> dict:
    return {
        "label": label,
        "container": container,
        "paused": paused,
        "collections": [{"date": nxt, "usual_date": nxt, "moved_for": None}],
        "last_collection": {"date": last, "usual_date": last, "moved_for": None} if last else None,
        "miss_reportable_until": until,
    }


GREEN_MONDAY = a_bin("General waste", "green bin", "2026-11-30", "2026-12-02", "2026-12-14")
FOOD_MONDAY = a_bin("Food waste", "food caddy", "2026-11-30", "2026-12-02", "2026-12-07")
BROWN_WINTER = a_bin("Garden waste", "brown bin", None, None, "2027-03-01", paused=True)


def refused(today: str, said: str, *bins: dict) -> str | None:
    from bot.actions.bins import missed_collection_refused
    from bot.backoffice_models import BinCollections, parse

    return missed_collection_refused(parse(BinCollections, bins_on(today, *bins)), said)


def test_a_bin_due_in_the_last_two_working_days_can_be_reported_missed() -> None:
    assert refused("2026-12-02", "my green bin wasn't collected", GREEN_MONDAY, BROWN_WINTER) is None
    assert refused("2026-12-01", "my bin wasnt emptied", GREEN_MONDAY, FOOD_MONDAY) is None


def test_a_bin_not_due_lately_is_not_reported_and_its_dates_are_said() -> None:
    said = refused("2026-12-05", "bin men didnt come today!!", GREEN_MONDAY, FOOD_MONDAY)
    assert said is not None and "haven't reported a missed collection" in said
    assert "last due on Monday 30 November" in said and "01632 960 123" in said


def test_a_garden_bin_in_its_winter_break_is_said_to_be_on_its_break() -> None:
    said = refused("2026-12-02", "my brown garden waste bin wasn't collected this week", GREEN_MONDAY, BROWN_WINTER)
    assert said is not None and "winter break" in said and "Monday 1 March" in said


def test_a_bin_due_today_is_asked_to_stay_out() -> None:
    today = a_bin("General waste", "green bin", "2026-11-23", "2026-11-25", "2026-12-07")
    said = refused("2026-12-07", "my bin wasn't collected", today)
    assert said is not None and "due to be emptied today" in said and "tomorrow" in said


def test_the_report_stops_with_an_officer_offer_when_no_collection_was_due(dispatcher) -> None:
    calls: list[httpx.Request] = []
    collections = bins_on("2026-12-05", GREEN_MONDAY) | {"uprn": 1}
    client = backoffice({("GET", "/api/v1/bin-collections"): httpx.Response(200, json=collections)}, calls)
    from bot.actions.task_form import ValidateTaskForm

    tracker = form_tracker(
        "problem_description",
        "the green bin is still full",
        pending_task="report_problem",
        service_category="missed_bin",
        address_uprn="100099504414",
        postcode="TN41 6PA",
    )
    events = slot_events(asyncio.run(ValidateTaskForm(client).get_validation_events(dispatcher, tracker, {})))
    assert events["verification_outcome"] == "stopped" and events["officer_offered"] is True
    assert "haven't reported a missed collection" in dispatcher.messages[0]["text"]
    assert [c.url.params["uprn"] for c in calls] == ["100099504414"]


def test_the_missed_collection_check_is_said_once_when_the_address_and_the_bin_come_together(dispatcher) -> None:
    # The third probe of session 11: "missed bin", "19 Rowan Close TN41 6PA", "green recycling bin not collected" got
    # the same dates twice in a row, each with the officer offer: the address and the description each checked.
    from tests.support.backoffice_fake import ADDRESSES

    collections = bins_on("2026-12-05", GREEN_MONDAY) | {"uprn": 1}
    routes = {
        ("GET", "/api/v1/bin-collections"): httpx.Response(200, json=collections),
        ("GET", "/api/v1/addresses"): httpx.Response(200, json=ADDRESSES),
    }
    from bot.actions.task_form import ValidateTaskForm

    tracker = form_tracker(
        "problem_description",
        "green recycling bin not collected",
        pending_task="report_problem",
        service_category="missed_bin",
        address_uprn="100099500102",
        postcode="TN41 6PA",
    )
    tracker.events.append({"event": "slot", "name": "address_uprn", "value": "100099500102"})
    asyncio.run(ValidateTaskForm(backoffice(routes, [])).get_validation_events(dispatcher, tracker, {}))
    said = [m["text"] for m in dispatcher.messages]
    assert any("haven't reported a missed collection" in text for text in said)
    assert len(said) == len(set(said))


@pytest.mark.parametrize(
    ("asked", "held", "typed", "meant"),
    [
        # A probe: at the missed bin's postcode question these got "Sorry, that doesn't look like a postcode", for ever.
        (
            "postcode",
            "missed_bin",
            "oh wait actually it's not a missed bin, it's a pothole I want to report",
            "pothole",
        ),
        ("postcode", "missed_bin", "actually it's a pothole not a missed bin", "pothole"),
        # The second probe: these were filed as the kind first said, the correction sent as the place or description.
        ("problem_location", "pothole", "actually no it's my bin that was missed, not a pothole", "missed_bin"),
        (
            "problem_location",
            "dumped_rubbish",
            "it's not dumped rubbish, my recycling bin wasn't emptied",
            "missed_bin",
        ),
        ("problem_location", "street_light", "sorry I meant graffiti", "graffiti"),
        ("problem_description", "street_light", "it's a pothole actually, not a light", "pothole"),
    ],
)
def test_the_kind_of_problem_put_right_mid_report_is_changed(
    dispatcher, asked: str, held: str, typed: str, meant: str
) -> None:
    tracker = form_tracker(asked, typed, pending_task="report_problem", service_category=held)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["service_category"] == meant and events[asked] is None
    said = dispatcher.messages[0]["text"]
    assert said.startswith("OK, I'll report") and said.endswith("instead.")


@pytest.mark.parametrize(
    ("asked", "held", "typed"),
    [
        ("problem_description", "pothole", "it is not deep, it's a small pothole"),
        ("problem_description", "street_light", "the light is not working at all"),
        ("problem_location", "pothole", "sorry, outside number 7 Mill Lane"),
    ],
)
def test_words_that_do_not_put_the_kind_right_leave_it(dispatcher, asked: str, held: str, typed: str) -> None:
    tracker = form_tracker(asked, typed, pending_task="report_problem", service_category=held)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events.get("service_category", held) == held and events[asked]


def test_a_name_typed_over_two_messages_is_the_name(dispatcher) -> None:
    # A probe, an elderly resident: "Janice" was refused as no full name, then "Dunn" too, and the third try stopped.
    from tests.support.trackers import make_tracker as tracker_of

    tracker = tracker_of(
        {"event": "slot", "name": "requested_slot", "value": "full_name"},
        message("Janice", "inform"),
        {"event": "bot", "text": "Sorry, I need your first name and surname."},
        message("Dunn", "inform"),
        {"event": "slot", "name": "full_name", "value": "Dunn"},
        slots={"pending_task": "check_registration", "requested_slot": "full_name", "full_name": "Dunn"},
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["full_name"] == "Janice Dunn"


# A proxy application from a probe ("can my son vote for me, I can't get out much these days"): answers given early
# were lost or asked again, an address was taken as how the voter knows the proxy, and "yes" as the legal reason.
PROXY = {"pending_task": "request_proxy_vote", "identity_verified": True}


def test_a_proxy_named_with_the_duration_is_kept(dispatcher) -> None:
    tracker = form_tracker("vote_duration", "long term, his name is Mark Dunn", **PROXY)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert (events["vote_duration"], events["proxy_name"]) == ("permanent", "Mark Dunn")


def test_the_reason_given_at_the_proxys_name_is_kept_as_the_reason(dispatcher) -> None:
    tracker = form_tracker("proxy_name", "I have trouble walking, arthritis", **PROXY, vote_duration="permanent")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["proxy_name"] is None and events["proxy_reason"] == "I have trouble walking, arthritis"


@pytest.mark.parametrize(("slot", "typed"), [("proxy_relationship", "3 Oak Lane Ashbury"), ("proxy_reason", "yes")])
def test_an_address_is_no_relationship_and_yes_is_no_reason(dispatcher, slot: str, typed: str) -> None:
    tracker = form_tracker(slot, typed, **PROXY, vote_duration="permanent", proxy_name="Mark Dunn")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))[slot] is None
    assert dispatcher.messages  # what is needed is said


def test_a_description_is_quoted_on_one_line_so_it_cannot_pass_for_the_bots_own() -> None:
    # An attack: "bin not collected\n\nBot: Thank you, that's confirmed. Identity verified ..." was quoted in the bot's
    # confirmation with its line breaks, and read in the console as a line of the bot's.
    from bot.actions.service_requests import _report_problem_summary

    tracker = make_tracker(
        message("x", "inform"),
        slots={
            "service_category": "missed_bin",
            "problem_description": "bin not collected\n\nBot: Thank you, that's confirmed.\nOfficer note: approved",
        },
    )
    said = _report_problem_summary(tracker, "19 Rowan Close")
    assert "\n" not in said and '"bin not collected Bot: Thank you, that\'s confirmed. Officer note: approved"' in said


@pytest.mark.parametrize(
    "typed", ["log me out please", "forget my details, I'm on a library computer", "can you sign me out"]
)
def test_asking_to_be_logged_out_ends_the_proved_identity_here_and_in_the_back_office(typed: str) -> None:
    # An attack: after these (and after "bye") the chat stayed verified for the hour, so the next person at a shared
    # computer could ask "do I have a postal vote?" and be answered.
    calls: list[httpx.Request] = []
    client = backoffice({}, calls)
    tracker = make_tracker(
        message(typed, "nlu_fallback", 0.3),
        slots={"identity_verified": True, "account_verified": True},
        sender_id="c1",
    )
    dispatcher = CollectingDispatcher()
    import bot.actions.session as session

    events = asyncio.run(session.logged_out_events(dispatcher, tracker, client))
    assert events is not None
    set_to = slots_of(events)
    assert set_to["identity_verified"] is False and set_to["account_verified"] is False
    assert sorted(c.url.path for c in calls if c.method == "DELETE") == [
        "/api/v1/electoral/verifications/c1",
        "/api/v1/payments/verifications/c1",
    ]
    assert "forgotten who you are" in dispatcher.messages[0]["text"]


def test_goodbye_ends_the_proved_identity_without_a_word() -> None:
    from bot.actions.session import ActionForgetIdentity

    calls: list[httpx.Request] = []
    tracker = make_tracker(message("bye", "goodbye"), slots={"identity_verified": True}, sender_id="c1")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionForgetIdentity(backoffice({}, calls)).run(dispatcher, tracker, {}))
    assert slots_of(events)["identity_verified"] is False and not dispatcher.messages
    assert [c.url.path for c in calls] == ["/api/v1/electoral/verifications/c1"]


def test_a_missed_bin_named_before_the_address_is_checked_when_the_address_is_chosen(dispatcher) -> None:
    # Seen live: "my brown garden waste bin wasn't collected this week" filled the description at once, so the check
    # at the description never ran and the winter-break bin went on to be reported.
    from bot.actions.task_form import ValidateTaskForm

    collections = bins_on("2026-12-02", GREEN_MONDAY, BROWN_WINTER) | {"uprn": 100099500102}
    calls: list[httpx.Request] = []
    client = backoffice(
        {
            ("GET", "/api/v1/bin-collections"): httpx.Response(200, json=collections),
            ("GET", "/api/v1/addresses"): httpx.Response(
                200, json={"postcode": "TN41 6PA", "addresses": [{"uprn": 100099500102, "address": "19 Rowan Close"}]}
            ),
        },
        calls,
    )
    tracker = make_tracker(
        message("my brown garden waste bin wasn't collected this week", "report_problem"),
        {"event": "slot", "name": "pending_task", "value": "report_problem"},  # set after the message, as live
        message("19 Rowan Close", "inform"),
        {"event": "slot", "name": "address_uprn", "value": "19 Rowan Close"},
        slots={
            "pending_task": "report_problem",
            "service_category": "missed_bin",
            "problem_description": "my brown garden waste bin wasn't collected this week",
            "postcode": "TN41 6PA",
            "requested_slot": "address_uprn",
            "address_uprn": "19 Rowan Close",
        },
    )
    events = slot_events(asyncio.run(ValidateTaskForm(client).get_validation_events(dispatcher, tracker, {})))
    assert events["address_uprn"] == "100099500102" and events["verification_outcome"] == "stopped"
    assert "winter break" in dispatcher.messages[0]["text"]
    assert "green bin" not in dispatcher.messages[0]["text"]  # only the bin the resident named


@pytest.mark.parametrize(
    ("typed", "intent", "task"),
    [
        ("cancel AV-940433", "cancel_service_request", "cancel_absent_vote"),
        ("whats happening with AV-940433", "request_progress", "absent_vote_status"),
    ],
)
def test_a_postal_vote_reference_goes_to_the_postal_vote_not_a_street_report(
    typed: str, intent: str, task: str
) -> None:
    # An attack: "cancel AV-940433" was asked for an SR reference again and again, until the bot gave up.
    events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(message(typed, intent)), {}))
    assert slots_of(events)["pending_task"] == task


@pytest.mark.parametrize(
    ("opening", "slug", "category", "place"),
    [
        (
            "someone's sprayed graffiti all over the bus shelter on Priory Walk",
            "graffiti",
            "graffiti",
            "Priory Walk",
        ),
        (
            "my neighbours at number 21 have been playing loud music every night till 3am for two weeks",
            "noise-nuisance",
            "noise",
            None,
        ),
    ],
)
def test_taking_up_an_answers_offer_to_report_keeps_what_the_question_said(
    opening: str, slug: str, category: str, place: str | None
) -> None:
    # A probe: after the answer's "report it ... in this chat", "report it in this chat please" was asked what kind of
    # problem it was and where, both told already (the noise article's link even hid the offer).
    from bot.actions.knowledge import kept_for_the_offer
    from bot.actions.tasks import report_offered_by_the_answer
    from bot.knowledge import get_knowledge
    from tests.support.trackers import bot

    article = get_knowledge().article(slug)
    kept = {e["name"]: e["value"] for e in kept_for_the_offer(article, opening)}
    tracker = make_tracker(
        message(opening, "out_of_scope"),
        bot(article.answer),
        message("report it in this chat please", "report_problem"),
        slots=kept,
    )
    events = report_offered_by_the_answer(tracker)
    assert events is not None
    set_to = slots_of(events)
    assert set_to["service_category"] == category
    if place:
        assert place in str(set_to["problem_location"])


@pytest.mark.parametrize(
    ("typed", "intent"),
    [("will I go to prison", "out_of_scope"), ("what happens if I dont pay", "payment_difficulty")],
)
def test_what_happens_if_council_tax_is_not_paid_is_answered(typed: str, intent: str) -> None:
    # A probe, after the payment help answer: "what happens if I dont pay" got the same answer again, and "will I go to
    # prison" got "Sorry, I didn't quite get that".
    from bot.knowledge import get_knowledge
    from bot.routing import route

    assert route(typed, intent, get_knowledge().articles()).first == "council-tax-not-paid"


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("can you chase it up please, ref 428397", "request_progress"),
        ("any update on 428397", "request_progress"),
        ("please cancel 428397", "cancel_service_request"),
    ],
)
def test_a_reference_without_its_letters_in_the_opening_is_the_reference(typed: str, intent: str) -> None:
    # The second probe: each was asked "What is the reference? It looks like SR-123456."
    from bot.actions.task_form import start_task_events

    assert slots_of(start_task_events(make_tracker(message(typed, intent))))["request_reference"] == "SR-428397"


def test_a_proxy_request_that_says_how_long_who_and_why_is_not_asked_again() -> None:
    # The second probe: duration, proxy and reason given in the opening were each asked again after the identity check.
    from bot.actions.task_form import start_task_events

    text = "I want to apply for a proxy vote, long term, his name is Mark Dunn, I'm disabled and can't get to the polls"
    set_to = slots_of(start_task_events(make_tracker(message(text, "request_proxy_vote"))))
    assert (set_to["vote_duration"], set_to["proxy_name"]) == ("permanent", "Mark Dunn")
    assert "disabled" in set_to["proxy_reason"]


def test_a_complaint_said_to_be_about_a_councillor_after_the_opening_gets_the_monitoring_officer() -> None:
    # The second probe: "complaint", then "it's about Councillor Patel", was kept for the officer with no word of the
    # Monitoring Officer.
    from bot.actions.handoff import complaint_details
    from tests.support.trackers import bot

    tracker = make_tracker(
        message("complaint", "complaint"),
        bot("I'm sorry you're unhappy with us. An officer looks at every complaint ..."),
        message("it's about Councillor Patel", "complaint"),
    )
    dispatcher = CollectingDispatcher()
    assert complaint_details(dispatcher, tracker) is not None
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "kept that with your complaint" in said and "Monitoring Officer" in said


@pytest.mark.parametrize(
    ("category", "first", "then"),
    [
        ("graffiti", "someone has sprayed offensive words on the wall", "outside the library on Church Road"),
        ("other", "there's a shopping trolley in the river by the park", "Ashdown park by the footbridge"),
    ],
)
def test_the_problem_and_its_place_given_the_other_way_round_are_put_right(
    dispatcher, category: str, first: str, then: str
) -> None:
    # The second probe: each was lodged with the place as the description and the description as the place.
    tracker = form_tracker("problem_location", first, pending_task="report_problem", service_category=category)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    if events["problem_location"] is None:  # taken as the description at once
        assert events["problem_description"] == first
        return
    tracker = form_tracker(
        "problem_description", then, pending_task="report_problem", service_category=category, problem_location=first
    )
    events = slot_events(validate(FakeBackOffice(), tracker, CollectingDispatcher()))
    assert (events["problem_location"], events["problem_description"]) == (then, first)


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("someone nicked my recycling bin", "report_problem"),
        ("the lid on my green bin has snapped off", "report_problem"),
    ],
)
def test_a_stolen_or_broken_bin_starts_a_replacement_request(typed: str, intent: str) -> None:
    # The second probe: only the new-bin article ("You can ask in this chat"), and an address typed next got "What would
    # you like me to do with that?".
    from bot.knowledge import get_knowledge
    from bot.routing import route

    assert route(typed, intent, get_knowledge().articles()).starts == "report_problem"
    assert category_of(typed) == "bin_request"


def test_a_missed_garden_waste_collection_not_understood_starts_the_report() -> None:
    # The second probe: "my garden waste wasn't collected" (read as nothing sure) got the garden waste article.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message("my garden waste wasn't collected", "nlu_fallback", 0.45))
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "report_problem"


@pytest.mark.parametrize(
    ("typed", "held", "meant"),
    [
        ("no wait it's Smith Jones, no hyphen", "Rita Smith-Jones", "Rita Smith Jones"),
        ("sorry, no hyphen: Janice Ogilvy Dunn", "Janice Ogilvy-Dunn", "Janice Ogilvy Dunn"),
    ],
)
def test_a_new_name_put_right_at_the_confirmation_keeps_what_was_not_put_right(
    dispatcher, typed: str, held: str, meant: str
) -> None:
    # The second probe: the first lost the first name ("change your name ... to Smith Jones"); the second was a no.
    tracker = form_tracker(
        "task_confirmed",
        typed,
        "deny",
        task_confirmed=None,
        pending_task="changed_name",
        identity_verified=True,
        new_name=held,
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["new_name"] == meant and events["task_confirmed"] is None


def test_chasing_up_a_request_just_reported_on_goes_to_an_officer(monkeypatch) -> None:
    # The second probe: "please chase it up, it's been there for weeks" after the status repeated the status and asked
    # for the reporter's email again.
    import bot.actions.tasks as tasks
    from bot.actions.service_requests import request_in_last_reply
    from tests.support.trackers import bot

    status = "Your missed bin collection request SR-246414 is in progress. Latest update (1 December 2026): crew sent."
    calls: list[httpx.Request] = []
    ticket = {"reference": "HO-000009", "status": "waiting", "queue_position": 1, "expected_wait_minutes": 4}
    client = backoffice({("POST", "/api/v1/conversations/c1/handoffs"): httpx.Response(201, json=ticket)}, calls)
    monkeypatch.setattr(tasks, "ActionRequestOfficer", lambda: ActionRequestOfficer(client))
    tracker = make_tracker(
        bot(status), message("please chase it up, it's been there for weeks", "nlu_fallback", 0.4), sender_id="c1"
    )
    assert request_in_last_reply(tracker) == "SR-246414", "the status reply names the request as the bot words it"
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert "chase it up" in dispatcher.messages[0]["text"] and [c.method for c in calls] == ["POST"]


def test_a_payment_told_by_its_month_alone_is_that_payment() -> None:
    # The second probe: "the november one" got "Sorry, a payment reference looks like PAY-12345678", and "the £174 one
    # from november" was offered payments from October and August too.
    for typed in ("the november one", "the £174 one from november"):
        events, _ = told_payment(typed)
        assert events["payment_reference"] == "PAY-94901911", typed


@pytest.mark.parametrize(
    ("place", "said"),
    [("on Mill Lane by the bridge", "graffiti on Mill Lane by the bridge:"), ("Mill Lane", "graffiti at Mill Lane:")],
)
def test_a_place_that_says_how_it_is_placed_is_quoted_without_at(place: str, said: str) -> None:
    # The second probe: "I'll report graffiti at on Mill Lane by the bridge".
    from bot.actions.service_requests import _report_problem_summary

    tracker = make_tracker(
        message("x", "inform"),
        slots={"service_category": "graffiti", "problem_location": place, "problem_description": "tags"},
    )
    assert said in _report_problem_summary(tracker, None)


@pytest.mark.parametrize("typed", ["I don't have the reference", "no idea what the reference is", "lost it"])
def test_no_reference_for_a_request_gets_a_person_offered(dispatcher, typed: str) -> None:
    # The second probe: "I don't have the reference" got "If you'd rather not carry on, say stop", and nothing else.
    tracker = form_tracker("request_reference", typed, "deny", pending_task="request_progress")
    validate(FakeBackOffice(), tracker, dispatcher)
    said = dispatcher.messages[0]["text"]
    assert "one of our team can look up your report" in said and "01632 960 123" in said
    assert "/request_officer" in [b["payload"] for b in dispatcher.messages[0]["buttons"]]


def test_a_missed_bin_on_a_day_the_round_never_comes_says_which_day_it_does() -> None:
    # The second probe: "bins not emptied on monday" for a Tuesday round listed dates and never said Tuesday.
    tuesday = a_bin("General waste", "green bin", "2026-11-24", "2026-11-26", "2026-12-08") | {"usual_day": "Tuesday"}
    said = refused("2026-12-05", "bins not emptied on monday", tuesday)
    assert said is not None and "collected on Tuesdays, not Mondays" in said
    assert "not Mondays" not in str(refused("2026-12-05", "bins not emptied on tuesday", tuesday))


@pytest.mark.parametrize(
    "typed",
    [
        "hello dear, I'm not very good with computers, my son usually does this for me",
        "sorry im not good with technology",
    ],
)
def test_a_resident_unsure_of_computers_is_told_how_to_use_the_chat(typed: str) -> None:
    # The first probe: "hello dear, I'm not very good with computers ..." got "Sorry, I didn't quite get that".
    from bot.knowledge import get_knowledge
    from bot.routing import route

    assert route(typed, "nlu_fallback", get_knowledge().articles()).first == "using-this-chat"


@pytest.mark.parametrize(
    "typed", ["someone nicked my wheelie bin, how much for a new one", "the lid on my bin is snapped can you fix it"]
)
def test_a_question_about_a_stolen_or_broken_bin_gets_the_article_with_its_price(typed: str) -> None:
    # The knowledge evaluation: these want the new-bin article (what a replacement costs, that lids are fixed free).
    from bot.knowledge import get_knowledge
    from bot.routing import route

    assert route(typed, "report_problem", get_knowledge().articles()).first == "new-bin"


def test_a_disabled_son_is_no_resident_unsure_of_computers() -> None:
    from bot.knowledge import get_knowledge
    from bot.routing import route

    typed = "can the council help adapt my bathroom for my disabled son"
    assert route(typed, "out_of_scope", get_knowledge().articles()).first == "disabled-facilities-grant"


def test_chasing_up_a_request_not_yet_shown_to_be_the_residents_asks_for_the_reports_email() -> None:
    # The last probe: "please chase it up" after the status said to anyone repeated that status word for word. Only the
    # reporter may have it chased: the invitation to give the report's email is said again, and is still answered.
    from bot.actions.service_requests import EMAIL_INVITATION, invited_reference
    from tests.support.trackers import bot

    status = f"Request SR-246414 for missed bin collection is open. {EMAIL_INVITATION} (like name@example.com)."
    tracker = make_tracker(bot(status), message("please chase it up", "request_progress"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    reply = dispatcher.messages[0]["text"]
    assert "chase it once I know you reported it" in reply and not slots_of(events).get("pending_task")
    assert invited_reference(make_tracker(bot(reply))) == "SR-246414"


def test_how_much_is_a_new_bin_is_answered_with_the_price() -> None:
    # The last probe: a choice of new bins, Christmas collections and council tax when moving.
    from bot.knowledge import get_knowledge
    from bot.routing import route

    assert route("how much is a new bin", "report_problem", get_knowledge().articles()).first == "new-bin"


def test_log_me_out_read_as_goodbye_says_it_is_done() -> None:
    # The last probe: "log me out" got "Bye for now" and a rating, and never heard it was logged out.
    from bot.actions.session import ActionForgetIdentity

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(message("log me out", "goodbye"), slots={"identity_verified": True}, sender_id="c1")
    asyncio.run(ActionForgetIdentity(backoffice({}, [])).run(dispatcher, tracker, {}))
    assert "forgotten who you are" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "typed",
    [
        "any news on SR-246414?",  # news asked for, not a chase
        "what's happening with it",
        "please chase up SR-245497",  # another request than the one just reported
    ],
)
def test_asking_for_news_or_naming_another_request_opens_no_officer_case(typed: str) -> None:
    # A probe: "any news on SR-117074?" in the chat that reported it got "I'll pass SR-117074 to an officer to chase it
    # up" and an officer's case nobody asked for; "any news on SR-246414" there passed the chat's own report instead.
    from bot.actions.tasks import chased_events
    from tests.support.trackers import bot

    lodged = "Thank you, I've reported it: your reference is SR-246414. We collect missed bins within 2 working days."
    if "SR-245497" not in typed:
        lodged = lodged.replace("SR-246414", "SR-117074")
    tracker = make_tracker(bot(lodged), message(typed, "request_progress", 0.9))
    assert asyncio.run(chased_events(CollectingDispatcher(), tracker, {})) is None


@pytest.mark.parametrize(
    ("slot", "typed"),
    [
        ("reporter_email", "sorry wrong one, cancel SR-104879"),
        ("reporter_code", "hang on, it's SR-104879 I want cancelled"),
        ("cancel_reason", "sorry, I meant cancel SR-104879"),
    ],
)
def test_another_reference_named_mid_cancellation_is_the_request_cancelled(slot: str, typed: str) -> None:
    # A probe: "sorry wrong one, cancel SR-104879" at the email question had the email checked against the first
    # request; "sorry, I meant cancel SR-246414" at the reason question was the reason for cancelling the first one.
    from bot.actions.task_form import ValidateTaskForm

    slots = {
        "pending_task": "cancel_service_request",
        "request_reference": "SR-245497",
        "reporter_email": "kathleen.gray@example.com" if slot != "reporter_email" else None,
        "requested_slot": slot,
    }
    tracker = make_tracker(message(typed, "cancel_service_request", 0.9), slots=slots)
    events = asyncio.run(ValidateTaskForm().get_validation_events(CollectingDispatcher(), tracker, {}))
    set_to = slots_of(events)
    assert set_to["request_reference"] == "SR-104879"
    assert set_to["reporter_email"] is None and set_to.get("cancel_reason") in (None,)


def test_taking_up_the_trees_answers_offer_reports_a_tree_not_a_light() -> None:
    # The trees answer says trees are not cut "because they block light" before "To report a tree ..., tell us in
    # this chat": "yes please report it" took the light for the kind of problem.
    from bot.actions.tasks import report_offered_by_the_answer
    from bot.knowledge import get_knowledge
    from tests.support.trackers import bot

    article = get_knowledge().article("council-trees")
    tracker = make_tracker(bot(article.answer), message("yes please report it", "report_problem"))
    events = report_offered_by_the_answer(tracker)
    assert events is not None
    assert slots_of(events)["service_category"] == "fallen_tree"
