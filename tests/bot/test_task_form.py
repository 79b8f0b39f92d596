"""The task form: what it asks for, how answers are checked, and the identity check through the back office."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ActionAskAddressUprn, ActionAskTaskConfirmed, ValidateTaskForm, required_slots_for
from bot.backoffice import BackOffice
from tests.support.backoffice_fake import FakeBackOffice
from tests.support.trackers import make_tracker, user_event


def form_tracker(requested: str, text: str, intent: str = "inform", **slots):
    """A tracker where the resident just answered ``requested`` (that slot is the one set by the message)."""
    base = {"pending_task": "check_registration", "identity_verified": False, "requested_slot": requested}
    extracted = {"event": "slot", "name": requested, "value": slots.get(requested, text)}
    return make_tracker(user_event(text, intent), extracted, slots=base | slots)


def validate(backoffice: FakeBackOffice, tracker, dispatcher: CollectingDispatcher):
    return asyncio.run(ValidateTaskForm(backoffice.client()).get_validation_events(dispatcher, tracker, {}))


def slot_events(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize(
    "task, slots, expected",
    [
        ("check_registration", {}, ["full_name", "date_of_birth", "postcode", "address_uprn"]),
        ("check_registration", {"identity_verified": True}, []),
        ("check_registration", {"verification_outcome": "not_verified"}, []),
        ("request_postal_vote", {"identity_verified": True}, ["vote_duration", "task_confirmed"]),
        (
            "request_proxy_vote",
            {"identity_verified": True, "vote_duration": "permanent"},
            ["vote_duration", "proxy_name", "proxy_relationship", "proxy_reason", "task_confirmed"],
        ),
        ("polling_station", {}, ["postcode", "address_uprn"]),
        ("next_election", {}, []),
        ("report_death_or_left", {}, ["reported_name", "report_kind", "postcode", "address_uprn", "task_confirmed"]),
        ("council_tax_balance", {}, ["account_reference", "postcode", "date_of_birth"]),
        (
            "council_tax_balance",
            {"account_reference": "unknown"},
            ["account_reference", "full_name", "date_of_birth", "postcode"],
        ),
        ("payment_received", {"account_verified": True}, ["payment_reference"]),
        (
            "report_problem",
            {"service_category": "pothole"},
            ["service_category", "problem_location", "problem_description", "contact_email", "task_confirmed"],
        ),
        (
            "report_problem",
            {"service_category": "missed_bin"},
            ["service_category", "postcode", "address_uprn", "problem_description", "contact_email", "task_confirmed"],
        ),
        ("request_progress", {}, ["request_reference"]),
    ],
)
def test_each_task_asks_for_what_it_needs(task, slots, expected) -> None:
    assert required_slots_for(task, slots) == expected


def test_a_complete_set_of_details_is_checked_by_the_back_office_and_then_forgotten(dispatcher) -> None:
    backoffice = FakeBackOffice("verified")
    tracker = form_tracker(
        "address_uprn",
        "19 Rowan Close",
        full_name="Rita Richardson",
        date_of_birth="1978-01-26",
        postcode="TN41 6PA",
        address_uprn="19 Rowan Close",
    )

    events = slot_events(validate(backoffice, tracker, dispatcher))

    assert events["address_uprn"] == "100099500102"
    assert events["identity_verified"] is True and events["verification_outcome"] is None
    assert events["full_name"] is None and events["date_of_birth"] is None
    [check] = [c for c in backoffice.calls if c.url.path == "/api/v1/electoral/verifications"]
    assert json.loads(check.content) == {
        "conversation_id": "conversation-1",
        "full_name": "Rita Richardson",
        "date_of_birth": "1978-01-26",
        "uprn": 100099500102,
    }


@pytest.mark.parametrize("outcome", ["not_verified", "locked"])
def test_a_failed_check_ends_the_questions(dispatcher, outcome) -> None:
    tracker = form_tracker(
        "address_uprn",
        "19 Rowan Close",
        full_name="Rita Richardson",
        date_of_birth="1978-01-27",
        postcode="TN41 6PA",
        address_uprn="19 Rowan Close",
    )
    events = slot_events(validate(FakeBackOffice(outcome), tracker, dispatcher))
    assert events["identity_verified"] is False and events["verification_outcome"] == outcome
    assert events["full_name"] is None and events["date_of_birth"] is None


def test_a_postcode_outside_the_area_is_asked_again(dispatcher) -> None:
    events = slot_events(
        validate(FakeBackOffice(), form_tracker("postcode", "SW1A 1AA", postcode="SW1A 1AA"), dispatcher)
    )
    assert events["postcode"] is None
    assert "can't find SW1A 1AA" in dispatcher.messages[0]["text"]


def test_a_postcode_that_is_not_one_is_asked_again_kindly(dispatcher) -> None:
    events = slot_events(
        validate(FakeBackOffice(), form_tracker("postcode", "my house", postcode="my house"), dispatcher)
    )
    assert events["postcode"] is None and "TN41 6PA" in dispatcher.messages[0]["text"]


def test_a_date_of_birth_is_stored_as_an_iso_date(dispatcher) -> None:
    tracker = form_tracker("date_of_birth", "26th January 1978", date_of_birth="26th January 1978")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["date_of_birth"] == "1978-01-26"


def test_an_unreadable_date_is_asked_again_with_an_example(dispatcher) -> None:
    tracker = form_tracker("date_of_birth", "a long time ago", date_of_birth="a long time ago")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["date_of_birth"] is None
    assert "05/11/1990" in dispatcher.messages[0]["text"]


def test_the_address_question_offers_each_address_as_a_button(dispatcher) -> None:
    tracker = form_tracker("address_uprn", "TN41 6PA", postcode="TN41 6PA")
    asyncio.run(ActionAskAddressUprn(FakeBackOffice().client()).run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == [
        "17 Rowan Close, Ashbury",
        "19 Rowan Close, Ashbury",
        "Orchard House, Rowan Close, Ashbury",
    ]
    assert message["buttons"][1]["payload"] == '/inform{"address_uprn": "100099500102"}'


def test_when_the_back_office_is_down_the_check_fails_safely(dispatcher) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    tracker = form_tracker(
        "address_uprn",
        "19 Rowan Close",
        full_name="Rita Richardson",
        date_of_birth="1978-01-26",
        postcode="TN41 6PA",
        address_uprn="100099500102",
    )
    backoffice = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(down))
    events = slot_events(asyncio.run(ValidateTaskForm(backoffice).get_validation_events(dispatcher, tracker, {})))
    assert events["verification_outcome"] == "error" and events.get("identity_verified") is not True
    # The details are kept to check again, and the form asks whether to (the ask action apologises).
    assert "full_name" not in events and "date_of_birth" not in events
    assert required_slots_for("check_registration", tracker.slots | events) == ["task_confirmed"]


def test_a_failed_postcode_lookup_keeps_the_postcode_and_trying_again_looks_it_up_again(dispatcher) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    broken = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(down))
    asked = form_tracker(
        "postcode", "TN41 6PA", pending_task="report_problem", service_category="missed_bin", postcode="TN41 6PA"
    )
    failed = slot_events(asyncio.run(ValidateTaskForm(broken).get_validation_events(dispatcher, asked, {})))
    assert failed == {"postcode": "TN41 6PA", "address_uprn": None, "verification_outcome": "error"}

    slots = asked.slots | failed | {"task_confirmed": True, "requested_slot": "task_confirmed"}
    again = make_tracker(
        user_event("yes", "affirm"), {"event": "slot", "name": "task_confirmed", "value": True}, slots=slots
    )
    retried = slot_events(validate(FakeBackOffice(), again, dispatcher))
    assert retried["verification_outcome"] is None and retried["task_confirmed"] is None
    assert retried["postcode"] == "TN41 6PA" and retried["address_uprn"] is None
    assert required_slots_for("report_problem", slots | retried)[:2] == ["service_category", "postcode"]
    assert (
        "address_uprn"
        in [s for s in required_slots_for("report_problem", slots | retried) if (slots | retried).get(s) is None][:1]
    )


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("account_reference", "it's ct-2604 1538", "CT26041538"),
        ("account_reference", "I don't have it to hand", "unknown"),
        ("account_reference", "the blue one", None),
        ("payment_reference", "pay 9490 1911", "PAY-94901911"),
        ("payment_reference", "no idea", "unknown"),
        # The latest payment on the account, looked up by the task (a probe was asked for its reference again).
        ("payment_reference", "the last one", "latest"),
        ("payment_reference", "my most recent payment please", "latest"),
        ("request_reference", "sr 246414", "SR-246414"),
        ("request_reference", "I lost it", None),
    ],
)
def test_references_are_read_or_explained(dispatcher, slot, text, expected) -> None:
    task, verified = {
        "account_reference": ("payment_received", False),
        "payment_reference": ("payment_received", True),
        "request_reference": ("request_progress", False),
    }[slot]
    tracker = form_tracker(slot, text, pending_task=task, account_verified=verified)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events[slot] == expected
    # A reference read says nothing; a wrong one is explained; no account number gets where it is and the way on.
    explained = expected is None or (slot, expected) == ("account_reference", "unknown")
    assert bool(dispatcher.messages) is explained


def test_the_confirmation_names_the_chosen_address(dispatcher) -> None:
    from bot.actions.task_form import ActionAskTaskConfirmed

    tracker = form_tracker(
        "task_confirmed",
        "x",
        pending_task="report_problem",
        service_category="missed_bin",
        postcode="TN41 6PA",
        address_uprn="100099500102",
        problem_description="blue bin missed",
    )
    asyncio.run(ActionAskTaskConfirmed(FakeBackOffice().client()).run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"] == (
        'I\'ll report a missed bin collection at 19 Rowan Close, Ashbury: "blue bin missed". Shall I go ahead?'
    )


def test_looking_up_a_postcode_leaves_it_out_of_the_logs(dispatcher, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    validate(FakeBackOffice(), form_tracker("postcode", "TN41 6PA", postcode="TN41 6PA"), dispatcher)
    assert "TN41" not in caplog.text


def test_a_clear_request_for_another_task_replaces_the_task_in_hand(dispatcher: CollectingDispatcher) -> None:
    backoffice = FakeBackOffice()
    tracker = form_tracker(
        "payment_reference",
        "how much have I got left to pay this year?",
        intent="council_tax_balance",
        pending_task="payment_received",
        account_verified=True,
    )

    set_to = slot_events(validate(backoffice, tracker, dispatcher))

    assert set_to["pending_task"] == "council_tax_balance"
    assert set_to["payment_reference"] is None  # the question is not taken as a payment reference
    assert "account_verified" not in set_to  # the account stays verified: no second check
    assert dispatcher.messages == [] and backoffice.calls == []
    assert required_slots_for("council_tax_balance", tracker.slots | set_to) == []


def test_the_same_task_or_an_unsure_guess_is_still_an_answer(dispatcher: CollectingDispatcher) -> None:
    backoffice = FakeBackOffice()
    same = form_tracker("full_name", "Rita Richardson", intent="check_registration")
    assert slot_events(validate(backoffice, same, dispatcher)).get("pending_task") is None

    unsure = form_tracker("full_name", "Polly Station", intent="polling_station")
    unsure.latest_message["intent"]["confidence"] = 0.55
    assert slot_events(validate(backoffice, unsure, dispatcher)) == {"full_name": "Polly Station"}


@pytest.mark.parametrize("postcode", [None, "actually forget it, when is my bin day"])
def test_the_address_question_without_a_postcode_asks_for_the_postcode(dispatcher, postcode) -> None:
    # Found by a confused-resident probe: "whats my balance", "CT26041538", "actually forget it, when is my bin
    # day" (typed at the postcode question) reached the address question with no postcode, or that sentence as
    # one; the address look-up was refused and the resident got "Sorry, something went wrong on our side".
    tracker = form_tracker(
        "address_uprn", "forget it, when is my bin day", pending_task="ask_bin_day", postcode=postcode
    )
    events = asyncio.run(ActionAskAddressUprn(FakeBackOffice().client()).run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert message.get("response") == "utter_ask_postcode"
    assert "went wrong" not in (message.get("text") or "")
    assert slot_events(events) == {"requested_slot": "postcode", "postcode": None}


@pytest.mark.parametrize("text", ["how do I apply", "the electoral register"])
def test_a_question_typed_at_the_name_question_is_not_checked_as_a_name(dispatcher, text) -> None:
    """'can i vote by post' then 'how do I apply' sent 'How do I apply' to the register check as the name."""
    backoffice = FakeBackOffice()
    tracker = form_tracker(
        "full_name", text, full_name=text, date_of_birth="1978-01-26", postcode="TN41 6PA", address_uprn="100099504414"
    )
    events = slot_events(validate(backoffice, tracker, dispatcher))
    assert events["full_name"] is None and "identity_verified" not in events
    assert 'first name and surname, for example "Sam Taylor"' in dispatcher.messages[0]["text"]


# A detail put right at a later question: the probe typed "sorry my date of birth is 26/01/1978" at the address
# question after a wrong date; the correction was dropped, the check ran on the wrong date and used up a try.


@pytest.mark.parametrize(
    "text",
    ["sorry my date of birth is 26/01/1978", "actually it's 26/01/1978 not 24/01", "oops, dob should be 26 jan 1978"],
)
def test_a_date_of_birth_put_right_at_the_address_question_replaces_the_wrong_one(dispatcher, text: str) -> None:
    tracker = form_tracker(
        "address_uprn",
        text,
        full_name="Rita Richardson",
        date_of_birth="1978-01-24",
        postcode="TN41 6PA",
        address_uprn=None,
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events.get("date_of_birth") == "1978-01-26"
    assert "verification_outcome" not in events  # the address is still to be chosen; nothing was checked


def test_the_same_date_again_at_the_address_question_changes_nothing(dispatcher) -> None:
    tracker = form_tracker(
        "address_uprn", "26/01/1978", full_name="Rita Richardson", date_of_birth="1978-01-26", postcode="TN41 6PA"
    )
    assert "date_of_birth" not in slot_events(validate(FakeBackOffice(), tracker, dispatcher))


@pytest.mark.parametrize(
    "text, intent",
    [
        ("my house isn't on the list", "out_of_scope"),
        ("none of these", "deny"),
        ("I can't see mine", "inform"),
        ("its not there", "deny"),
        ("it's 25 Rowan Close", "inform"),
    ],
)
def test_an_address_that_is_not_listed_gets_another_postcode_or_a_person(dispatcher, text, intent) -> None:
    """A probe: "my house isn't on the list" got "couldn't match that" and the same list for ever, and "none of
    these" was read as a bare no ("say stop and nothing will be sent")."""
    tracker = form_tracker("address_uprn", text, intent, postcode="TN41 6PA")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))

    assert events["address_uprn"] is None
    [message] = dispatcher.messages
    assert "isn't in the council's list for TN41 6PA" in message["text"] and "type the right one" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["Talk to a person"]


@pytest.mark.parametrize(
    "text", ["19 Rowan Close, TN41 6PA", "19 rowan close tn416pa", "19 Rowan Close TN41 6PA please"]
)
def test_an_address_typed_with_the_postcode_asked_is_chosen(dispatcher, text) -> None:
    # A probe: "19 Rowan Close, TN41 6PA" got "Sorry, I couldn't match that to one of the addresses".
    tracker = form_tracker("address_uprn", text, "inform", postcode="TN41 6PA")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["address_uprn"] == "100099500102"
    assert not any("couldn't match" in m.get("text", "") for m in dispatcher.messages)


def test_a_new_postcode_at_the_address_question_gets_no_apology_for_the_old_list(dispatcher) -> None:
    text = "sorry wrong postcode, it's TN41 6PA"
    tracker = make_tracker(
        {"event": "slot", "name": "postcode", "value": "TN43 3EH"},
        user_event(text, "inform"),
        {"event": "slot", "name": "postcode", "value": "TN41 6PA"},
        {"event": "slot", "name": "address_uprn", "value": text},
        slots={"pending_task": "check_registration", "requested_slot": "address_uprn", "postcode": "TN41 6PA"},
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["address_uprn"] is None
    assert not any("couldn't match" in m.get("text", "") for m in dispatcher.messages), dispatcher.messages


@pytest.mark.parametrize(
    "text, intent, changed",
    [
        ("actually no, just the next election", "deny", {"vote_duration": "next_poll"}),
        ("no sorry, make it just the next election", "inform", {"vote_duration": "next_poll"}),
        ("no", "deny", None),
        ("no, this is wrong", "deny", None),
        ("actually long term please", "inform", None),  # already long term: nothing to change, read as usual
    ],
)
def test_a_no_that_puts_a_detail_right_at_the_confirmation_changes_it(dispatcher, text, intent, changed) -> None:
    """A probe: "actually no, just the next election" at the postal vote's "Shall I go ahead?" was "OK, I haven't
    recorded anything", with every answer lost."""
    slots = {
        "pending_task": "request_postal_vote",
        "identity_verified": True,
        "vote_duration": "permanent",
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(user_event(text, intent), slots=slots)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    if changed is None:
        assert "vote_duration" not in events
        return
    assert events == changed | {"task_confirmed": None}
    assert dispatcher.messages[0]["text"] == "OK, I've changed that."


@pytest.mark.parametrize("text", ["where?", "somewhere", "round here", "it's somewhere", "yesterday evening"])
def test_no_place_at_all_is_asked_for_again(dispatcher, text) -> None:
    """A probe: "where?" and then "somewhere" went to the team as a pothole's place and description."""
    tracker = form_tracker("problem_location", text, pending_task="report_problem", service_category="pothole")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["problem_location"] is None, events


def test_a_real_place_is_kept(dispatcher) -> None:
    text = "outside 12 High Street"
    tracker = form_tracker("problem_location", text, pending_task="report_problem", service_category="pothole")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["problem_location"] == text


def test_a_no_that_moves_the_report_changes_its_place(dispatcher) -> None:
    """A probe: "no, it's actually on Elm Road" at a report's "Shall I go ahead?" dropped the report."""
    slots = {
        "pending_task": "report_problem",
        "service_category": "pothole",
        "problem_location": "Oak Lane by the postbox",
        "problem_description": "deep hole",
        "contact_email": "bob@example.com",
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(user_event("no, it's actually on Elm Road", "deny"), slots=slots)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events == {"problem_location": "Elm Road", "task_confirmed": None}

    asyncio.run(
        ActionAskTaskConfirmed(FakeBackOffice().client()).run(
            dispatcher, form_tracker("task_confirmed", "x", **slots), {}
        )
    )
    assert "Updates will go to bob@example.com." in dispatcher.messages[-1]["text"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("yes", None),
        ("idk", None),
        ("12", None),
        ("why?", None),
        ("she's my daughter", "she's my daughter"),
        ("a colleague from work", "a colleague from work"),
        ("we go to the same church", "we go to the same church"),
    ],
)
def test_how_the_voter_knows_their_proxy_must_say_a_relationship(dispatcher, typed: str, kept: str | None) -> None:
    # "yes", "idk" and "12" were sent to the electoral team as how the voter knows their proxy (a probe).
    slots = {"pending_task": "request_proxy_vote", "identity_verified": True, "vote_duration": "next_poll"}
    tracker = form_tracker("proxy_relationship", typed, proxy_name="Jo Bloggs", **slots)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["proxy_relationship"] == kept
    assert bool(dispatcher.messages) is (kept is None)
    if kept is None:
        assert "how you know your proxy" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Rita Richardson", {"full_name": "Rita Richardson"}),
        ("26/01/1978", {"date_of_birth": "1978-01-26"}),
        ("tn41 6pa", {"postcode": "TN41 6PA"}),
        # "that doesn't look like an account number" (a probe), and the name asked again.
        ("its in the name of Janice Dunn", {"full_name": "Janice Dunn"}),
        ("i dont know my account number, its Janice Dunn", {"full_name": "Janice Dunn"}),
    ],
)
def test_the_holders_details_at_the_account_number_question_start_the_check_by_name(dispatcher, typed, kept) -> None:
    # Each got "that doesn't look like an account number", for ever (a probe).
    tracker = form_tracker("account_reference", typed, pending_task="council_tax_balance", account_verified=False)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["account_reference"] == "unknown"
    assert {slot: events[slot] for slot in kept} == kept
    assert "name, date of birth and postcode instead" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("typed", ["hang on", "the blue one", "no idea", "its fine thanks", "its on my bill somewhere"])
def test_other_words_at_the_account_number_question_are_no_name(dispatcher, typed) -> None:
    tracker = form_tracker("account_reference", typed, pending_task="council_tax_balance", account_verified=False)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert "full_name" not in events


@pytest.mark.parametrize("asked", ["proxy_reason", "proxy_relationship"])
def test_a_new_proxy_named_at_a_later_question_changes_the_proxy(dispatcher, asked: str) -> None:
    # "no wait, change it to my son Peter Dunn" was kept as the reason, and the summary still named Mary Dunn (a probe).
    slots = {"pending_task": "request_proxy_vote", "identity_verified": True, "vote_duration": "permanent"}
    if asked == "proxy_reason":
        slots["proxy_relationship"] = "my sister"
    tracker = form_tracker(asked, "no wait, change it to my son Peter Dunn", proxy_name="Mary Dunn", **slots)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["proxy_name"] == "Peter Dunn" and events["proxy_relationship"] == "my son"
    assert events[asked] is None if asked == "proxy_reason" else events[asked] == "my son"
    assert dispatcher.messages[0]["text"] == "Thanks, I've changed your proxy to Peter Dunn (my son)."


class StreetsBackOffice(FakeBackOffice):
    """Answers street look-ups too: Rowan Close is in Ashbury at TN41 6PA; Mill Lane has two postcodes."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/streets":
            self.calls.append(request)
            streets = {
                "Rowan Close": [{"street": "Rowan Close", "town": "Ashbury", "postcode": "TN41 6PA"}],
                "Mill Lane": [
                    {"street": "Mill Lane", "town": "Ashbury", "postcode": "TN41 2AB"},
                    {"street": "Mill Lane", "town": "Millbrook", "postcode": "TN43 1CD"},
                ],
            }.get(request.url.params["name"], [])
            return httpx.Response(200, json={"streets": streets})
        return super().handler(request)


@pytest.mark.parametrize(
    ("typed", "postcode", "uprn"),
    [
        ("Rowan Close", "TN41 6PA", None),
        ("I don't know it, I live at 19 Rowan Close", "TN41 6PA", "100099500102"),
        ("Mill Lane", None, None),
        ("Nowhere Road", None, None),
    ],
)
def test_a_street_given_for_the_postcode_finds_it(dispatcher, typed: str, postcode, uprn) -> None:
    # "i live on Rowan Close" at the postcode question got "that doesn't look like a postcode", again and again.
    tracker = form_tracker("postcode", typed, pending_task="ask_bin_day")
    events = slot_events(validate(StreetsBackOffice(), tracker, dispatcher))
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert events["postcode"] == postcode and events.get("address_uprn") == uprn
    assert "doesn't look like a postcode" not in said
    if postcode:
        assert f"The postcode for Rowan Close, Ashbury is {postcode}." in said
    elif typed == "Mill Lane":
        assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["TN41 2AB", "TN43 1CD"]
    else:
        assert "can't find a street called Nowhere Road" in said


@pytest.mark.parametrize(
    ("typed", "postcode", "uprn"),
    [
        ("rowan cloes", "TN41 6PA", None),
        ("19 Rowan Colse", "TN41 6PA", "100099500102"),
        ("mill lnae", None, None),
    ],
)
def test_a_street_with_its_type_misspelt_finds_it(dispatcher, typed: str, postcode, uprn) -> None:
    # "priory wlak" and "rowan cloes" at the postcode question got "that doesn't look like a postcode" (a probe).
    tracker = form_tracker("postcode", typed, pending_task="ask_bin_day")
    events = slot_events(validate(StreetsBackOffice(), tracker, dispatcher))
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert events["postcode"] == postcode and events.get("address_uprn") == uprn
    assert "doesn't look like a postcode" not in said
    if postcode:
        assert f"The postcode for Rowan Close, Ashbury is {postcode}." in said
    else:
        assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["TN41 2AB", "TN43 1CD"]


@pytest.mark.parametrize("typed", ["I want to talk to someone", "a garden wall", "orchard house"])
def test_words_a_slip_away_from_a_street_type_are_no_street_unless_one_is_found(dispatcher, typed: str) -> None:
    tracker = form_tracker("postcode", typed, pending_task="ask_bin_day")
    events = slot_events(validate(StreetsBackOffice(), tracker, dispatcher))
    assert events["postcode"] is None
    assert "can't find a street" not in " ".join(m["text"] for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("typed", "changed"),
    [
        ("wait, it was behind number 5 not 3", {"problem_location": "the alley behind 5 Rowan Close"}),
        (
            "actually it was the general waste not recycling",
            {"problem_description": "recycling bin, blue one (correction: it was the general waste not recycling)"},
        ),
        # A probe: the email was added to the description ("(correction: my email is rob@example.com)"), and the
        # place moved to "church road not mill lane".
        ("actually my email is rob@example.com", {"contact_email": "rob@example.com"}),
        # "no the description should say it flickers" threw the whole report away (a probe).
        (
            "no the description should say it flickers",
            {"problem_description": "recycling bin, blue one (correction: the description should say it flickers)"},
        ),
        ("no wait, its on church road not rowan close", {"problem_location": "church road"}),
    ],
)
def test_a_correction_at_the_confirmation_puts_the_report_right(dispatcher, typed: str, changed: dict) -> None:
    # Both got "Sorry, I need a yes or a no here", and "yes" then filed the report as it was (a probe).
    slots = {
        "pending_task": "report_problem",
        "service_category": "dumped_rubbish",
        "problem_location": "the alley behind 3 Rowan Close",
        "problem_description": "recycling bin, blue one",
        "contact_email": "none",
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(user_event(typed, "deny"), slots=slots)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events == changed | {"task_confirmed": None}
    assert dispatcher.messages[0]["text"] == "OK, I've changed that."


def test_a_report_of_a_death_asks_which_address_was_theirs(dispatcher) -> None:
    # "What is the postcode of your address?" and "Which address ... is yours?" left a probe unsure whose was meant.
    tracker = form_tracker("address_uprn", "TN41 6PA", postcode="TN41 6PA", pending_task="report_death_or_left")
    asyncio.run(ActionAskAddressUprn(FakeBackOffice().client()).run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"] == "Which address at TN41 6PA was theirs?"
    domain = yaml.safe_load(Path("domain/electoral.yml").read_text())
    [for_a_report, usual] = domain["responses"]["utter_ask_postcode"]
    assert for_a_report["condition"] == [{"type": "slot", "name": "pending_task", "value": "report_death_or_left"}]
    assert "where they lived" in for_a_report["text"] and "your address" in usual["text"]


def test_a_new_proxy_named_with_words_of_cancelling_is_no_cancellation(dispatcher) -> None:
    # "sorry no, change the proxy to Mary Smith" was read as cancelling a vote, and "no vote to cancel" said (a probe).
    from bot.actions.task_form import task_asked_for

    slots = {"pending_task": "request_proxy_vote", "identity_verified": True, "vote_duration": "next_poll"}
    tracker = form_tracker(
        "proxy_relationship",
        "sorry no, change the proxy to Mary Smith",
        "cancel_absent_vote",
        proxy_name="Tom Dunn",
        **slots,
    )
    tracker.latest_message["intent"] = {"name": "cancel_absent_vote", "confidence": 0.95}
    assert task_asked_for(tracker) is None
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["proxy_name"] == "Mary Smith"


def test_a_new_proxy_named_at_the_duration_question_is_kept(dispatcher) -> None:
    slots = {"pending_task": "request_proxy_vote", "identity_verified": True}
    tracker = form_tracker(
        "vote_duration", "actually no, make it my sister Anne Clarke instead", proxy_name="Tom Dunn", **slots
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert (events["proxy_name"], events["proxy_relationship"]) == ("Anne Clarke", "my sister")
    assert events["vote_duration"] is None


@pytest.mark.parametrize("typed", ["when do you collect over christmas?", "what are your opening hours?"])
def test_a_question_at_the_postcode_question_is_answered_and_the_postcode_asked_again(dispatcher, typed) -> None:
    # "what about christmas" at the bin day's postcode question got "that doesn't look like a postcode" (a probe).
    tracker = form_tracker("postcode", typed, "out_of_scope", pending_task="ask_bin_day")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert events["postcode"] is None and said and "doesn't look like a postcode" not in said


HELP_WITH_THE_DESCRIPTION = "A few words help the team"
NO_ANSWER_HERE = "I can't answer that one here"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # "pothole on mill lane", then "what?" at "Please describe the problem": the pothole was to be reported as
        # "what?" (a probe); it is a request for help.
        *((typed, HELP_WITH_THE_DESCRIPTION) for typed in ("what?", "wot", "eh?", "pardon?", "sorry?")),
        # A second probe: both were sent to the team as the description of the report.
        ("how long will it take to clear?", NO_ANSWER_HERE),
        ("is it the council or the county that fixes these?", NO_ANSWER_HERE),
        # The probe of session 11: each was sent to the team as the description, and a reference given.
        ("where do you need?", NO_ANSWER_HERE),
        ("actually is it a council thing or county?", NO_ANSWER_HERE),
        ("so whats the point of reporting it?", NO_ANSWER_HERE),
    ],
)
def test_what_or_a_question_at_the_description_question_is_not_sent_as_the_problem(dispatcher, typed, said) -> None:
    tracker = form_tracker(
        "problem_description",
        typed,
        "out_of_scope",
        pending_task="report_problem",
        service_category="pothole",
        problem_location="mill lane",
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["problem_description"] is None
    assert dispatcher.messages and dispatcher.messages[0]["text"].startswith(said)


@pytest.mark.parametrize(
    ("asked", "typed", "said"),
    [
        ("reported_name", "TN42 6FW", "That looks like a postcode. I'll ask for that in a moment. First, I need the"),
        ("reported_name", "15 Weald Mews", "That looks like an address. I'll ask for that in a moment. First, I need"),
        ("full_name", "15/08/1955", "That looks like a date. I'll ask for that in a moment. First, I need"),
        ("reported_name", "joan", "Sorry, I need"),
    ],
)
def test_another_detail_typed_at_a_name_question_is_said_to_come_later(dispatcher, asked, typed, said) -> None:
    # A probe reporting a death typed the postcode, then the address, at "What is the person's full name?" and got
    # "Sorry, I need the person's first name and surname" each time, never why.
    task = "report_death_or_left" if asked == "reported_name" else "check_registration"
    tracker = form_tracker(asked, typed, pending_task=task)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events[asked] is None
    assert dispatcher.messages[0]["text"].startswith(said)


@pytest.mark.parametrize(
    "typed",
    [
        "Jodie Kemp, well thats my old name, new one is Jodie Smith",
        "my old name is Jodie Kemp and my new name is Jodie Smith",
        "Jodie Kemp (maiden name), now Jodie Smith",
    ],
)
def test_both_names_at_the_name_question_check_the_old_and_keep_the_new(dispatcher, typed: str) -> None:
    # A probe's change of name looped at "What is your full name?": both names were refused as one, then the date of
    # birth, postcode and address were refused as names too.
    tracker = form_tracker("full_name", typed, pending_task="changed_name")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["full_name"] == "Jodie Kemp" and events["new_name"] == "Jodie Smith"
    assert not dispatcher.messages


class PostalVoteHeld(FakeBackOffice):
    """A verified resident whose record holds a postal vote."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/electoral/me":
            self.calls.append(request)
            vote = {"kind": "postal", "status": "active", "expires_on": "2027-01-31", "renewal_due": True}
            record = {
                "registration_status": "registered",
                "polling_district": "AA1",
                "ward": "Ashbury",
                "station": None,
                "open_register_opt_out": False,
                "absent_votes": [vote],
                "open_requests": [],
            }
            return httpx.Response(200, json=record)
        return super().handler(request)


@pytest.mark.parametrize(("office", "asked"), [(PostalVoteHeld, None), (FakeBackOffice, "vote_duration")])
def test_a_postal_vote_held_is_found_before_asking_how_long(dispatcher, office, asked) -> None:
    # A probe: Kathleen, who has a postal vote, was asked "How long would you like it for?" before hearing she had one.
    identity = {"full_name": "Kathleen Gray", "date_of_birth": "1984-08-17", "postcode": "TN41 6PA"}
    tracker = form_tracker(
        "address_uprn", "19 Rowan Close", pending_task="request_postal_vote", address_uprn="100099500102", **identity
    )
    events = slot_events(validate(office(), tracker, dispatcher))
    assert events["identity_verified"] is True
    assert events.get("vote_duration") == ("permanent" if asked is None else None)


@pytest.mark.parametrize(
    "typed",
    ["its Rita Okafor now, was Richardson before obviously", "my old name is Rita Richardson, new name Rita Okafor"],
)
def test_the_new_name_said_with_the_old_is_the_new_name(dispatcher, typed: str) -> None:
    # The second probe: "its Rita Okafor now, was Richardson before obviously" looped at "What is your new name?".
    tracker = form_tracker("new_name", typed, pending_task="changed_name", identity_verified=True)
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["new_name"] == "Rita Okafor"


@pytest.mark.parametrize(
    ("typed", "new_name"),
    [
        ("my new name is rita jane smyth-hughes, i double barrelled it", "Rita Jane Smyth-Hughes"),
        ("no wait it's Rita Smyth Hughes no hyphen", "Rita Smyth Hughes"),
    ],
)
def test_a_new_name_said_with_more_after_a_miss_is_the_new_name(dispatcher, typed: str, new_name: str) -> None:
    # A probe: the first was refused as a name, and the second, typed next, stopped the task ("no" after a miss).
    tracker = form_tracker("new_name", typed, pending_task="changed_name", identity_verified=True, answer_misses=1)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["new_name"] == new_name and "verification_outcome" not in events
    assert not dispatcher.messages


def test_a_reported_name_in_a_sentence_is_taken_with_when(dispatcher) -> None:
    # The third probe: "my lodger Tom Hughes left in October" got "Sorry, I need the person's first name and surname",
    # and the resident's own name, typed next, was reported as moved out.
    tracker = form_tracker("reported_name", "my lodger Tom Hughes left in October", pending_task="report_death_or_left")
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["reported_name"] == "Tom Hughes" and "October" in events["report_notes"]
    assert not dispatcher.messages


@pytest.mark.parametrize("typed", ["report it", "ok can you report it then please", "yes report that"])
def test_a_request_to_report_is_not_the_place_of_the_report(dispatcher, typed: str) -> None:
    # The third probe: 'I'll report dumped rubbish at report it' was recorded.
    tracker = form_tracker("problem_location", typed, pending_task="report_problem", service_category="dumped_rubbish")
    assert slot_events(validate(FakeBackOffice(), tracker, dispatcher))["problem_location"] is None


def test_a_proxy_named_at_the_duration_question_is_kept(dispatcher) -> None:
    # The third probe: "my brother Mark Richardson, 2 Rowan Close" at "How long would you like it for?" was lost.
    tracker = form_tracker(
        "vote_duration",
        "my brother Mark Richardson, 2 Rowan Close",
        pending_task="request_proxy_vote",
        identity_verified=True,
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert (events["proxy_name"], events["proxy_relationship"]) == ("Mark Richardson", "my brother")
    assert events["vote_duration"] is None
    assert dispatcher.messages[0]["text"] == "Thanks, I've noted Mark Richardson (my brother) as your proxy."


@pytest.mark.parametrize(("misses", "stops"), [(0, False), (1, False), (2, True)])
def test_the_third_answer_in_a_row_that_does_not_fit_stops_asking_and_offers_a_person(
    dispatcher, misses, stops
) -> None:
    # A probe: a name, a date of birth and a postcode given for the email on a report to cancel each got the same
    # messages back ("Sorry, I need the email address...", the phone number, the question again), for ever.
    tracker = form_tracker("date_of_birth", "jan 26th", full_name="Rita Richardson", answer_misses=misses)
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert ("I'll stop asking" in said) is stops
    assert ("couldn't read that as a date of birth" in said) is not stops
    if stops:
        assert events["verification_outcome"] == "stopped" and events["officer_offered"] is True
        assert "01632 960 123" in said
    else:
        assert events["answer_misses"] == misses + 1


@pytest.mark.parametrize(
    "text",
    ["actually it should be Jodie Brown-Kemp", "no sorry, make it Jodie Brown-Kemp", "wait no its Jodie Brown-Kemp"],
)
def test_a_new_name_put_right_at_the_confirmation_is_taken(dispatcher, text) -> None:
    # A probe: "actually it should be Jodie Brown-Kemp" at "Shall I go ahead?" got "Sorry, I need a yes or a no".
    tracker = form_tracker(
        "task_confirmed",
        text,
        "inform",
        task_confirmed=None,
        pending_task="changed_name",
        identity_verified=True,
        new_name="Jodie Brown",
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["new_name"] == "Jodie Brown-Kemp" and events["task_confirmed"] is None
    assert dispatcher.messages[0]["text"] == "OK, I've changed that."


@pytest.mark.parametrize("typed", ["big one", "its huge", "very deep and dangerous"])
def test_what_the_problem_is_typed_at_where_is_it_is_kept_as_the_description(dispatcher, typed: str) -> None:
    # The probe of session 11: "report a pothole", then "big one" at "Where is it?", was reported "at big one".
    tracker = form_tracker(
        "problem_location", typed, "inform", pending_task="report_problem", service_category="pothole"
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["problem_location"] is None
    assert events["problem_description"] == typed


@pytest.mark.parametrize("typed", ["Priory Walk, TN44 3LW", "its outside no 4 rowan close", "TN41 6PA"])
def test_a_place_typed_at_the_email_question_of_a_report_puts_the_place_right(dispatcher, typed: str) -> None:
    # The probe of session 11: the place typed late ("Priory Walk, TN44 3LW") got "Sorry, I need an email address" and
    # was dropped; the report went to the team "at big one".
    tracker = form_tracker(
        "contact_email",
        typed,
        "inform",
        pending_task="report_problem",
        service_category="pothole",
        problem_location="big one",
        problem_description="deep hole",
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["contact_email"] is None
    assert events["problem_location"] == typed
    assert dispatcher.messages[-1]["text"].startswith("Thanks, I've put that as where the problem is")


def test_yes_at_the_optional_email_question_asks_for_the_address_and_counts_no_miss(dispatcher) -> None:
    # The probe of session 11: "yes" at "If you'd like updates by email, what's your email address?" was a miss.
    tracker = form_tracker(
        "contact_email",
        "yes",
        "affirm",
        pending_task="report_problem",
        service_category="pothole",
        problem_location="Priory Walk",
        problem_description="about a foot wide",
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["contact_email"] is None and not events.get("answer_misses")
    assert dispatcher.messages[0]["text"] == "What's your email address?"


def test_a_report_is_never_dropped_for_want_of_the_optional_email(dispatcher) -> None:
    # The probe of session 11: a name typed at the email question, a second miss after "yes", stopped the report:
    # "I'll stop asking, and nothing has been sent". The email is optional: the report goes on without it.
    tracker = form_tracker(
        "contact_email",
        "Kathleen Gray",
        "inform",
        pending_task="report_problem",
        service_category="pothole",
        problem_location="Priory Walk",
        problem_description="about a foot wide",
        answer_misses=1,
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["contact_email"] == "none"
    assert "without an email" in " ".join(m["text"] for m in dispatcher.messages)
    assert "nothing has been sent" not in " ".join(m["text"] for m in dispatcher.messages)


def test_more_about_the_problem_typed_at_the_email_question_goes_with_the_report(dispatcher) -> None:
    # The second probe of session 11: "loads of it by the school gate" at the email question was lost.
    tracker = form_tracker(
        "contact_email",
        "loads of it by the school gate",
        "inform",
        pending_task="report_problem",
        service_category="dog_fouling",
        problem_location="Rowan Close",
        problem_description="dog poo all over the path",
    )
    events = slot_events(validate(FakeBackOffice(), tracker, dispatcher))
    assert events["contact_email"] is None
    assert events["problem_description"] == "dog poo all over the path / loads of it by the school gate"
