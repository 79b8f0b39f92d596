"""Following a reported problem by its reference: what a stranger, the reporter and a guesser are told.

The back office is answered over httpx.MockTransport as it answers (who is the reporter is decided there and
tested in tests/api/test_service_requests_api.py); these tests check what the resident reads.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionHandleMiss
from bot.actions.knowledge import ActionAnswerFromKnowledge
from bot.actions.task_form import required_slots_for, start_task_events
from bot.actions.tasks import ActionCompleteTask, ActionDetailsWithoutTask
from bot.backoffice import BackOffice
from tests.support.backoffice_fake import slots_of
from tests.support.trackers import bot, make_tracker, user_event

NOTE = "Crew returned to 17 Rowan Close and emptied the bin."


def answer(reference: str, *, reporter: bool, overdue: bool = True, news_emailed: str | None = None) -> dict[str, Any]:
    """The back office's answer: the latest note only for the reporter (as service.request_progress does)."""
    return {
        "reference": reference,
        "category": "missed_bin",
        "category_label": "Missed bin collection",
        "status": "open",
        "created_at": "2026-11-18T09:00:00Z",
        "expected_by": "2026-11-20",
        "overdue": overdue,
        "latest_update": {"status": "open", "note": NOTE, "at": "2026-11-19T10:00:00Z"} if reporter else None,
        "responsible_team": "Waste and Recycling",
        "reporter": reporter,
        "news_emailed": news_emailed,
    }


class BackOfficeFake:
    """Knows SR-246414, reported from chat ``reporter-chat`` with the email rita@example.com (code 123456 sent)."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.path == "/api/v1/service-requests/SR-246414/progress-checks":
            body = json.loads(request.content)
            reporter = body["conversation_id"] == "reporter-chat" or body.get("reporter_code") == "123456"
            news = "sent" if not reporter and body.get("reporter_email") == "rita@example.com" else None
            return httpx.Response(200, json=answer("SR-246414", reporter=reporter, news_emailed=news))
        if request.url.path == "/api/v1/service-requests/SR-246414":  # the public view, for anyone
            return httpx.Response(200, json=answer("SR-246414", reporter=False))
        return httpx.Response(404, json={"detail": "not found"})

    def client(self) -> BackOffice:
        return BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(self.handler))


def ask(fake: BackOfficeFake, text: str, *earlier: dict[str, Any], chat: str = "stranger-chat") -> tuple[str, dict]:
    """Ask the progress of the reference in ``text`` after ``earlier`` events; return what was said and the slots."""
    opening = user_event(text, "request_progress")
    started = slots_of(start_task_events(make_tracker(*earlier, opening, sender_id=chat)))
    tracker = make_tracker(*earlier, opening, slots=started, sender_id=chat)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCompleteTask(fake.client()).run(dispatcher, tracker, {}))
    return " ".join(m["text"] or "" for m in dispatcher.messages), slots_of(events)


def test_a_stranger_quoting_a_reference_is_not_told_it_is_theirs_nor_the_officers_note() -> None:
    said, slots = ask(BackOfficeFake(), "whats the status of SR-246414")

    assert "SR-246414" in said and "is open" in said
    assert "Your" not in said and "Rowan Close" not in said
    assert "overdue" not in said and not slots.get("officer_offered")
    # A reporter who gave no email has a way on too (a probe found none).
    assert said.endswith("If you didn't give one, please call us on 01632 960 123.")
    # Its date gone by is said as past (a probe was told "We expect to deal with it by" a November date in December).
    assert "We expected to deal with it by" in said and "so it is late" in said


def test_the_reporter_in_the_chat_they_reported_it_in_sees_the_note_and_the_offer() -> None:
    said, slots = ask(BackOfficeFake(), "whats the status of SR-246414", chat="reporter-chat")

    assert said.startswith("Your missed bin collection request SR-246414 is open.")
    assert NOTE in said and "overdue" in said
    assert slots["officer_offered"] is True and slots["handoff_reason"] == "overdue_request"


EMAILED = "If that's the email address given with the report, I've emailed the latest news on it."


def test_the_reporter_in_another_chat_gets_the_news_by_email_not_in_the_chat() -> None:
    """An email address can be guessed (an attacker read a request's note with a demo reporter's), so the news goes
    to that address, where only its owner reads it."""
    fake = BackOfficeFake()
    said, slots = ask(fake, "any news on SR-246414? I gave rita@example.com")

    assert said.startswith("Request SR-246414 for missed bin collection is open.") and EMAILED in said
    assert NOTE not in said and "Your" not in said
    assert json.loads(fake.calls[-1].content)["reporter_email"] == "rita@example.com"
    # It is late: the officer's offer (whether the email was the report's is not told; the officer checks).
    assert "I can ask an officer to look into it if you reported it" in said
    assert slots["officer_offered"] is True and slots["handoff_reason"] == "overdue_request"


def test_news_that_could_not_be_emailed_gets_the_phone_and_an_officer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer("SR-246414", reporter=False, overdue=False, news_emailed="mail_failed"))

    client = BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(handler))
    opening = user_event("any news on SR-246414? I gave rita@example.com", "request_progress")
    tracker = make_tracker(opening, slots=slots_of(start_task_events(make_tracker(opening))))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCompleteTask(client).run(dispatcher, tracker, {}))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "I couldn't send an email just now" in said and "01632 960 123" in said
    assert slots_of(events)["officer_offered"] is True


def test_guessing_references_stops_after_three_unknown_ones_whatever_the_next_one_is() -> None:
    fake = BackOfficeFake()
    earlier: list[dict[str, Any]] = []
    for guess in ("SR-245001", "SR-245002", "SR-245003"):
        said, _ = ask(fake, f"status of {guess}", *earlier)
        assert said.startswith("I can't find a request")
        earlier += [user_event(f"status of {guess}", "request_progress"), bot(said)]
    looked_up = len(fake.calls)

    replies = set()
    for guess in ("SR-246414", "SR-245004"):  # one that exists, one that does not: the same answer
        said, slots = ask(fake, f"status of {guess}", *earlier)
        replies.add(said)
        assert slots["officer_offered"] is True and slots["handoff_reason"] == "lookup_refused"
    assert len(fake.calls) == looked_up, "no more look-ups"
    [said] = replies
    assert "SR-246414" not in said and "is open" not in said


def test_any_news_on_my_report_just_after_reporting_uses_its_reference() -> None:
    reported = [
        user_event("yes", "affirm"),
        bot("Thank you, I've reported it: your reference is SR-246414. We collect missed bins within 2 working days."),
    ]
    said, _ = ask(BackOfficeFake(), "any news on my report?", *reported, chat="reporter-chat")

    assert said.startswith("Your missed bin collection request SR-246414 is open.")


def test_cancel_the_missed_bin_report_just_after_reporting_it_knows_the_reference() -> None:
    reported = bot("Thank you, I've reported it: your reference is SR-246414. We collect missed bins within 2 days.")
    opening = user_event("no i mean cancel the missed bin report", "cancel_service_request")
    started = slots_of(start_task_events(make_tracker(reported, opening)))

    assert (started["pending_task"], started["request_reference"]) == ("cancel_service_request", "SR-246414")


def after_the_invitation(fake: BackOfficeFake, text: str, intent: str) -> tuple[list[dict[str, Any]], dict, str, dict]:
    """A stranger's answer, then ``text``: what each action does with it, as Rasa chains them.

    Returns the events of the action its intent's rule runs, the slots they start the task with, the reply and the
    slots the task sets.
    """
    first, _ = ask(fake, "whats the status of SR-246414")
    earlier = [user_event("whats the status of SR-246414", "request_progress"), bot(first)]
    reply = user_event(text, intent)
    action = ActionAnswerFromKnowledge() if intent == "contact_details" else ActionDetailsWithoutTask()
    routed = asyncio.run(action.run(CollectingDispatcher(), make_tracker(*earlier, reply), {}))
    started = slots_of(routed)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionCompleteTask(fake.client()).run(dispatcher, make_tracker(*earlier, reply, slots=started), {})
    )
    return routed, started, " ".join(m["text"] or "" for m in dispatcher.messages), slots_of(events)


def test_the_email_typed_after_the_stranger_answer_sends_the_reporter_the_latest_news() -> None:
    """Seen (simulated residents): the email typed on its own after "If you reported it, ..." was read as a
    question about contact details, and the council's addresses came back at every try: a loop."""
    first, _ = ask(BackOfficeFake(), "whats the status of SR-246414")
    assert "tell me the email address you gave us" in first

    for text, intent in (
        ("rita@example.com", "inform"),
        ("rita@example.com thanks", "contact_details"),
        ("it's rita@example.com", "contact_details"),
        ("you can email me on rita@example.com", "contact_details"),
    ):
        routed, started, said, _ = after_the_invitation(BackOfficeFake(), text, intent)

        # The task starts in this action (a follow-up action to another one left the chat dead, see below).
        assert routed[-1] == FollowupAction("task_form"), text
        assert (started["pending_task"], started["request_reference"]) == ("request_progress", "SR-246414"), text
        assert said.startswith("Request SR-246414 for missed bin collection is open."), (text, said)
        assert EMAILED in said and NOTE not in said


def test_an_email_that_is_not_the_reporters_gets_the_same_answer_as_the_right_one() -> None:
    # A probe: "That isn't the email address given with the report" told anyone which address had reported it.
    _, _, said, slots = after_the_invitation(BackOfficeFake(), "it's sam.k@outlook.com", "contact_details")
    _, _, right, _ = after_the_invitation(BackOfficeFake(), "it's rita@example.com", "contact_details")

    assert said == right and said.startswith("Request SR-246414 for missed bin collection is open.")
    assert EMAILED in said and "tell me the email" not in said and "isn't the email" not in said
    assert NOTE not in said and "Your" not in said
    assert slots["officer_offered"] is True and slots["handoff_reason"] == "overdue_request"  # it is late


def test_a_question_about_contact_details_holding_no_email_is_still_answered() -> None:
    routed = asyncio.run(
        ActionAnswerFromKnowledge().run(
            CollectingDispatcher(), make_tracker(user_event("what's your email address?", "contact_details")), {}
        )
    )

    assert not slots_of(routed).get("pending_task")


def test_the_email_not_understood_as_words_after_the_invitation_still_goes_to_the_progress_check() -> None:
    """Seen (make journeys, 13 of 20 progress journeys): "carol.jones@example.com thanks", below the confidence
    bar, got "Sorry, I didn't quite get that" after the bot had asked for exactly that."""
    first, _ = ask(BackOfficeFake(), "whats the status of SR-246414")
    earlier = [user_event("whats the status of SR-246414", "request_progress"), bot(first)]
    for text in ("rita@example.com thanks", "you can email me on rita@example.com"):
        tracker = make_tracker(*earlier, user_event(text, "nlu_fallback"))

        dispatcher = CollectingDispatcher()
        events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))

        assert events[-1] == FollowupAction("task_form") and not dispatcher.messages, text
        assert slots_of(events)["request_reference"] == "SR-246414", text


def test_a_mistyped_email_sent_again_sends_the_reporter_the_latest_news() -> None:
    """Seen (a probe): "jodie.kemp@exmaple.com", then "jodie.kemp@example.com" got "What would you like me to do
    with that?": only the turn straight after the invitation took an email."""
    fake = BackOfficeFake()
    first, _ = ask(fake, "whats the status of SR-246414")
    earlier = [user_event("whats the status of SR-246414", "request_progress"), bot(first)]
    typo, _ = ask(fake, "rita@exmaple.com", *earlier)
    assert "send the address again in case it was mistyped" in typo

    fixed = user_event("sorry, rita@example.com", "inform")
    routed = asyncio.run(
        ActionDetailsWithoutTask().run(CollectingDispatcher(), make_tracker(*earlier, bot(typo), fixed), {})
    )
    assert slots_of(routed)["request_reference"] == "SR-246414"
    said, _ = ask(fake, "sorry, rita@example.com", *earlier, bot(typo))
    assert EMAILED in said and NOTE not in said


def test_emails_are_checked_three_times_in_a_chat_then_no_more_whichever_the_next_is() -> None:
    """Seen (a probe): ten wrong emails in a row, then the right one, showed the note: guessing was unlimited."""
    fake = BackOfficeFake()
    first, _ = ask(fake, "whats the status of SR-246414")
    earlier: list[dict[str, Any]] = [user_event("whats the status of SR-246414", "request_progress"), bot(first)]
    for n in range(3):
        said, _ = ask(fake, f"guess{n}@example.com", *earlier)
        assert EMAILED in said
        assert ("send the address again" in said) == (n < 2)
        earlier += [user_event(f"guess{n}@example.com", "inform"), bot(said)]
    checked = len(fake.calls)

    replies = {ask(fake, email, *earlier)[0] for email in ("rita@example.com", "guess9@example.com")}

    assert len(fake.calls) == checked, "no more checks"
    [said] = replies
    assert said.startswith("I can't check any more email addresses in this chat") and NOTE not in said


def invited_then(text: str, intent: str) -> tuple[str, dict]:
    """The stranger's answer, then ``text`` read as ``intent``: what the action its rule runs says, and the slots."""
    first, _ = ask(BackOfficeFake(), "whats the status of SR-246414")
    tracker = make_tracker(
        user_event("whats the status of SR-246414", "request_progress"), bot(first), user_event(text, intent)
    )
    action = ActionAnswerFromKnowledge() if intent != "nlu_fallback" else ActionHandleMiss()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return " ".join(m["text"] or "" for m in dispatcher.messages), slots_of(events)


def test_why_the_email_is_needed_is_answered_where_the_bot_asked_for_it() -> None:
    """Seen (a probe): "why do you need my email?" there got a menu of articles (contact us, jobs, planning)."""
    for text, intent in (("why do you need my email?", "contact_details"), ("what for?", "nlu_fallback")):
        said, slots = invited_then(text, intent)

        assert "I email it to the address they gave with the report" in said, text
        assert said.startswith("Request SR-246414: ") and "tell me the email address you gave us" in said
        assert "call us on" in said and slots["officer_offered"] is True


def test_no_email_given_with_the_report_gets_the_way_on_not_the_councils_contact_list() -> None:
    """Seen (a probe): "I didn't give an email" got the contact-details block with 999 and nothing about the request."""
    for text, intent in (
        ("I didn't give an email", "contact_details"),
        ("I don't have an email", "nlu_fallback"),
        ("I reported it by phone", "contact_details"),
    ):
        said, slots = invited_then(text, intent)

        assert said.startswith("That's fine. Without the email address given with the report"), text
        assert "999" not in said and slots["officer_offered"] is True


def test_the_email_typed_after_asking_why_is_checked() -> None:
    """Seen in the web chat: after the why, "jodie.kemp@exmaple.com" got "What would you like me to do with that?"."""
    said, _ = invited_then("why do you need my email?", "contact_details")
    first, _ = ask(BackOfficeFake(), "whats the status of SR-246414")
    earlier = [user_event("whats the status of SR-246414", "request_progress"), bot(first)]
    tracker = make_tracker(
        *earlier, user_event("why?", "nlu_fallback"), bot(said), user_event("rita@example.com", "inform")
    )

    routed = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))

    assert slots_of(routed)["request_reference"] == "SR-246414"


def test_cancelling_again_after_a_code_showed_the_reporter_asks_for_no_email_nor_code() -> None:
    """The reporter proved it here with the code emailed to them; cancelling again is not asked for a new code."""
    earlier = [
        user_event("cancel SR-246414", "cancel_service_request"),
        {"event": "slot", "name": "request_reference", "value": "SR-246414"},
        {"event": "slot", "name": "reporter_email", "value": "rita@example.com"},
        {"event": "slot", "name": "reporter_code", "value": "123456"},
        bot("Done: I've cancelled your missed bin collection request SR-246414."),
    ]

    started = slots_of(
        start_task_events(make_tracker(*earlier, user_event("cancel SR-246414 please", "cancel_service_request")))
    )

    assert (started["request_reference"], started["reporter_code"]) == ("SR-246414", "123456")
    unfilled = [slot for slot in required_slots_for("cancel_service_request", started) if not started.get(slot)]
    assert unfilled[0] == "cancel_reason"


def test_cancel_it_after_the_news_was_emailed_asks_for_the_email_and_a_code() -> None:
    """The email given for the news proves nothing in the chat: cancelling needs the code emailed to it."""
    fake = BackOfficeFake()
    first, _ = ask(fake, "whats the status of SR-246414")
    _, _, emailed, _ = after_the_invitation(fake, "rita@example.com", "inform")
    earlier = [
        user_event("whats the status of SR-246414", "request_progress"),
        bot(first),
        user_event("rita@example.com", "inform"),
        bot(emailed),
    ]

    started = slots_of(
        start_task_events(make_tracker(*earlier, user_event("cancel SR-246414 please", "cancel_service_request")))
    )

    assert started["request_reference"] == "SR-246414" and started.get("reporter_email") is None


def test_an_email_that_did_not_show_the_reporter_is_still_asked_for_when_cancelling() -> None:
    first, _ = ask(BackOfficeFake(), "whats the status of SR-246414")
    earlier = [
        user_event("whats the status of SR-246414", "request_progress"),
        bot(first),
        user_event("someone.else@example.com", "inform"),
        bot("Request SR-246414 for missed bin collection is open. That's not the email address given with it."),
    ]

    started = slots_of(
        start_task_events(make_tracker(*earlier, user_event("cancel SR-246414", "cancel_service_request")))
    )

    assert started.get("reporter_email") is None


def test_a_name_date_or_postcode_after_the_invitation_says_once_what_shows_the_reporter() -> None:
    # A probe: "Rita Richardson", "26/01/1978" and "TN41 6PA" after the invitation each got the request's status
    # again, word for word.
    first, _ = ask(BackOfficeFake(), "whats happening with SR-246414")
    earlier = [user_event("whats happening with SR-246414", "request_progress"), bot(first)]
    for text in ("Rita Richardson", "26/01/1978", "TN41 6PA", "19 Rowan Close"):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(*earlier, user_event(text, "inform"))
        events = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, tracker, {}))
        [said] = [m["text"] for m in dispatcher.messages]
        assert said.startswith(
            "Thank you, but a name, date of birth or address can't show who reported request SR-246414"
        ), text
        assert "01632 960 123" in said and slots_of(events)["officer_offered"] is True, text
        assert not slots_of(events).get("pending_task"), text
