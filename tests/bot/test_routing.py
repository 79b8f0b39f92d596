"""The routing rules (bot/routing.py) through the actions the rules call: message and intent -> article or task.

Each case gives the intent the classifier could plausibly give, and checks what the resident gets: another
service's article (and no task, no handoff), or the task their words ask for.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.actions.knowledge import ActionAnswerFromKnowledge
from bot.actions.payment_help import ActionOfferPaymentHelp
from bot.actions.tasks import ActionStartTask
from bot.knowledge import get_knowledge
from bot.routing import route, wants_a_person
from tests.support.trackers import make_tracker, user_event

LISTEN = {"event": "followup", "timestamp": None, "name": "action_listen"}


def run(action, text: str, intent: str, dispatcher) -> list:
    return asyncio.run(action.run(dispatcher, make_tracker(user_event(text, intent)), {}))


def source(slug: str) -> str:
    return get_knowledge().article(slug).source


@pytest.mark.parametrize(
    ("text", "intent", "action", "slug"),
    [
        # A knowledge intent whose own article does not use the service the message names.
        ("what time does the cemetery open", "opening_hours", ActionAnswerFromKnowledge, "cemeteries"),
        # A better article of the same team is still a better answer than the intent's general one.
        ("do I need to pay council tax as a student", "how_to_pay", ActionAnswerFromKnowledge, "student-council-tax"),
        # A task intent, but the message names another team's service in none of the task's own words.
        ("renew my bus pass", "renew_absent_vote", ActionStartTask, "bus-pass"),
        ("when is the next planning committee", "next_election", ActionStartTask, "council-meetings"),
        ("how much is a resident parking permit", "council_tax_balance", ActionStartTask, "parking-permits"),
        # A question, or a statement with no report in it, is not a problem report.
        ("who do I tell about rats in my kitchen", "report_problem", ActionStartTask, "pest-control"),
        (
            "my neighbour's conifers are 5 metres tall and block the sun",
            "report_problem",
            ActionStartTask,
            "high-hedges",
        ),
        # A question, even one starting "can", taken for an emergency.
        (
            "can the council help pay for a stairlift",
            "emergency",
            ActionAnswerFromKnowledge,
            "disabled-facilities-grant",
        ),
        # A baby is mentioned, but the housing register is named more strongly than registering a birth.
        (
            "ive had a baby, how do i update my housing application",
            "moved_home",
            ActionAnswerFromKnowledge,
            "housing-register-update",
        ),
        # Asking about a fund is not struggling to pay one's council tax.
        (
            "can i get help from the household support fund",
            "payment_difficulty",
            ActionOfferPaymentHelp,
            "cost-of-living-help",
        ),
    ],
)
def test_a_message_about_another_service_gets_its_article_and_no_task(text, intent, action, slug, dispatcher) -> None:
    events = run(action(), text, intent, dispatcher)
    [message] = dispatcher.messages
    assert source(slug) in message["text"]
    assert events == [LISTEN]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # The task's own words: the electoral register, a changed name, an earlier report, a category button.
        ("someone on the register here has died", "report_death_or_left"),
        ("I got married and my surname is different now", "changed_name"),
        ("i reported a fallen tree last week, any update", "request_progress"),
        ("missed_bin", "report_problem"),
        # A report names a service the articles describe ("library", "pool") but is still a report.
        ("there's graffiti on the library wall", "report_problem"),
        ("the pool at the leisure centre is broken", "report_problem"),
        ("the street light outside number 12 is out", "report_problem"),
        # The second probe of session 11 got the street lighting advice: a house number of two digits.
        ("the street light outside 19 rowan close TN41 6PA is flickering all night", "report_problem"),
        ("pothole outside 14 high street", "report_problem"),
        # A misspelt balance request is close to two council tax articles, but is not asked which one it means.
        ("what's my council tax balanve?", "council_tax_balance"),
    ],
)
def test_a_task_in_the_residents_own_words_still_starts(text, intent, dispatcher) -> None:
    events = run(ActionStartTask(), text, intent, dispatcher)
    assert LISTEN not in events and dispatcher.messages == []
    assert {"event": "slot", "timestamp": None, "name": "pending_task", "value": intent} in events


def test_struggling_to_pay_council_tax_is_still_offered_an_officer(dispatcher) -> None:
    events = run(
        ActionOfferPaymentHelp(), "I've lost my job and can't pay my council tax", "payment_difficulty", dispatcher
    )
    assert dispatcher.messages[0]["response"] == "utter_payment_difficulty"
    assert LISTEN not in events


@pytest.mark.parametrize(
    "text", ["cant pay ct this month, lost my job, im in bits", "can't afford this month's payment"]
)
def test_hardship_in_short_words_is_still_help_with_paying(text, dispatcher) -> None:
    # "cant pay ct this month, lost my job" got the benefits change-of-circumstances article (a probe).
    run(ActionOfferPaymentHelp(), text, "payment_difficulty", dispatcher)
    assert dispatcher.messages[0]["response"] == "utter_payment_difficulty"


def test_a_button_payload_is_never_second_guessed() -> None:
    articles = get_knowledge().articles()
    assert route("/report_problem", "report_problem", articles).starts == "report_problem"


@pytest.mark.parametrize("intent", ["complaint", "request_officer"])
def test_intents_whose_rule_speaks_first_are_measured_as_they_run(intent) -> None:
    # Their rules say utter_complaint or hand over before any action could redirect, so route must not
    # claim an article for them (make knowledge-eval would overstate what residents get).
    articles = get_knowledge().articles()
    assert route("how do complaints work at the library", intent, articles).starts == intent


def test_a_question_between_two_articles_and_the_task_asks_which_with_the_task_as_a_button(dispatcher) -> None:
    events = run(ActionStartTask(), "who collects fly tipping and graffiti", "report_problem", dispatcher)
    assert events == [LISTEN]
    [question] = dispatcher.messages
    payloads = [button["payload"] for button in question["buttons"]]
    assert '/out_of_scope{"article": "graffiti"}' in payloads and '/out_of_scope{"article": "fly-tipping"}' in payloads
    assert "/report_problem" in payloads and payloads[-1] == "/deny"
    # The task's button comes back as its intent's payload, and that starts the task.
    dispatcher.messages.clear()
    events = run(ActionStartTask(), "/report_problem", "report_problem", dispatcher)
    assert {"event": "slot", "timestamp": None, "name": "pending_task", "value": "report_problem"} in events


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("my council tax bill is wrong and i want to speak to a real person", True),
        ("can i talk to someone about my bill", True),
        ("I need to speak with an officer please", True),
        ("is there an actual human there?", True),
        ("human please", True),
        ("let me chat to a member of staff", True),
        ("can a person register someone else to vote", False),
        ("how do I register a person who lives with me", False),
        ("who do I speak to about a dropped kerb", False),
        ("the person next door keeps dumping rubbish", False),
    ],
)
def test_an_outright_request_for_a_person_is_recognised_and_nothing_else(text: str, wanted: bool) -> None:
    assert wants_a_person(text) is wanted
