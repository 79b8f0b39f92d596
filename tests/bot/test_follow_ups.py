"""Short follow-up questions about the article just given are answered from it (bot/actions/follow_ups.py).

A probe asked "how do i regster to vote", got the register-to-vote article, then "wat do i need": it was read as a
question about what the assistant can do and got the help menu.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionHandleMiss
from bot.actions.knowledge import ActionAnswerFromKnowledge
from bot.knowledge import get_knowledge
from tests.support.trackers import bot, make_tracker, message


def after(slug: str, asked: str, typed: str, intent: str) -> list[str]:
    """What the bot says to ``typed`` (read as ``intent``) right after answering ``asked`` with the article ``slug``."""
    article = get_knowledge().article(slug)
    tracker = make_tracker(
        message(asked, "how_to_register"), bot(f"{article.answer}\nMore: {article.source}"), message(typed, intent)
    )
    dispatcher = CollectingDispatcher()
    action = ActionHandleMiss() if intent == "nlu_fallback" else ActionAnswerFromKnowledge()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [m.get("text") or "" for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("slug", "typed", "intent", "expected"),
    [
        ("register-to-vote", "wat do i need", "bot_capabilities", "National Insurance number"),
        ("register-to-vote", "what do I need to register?", "out_of_scope", "National Insurance number"),
        ("register-to-vote", "how long does it take", "nlu_fallback", "5 minutes"),
        ("bulky-waste", "how much is it", "out_of_scope", "£"),
        ("register-to-vote", "who do i ring", "out_of_scope", "01632 960 456"),
    ],
)
def test_a_follow_up_question_is_answered_from_the_article_just_given(
    slug: str, typed: str, intent: str, expected: str
) -> None:
    said = after(slug, "how do i register to vote", typed, intent)
    assert len(said) == 1 and expected in said[0]
    assert said[0].splitlines()[-1].startswith("More: ")


def test_a_question_with_a_subject_of_its_own_is_not_taken_as_a_follow_up() -> None:
    # "how much is a parking permit" after the bulky waste answer is about parking permits, not bulky waste.
    said = after("bulky-waste", "bulky waste", "how much is a parking permit", "out_of_scope")
    assert not any("£" in line and "bulky" in line.lower() for line in said)
    bulky = get_knowledge().article("bulky-waste").answer.splitlines()
    assert not any(line in text for text in said for line in bulky if "£" in line)


def test_a_bare_how_much_read_as_a_task_is_answered_from_the_article_just_given() -> None:
    # The probe of session 11: "how much?" after the register-to-vote article started the council tax balance.
    from bot.actions.tasks import ActionStartTask

    article = get_knowledge().article("register-to-vote")
    tracker = make_tracker(
        message("how do i register 2 vote", "how_to_register"),
        bot(f"{article.answer}\nMore: {article.source}"),
        message("how much?", "council_tax_balance"),
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert "free" in dispatcher.messages[0]["text"]
    assert not any(e.get("name") == "pending_task" for e in events)


def test_a_follow_up_to_a_tasks_answer_is_answered_from_that_answer() -> None:
    # The probe of session 11: "what time does it open" after the polling station got the council's office hours.
    station = (
        "Your polling station is Ashbury Village Hall, Church Lane (polling district AN1, Ashbury North ward). "
        "Polls are open 7am to 10pm on polling day. Remember to bring photo ID."
    )
    tracker = make_tracker(
        message("where's my polling station", "polling_station"),
        bot(station),
        message("what time does it open", "opening_hours"),
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert [m.get("text") for m in dispatcher.messages] == ["Polls are open 7am to 10pm on polling day."]


def test_a_second_follow_up_is_answered_from_the_same_article() -> None:
    # Checked on the stack: "what do i need?" was answered from the register-to-vote article, then "how much?" started
    # the council tax balance (the follow-up's answer quotes only some of the article's lines).
    from bot.actions.tasks import ActionStartTask

    article = get_knowledge().article("register-to-vote")
    need = next(line for line in article.answer.splitlines() if "National Insurance" in line)
    tracker = make_tracker(
        message("what do i need?", "bot_capabilities"),
        bot(f"{need}\nMore: {article.source}"),
        message("how much?", "council_tax_balance"),
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionStartTask().run(dispatcher, tracker, {}))
    assert "free" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("slug", "typed"), [("parking-permits", "how long does it take?"), ("what-i-can-do", "how long does it take?")]
)
def test_a_follow_up_the_answer_just_given_does_not_answer_is_said_plainly_not_guessed(slug: str, typed: str) -> None:
    # The second probe of session 11: after the parking permits answer, "how long does it take?" got the article about
    # when a registration shows on the register; after the list of what the assistant can do, the line "- opening
    # hours and how to contact the council".
    said = after(slug, "parking permit", typed, "register_timing")
    assert said and said[0].startswith("Sorry, I don't have how long it takes for that.")


def test_what_help_is_there_after_an_answer_about_hardship_is_answered_from_it() -> None:
    # The second probe of session 11: "what help is there" after the answer to "im strugglin to pay my council tax
    # lost my job" got the list of what the assistant can do.
    hardship = (
        "I'm sorry things are hard. If you can't pay your council tax, talk to us early: we can spread the payments "
        "or check if you can get Council Tax Reduction. Call us on 01632 960 123, or I can pass you to an officer."
    )
    tracker = make_tracker(
        message("im strugglin to pay my council tax lost my job", "payment_difficulty"),
        bot(hardship),
        message("what help is there", "bot_capabilities"),
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    said = dispatcher.messages[0]["text"]
    assert "Council Tax Reduction" in said or "Call us on 01632 960 123" in said
    assert "I can help with these" not in said


@pytest.mark.parametrize("typed", ["and on saturday?", "what about sundays", "are you open on a saturday"])
def test_a_day_asked_after_the_opening_hours_is_answered_from_them(typed: str) -> None:
    # The second probe of session 11: "and on saturday?" after the opening hours got buttons for other services.
    said = after("opening-hours", "what time do you open", typed, "out_of_scope")
    assert said and "Closed at weekends" in said[0]


BIN_DAYS = (
    "Your next bin collections at 19 Rowan Close, TN41 6PA:\n- General waste (green bin): Monday 7 December\n"
    "Changes for bank holidays:\n- Recycling: Tuesday 29 December, not Monday 28 December (because of the Boxing Day "
    "bank holiday)\nPlease put your bins out by 7am. More: https://www.ashdownvale.gov.uk/bins-and-recycling"
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("what time should i put it out", "by 7am"), ("what time do they come", "by 7am")],
)
def test_a_time_of_day_asked_after_the_bin_days_is_answered_from_them(typed: str, expected: str) -> None:
    # The third probe of session 11: the opening hours, and a choice of the housing register or garden waste.
    tracker = make_tracker(message("when is my bin day", "ask_bin_day"), bot(BIN_DAYS), message(typed, "out_of_scope"))
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert expected in dispatcher.messages[0]["text"]


def test_a_follow_up_reaches_back_past_a_clarifying_question() -> None:
    # The third probe of session 11: the bin days, "what time should i put it out" (then a clarifying question), then
    # "and on bank holidays?" got the county's tips article.
    tracker = make_tracker(
        message("when is my bin day", "ask_bin_day"),
        bot(BIN_DAYS),
        message("something else", "out_of_scope"),
        bot("I'm not sure which of these you mean. Is it one of them?"),
        message("and on bank holidays?", "out_of_scope"),
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert "Boxing Day" in dispatcher.messages[0]["text"]
