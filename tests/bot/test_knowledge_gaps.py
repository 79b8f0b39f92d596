"""The markers the hub reads from the bot's replies: the article an answer quoted, and the knowledge gaps."""

from __future__ import annotations

import asyncio

from bot.actions.fallback import ActionHandleMiss
from bot.actions.knowledge import ActionAnswerFromKnowledge
from tests.support.trackers import make_tracker, user_event


def run(action, text: str, intent: str, dispatcher, slots: dict | None = None) -> list:
    return asyncio.run(action.run(dispatcher, make_tracker(user_event(text, intent), slots=slots), {}))


def marker(message: dict) -> dict:
    return message["custom"]["knowledge"]


def test_an_intents_article_names_the_article_and_is_no_gap(dispatcher) -> None:
    run(ActionAnswerFromKnowledge(), "what time are you open", "opening_hours", dispatcher)
    assert marker(dispatcher.messages[0]) == {"article": "opening-hours", "gap": None}


def test_a_strong_search_match_names_its_article_and_is_no_gap(dispatcher) -> None:
    run(ActionHandleMiss(), "where do I put old batteries", "out_of_scope", dispatcher)
    assert marker(dispatcher.messages[0]) == {"article": "batteries-electricals", "gap": None}


def test_a_question_nothing_answers_is_marked_unanswered(dispatcher) -> None:
    run(ActionHandleMiss(), "who won the footy", "out_of_scope", dispatcher)
    assert marker(dispatcher.messages[0]) == {"article": None, "gap": "unanswered"}


def test_the_officer_offer_after_two_misses_is_marked_unanswered(dispatcher) -> None:
    tracker = make_tracker(user_event("asdfgh", "nlu_fallback"), user_event("recipe for scones", "out_of_scope"))
    asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    [offer] = dispatcher.messages
    assert offer["buttons"] and marker(offer) == {"article": None, "gap": "unanswered"}


def test_a_clarifying_question_is_marked_clarified(dispatcher) -> None:
    run(ActionHandleMiss(), "i think my council tax band is wrong", "out_of_scope", dispatcher)
    [question] = dispatcher.messages
    assert question["buttons"] and marker(question) == {"article": None, "gap": "clarified"}


def test_the_article_chosen_from_a_clarifying_question_is_rateable_and_no_new_gap(dispatcher) -> None:
    run(ActionHandleMiss(), '/out_of_scope{"article": "council-tax-band-appeal"}', "out_of_scope", dispatcher)
    assert marker(dispatcher.messages[0]) == {"article": "council-tax-band-appeal", "gap": None}


def test_a_miss_while_the_form_asks_for_a_detail_is_never_a_gap(dispatcher) -> None:
    # The message may be the resident's name or date of birth: it must not be kept as a question.
    run(ActionHandleMiss(), "zxq wibble", "nlu_fallback", dispatcher, slots={"requested_slot": "full_name"})
    assert marker(dispatcher.messages[0])["gap"] is None
