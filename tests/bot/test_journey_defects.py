"""The dead ends an attacker found as a new resident (issue 12): each journey now finishes or offers a way out.

Each test drives the action the stack runs at that turn (the form's validation, the start, the completion,
the reply to details typed with no question waiting) with the message the resident typed and the intent
the classifier gave it, and checks what the resident would notice: the detail filled, the reply, the offer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import electoral, form_help, payments
from bot.actions.task_form import ValidateTaskForm, required_slots_for
from bot.actions.tasks import ActionCompleteTask, ActionDetailsWithoutTask, ActionStartTask
from bot.names import FORM_SLOTS
from bot.parsing import parse_date_of_birth
from council import council_facts
from tests.support.backoffice_fake import FakeBackOffice, backoffice, complete, slots_of
from tests.support.trackers import make_tracker

PHONE = council_facts().phone
TALK_TO_A_PERSON = {"title": "Talk to a person", "payload": "/request_officer"}


def message(text: str, intent: str, confidence: float = 0.9) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def run_form(
    task: str, asked: str, text: str, intent: str = "inform", confidence: float = 0.9, **slots: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    """Run the form's validation on the resident's reply to ``asked``, as Rasa does (the mapping took the text)."""
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": task, "requested_slot": asked}
    base |= {"identity_verified": False, "account_verified": False}
    # Rasa's from_text mapping hands the reply over as the slot's candidate value (most intents allow it).
    candidate = [{"event": "slot", "name": asked, "value": text}] if intent in ("inform", "out_of_scope") else []
    tracker = make_tracker(message(text, intent, confidence), *candidate, slots=base | slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {"forms": {}}))
    return slots_of(events), dispatcher


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


# 1. Dates of birth as residents type them; two misses bring an example and the officer offer.


@pytest.mark.parametrize(
    "text",
    [
        "26th jan 78",
        "26th January 1978",
        "26/1/78",
        "jan 26 1978",
        "26.01.78",
        "26 Jan '78",
        "January 26th, 1978",
        # After a digression (a probe: unreadable twice, then the officer offer).
        "ok sorry, 26/01/1978",
        "oh sorry its 26/01/1978 thanks",
        "ah right, 26th jan 1978",
    ],
)
def test_dates_of_birth_as_residents_type_them_are_read(text: str) -> None:
    assert parse_date_of_birth(text, today=dt.date(2026, 12, 3)) == dt.date(1978, 1, 26)


@pytest.mark.parametrize(
    "text, born",
    [("5/3/50", dt.date(1950, 3, 5)), ("1st feb 30", dt.date(1930, 2, 1)), ("9.9.09", dt.date(2009, 9, 9))],
)
def test_a_two_digit_year_is_a_past_year(text: str, born: dt.date) -> None:
    assert parse_date_of_birth(text, today=dt.date(2026, 12, 3)) == born


def test_a_date_of_birth_typed_the_way_residents_do_fills_the_slot() -> None:
    set_to, dispatcher = run_form("check_registration", "date_of_birth", "26th jan 78", full_name="Sam Taylor")
    assert set_to["date_of_birth"] == "1978-01-26" and not dispatcher.messages


def test_the_second_unreadable_date_adds_an_example_the_phone_number_and_an_officer() -> None:
    first, once = run_form("check_registration", "date_of_birth", "the twenty sixth", full_name="Sam Taylor")
    assert first["date_of_birth"] is None and first["answer_misses"] == 1
    assert "05/11/1990" in said(once) and TALK_TO_A_PERSON not in once.messages[-1]["buttons"]

    second, twice = run_form(
        "check_registration", "date_of_birth", "sometime in the seventies", full_name="Sam Taylor", answer_misses=1
    )
    assert second["date_of_birth"] is None and second["answer_misses"] == 2
    assert "05/11/1990" in said(twice) and PHONE in said(twice)
    assert TALK_TO_A_PERSON in twice.messages[-1]["buttons"]


def test_an_answer_after_misses_starts_the_count_again() -> None:
    set_to, _ = run_form("check_registration", "date_of_birth", "26/01/1978", full_name="Sam Taylor", answer_misses=2)
    assert set_to["date_of_birth"] == "1978-01-26" and set_to["answer_misses"] == 0


# 2. A council tax account number typed again after failed checks.


def test_an_account_number_typed_after_a_failed_check_is_another_try() -> None:
    tracker = make_tracker(
        message("did my payment go through", "payment_received"),
        bot(payments.NOT_VERIFIED, [{"title": "Try again", "payload": "/payment_received"}]),
        message("CT26041538", "inform_account"),
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "payment_received"
    assert slots_of(events)["account_reference"] == "CT26041538"
    assert any(e["event"] == "followup" and e["name"] == "task_form" for e in events)
    assert dispatcher.messages == []


def test_after_two_failed_checks_the_resident_hears_why_the_phone_number_and_an_officer_offer() -> None:
    retry = [{"title": "Try again", "payload": "/payment_received"}]
    tracker = make_tracker(
        message("did my payment go through", "payment_received"),
        bot(payments.NOT_VERIFIED, retry),
        message("CT26041538", "inform_account"),
        message("TN41 6PA", "inform"),
        message("26/01/1978", "inform"),
        bot(payments.NOT_VERIFIED, retry),
        message("CT26041538", "inform_account"),
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    reply = said(dispatcher)
    assert "What would you like me to do with that" not in reply
    assert "top of your bill" in reply and PHONE in reply and "officer" in reply
    assert slots_of(events)["officer_offered"] is True
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_officer"


def test_a_second_failed_check_itself_offers_the_way_out(dispatcher: CollectingDispatcher) -> None:
    calls: list[httpx.Request] = []
    retry = [{"title": "Try again", "payload": "/council_tax_balance"}]
    tracker = make_tracker(
        bot(payments.NOT_VERIFIED, retry),
        message("26/01/1978", "inform"),
        slots={"pending_task": "council_tax_balance", "verification_outcome": "not_verified"},
    )
    events = asyncio.run(ActionCompleteTask(backoffice({}, calls)).run(dispatcher, tracker, {}))
    assert PHONE in said(dispatcher) and "officer" in said(dispatcher)
    assert slots_of(events)["officer_offered"] is True and calls == []


def test_details_with_no_failed_check_before_still_ask_what_for(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(bot("Hello!"), message("Janice Dunn", "inform"))
    assert asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {})) == []
    assert dispatcher.messages[0]["response"] == "utter_what_for"


def test_an_electoral_retry_keeps_the_name_typed(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(
        bot(electoral.NOT_VERIFIED, [{"title": "Try again", "payload": "/check_registration"}]),
        message("Rita Richardson", "inform"),
    )
    events = slots_of(asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {})))
    assert events["pending_task"] == "check_registration" and events["full_name"] == "Rita Richardson"


# 3 and 6. Questions about the question are explained, with the officer offer, and the form goes on.


@pytest.mark.parametrize(
    "text, intent",
    [
        ("why do u need that", "out_of_scope"),
        ("i dont know", "out_of_scope"),
        ("help", "bot_capabilities"),
        ("what do you mean", "nlu_fallback"),
        ("why do you need my date of birth?", "bot_challenge"),
        # After a failed check (a probe): read as "no", it got "If you'd rather not carry on, say stop".
        ("what went wrong?", "deny"),
        ("what happened", "out_of_scope"),
    ],
)
def test_a_question_about_the_date_of_birth_question_is_explained(text: str, intent: str) -> None:
    set_to, dispatcher = run_form("check_registration", "date_of_birth", text, intent, 0.9, full_name="Sam Taylor")
    assert set_to["date_of_birth"] is None  # not taken as the answer
    assert "pending_task" not in set_to and set_to.get("requested_slot") == "date_of_birth"  # the form goes on
    reply = said(dispatcher)
    assert "proves it's you" in reply and "05/11/1990" in reply and PHONE in reply
    assert "Sorry, I couldn't read that" not in reply
    assert dispatcher.messages[0]["buttons"] == [TALK_TO_A_PERSON]


@pytest.mark.parametrize(
    "task, asked, slots, expected",
    [
        ("check_registration", "full_name", {}, "first name and surname"),
        ("check_registration", "postcode", {"full_name": "Sam Taylor", "date_of_birth": "1978-01-26"}, "TN41 6PA"),
        ("council_tax_balance", "account_reference", {}, "top of your council tax bill"),
        ("request_progress", "request_reference", {}, "SR-123456"),
        ("report_problem", "problem_location", {"service_category": "pothole"}, "street and a landmark"),
        ("request_postal_vote", "vote_duration", {"identity_verified": True}, "long term"),
        ("cancel_service_request", "reporter_email", {"request_reference": "SR-246414"}, "email address given"),
    ],
)
def test_every_question_can_be_asked_why(task: str, asked: str, slots: dict[str, Any], expected: str) -> None:
    set_to, dispatcher = run_form(task, asked, "why do you need that?", "out_of_scope", 0.7, **slots)
    assert set_to[asked] is None and expected in said(dispatcher) and PHONE in said(dispatcher)


def test_no_bill_to_hand_explains_where_the_number_is_and_goes_on_another_way() -> None:
    set_to, dispatcher = run_form("council_tax_balance", "account_reference", "dunno where my bill is", "out_of_scope")
    assert set_to["account_reference"] == "unknown"
    assert required_slots_for("council_tax_balance", {"account_reference": "unknown"})[1] == "full_name"
    reply = said(dispatcher)
    assert "top of your council tax bill" in reply and PHONE in reply
    assert TALK_TO_A_PERSON in dispatcher.messages[-1]["buttons"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I've lost my reference", "request_progress"),
        ("i lost it", "deny"),
        ("deleted the email with it in", "out_of_scope"),
        ("threw away the letter sorry", "nlu_fallback"),
    ],
)
def test_a_lost_reference_is_told_a_person_can_find_the_report_not_asked_again_blind(text: str, intent: str) -> None:
    # Found by a confused-resident probe: "I lost my reference" at the reference question got menus.
    set_to, dispatcher = run_form("request_progress", "request_reference", text, intent, 0.8)
    reply = said(dispatcher)
    assert set_to.get("request_reference") is None
    assert "one of our team can look up your report" in reply and PHONE in reply
    assert TALK_TO_A_PERSON in dispatcher.messages[-1]["buttons"]


# 4 and 7. An answer that fits the slot fills it, whatever the classifier says.


def test_a_pothole_location_read_as_contact_details_is_the_location() -> None:
    text = "outside 12 high street by the bus stop"
    set_to, dispatcher = run_form(
        "report_problem", "problem_location", text, "contact_details", 0.97, service_category="pothole"
    )
    assert set_to["problem_location"] == text and not dispatcher.messages


def test_a_question_for_contact_details_in_the_location_slot_is_still_a_question() -> None:
    set_to, _ = run_form("report_problem", "problem_location", "what's your phone number?", "contact_details", 0.97)
    assert set_to.get("problem_location") is None


def test_an_email_given_with_a_phone_number_fills_the_email() -> None:
    slots = {"service_category": "pothole", "problem_location": "Mill Lane", "problem_description": "deep hole"}
    set_to, _ = run_form(
        "report_problem",
        "contact_email",
        "my email is x@y.com and phone 07700 900123",
        "contact_details",
        0.97,
        **slots,
    )
    assert set_to["contact_email"] == "x@y.com"


# 5. "Forget it" with another question stops the task and answers the question.


def test_forget_it_and_a_question_during_the_date_of_birth_stops_the_task_and_answers() -> None:
    text = "oh wait, forget it, how do i pay my council tax"
    set_to, dispatcher = run_form(
        "check_registration", "date_of_birth", text, "how_to_pay", 0.9, full_name="Sam Taylor"
    )
    assert set_to["date_of_birth"] is None and set_to["verification_outcome"] == "stopped"
    assert set_to.get("requested_slot") is None  # the form ends
    reply = said(dispatcher)
    assert "stopped" in reply and "Sorry, I couldn't read that" not in reply
    assert "gov.uk/pay" in reply or "ashdownvale.gov.uk" in reply  # the how-to-pay article, with its link


def test_a_stopped_task_completes_silently(dispatcher: CollectingDispatcher) -> None:
    events, calls, reply = complete(
        {}, dispatcher, pending_task="check_registration", verification_outcome="stopped", identity_verified=False
    )
    assert calls == [] and reply == "" and slots_of(events)["pending_task"] is None


def test_a_sure_how_to_question_mid_form_is_answered_and_the_question_asked_again() -> None:
    set_to, dispatcher = run_form(
        "check_registration", "date_of_birth", "how do i pay my council tax", "how_to_pay", 0.95, full_name="Sam Taylor"
    )
    assert set_to["date_of_birth"] is None and set_to.get("requested_slot") == "date_of_birth"
    assert "verification_outcome" not in set_to and "More:" in said(dispatcher)


# 8. "Email me a receipt" is a receipt for a payment, not a statement.


def test_email_me_a_receipt_asks_which_payment_and_sends_a_receipt(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(message("email me a receipt", "receipt_request"))
    started = slots_of(asyncio.run(ActionStartTask().run(dispatcher, tracker, {})))
    assert started["document_kind"] == "receipt"
    assert "payment_reference" in required_slots_for("receipt_request", started | {"account_verified": True})

    result = {"kind": "receipt", "reference": "DOC-1", "sent_to": "j***@example.com", "status": "sent"}
    _, calls, reply = complete(
        {("POST", "/api/v1/payments/document-requests"): httpx.Response(201, json=result)},
        dispatcher,
        pending_task="receipt_request",
        account_verified=True,
        document_kind="receipt",
        payment_reference="PAY-94901911",
    )
    assert json.loads(calls[0].content)["kind"] == "receipt"
    assert json.loads(calls[0].content)["payment_reference"] == "PAY-94901911"
    assert "receipt" in reply


def test_a_statement_asked_for_is_a_statement_with_no_payment_question(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(message("can you email me a statement of my account", "receipt_request"))
    started = slots_of(asyncio.run(ActionStartTask().run(dispatcher, tracker, {})))
    assert started["document_kind"] == "statement"
    assert required_slots_for("receipt_request", started | {"account_verified": True}) == []


# 9. Another account's reference after verification: only the verified account is discussed.

ACCOUNT = {
    "account_reference": "CT26041538",
    "band": "C",
    "annual_charge": "£1,800.00",
    "instalment_plan": 10,
    "paid_this_year": "£900.00",
    "balance": "£900.00",
    "credit": None,
    "next_instalment": None,
    "recovery_stage": "none",
    "recovery_explanation": "",
    "recent_payments": [],
}


def test_the_balance_of_another_account_is_refused_without_disclosing_either(dispatcher: CollectingDispatcher) -> None:
    _, _, reply = complete(
        {("GET", "/api/v1/payments/account"): httpx.Response(200, json=ACCOUNT)},
        dispatcher,
        pending_task="council_tax_balance",
        account_verified=True,
        account_reference="CT99990000",
    )
    assert "only talk about the council tax account you've proved is yours" in reply
    assert "£" not in reply and "CT99990000" not in reply


def test_the_verified_account_named_again_gets_its_balance(dispatcher: CollectingDispatcher) -> None:
    _, _, reply = complete(
        {("GET", "/api/v1/payments/account"): httpx.Response(200, json=ACCOUNT)},
        dispatcher,
        pending_task="council_tax_balance",
        account_verified=True,
        account_reference="CT26041538",
    )
    assert "leaving £900.00 to pay" in reply


def test_a_receipt_without_a_readable_reference_says_a_statement_comes_instead() -> None:
    set_to, dispatcher = run_form(
        "receipt_request", "payment_reference", "the one last week", account_verified=True, document_kind="receipt"
    )
    assert set_to["payment_reference"] is None and "email a statement instead" in said(dispatcher)


def test_details_typed_again_after_what_for_get_choices_and_a_person(dispatcher: CollectingDispatcher) -> None:
    what_for = "Thanks. What would you like me to do with that? For example, I can check your registration."
    tracker = make_tracker(
        message("CT26041538", "inform_account"), bot(what_for), message("CT26041538", "inform_account")
    )
    assert asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {})) == []
    [reply] = dispatcher.messages
    assert "What would you like me to do with that" not in (reply["text"] or "")
    assert {"title": "Check my council tax balance", "payload": "/council_tax_balance"} in reply["buttons"]
    assert TALK_TO_A_PERSON in reply["buttons"]


def test_the_what_for_opening_is_the_domains() -> None:
    from pathlib import Path

    import yaml

    from bot.actions.tasks import WHAT_FOR

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain" / "electoral.yml").read_text())
    assert domain["responses"]["utter_what_for"][0]["text"].startswith(WHAT_FOR)


@pytest.mark.parametrize(
    ("slot", "text", "explains"),
    [
        ("full_name", "why do you need my date of birth", "Your date of birth"),
        ("full_name", "why do u need my dob", "Your date of birth"),
        ("date_of_birth", "what do you need my postcode for", "Your postcode"),
        ("full_name", "why do you need that", "I need your name"),
    ],
)
def test_a_question_about_a_named_detail_is_answered_about_that_detail(slot: str, text: str, explains: str) -> None:
    # Found by a confused-resident probe: "why do you need my date of birth" at the name question explained the name.
    assert form_help.help_for(slot, text).startswith(explains)


# Neither yes nor no at "Shall I go ahead?": the probe's "last month" (after a moved-out report) got the service-voter
# article and the confirmation again.


@pytest.mark.parametrize(("text", "intent"), [("the 3rd", "nlu_fallback"), ("hmm", "how_to_register")])
def test_neither_yes_nor_no_at_the_confirmation_asks_for_a_yes_or_no(text: str, intent: str) -> None:
    slots = {"identity_verified": True, "report_kind": "left", "reported_name": "Zoe Nobody"}
    set_to, dispatcher = run_form("report_death_or_left", "task_confirmed", text, intent, 0.95, **slots)
    assert set_to.get("task_confirmed") is None
    assert said(dispatcher).startswith("Sorry, I need a yes or a no") and "register" not in said(dispatcher)


@pytest.mark.parametrize(
    ("text", "intent", "notes"),
    [
        ("last month", "how_to_register", "last month"),
        ("she died on the 3rd of November", "report_death_or_left", "she died on the 3rd of November"),
        ("I'm her son", "inform", "I'm her son"),
        ("yes, my name is Tom Dunn, I'm the executor", "affirm", "my name is Tom Dunn, I'm the executor"),
    ],
)
def test_when_it_happened_or_who_reports_it_at_the_confirmation_is_passed_on(text: str, intent: str, notes) -> None:
    # A probe: "she died on the 3rd of November" and "I'm her son" at "Shall I go ahead?" got "I need a yes or a no"
    # and were lost; "last month" (after a moved-out report) got the service-voter article before that.
    slots = {"identity_verified": True, "report_kind": "died", "reported_name": "Zoe Nobody"}
    set_to, dispatcher = run_form("report_death_or_left", "task_confirmed", text, intent, 0.95, **slots)
    assert set_to.get("task_confirmed") is None and set_to["report_notes"] == notes
    assert said(dispatcher) == "Thank you, I'll pass that on with the report."


def test_the_report_sends_when_and_who_to_electoral_services() -> None:
    slots = dict.fromkeys(FORM_SLOTS) | {
        "pending_task": "report_death_or_left",
        "reported_name": "Joan Smith",
        "report_kind": "died",
        "report_notes": "my mum Joan Smith died last Tuesday / I'm her son",
        "postcode": "TN41 6PA",
        "address_uprn": "100099500102",
    }
    tracker = make_tracker(message("yes", "affirm"), slots=slots)
    extras = electoral._report_extras(tracker)
    assert extras == {"when": "last Tuesday", "relationship": "reported by their son", "notes": slots["report_notes"]}
    assert electoral._report_death_or_left_summary(tracker, None) == (
        "I'll let electoral services know that Joan Smith has died (last Tuesday)."
    )


def test_a_question_at_the_confirmation_is_still_answered() -> None:
    slots = {"identity_verified": True, "report_kind": "left", "reported_name": "Zoe Nobody"}
    set_to, dispatcher = run_form(
        "report_death_or_left", "task_confirmed", "how do i pay my council tax?", "how_to_pay", 0.95, **slots
    )
    assert set_to.get("task_confirmed") is None and "Direct debit" in said(dispatcher)


def test_why_do_you_need_my_email_where_no_email_is_asked_says_none_is_needed() -> None:
    # Found by a probe: at the council tax account question it was told "An email address lets us send you updates".
    reply = form_help.help_for("account_reference", "why do you need my email?", "council_tax_balance")
    assert reply.startswith("I don't need your email address for this. Your council tax account number")
    assert "send you updates" not in reply
    # Where an email is asked, the reason is given.
    assert "updates" in form_help.help_for("contact_email", "why do you need my email?", "report_problem")


@pytest.mark.parametrize("text", ["yes", "Yes.", "no", "ok", "thanks"])
def test_yes_or_no_at_the_description_question_is_not_sent_as_the_description(text: str) -> None:
    # A probe: 'I'll report a missed bin problem at 19 Rowan Close: "yes"' was filed.
    set_to, dispatcher = run_form(
        "report_problem", "problem_description", text, "inform", service_category="missed_bin", problem_location="19"
    )
    assert set_to.get("problem_description") is None and "which bin was missed" in said(dispatcher)


def test_a_correction_of_the_place_at_the_description_question_changes_the_place() -> None:
    # A probe: "actually its outside number 7 not 3" became the description of a street light at number 3.
    set_to, dispatcher = run_form(
        "report_problem",
        "problem_description",
        "actually its outside number 7 not 3",
        "inform",
        service_category="street_light",
        problem_location="outside 3 Priory Walk",
    )
    assert set_to["problem_location"] == "its outside number 7 not 3"
    assert set_to.get("problem_description") is None and "changed where it is" in said(dispatcher)


@pytest.mark.parametrize(
    "text", ["the light has been flickering for a week", "actually it's been broken for 2 weeks", "no lid on it"]
)
def test_a_description_is_still_the_description(text: str) -> None:
    set_to, _ = run_form(
        "report_problem", "problem_description", text, "inform", service_category="street_light", problem_location="x"
    )
    assert set_to["problem_description"] == text


def test_a_message_in_another_alphabet_at_a_question_is_not_taken_as_the_answer() -> None:
    # Seen in the browser: Arabic at "Where is it?" became the place of a fly-tipping report.
    set_to, dispatcher = run_form("report_problem", "problem_location", "هل يمكنني التحدث مع شخص", "inform", 0.0)
    assert set_to["problem_location"] is None
    assert said(dispatcher).startswith("Sorry, I can only read English") and PHONE in said(dispatcher)


@pytest.mark.parametrize(("typed", "postcode"), [("try again", None), ("CT26041538 TN41 6PA", "TN41 6PA")])
def test_another_try_at_a_failed_account_check_asks_the_postcode_again(typed: str, postcode: str | None) -> None:
    # The retry kept the postcode and asked for the date of birth alone, and the resident typed the postcode into it.
    tracker = make_tracker(
        message("what's my balance", "council_tax_balance"),
        bot(payments.NOT_VERIFIED, [{"title": "Try again", "payload": "/council_tax_balance"}]),
        message(typed, "inform_account"),
        slots={"postcode": "TN42 6FW"},
    )
    events = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "council_tax_balance"
    assert slots_of(events)["postcode"] == postcode


def test_try_again_after_the_second_failed_check_is_answered_once_then_listens() -> None:
    # After the second failure, "Try again" got the way-out reply ten times over, and the chat then went silent (a
    # probe): the action ended without listening, so the policy ran it again.
    from bot.actions.fallback import ActionHandleMiss
    from bot.actions.tasks import OFFER_BUTTONS, STILL_NOT_VERIFIED

    retry = [{"title": "Try again", "payload": "/council_tax_balance"}]
    still = STILL_NOT_VERIFIED.split("{")[0]
    tracker = make_tracker(
        bot(payments.NOT_VERIFIED, retry),
        message("02/01/1984", "inform"),
        bot(still + " ...", OFFER_BUTTONS),
        message("Try again", "nlu_fallback", 0.3),
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert len(dispatcher.messages) == 1
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_listen"}


def test_a_postcode_after_an_answer_that_invites_the_bin_day_question_gets_the_bin_days() -> None:
    # The Christmas collections answer ends 'Ask me "when is my bin day?"'; "TN42 6FW" typed next was asked "What
    # would you like me to do with that?" (a probe).
    christmas = 'Over Christmas most bin days move by 1 or 2 days.\nAsk me "when is my bin day?" to see your own.'
    tracker = make_tracker(bot(christmas), message("TN42 6FW", "inform"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "ask_bin_day" and slots_of(events)["postcode"] == "TN42 6FW"
    assert dispatcher.messages == []


def test_a_date_typed_again_after_a_failed_check_is_no_complaint() -> None:
    # "sorry i typed it wrong, the twenty sixth of january nineteen seventy eight" got the complaints process.
    from bot.actions.handoff import ActionComplaint

    retry = [{"title": "Try again", "payload": "/check_registration"}]
    tracker = make_tracker(
        message("am i registered", "check_registration"),
        bot(electoral.NOT_VERIFIED, retry),
        message("sorry i typed it wrong, the twenty sixth of january nineteen seventy eight", "complaint", 0.6),
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionComplaint().run(dispatcher, tracker, {}))
    assert slots_of(events)["pending_task"] == "check_registration"
    assert slots_of(events)["date_of_birth"] == "26 of january 1978"  # read by the form as an answer
    assert all(m.get("response") != "utter_complaint" for m in dispatcher.messages)


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
def test_a_question_put_aside_at_the_date_of_birth_is_answered_not_read_as_a_date(intent: str) -> None:
    # A probe: "hang on what time does ashbury library open on saturday" at the date of birth question got "Sorry, I
    # couldn't read that as a date of birth", and so did the date typed next ("ok sorry, 26/01/1978").
    text = "hang on what time does ashbury library open on saturday"
    set_to, dispatcher = run_form("request_proxy_vote", "date_of_birth", text, intent, 0.6, full_name="Rita Patel")
    assert set_to.get("date_of_birth") is None
    assert "library" in said(dispatcher).lower() and "date of birth" not in said(dispatcher)


def test_asking_for_a_person_at_the_confirmation_read_as_another_task_offers_one() -> None:
    # The second probe: "hang on can i talk to someone about this, theres more of it every week" at a fly-tipping
    # report's "Shall I go ahead?" got "Sorry, I need a yes or a no here."
    text = "hang on can i talk to someone about this, theres more of it every week"
    slots = {
        "service_category": "dumped_rubbish",
        "problem_location": "the car park on Station Road",
        "problem_description": "black bags and a sofa",
        "contact_email": "none",
    }
    set_to, dispatcher = run_form("report_problem", "task_confirmed", text, "report_problem", 0.8, **slots)
    assert set_to.get("task_confirmed") is None and "yes or a no" not in said(dispatcher)
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_officer"


def test_an_email_at_the_place_question_is_kept_for_updates_not_reported_as_the_place() -> None:
    # The second probe: 'I'll report a pothole at bob.smith@example.com: "huge"' was offered.
    set_to, dispatcher = run_form(
        "report_problem", "problem_location", "bob.smith@example.com", "inform", 0.9, service_category="pothole"
    )
    assert set_to["problem_location"] is None and set_to["contact_email"] == "bob.smith@example.com"
    assert said(dispatcher) == "Thanks, I'll send updates to that email address. Now, where is the problem?"


@pytest.mark.parametrize(
    ("asked", "text"),
    [
        ("postcode", "it was 3rd of this month"),
        ("task_confirmed", "end of october i think, maybe the 28th"),
        ("task_confirmed", "I'm his wife Kathleen, 5 Priory Walk TN44 3LW"),
    ],
)
def test_when_or_who_at_another_question_of_a_death_report_is_noted_not_refused(asked: str, text: str) -> None:
    # The second probe: "it was 3rd of this month" at the postcode question got "doesn't look like a postcode", and
    # "end of october i think" at the confirmation "I need a yes or a no".
    slots = {"report_kind": "died", "reported_name": "Brian Gray"}
    if asked == "task_confirmed":
        slots |= {"postcode": "TN41 6PA", "address_uprn": "100099500102"}
    set_to, dispatcher = run_form("report_death_or_left", asked, text, "inform", 0.9, **slots)
    assert set_to["report_notes"].endswith(text.split(",")[0]) or text in set_to["report_notes"]
    assert said(dispatcher) == "Thank you, I'll pass that on with the report."


@pytest.mark.parametrize(
    ("text", "intent", "email", "reply"),
    [
        (
            "no email",
            "contact_details",
            "none",
            "OK, no email updates. Now, please describe the problem in a few words.",
        ),
        (
            "actually wait yes use jim22@example.com",
            "inform",
            "jim22@example.com",
            "Thanks, I'll send updates to that email address. Now, please describe the problem in a few words.",
        ),
    ],
)
def test_the_email_answered_at_the_description_question_is_kept_for_later(text, intent, email, reply) -> None:
    # The second probe: "no email" there got the council's contact details, and the email was sent as the description.
    set_to, dispatcher = run_form(
        "report_problem",
        "problem_description",
        text,
        intent,
        0.95,
        service_category="missed_bin",
        postcode="TN41 6PA",
        address_uprn="100099500102",
    )
    assert set_to["contact_email"] == email and set_to.get("problem_description") is None
    assert said(dispatcher) == reply


def test_an_email_at_a_missed_bins_postcode_question_is_kept_and_the_postcode_asked_again() -> None:
    # The third probe: "me@example.com" at "What is the postcode of your address?" got "What would you like me to do
    # with that?".
    set_to, dispatcher = run_form(
        "report_problem", "postcode", "me@example.com", "inform", 0.9, service_category="missed_bin"
    )
    assert set_to["contact_email"] == "me@example.com" and set_to.get("postcode") is None
    assert (
        said(dispatcher) == "Thanks, I'll send updates to that email address. Now, what is the postcode of the address?"
    )
