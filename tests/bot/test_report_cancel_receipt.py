"""Defects a probe found in reporting a problem, cancelling a report and asking for a receipt.

Each test drives the action the stack runs at that turn with the message the resident typed and the intent the
classifier gave it, and checks what the resident would notice: the detail kept, the reply, the task started.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import form_help
from bot.actions.fallback import ActionHandleMiss
from bot.actions.form_answers import category_of
from bot.actions.handoff import ActionRequestOfficer
from bot.actions.knowledge import ActionAnswerFromKnowledge
from bot.actions.task_form import ValidateTaskForm, confirmation_summary
from bot.actions.tasks import ActionDetailsWithoutTask, ActionStartTask, ActionYesWithNothingAsked
from bot.backoffice import BackOffice
from bot.names import FORM_SLOTS
from tests.support.backoffice_fake import FakeBackOffice, slots_of
from tests.support.trackers import bot, make_tracker, message

POTHOLE = {"service_category": "pothole", "problem_location": "outside 12 High Street by the bus stop"}


def run_form(
    task: str, asked: str, text: str, intent: str, confidence: float = 0.93, **slots: Any
) -> tuple[dict[str, Any], list[str], bool]:
    """Run the form on a message the domain's mapping left (an emergency, a stop): its slots, replies, and rejection.

    Rasa rejects the form, so the intent's own rule answers instead (an emergency's 999 advice and officer), when the
    validation sets nothing for the slot asked.
    """
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": task, "requested_slot": asked, "account_verified": False}
    tracker = make_tracker(message(text, intent, confidence), slots=base | slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {}))
    set_to = slots_of(events)
    return set_to, [str(m.get("text") or "") for m in dispatcher.messages], asked not in set_to


# 1. A description at "Please describe the problem" is the description, even when it sounds dangerous; only a clear
# emergency leaves the form, and then the report gathered so far is offered back after the 999 advice.


@pytest.mark.parametrize(
    "text",
    [
        "a deep pothole about a foot wide, cars are swerving round it",
        "its a deep pothole about a foot wide and really dangerous, cars are swerving round it",
        "huge hole, someone is going to get hurt",
    ],
)
def test_a_description_that_sounds_dangerous_is_the_description(text: str) -> None:
    set_to, said, rejected = run_form("report_problem", "problem_description", text, "emergency", **POTHOLE)

    assert set_to["problem_description"] == text
    assert not rejected and said == []


@pytest.mark.parametrize(
    "text",
    [
        "a tree has come down on a car and someone is trapped inside",
        "the pothole threw a cyclist off and he's bleeding",
        "I can smell gas near the hole in the road",
        "the lamp post has fallen over and there are live wires on the pavement",
        "the drain is blocked and water is flooding into my house",
        "the garden wall next to the pothole is about to collapse onto the pavement",
    ],
)
def test_a_clear_emergency_at_the_description_still_leaves_the_form(text: str) -> None:
    set_to, _, rejected = run_form("report_problem", "problem_description", text, "emergency", **POTHOLE)

    assert rejected and set_to.get("problem_description") is None  # the emergency's rule answers: 999, an officer


def test_an_emergency_at_a_question_that_wants_a_detail_still_leaves_the_form() -> None:
    # Not weakened elsewhere: a message read as an emergency at the postcode is no postcode, and no clear words needed.
    _, _, rejected = run_form("report_problem", "postcode", "its dangerous please hurry", "emergency")
    assert rejected


def test_a_description_read_as_an_emergency_is_not_sent_to_an_article() -> None:
    # The clear words of an emergency keep it an emergency in the knowledge answer too: 999 advice, not a search hit.
    tracker = make_tracker(message("the lamp post fell over and there are live wires sparking", "emergency"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert "999" in dispatcher.messages[0]["text"]
    assert FollowupAction("action_listen") not in events


def handoffs() -> BackOffice:
    ticket = {
        "reference": "HO-000042",
        "status": "waiting",
        "in_office_hours": True,
        "queue_position": 1,
        "expected_wait_minutes": 5,
        "officer_hours": "Monday to Friday, 9am to 5pm",
        "reply_by": None,
    }
    return BackOffice(
        base_url="http://backoffice.test",
        token="t",
        transport=httpx.MockTransport(lambda request: httpx.Response(201, json=ticket)),
    )


# What Rasa's emergency rule does mid-form: the form is stopped (its answers stay in the slots), then the 999 advice.
EMERGENCY_MID_REPORT = (
    message("a tree has come down on a car and someone is trapped inside", "emergency"),
    {"event": "active_loop", "name": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    bot("If someone is in danger now, call 999."),
)


def test_after_a_clear_emergency_mid_report_the_report_is_offered_back() -> None:
    slots = {"pending_task": "report_problem", **POTHOLE}
    tracker = make_tracker(*EMERGENCY_MID_REPORT, slots=slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRequestOfficer(handoffs()).run(dispatcher, tracker, {}))

    said = [m["text"] for m in dispatcher.messages]
    assert "HO-000042" in said[0]
    assert said[1].startswith("When you're safe, I can carry on with your report")
    assert dispatcher.messages[1]["buttons"] == [{"title": "Carry on", "payload": "/affirm"}]
    assert "pending_task" not in slots_of(events)  # the report in hand is kept

    # Yes goes on with the form, with what was gathered (the next question is the description).
    tracker = make_tracker(
        *EMERGENCY_MID_REPORT,
        bot(said[0]),
        bot(said[1], dispatcher.messages[1]["buttons"]),
        message("/affirm", "affirm", 1.0),
        slots=slots | {"officer_offered": False},
    )
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionYesWithNothingAsked().run(dispatcher, tracker, {})) == [FollowupAction("task_form")]
    assert dispatcher.messages == []


def test_an_emergency_with_no_task_in_hand_offers_nothing_to_carry_on() -> None:
    tracker = make_tracker(message("there's a gas smell in the street and someone has collapsed", "emergency"))
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionRequestOfficer(handoffs()).run(dispatcher, tracker, {}))
    assert len(dispatcher.messages) == 1 and "HO-000042" in dispatcher.messages[0]["text"]


# 2. "cancel it the bin men came back" asks for the missed-bin report to be cancelled, with the reason: it is no stop.

CANCELLING = {"request_reference": "SR-245007", "reporter_email": "rita@example.com"}
LODGED = bot("Thank you, I've reported it: your reference is SR-245007. We aim to collect missed bins in 2 days.")


@pytest.mark.parametrize("intent", ["stop", "cancel_service_request"])
def test_cancel_it_with_a_reason_at_the_reason_question_is_the_reason(intent: str) -> None:
    text = "cancel it the bin men came back"
    set_to, said, _ = run_form("cancel_service_request", "cancel_reason", text, intent, **CANCELLING)

    assert set_to["cancel_reason"] == "cancel it the bin men came back"
    assert set_to.get("verification_outcome") is None and not any("stopped" in s for s in said)


def test_cancel_it_with_a_reason_at_the_email_question_keeps_the_reason_and_asks_again() -> None:
    slots = {"request_reference": "SR-245007"}
    set_to, said, rejected = run_form(
        "cancel_service_request", "reporter_email", "cancel it the bin men came back", "stop", **slots
    )

    assert set_to["cancel_reason"] == "cancel it the bin men came back" and set_to["reporter_email"] is None
    assert set_to["requested_slot"] == "reporter_email"  # asked again, and the reason is not asked after it
    assert not rejected and said == [] and "verification_outcome" not in set_to  # no stop, by the form or a rule


def test_cancel_it_with_a_reason_at_the_cancelling_confirmation_is_a_yes() -> None:
    slots = CANCELLING | {"cancel_reason": "the bin was collected"}
    set_to, _, _ = run_form(
        "cancel_service_request", "task_confirmed", "cancel it the bin men came back", "stop", **slots
    )
    assert set_to["task_confirmed"] is True


@pytest.mark.parametrize(
    ("text", "asked"), [("cancel", "cancel_reason"), ("stop", "reporter_email"), ("cancel it", "cancel_reason")]
)
def test_a_plain_cancel_or_stop_in_the_cancelling_form_still_stops_it(text: str, asked: str) -> None:
    set_to, said, _ = run_form("cancel_service_request", asked, text, "stop", request_reference="SR-245007")
    assert set_to["verification_outcome"] == "stopped"
    assert said[0] == "OK, I've stopped there. Nothing has been cancelled: the report is still open."


def test_cancel_it_with_a_reason_in_another_task_cancels_the_report_made_here() -> None:
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": "check_registration", "requested_slot": "full_name"}
    tracker = make_tracker(
        LODGED, message("cancel it the bin men came back", "stop"), slots=base | {"identity_verified": False}
    )
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {})))

    assert set_to["pending_task"] == "cancel_service_request"
    assert set_to["request_reference"] == "SR-245007"
    assert set_to["cancel_reason"] == "cancel it the bin men came back"
    assert set_to.get("verification_outcome") is None and dispatcher.messages == []


def test_cancel_it_with_a_reason_while_reporting_with_nothing_reported_stops_the_report() -> None:
    set_to, said, _ = run_form(
        "report_problem",
        "problem_description",
        "cancel it the bin men came back",
        "stop",
        service_category="missed_bin",
    )
    assert set_to["verification_outcome"] == "stopped" and said[0].startswith("OK, I've stopped there")


# 3. "receipt for PAY-48213370" (read as a payment reference given with no task in hand) starts the receipt task with
# that payment; the classifier's readings are the trained model's.


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("receipt for PAY-48213370", "inform_account"),
        ("receipt for PAY 4821 3370 please", "inform_account"),
        ("can I have a receipt for PAY-48213370", "inform_account"),
        ("email me the receipt for payment PAY-48213370", "inform_account"),
        ("can I have a receipt for PAY-48213370", "receipt_request"),
        ("email me the receipt for payment PAY-48213370", "receipt_request"),
    ],
)
def test_a_receipt_for_a_payment_reference_starts_the_receipt_for_that_payment(text: str, intent: str) -> None:
    tracker = make_tracker(message(text, intent, 0.7))
    dispatcher = CollectingDispatcher()
    action = ActionDetailsWithoutTask() if intent == "inform_account" else ActionStartTask()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    started = slots_of(events)

    assert started["pending_task"] == "receipt_request"
    # The payment is filled (the form asks only for the account check), and a receipt is what will be sent.
    assert started["payment_reference"] == "PAY-48213370" and started["document_kind"] == "receipt"
    assert dispatcher.messages == []


def test_a_receipt_for_a_payment_not_understood_as_words_starts_the_receipt() -> None:
    # "email me the receipt for payment PAY-28020117" fell below the confidence bar: search asked which article.
    tracker = make_tracker(message("email me the receipt for payment PAY-28020117", "nlu_fallback", 0.45))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert events[-1] == FollowupAction("task_form") and dispatcher.messages == []
    assert slots_of(events)["payment_reference"] == "PAY-28020117"


def test_a_payment_reference_read_off_a_receipt_is_no_request_for_one() -> None:
    tracker = make_tracker(message("the receipt says PAY-48213370", "inform_account"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
    assert "pending_task" not in slots_of(events)
    assert dispatcher.messages[0]["response"] == "utter_what_for"


# 4. "Why do you need my email?" in the receipt task is answered about receipts, not about updates on a report.


@pytest.mark.parametrize("asked", ["account_reference", "payment_reference"])
def test_why_an_email_in_the_receipt_task_says_documents_go_to_the_accounts_email(asked: str) -> None:
    set_to, said, _ = run_form(
        "receipt_request", asked, "why do you need my email?", "contact_details", 0.6, document_kind="receipt"
    )

    assert set_to[asked] is None
    assert "email address we already hold for your council tax account" in said[0]
    assert "updates" not in said[0]


def test_why_an_email_in_a_report_still_speaks_of_updates() -> None:
    assert form_help.help_for("contact_email", "why do you need my email?", "report_problem").startswith(
        "An email address lets us send you updates"
    )


# 5. "When was my last payment" is about the latest payment: no payment reference is asked for, and "a receipt for it"
# just after is for the payment shown (a probe was asked for a reference, then which payment).


@pytest.mark.parametrize(
    "text",
    ["when was my last payment", "when did I last pay my council tax", "show me my latest payments"],
)
def test_asking_for_the_last_payment_asks_no_payment_reference(text: str) -> None:
    tracker = make_tracker(message(text, "payment_received", 0.9))
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["payment_reference"] == "latest"


def test_did_my_payment_go_through_still_asks_which_payment() -> None:
    tracker = make_tracker(message("did my payment go through", "payment_received", 0.9))
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["payment_reference"] is None


@pytest.mark.parametrize(
    ("shown", "expected"), [("PAY-48213370", "PAY-48213370"), ("unknown", "latest"), ("latest", "latest")]
)
def test_a_receipt_for_it_after_a_payment_was_shown_is_for_that_payment(shown: str, expected: str) -> None:
    tracker = make_tracker(
        bot("Yes, we received your payment."),
        message("can I have a receipt for it", "receipt_request", 0.9),
        slots={"pending_task": "payment_received", "payment_reference": shown, "account_verified": True},
    )
    tracker.events.insert(0, {"event": "slot", "name": "pending_task", "value": "payment_received"})
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["payment_reference"] == expected and started["document_kind"] == "receipt"


# 6. A probe's report forms took "Yes, go ahead" and "No, thanks" as the place; fly-tipping with bin bags was read as a
# missed bin and asked for the postcode of the resident's address; dog fouling, which the advice says to report here,
# had no kind of its own.


@pytest.mark.parametrize("typed", ["Yes, go ahead", "No, thanks", "ok thanks", "yes please"])
def test_a_buttons_words_are_no_place(typed: str) -> None:
    set_to, said, _ = run_form("report_problem", "problem_location", typed, "affirm", service_category="pothole")
    assert set_to["problem_location"] is None and "street name" in said[0]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("someone dumped a mattress and loads of bin bags in the lane behind Rowan Close", "dumped_rubbish"),
        ("fly tipping by the bins on Mill Lane", "dumped_rubbish"),
        ("my bin wasn't collected", "missed_bin"),
        ("my rubbish wasn't collected this week", "missed_bin"),
        ("dog poo all over the pavement on Weald Mews", "dog_fouling"),
        ("litter everywhere in the park", "dumped_rubbish"),
        ("I need a replacement bin", "bin_request"),
    ],
)
def test_the_kind_of_problem_is_read_from_its_telling_words(text: str, category: str) -> None:
    assert category_of(text) == category


def test_the_confirmation_names_the_problem_in_plain_words() -> None:
    tracker = make_tracker(
        message("yes", "affirm"),
        slots={
            "pending_task": "report_problem",
            "service_category": "other",
            "problem_location": "Weald Mews outside no 3",
            "problem_description": "broken bench",
        },
    )
    assert confirmation_summary(tracker) == 'I\'ll report a problem at Weald Mews outside no 3: "broken bench".'


def test_trying_again_after_a_failed_check_still_looks_up_the_last_payment() -> None:
    # "when was my last paymnet", a failed check, "Try again" and a passed check: it asked for the payment reference.
    from bot.actions import payments

    tracker = make_tracker(
        message("when was my last paymnet", "payment_received"),
        {"event": "action", "name": "action_start_task"},
        bot(payments.NOT_VERIFIED, [{"title": "Try again", "payload": "/payment_received"}]),
        message("/payment_received", "payment_received", 1.0),
    )
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["payment_reference"] == "latest"


def test_the_first_part_of_a_card_number_leaves_the_answers_kept_once_the_hub_hid_it() -> None:
    # An attack: the description "Huge pothole, reference 4111 1111 1111 111" was quoted at "Shall I go ahead?" after
    # "1" completed the card number and the hub hid it in both messages.
    from bot.actions.task_form import ValidateTaskForm

    slots = {
        "pending_task": "report_problem",
        "requested_slot": "contact_email",
        "problem_description": "Huge pothole, reference 4111 1111 1111 111",
        "problem_location": "Rowan Close near number 19",
        "address_uprn": "100062341234",
        "account_reference": "CT26041538",
    }
    tracker = make_tracker(message("[card number removed, ending 1111]", "inform", 0.6), slots=slots)
    set_to = slots_of(asyncio.run(ValidateTaskForm().run(CollectingDispatcher(), tracker, {"forms": {}})))
    assert set_to["problem_description"] == "Huge pothole, reference [number removed]"
    assert set_to["contact_email"] is None
    assert "problem_location" not in set_to and "address_uprn" not in set_to and "account_reference" not in set_to


def test_a_date_years_ago_at_a_death_report_is_the_date_of_birth_not_when_they_died() -> None:
    # A probe: "15/08/1955" after "her name was Janice Dunn" was passed on, and the report said "Janice Dunn has died
    # (15/08/1955)".
    from bot.actions.electoral import _report_death_or_left_summary
    from bot.actions.task_form import report_notes_added

    slots = {"pending_task": "report_death_or_left", "report_kind": "died", "reported_name": "Janice Dunn"}
    tracker = make_tracker(message("15/08/1955", "inform", 0.6), slots=slots)
    notes = report_notes_added(tracker, "15/08/1955")
    assert notes == "date of birth 15/08/1955"
    summary = _report_death_or_left_summary(make_tracker(slots=slots | {"report_notes": notes}), None)
    assert summary == "I'll let electoral services know that Janice Dunn has died."
    recent = report_notes_added(tracker, "she died on 02/12/2026")
    assert "(on 02/12/2026)" in _report_death_or_left_summary(
        make_tracker(slots=slots | {"report_notes": recent}), None
    )


@pytest.mark.parametrize("said", ["her name was Janice Dunn", "his name is Peter Gray", "it was Peter Gray"])
def test_a_name_told_in_a_sentence_is_the_name_alone(said: str) -> None:
    from bot.parsing import clean_full_name

    assert clean_full_name(said) in ("Janice Dunn", "Peter Gray")


def test_a_correction_of_the_report_at_the_email_question_puts_it_right_and_asks_the_email_again() -> None:
    # A probe: "actually sorry it was the blue recycling bin not the green one" at the email question was taken as
    # no email, and the confirmation quoted "my green bin wasnt collected this week".
    from bot.actions.task_form import ValidateTaskForm

    slots = {
        "pending_task": "report_problem",
        "service_category": "missed_bin",
        "requested_slot": "contact_email",
        "problem_description": "my green bin wasnt collected this week",
        "postcode": "TN41 6PA",
        "address_uprn": "100099500102",
    }
    text = "actually sorry it was the blue recycling bin not the green one"
    tracker = make_tracker(message(text, "inform", 0.6), slots=slots)
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm().run(dispatcher, tracker, {"forms": {}})))
    assert "blue recycling bin" in set_to["problem_description"] and set_to["contact_email"] is None
    assert dispatcher.messages[0]["text"] == "OK, I've changed that."


@pytest.mark.parametrize(
    ("text", "intent"),
    [("I dont know my account number", "nlu_fallback"), ("i havent got my bill", "how_to_pay"), ("no ref", "inform")],
)
def test_no_account_number_after_the_offer_of_help_to_pay_keeps_the_offer(text: str, intent: str) -> None:
    # A probe: "I dont know my account number" after the offer of an officer got the ways to pay, and no offer.
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    offer = "I'm sorry you're going through this ... Would you like an officer to talk it through with you?"
    tracker = make_tracker(bot(offer), message(text, intent, 0.6), slots={"officer_offered": True})
    action = ActionHandleMiss() if intent == "nlu_fallback" else ActionAnswerFromKnowledge()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    [said] = dispatcher.messages
    assert said["text"].startswith("That's fine: you don't need your account number")
    assert said["buttons"][0]["payload"] == "/request_officer" and slots_of(events)["officer_offered"] is True


def test_cancel_that_just_after_a_report_is_about_the_report_whatever_the_intent() -> None:
    # A probe: "actually can you cancel that, my neighbour says he's moving it" straight after a fly-tipping report was
    # read as moving home, and got the article on registering at a new address.
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    reported = "Thank you, I've reported it: your reference is SR-596546. We clear dumped rubbish within 3 days."
    text = "actually can you cancel that, my neighbour says he's moving it"
    tracker = make_tracker(bot(reported), message(text, "moved_home", 0.7))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert events == [FollowupAction("action_stop_with_nothing_to_stop")] and dispatcher.messages == []


@pytest.mark.parametrize(
    "text",
    ["i dont know her account number", "I don't know the exact date, is that a problem?", "not sure of the date"],
)
def test_a_detail_not_known_said_at_the_confirmation_is_not_a_no(text: str) -> None:
    # A probe: "i dont know her account number" at "Shall I go ahead?" with a death report got "OK, I haven't recorded
    # anything", and the report was dropped.
    from bot.actions.task_form import ValidateTaskForm

    slots = {
        "pending_task": "report_death_or_left",
        "report_kind": "died",
        "reported_name": "Janice Dunn",
        "postcode": "TN42 6FW",
        "address_uprn": "100099500101",
        "requested_slot": "task_confirmed",
    }
    tracker = make_tracker(message(text, "deny", 0.7), slots=slots)
    dispatcher = CollectingDispatcher()
    set_to = slots_of(asyncio.run(ValidateTaskForm().run(dispatcher, tracker, {"forms": {}})))
    assert set_to["task_confirmed"] is None
    assert dispatcher.messages[0]["text"].startswith("That's fine: I don't need anything more for this.")


def test_help_at_a_death_reports_address_question_asks_which_home_was_theirs() -> None:
    # A probe: "i dont know" at the address of her mother's death report got "which home at that postcode is yours".
    from bot.actions.form_help import help_for

    said = help_for("address_uprn", "i dont know", "report_death_or_left")
    assert "which home at that postcode was theirs" in said and "yours" not in said
    assert "which home at that postcode is yours" in help_for("address_uprn", "i dont know", "check_registration")
