"""Search over the knowledge articles and the never-misroute rule, through the actions the rules call."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.actions.fallback import ActionHandleMiss
from bot.actions.knowledge import ActionAnswerFromKnowledge, choice_button
from bot.actions.tasks import ActionStartTask
from bot.knowledge import get_knowledge
from bot.search import ranker_for, terms
from tests.support.trackers import make_tracker, user_event

LISTEN = {"event": "followup", "timestamp": None, "name": "action_listen"}


def source(slug: str) -> str:
    return get_knowledge().article(slug).source


def run(action, text: str, intent: str, dispatcher) -> list:
    return asyncio.run(action.run(dispatcher, make_tracker(user_event(text, intent)), {}))


# The issue's examples with the intent the classifier gave them, and the action that intent's rule runs.
ISSUE_EXAMPLES = [
    ("how do I register my baby's birth", "how_to_register", ActionAnswerFromKnowledge, "register-a-birth"),
    ("can I register a death here", "report_death_or_left", ActionStartTask, "register-a-death"),
    ("when does the library open on sundays", "opening_hours", ActionAnswerFromKnowledge, "libraries"),
    ("what time does the leisure centre pool open", "opening_hours", ActionAnswerFromKnowledge, "leisure-centres"),
    # (The issue's bin-day question starts the bin-day lookup instead: tests/bot/test_bins.py.)
    ("how much is the brown bin garden waste subscription", "report_problem", ActionStartTask, "garden-waste"),
    ("the dog next door barks all night and keeps us awake", "emergency", ActionAnswerFromKnowledge, "barking-dogs"),
    # A question the classifier took for a task, answered by a strong search match.
    ("which bin do nappies go in", "report_problem", ActionStartTask, "what-goes-in-which-bin"),
]


@pytest.mark.parametrize(("text", "intent", "action", "slug"), ISSUE_EXAMPLES)
def test_a_message_naming_another_service_gets_that_services_article(text, intent, action, slug, dispatcher) -> None:
    events = run(action(), text, intent, dispatcher)
    [message] = dispatcher.messages
    assert source(slug) in message["text"]
    # No task form, no pending task, and no urgent handoff after the answer: the bot listens again (the words an
    # answer offering a task was given for are kept, for the task to start from if taken up).
    assert [e for e in events if e.get("name") != "opening_words"] == [LISTEN]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("am I registered to vote", "check_registration"),
        ("my bin wasn't collected", "report_problem"),
        ("my brown bin wasn't emptied this week", "report_problem"),
        ("my mum died last month, please take her off the electoral register", "report_death_or_left"),
        ("there's a dog attacking people in the park", "emergency"),
        ("whats my council tax balance", "council_tax_balance"),
        # The failed CI run: a question about what is left to pay was answered with the refunds article.
        ("how much council tax do I still owe?", "council_tax_balance"),
        ("how much is left on my council tax bill this year", "council_tax_balance"),
        ("how much do i have left to pay on my council tax", "council_tax_balance"),
        ("is there anything outstanding on my council tax?", "council_tax_balance"),
        ("am i behind with my council tax", "council_tax_balance"),
        ("can i report a pothole on station road", "report_problem"),
        ("there is a dead fox on the pavement", "report_problem"),
    ],
)
def test_a_real_task_request_still_starts_its_task(text, intent, dispatcher) -> None:
    action = ActionAnswerFromKnowledge() if intent == "emergency" else ActionStartTask()
    events = run(action, text, intent, dispatcher)
    assert LISTEN not in events
    if intent != "emergency":
        assert {"event": "slot", "timestamp": None, "name": "pending_task", "value": intent} in events
        assert dispatcher.messages == []


def test_office_opening_hours_are_still_the_offices(dispatcher) -> None:
    assert run(ActionAnswerFromKnowledge(), "what time are you open", "opening_hours", dispatcher) == []
    assert source("opening-hours") in dispatcher.messages[0]["text"]


def test_a_question_no_intent_answers_is_answered_from_the_best_article(dispatcher) -> None:
    assert run(ActionHandleMiss(), "where do I put old batteries", "out_of_scope", dispatcher) == []
    [message] = dispatcher.messages
    assert source("batteries-electricals") in message["text"] and not message["buttons"]


def test_a_question_naming_an_article_by_its_keyword_is_answered_from_it(dispatcher) -> None:
    # One shared word, but "settee" is a keyword of the bulky waste article and of no other.
    run(ActionHandleMiss(), "what do I do with an old settee", "out_of_scope", dispatcher)
    [message] = dispatcher.messages
    assert source("bulky-waste") in message["text"]


def test_a_common_word_names_no_article() -> None:
    # "pay" is a keyword of two articles but in dozens: alone with an unknown word it is not enough.
    assert ranker_for(get_knowledge().articles()).rank("pay zzyzx") == []


@pytest.mark.parametrize(
    "text",
    ["who won the footy", "who do you reckon will win the cricket this arvo", "give me a good recipe for banana bread"],
)
def test_one_shared_word_is_no_answer(text, dispatcher) -> None:
    # "won" is in the election results article and "cricket" in the sports pitches one: neither is the question.
    run(ActionHandleMiss(), text, "out_of_scope", dispatcher)
    [message] = dispatcher.messages
    assert "I can help with" in message["text"] and not message["buttons"]


def test_a_close_call_asks_which_article_and_the_chosen_button_is_answered(dispatcher) -> None:
    run(ActionHandleMiss(), "i think my council tax band is wrong", "out_of_scope", dispatcher)
    [question] = dispatcher.messages
    titles = [button["title"] for button in question["buttons"]]
    assert "Challenge your council tax band" in titles and "Council tax bands" in titles
    assert titles[-1] == "None of these" and len(titles) <= 4
    chosen = next(b for b in question["buttons"] if b["title"] == "Challenge your council tax band")
    dispatcher.messages.clear()
    run(ActionHandleMiss(), chosen["payload"], "out_of_scope", dispatcher)
    assert source("council-tax-band-appeal") in dispatcher.messages[0]["text"]


def test_a_forged_button_naming_no_article_is_treated_as_words(dispatcher) -> None:
    payload = "/out_of_scope" + json.dumps({"article": "../../etc/passwd"})
    run(ActionHandleMiss(), payload, "out_of_scope", dispatcher)
    [message] = dispatcher.messages
    assert "More: https://" not in message["text"]


def test_nonsense_still_says_what_the_bot_can_do(dispatcher) -> None:
    run(ActionHandleMiss(), "asdfgh qwerty", "nlu_fallback", dispatcher)
    assert "I can help with" in dispatcher.messages[0]["text"]


def test_button_payloads_round_trip_every_article() -> None:
    articles = get_knowledge().articles()
    for article in articles:
        assert json.loads(choice_button(article)["payload"].removeprefix("/out_of_scope")) == {"article": article.slug}


def test_stems_and_stop_words_let_plural_and_tense_meet() -> None:
    assert terms("The bins were collected") == terms("bin collect")
    [best, *_] = ranker_for(get_knowledge().articles()).rank("rats and mice in the house")
    assert best.article.slug == "pest-control"


# Who a registration question is for picks its article from the words, with no entity from the extractor (a CRF
# entity extractor missed "moved abroad", "in the army", "domestic abuse victim"; reports/nlu/training-time.md).


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("I've moved abroad, can I still register to vote", "register-overseas"),
        ("how do i register, im living outside the UK", "register-overseas"),
        ("I'm in the army, how do I register", "register-service"),
        ("my husband is in the RAF, can we register", "register-service"),
        ("I'm a domestic abuse victim, can I register without my address showing", "register-anonymous"),
        ("how do I register at my term address", "register-student"),
        ("I am a university student, how do I register to vote", "register-student"),
        ("how do I register to vote", "register-to-vote"),
    ],
)
def test_who_a_registration_question_is_for_picks_its_article(text: str, slug: str, dispatcher) -> None:
    run(ActionAnswerFromKnowledge(), text, "how_to_register", dispatcher)
    assert get_knowledge().article(slug).answer[:60] in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("how much is parkin in town", "car-parks"),
        ("do i need planning permision for a shed", "do-i-need-planning-permission"),
    ],
)
def test_a_misspelt_word_of_a_question_finds_the_article_word_it_stands_for(question: str, slug: str) -> None:
    # The probe of session 11: "how much is parkin in town" got the council tax bill article.
    hits = ranker_for(get_knowledge().articles()).rank(question, forgive_typos=True)
    assert hits and hits[0].article.slug == slug
