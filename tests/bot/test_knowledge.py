"""Knowledge articles: the loader, the answering action, and a changed article taking effect."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.actions import knowledge as knowledge_action
from bot.knowledge import ArticleError, Knowledge, check, parse_article
from bot.settings import ROOT
from council import council_facts
from tests.support.trackers import make_tracker, user_event

ARTICLE = """---
title: Opening hours
source: https://www.ashdownvale.gov.uk/opening-hours
last_reviewed: 2026-11-20
owner: Customer Services
intents: [opening_hours]
facts:
  phone: "01632 960 123"
---

We are open 9am to 5pm.
Call 01632 960 123 if you need us outside these times.
"""


def test_every_article_in_the_project_is_valid() -> None:
    assert check(ROOT / "knowledge") == []


def test_each_answering_intent_has_an_article() -> None:
    knowledge = Knowledge(ROOT / "knowledge")
    for intent in ("opening_hours", "contact_details", "bot_capabilities"):
        assert knowledge.for_intent(intent) is not None, intent
    assert knowledge.fact("phone") == "01632 960 123"


@pytest.mark.parametrize(
    "broken",
    [
        ARTICLE.replace("title: Opening hours\n", ""),
        ARTICLE.replace("owner: Customer Services\n", ""),
        ARTICLE.replace("https://", "http://"),
        ARTICLE.replace("2026-11-20", "last week"),
        ARTICLE.split("---\n\n")[0] + "---\n\n",
        ARTICLE.replace("\nCall 01632 960 123 if you need us outside these times.", ""),
        ARTICLE.replace("We are open 9am to 5pm.", "\n".join(f"- line {n}" for n in range(7))),
        ARTICLE.replace("We are open 9am to 5pm.", "## Opening hours\nWe are open 9am to 5pm."),
        ARTICLE.replace("We are open 9am to 5pm.", "We are <b>open</b>\n9am to 5pm."),
        "no front matter at all",
    ],
)
def test_malformed_articles_are_reported(broken: str) -> None:
    with pytest.raises(ArticleError):
        parse_article("broken", broken)


def test_a_changed_article_is_what_the_bot_says_next(tmp_path: Path, dispatcher, monkeypatch) -> None:
    article = tmp_path / "opening-hours.md"
    article.write_text(ARTICLE)
    monkeypatch.setattr(knowledge_action, "get_knowledge", lambda: Knowledge(tmp_path))
    tracker = make_tracker(user_event("when are you open", "opening_hours"))

    asyncio.run(knowledge_action.ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    article.write_text(ARTICLE.replace("9am to 5pm", "8am to 6pm"))
    os.utime(article, (article.stat().st_atime, article.stat().st_mtime + 5))
    asyncio.run(knowledge_action.ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))

    first, second = (m["text"] for m in dispatcher.messages)
    assert "9am to 5pm" in first and "https://www.ashdownvale.gov.uk/opening-hours" in first
    assert "8am to 6pm" in second


def test_an_intent_without_an_article_gets_an_apology(tmp_path: Path, dispatcher, monkeypatch) -> None:
    monkeypatch.setattr(knowledge_action, "get_knowledge", lambda: Knowledge(tmp_path))
    tracker = make_tracker(user_event("when are you open", "opening_hours"))
    asyncio.run(knowledge_action.ActionAnswerFromKnowledge().run(dispatcher, tracker, {}))
    assert "Sorry" in dispatcher.messages[0]["text"]


def test_an_article_for_a_specific_case_is_chosen_by_the_messages_entities(tmp_path: Path) -> None:
    general = ARTICLE.replace("intents: [opening_hours]", "intents: [how_to_register]")
    overseas = general.replace(
        "intents: [how_to_register]", "intents: [how_to_register]\nwhen: {voter_category: overseas}"
    )
    (tmp_path / "register.md").write_text(general.replace("9am to 5pm", "general answer"))
    (tmp_path / "register-overseas.md").write_text(overseas.replace("9am to 5pm", "overseas answer"))
    knowledge = Knowledge(tmp_path)

    assert "overseas answer" in knowledge.for_intent("how_to_register", {"voter_category": "overseas"}).answer
    assert "general answer" in knowledge.for_intent("how_to_register", {"voter_category": "student"}).answer
    assert "general answer" in knowledge.for_intent("how_to_register").answer


def contact_article(facts: str, answer: str) -> str:
    return (
        "---\ntitle: Contact the council\nsource: https://www.ashdownvale.gov.uk/contact-us\n"
        f"last_reviewed: 2026-11-20\nowner: Customer Services\nfacts:\n{facts}\n---\n\n{answer}\n"
    )


def test_an_article_stating_a_council_fact_must_agree_with_the_facts_file() -> None:
    phone = council_facts().phone
    parse_article("contact", contact_article(f'  phone: "{phone}"', f"Call us on {phone}.\nOr ask here."))
    with pytest.raises(ArticleError, match=r"council/facts\.yml"):
        parse_article("contact", contact_article('  phone: "01632 960 000"', "Call us on 01632 960 000.\nOr ask."))
    with pytest.raises(ArticleError, match="does not say"):
        parse_article("contact", contact_article(f'  phone: "{phone}"', "Call us.\nOr ask here."))


def test_the_death_registration_answer_offers_to_update_the_register() -> None:
    # A probe: "my husband passed away" got the register office's answer and no way to tell electoral services.
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.knowledge import say_article
    from bot.knowledge import get_knowledge

    dispatcher = CollectingDispatcher()
    say_article(dispatcher, get_knowledge().article("register-a-death"))
    [message] = dispatcher.messages
    assert message["text"].endswith("I can also let our electoral services team know now, if you like.")
    assert message["buttons"] == [{"title": "Update the register", "payload": "/report_death_or_left"}]


def test_taking_up_the_death_answers_offer_keeps_who_died_and_where() -> None:
    # A probe: "my husband passed away last month, his name was Peter Gray, we live at 5 Priory Walk TN44 3LW" got the
    # register office's answer; "Update the register" then asked his name again (the words were gone).
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.tasks import ActionStartTask
    from tests.support.backoffice_fake import slots_of
    from tests.support.trackers import bot, make_tracker, message

    told = "my husband passed away last month, his name was Peter Gray, we live at 5 Priory Walk TN44 3LW"
    dispatcher = CollectingDispatcher()
    answered = asyncio.run(
        ActionStartTask().run(dispatcher, make_tracker(message(told, "report_death_or_left", 0.9)), {})
    )
    offer = dispatcher.messages[-1]
    assert offer["buttons"] == [{"title": "Update the register", "payload": "/report_death_or_left"}]
    kept = slots_of(answered)["opening_words"]
    assert kept == told

    taken_up = make_tracker(
        bot(offer["text"]), message("/report_death_or_left", "report_death_or_left", 1.0), slots={"opening_words": kept}
    )
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), taken_up, {})))
    assert started["pending_task"] == "report_death_or_left" and started["report_kind"] == "died"
    assert started["reported_name"] == "Peter Gray"
    assert "last month" in started["report_notes"]


def test_someone_elses_move_read_as_moving_home_starts_the_report_that_they_left() -> None:
    # A probe: "my son has moved out to uni, how do i take him off" got "When you move, you must register again".
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.knowledge import ActionAnswerFromKnowledge
    from tests.support.backoffice_fake import slots_of
    from tests.support.trackers import make_tracker, message

    text = "my son has moved out to uni, how do i take him off"
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionAnswerFromKnowledge().run(dispatcher, make_tracker(message(text, "moved_home", 0.8)), {})
    )
    started = slots_of(events)
    assert started["pending_task"] == "report_death_or_left" and started["report_kind"] == "left_address"
    assert dispatcher.messages == []
    own = make_tracker(message("I've moved house, how do I change my address on the register", "moved_home", 0.9))
    assert "pending_task" not in slots_of(asyncio.run(ActionAnswerFromKnowledge().run(CollectingDispatcher(), own, {})))
