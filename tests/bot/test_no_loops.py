"""No loops inside a task (issue 12, found by a confused-resident probe): each reply moves the resident on.

Each test drives the action the stack runs at that turn with the message the resident typed and the intent
the classifier gave it (the form's own validation decides before any rule: Rasa runs the active form first,
and a rule answers the message only when the form rejects it), and checks what the resident would notice.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import form_help
from bot.actions.handoff import ActionNotHelpful, ActionRequestOfficer
from bot.actions.service_requests import reason_in_request
from bot.actions.task_form import ValidateTaskForm, required_slots_for, start_task_events
from bot.knowledge import get_knowledge
from bot.names import FORM_SLOTS
from council import council_facts
from tests.support.backoffice_fake import FakeBackOffice, slots_of
from tests.support.trackers import NOT_MAPPED, bot, make_tracker, message

PHONE = council_facts().phone
ROOT = Path(__file__).resolve().parents[2]


def run_form(
    task: str, asked: str, latest: dict[str, Any], *earlier: dict[str, Any], **slots: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    """Run the form's validation on ``latest`` (the reply to ``asked``) after ``earlier`` events, as Rasa does."""
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": task, "requested_slot": asked}
    base |= {"identity_verified": False, "account_verified": False} | slots
    intent = latest["parse_data"]["intent"]["name"]
    mapped = [] if intent in NOT_MAPPED else [{"event": "slot", "name": asked, "value": latest["text"]}]
    tracker = make_tracker(*earlier, latest, *mapped, slots=base)
    tracker.slots.update(slots_of(mapped))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {"forms": {}}))
    return slots_of(events), dispatcher


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def buttons(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


# 1. "Don't have it" where the question says "if you don't have it, just say so" is an answer, even read as stop.


@pytest.mark.parametrize("text", ["dont have it", "don't have it to hand", "not sure", "no idea", "haven't got it"])
def test_not_having_the_account_number_switches_to_name_date_of_birth_and_postcode(text: str) -> None:
    set_to, dispatcher = run_form("council_tax_balance", "account_reference", message(text, "stop", 0.92))
    assert set_to["account_reference"] == "unknown"
    assert set_to.get("verification_outcome") != "stopped"
    assert "stopped" not in said(dispatcher)
    assert "name, date of birth and postcode" in said(dispatcher)
    assert required_slots_for("council_tax_balance", {"account_reference": "unknown"})[1] == "full_name"


@pytest.mark.parametrize("text", ["dont have it", "not sure", "no idea"])
def test_not_having_the_payment_reference_lists_the_payments_instead(text: str) -> None:
    set_to, dispatcher = run_form(
        "payment_received", "payment_reference", message(text, "stop", 0.9), account_verified=True
    )
    assert set_to["payment_reference"] == "unknown" and set_to.get("verification_outcome") != "stopped"
    assert "stopped" not in said(dispatcher)


@pytest.mark.parametrize("text", ["stop", "cancel that", "forget it", "no stop this", "/stop", "i want to stop"])
def test_a_clear_stop_still_ends_the_task(text: str) -> None:
    set_to, dispatcher = run_form("council_tax_balance", "account_reference", message(text, "stop", 0.95))
    assert set_to["verification_outcome"] == "stopped" and set_to["account_reference"] is None
    assert said(dispatcher).startswith("OK, I've stopped there and nothing has been sent.")


@pytest.mark.parametrize("text", ["nvm", "nevermind", "oh nvm"])
def test_text_speak_for_never_mind_ends_the_task_whatever_the_classifier_says(text: str) -> None:
    # "nvm" at the name question got "Sorry, I need your first name and surname" (a probe).
    set_to, dispatcher = run_form("check_registration", "full_name", message(text, "nlu_fallback", 0.45))
    assert set_to["verification_outcome"] == "stopped" and set_to.get("full_name") is None
    assert said(dispatcher).startswith("OK, I've stopped there and nothing has been sent.")


def test_not_having_a_request_reference_is_explained_with_a_person_not_a_stop() -> None:
    set_to, dispatcher = run_form("request_progress", "request_reference", message("dont have it", "stop", 0.9))
    assert set_to.get("verification_outcome") != "stopped" and set_to["request_reference"] is None
    assert "reply or email" in said(dispatcher) and "/request_officer" in buttons(dispatcher)


# 2. A bare "no" where a detail is asked gets one coherent reply (how to stop), not "What else?" and the question.


def test_no_in_the_middle_of_a_form_says_how_to_stop_and_is_not_left_to_the_no_problem_rule() -> None:
    set_to, dispatcher = run_form(
        "check_registration", "date_of_birth", message("no", "deny", 0.97), full_name="Sam Taylor"
    )
    # A slot set keeps Rasa from rejecting the form (which ran the "No problem. What else..." rule, then the form).
    assert "date_of_birth" in set_to and set_to["date_of_birth"] is None
    assert len(dispatcher.messages) == 1 and '"stop"' in said(dispatcher) and "What else" not in said(dispatcher)
    assert buttons(dispatcher) == ["/stop"]


def test_a_second_no_in_a_row_stops_the_task() -> None:
    set_to, dispatcher = run_form(
        "check_registration", "date_of_birth", message("no", "deny", 0.97), full_name="Sam Taylor", answer_misses=1
    )
    assert set_to["verification_outcome"] == "stopped"
    assert "stopped there" in said(dispatcher)


def test_yes_where_a_detail_is_asked_says_what_is_needed_and_asks_again() -> None:
    # The bare question again, "yes" after "yes", was a loop with no way on (a probe, at "What is the person's full
    # name?"): what the detail is for and how to give it comes first, with a person.
    set_to, dispatcher = run_form("check_registration", "postcode", message("yes", "affirm", 0.95))
    assert "postcode" in set_to and set_to["postcode"] is None
    assert "for example TN41 6PA" in said(dispatcher) and buttons(dispatcher) == ["/request_officer"]


def test_no_is_still_the_answer_where_the_question_is_yes_or_no() -> None:
    set_to, _ = run_form(
        "report_problem",
        "contact_email",
        message("no", "deny", 0.97),
        service_category="pothole",
        problem_location="High Street",
        problem_description="deep hole",
    )
    assert set_to["contact_email"] == "none"


@pytest.mark.parametrize(("payload", "intent", "agreed"), [("/affirm", "affirm", True), ("/deny", "deny", False)])
def test_the_confirmation_buttons_confirm_or_refuse(payload: str, intent: str, agreed: bool) -> None:
    """The buttons' payloads are mapped by the domain (from_intent): "Yes, go ahead" must not ask again for ever."""
    slots = {"identity_verified": True, "vote_duration": "next_poll"}
    base = dict.fromkeys(FORM_SLOTS) | {"pending_task": "request_postal_vote", "requested_slot": "task_confirmed"}
    tracker = make_tracker(
        message(payload, intent, 1.0),
        {"event": "slot", "name": "task_confirmed", "value": agreed},
        slots=base | slots | {"task_confirmed": agreed},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice().client()).run(dispatcher, tracker, {"forms": {}}))
    assert slots_of(events)["task_confirmed"] is agreed and dispatcher.messages == []


# 3. "I don't know" again, after the explanation and the offer: stop asking, and offer a person clearly.


@pytest.mark.parametrize(
    "task, asked, slots",
    [
        ("check_registration", "postcode", {"full_name": "Sam Taylor", "date_of_birth": "1978-01-26"}),
        ("check_registration", "full_name", {}),
    ],
)
def test_i_dont_know_again_stops_asking_and_offers_a_person(task: str, asked: str, slots: dict[str, Any]) -> None:
    first, once = run_form(task, asked, message("i dont know", "out_of_scope", 0.6), **slots)
    assert first.get("verification_outcome") != "stopped" and "/request_officer" in buttons(once)
    explained = once.messages[0]
    second, twice = run_form(
        task,
        asked,
        message("i dont know", "out_of_scope", 0.6),
        message("i dont know", "out_of_scope", 0.6),
        bot(explained["text"], explained["buttons"]),
        bot(f"What is your {asked}?"),
        **slots,
        answer_misses=first["answer_misses"],
    )
    assert said(twice) != said(once)
    assert second["verification_outcome"] == "stopped"  # the question is not asked a third time
    assert second["officer_offered"] is True and second["handoff_reason"] == "fallback"
    assert "person" in said(twice) and PHONE in said(twice) and "/request_officer" in buttons(twice)


def asked(slot: str) -> dict[str, Any]:
    return {"event": "slot", "name": "requested_slot", "value": slot}


def test_why_at_the_question_after_a_lost_reference_is_explained_not_taken_as_giving_up() -> None:
    """A probe: "I lost my reference" was explained and the name asked; "why do you need that?" stopped the task."""
    lost = form_help.help_for("payment_reference", "I lost my reference", "payment_received")
    set_to, dispatcher = run_form(
        "payment_received",
        "full_name",
        message("why do you need that?", "out_of_scope", 0.6),
        asked("payment_reference"),
        message("I lost my reference", "out_of_scope", 0.6),
        bot(lost),
        asked("full_name"),
        bot("What is the full name of the person who pays the council tax?"),
        payment_reference="unknown",
    )
    assert set_to.get("verification_outcome") != "stopped"
    assert "I need your name" in said(dispatcher) and "stop asking" not in said(dispatcher)


def test_why_asked_again_at_the_same_question_is_answered_again() -> None:
    explained = form_help.help_for("account_reference", "why do you need that?", "council_tax_balance")
    set_to, dispatcher = run_form(
        "council_tax_balance",
        "account_reference",
        message("but why do you need that?", "out_of_scope", 0.6),
        asked("account_reference"),
        message("why do you need that?", "out_of_scope", 0.6),
        bot(explained),
        asked("account_reference"),
        bot("What is your council tax account number?"),
    )
    assert set_to.get("verification_outcome") != "stopped"
    assert "top of your council tax bill" in said(dispatcher)


def test_a_question_after_a_failed_answer_is_still_explained() -> None:
    set_to, dispatcher = run_form(
        "check_registration",
        "date_of_birth",
        message("why do you need it", "out_of_scope", 0.6),
        message("the twenty sixth", "inform"),
        bot("Sorry, I couldn't read that as a date of birth."),
        full_name="Sam Taylor",
        answer_misses=1,
    )
    assert set_to.get("verification_outcome") != "stopped" and "proves it's you" in said(dispatcher)


# 4. A stop with a question after it answers the question, whatever the question.


def test_forget_it_when_are_you_open_stops_and_answers_the_opening_hours() -> None:
    latest = message("forget it, when are you open", "stop", 0.71, ranking=[("stop", 0.71), ("opening_hours", 0.22)])
    set_to, dispatcher = run_form("council_tax_balance", "account_reference", latest)
    assert set_to["verification_outcome"] == "stopped"
    assert get_knowledge().for_intent("opening_hours", {}).answer in said(dispatcher)
    assert "What else can I help with?" not in said(dispatcher)


def test_a_question_after_a_stop_with_no_intent_for_it_is_searched() -> None:
    set_to, dispatcher = run_form(
        "check_registration", "full_name", message("never mind, is the library open on sunday", "stop", 0.8)
    )
    assert set_to["verification_outcome"] == "stopped"
    libraries = next(a for a in get_knowledge().articles() if a.slug == "libraries")
    assert libraries.answer in said(dispatcher)


# 5. "That didn't help", typed, offers to take the question again or a person (as the rating's "No" does).


def test_typing_that_it_did_not_help_offers_a_person(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(message("no that didnt help", "not_helpful", 0.9))
    events = slots_of(asyncio.run(ActionNotHelpful().run(dispatcher, tracker, {})))
    assert events == {"officer_offered": True, "handoff_reason": "fallback"}
    assert "other words" in said(dispatcher) and "person" in said(dispatcher)
    assert buttons(dispatcher)[0] == "/request_officer"


def test_that_did_not_help_inside_a_form_is_explained_with_a_person() -> None:
    set_to, dispatcher = run_form("check_registration", "postcode", message("that didn't help", "not_helpful", 0.9))
    assert "postcode" in set_to and "/request_officer" in buttons(dispatcher)


# 6. The council tax name question asks for the bill payer's name, not the electoral register's.


def test_the_council_tax_name_question_does_not_mention_the_electoral_register() -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    with warnings.catch_warnings():  # Rasa warns that slot auto-fill was removed in 3.0, for every domain
        warnings.simplefilter("ignore", UserWarning)
        domain = Domain.load(str(ROOT / "domain"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    def asked(**slots: str) -> str:
        tracker = DialogueStateTracker.from_events("t", [SlotSet(k, v) for k, v in slots.items()], domain.slots)
        return str(asyncio.run(nlg.generate("utter_ask_full_name", tracker, "rest"))["text"])

    council_tax = asked(pending_task="council_tax_balance", account_reference="unknown")
    assert "electoral register" not in council_tax and "council tax" in council_tax
    assert "electoral register" in asked(pending_task="check_registration")


# 7. Cancelling a report: a reason given in the opening message is not asked again, and "yes" is no reason.


def test_a_reason_in_the_opening_message_is_not_asked_for_again() -> None:
    text = "please cancel SR-245007, the bin was collected after all"
    started = slots_of(start_task_events(make_tracker(message(text, "cancel_service_request"))))
    assert started["cancel_reason"] == "please cancel, the bin was collected after all"
    filled = {"request_reference": "SR-245007", "reporter_email": "none", "cancel_reason": started["cancel_reason"]}
    assert "cancel_reason" not in [s for s in required_slots_for("cancel_service_request", filled) if not filled.get(s)]


@pytest.mark.parametrize("text", ["cancel my report", "cancel SR-245007", "can I cancel a request I made"])
def test_a_request_to_cancel_with_no_reason_gives_none(text: str) -> None:
    assert reason_in_request(text) is None


@pytest.mark.parametrize("text", ["yes", "ok", "yes please", "no"])
def test_yes_or_no_is_not_taken_as_the_reason(text: str) -> None:
    set_to, dispatcher = run_form(
        "cancel_service_request",
        "cancel_reason",
        message(text, "inform"),
        request_reference="SR-245007",
        reporter_email="none",
    )
    assert set_to["cancel_reason"] is None and "why it isn't needed" in said(dispatcher)


# 8. The handoff packet names what the resident asked about when they asked for a person outright.


def sent_packet(*events: dict[str, Any]) -> dict[str, Any]:
    import json

    import httpx

    from bot.backoffice import BackOffice

    sent: list[dict[str, Any]] = []
    ticket = {"reference": "HO-1", "status": "queued", "queue_position": 1, "expected_wait_minutes": 3}

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(201, json=ticket)

    client = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(handler))
    asyncio.run(ActionRequestOfficer(client).run(CollectingDispatcher(), make_tracker(*events), {}))
    return sent[0]


def test_asking_for_a_person_about_a_subject_names_the_subject() -> None:
    packet = sent_packet(message("i want to talk to someone about my council tax bill", "request_officer", 0.95))
    assert packet["wanted"] not in ("", None) and "council tax" in packet["wanted"].lower()


def test_a_question_the_bot_missed_before_asking_for_a_person_is_named() -> None:
    packet = sent_packet(
        message("is the library open on sunday", "out_of_scope", 0.6), message("a person please", "request_officer")
    )
    assert "librar" in packet["wanted"].lower()


@pytest.mark.parametrize(
    "text", ["I don't need the pothole fixed any more, please cancel SR-245007", "no longer need it"]
)
def test_not_needing_it_any_more_is_no_reason_so_the_reason_is_asked(text: str) -> None:
    assert reason_in_request(text) is None
