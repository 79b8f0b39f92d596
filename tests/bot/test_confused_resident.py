"""Journeys that finish for confused residents (issue 12, a probe of a fresh stack by a confused resident).

Each test drives the action the stack runs at that turn with the message the resident typed and the intent
the classifier gave it, and checks what the resident would notice. The classifier's reading is given as a
test's input on purpose: whatever it reads, the reply must move the resident on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import electoral, payments
from bot.actions.fallback import ActionHandleMiss
from bot.actions.tasks import ActionDetailsWithoutTask, ActionYesWithNothingAsked
from tests.support.backoffice_fake import slots_of
from tests.support.trackers import make_tracker

WHAT_FOR = "do with that"


def message(text: str, intent: str, confidence: float = 0.9, ranking: list[tuple[str, float]] | None = None) -> dict:
    parse: dict[str, Any] = {"intent": {"name": intent, "confidence": confidence}, "entities": []}
    if ranking is not None:
        parse["intent_ranking"] = [{"name": name, "confidence": c} for name, c in ranking]
    return {"event": "user", "text": text, "parse_data": parse}


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


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
