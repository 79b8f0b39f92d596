"""Messages the bot did not understand: first say what it can do, then offer an officer."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.actions.fallback import ActionHandleMiss, misses_in_a_row
from bot.backoffice import BackOffice
from tests.support.trackers import make_tracker, user_event


def test_one_miss_says_what_the_bot_can_help_with(dispatcher) -> None:
    tracker = make_tracker(user_event("hello", "greet"), user_event("who won the footy", "out_of_scope"))
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert events == []
    [message] = dispatcher.messages
    assert "I can help with" in message["text"] and not message["buttons"]


def test_two_misses_in_a_row_offer_an_officer(dispatcher) -> None:
    tracker = make_tracker(user_event("asdfgh", "nlu_fallback"), user_event("recipe for scones", "out_of_scope"))
    events = asyncio.run(ActionHandleMiss().run(dispatcher, tracker, {}))
    assert events == [
        {"event": "slot", "timestamp": None, "name": "officer_offered", "value": True},
        {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "fallback"},
    ]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Yes, talk to a person", "payload": "/request_officer"},
        {"title": "No, thanks", "payload": "/deny"},
    ]


def test_asking_outright_for_a_person_hands_over_instead_of_offering_articles(dispatcher) -> None:
    # Found in the browser: this got three council tax articles to choose from and no officer.
    tracker = make_tracker(
        user_event("my council tax bill is wrong and i want to speak to a real person", "out_of_scope")
    )
    asked = []

    def hub(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(
            201,
            json={
                "reference": "HO-000007",
                "status": "waiting",
                "in_office_hours": True,
                "queue_position": 1,
                "expected_wait_minutes": 4,
                "officer_hours": "Monday to Friday, 9am to 5pm, except bank holidays",
                "reply_by": None,
            },
        )

    backoffice = BackOffice(
        base_url="http://backoffice.test", token="service-token", transport=httpx.MockTransport(hub)
    )
    asyncio.run(ActionHandleMiss(backoffice).run(dispatcher, tracker, {}))
    assert len(asked) == 1
    # Said once, by this action: a follow-up action was predicted again and said it three times.
    [message] = dispatcher.messages
    assert "I've asked an officer to join this chat (reference HO-000007)" in message["text"]


def test_an_understood_message_between_misses_resets_the_count() -> None:
    tracker = make_tracker(
        user_event("asdf", "nlu_fallback"),
        user_event("opening times?", "opening_hours"),
        user_event("qwerty", "nlu_fallback"),
    )
    assert misses_in_a_row(tracker) == 1


def test_report_it_after_an_answer_that_offers_to_take_the_report_starts_that_report(dispatcher) -> None:
    """A probe: "ok can you report it then" after the fly-tipping answer got "Sorry, I didn't quite get that"."""
    from rasa_sdk.events import FollowupAction

    from bot.actions.tasks import ActionYesWithNothingAsked
    from bot.knowledge import get_knowledge
    from tests.support.backoffice_fake import slots_of
    from tests.support.trackers import bot

    knowledge = get_knowledge()
    for slug, category in (("fly-tipping", "dumped_rubbish"), ("potholes", "pothole")):
        answer = bot(knowledge.article(slug).answer)
        for action, text, intent in (
            (ActionHandleMiss(), "ok can you report it then", "nlu_fallback"),
            (ActionYesWithNothingAsked(), "yes please", "affirm"),
        ):
            events = asyncio.run(action.run(dispatcher, make_tracker(answer, user_event(text, intent)), {}))
            started = slots_of(events)
            assert (started["pending_task"], started["service_category"]) == ("report_problem", category), slug
            assert events[-1] == FollowupAction("task_form")


def test_yes_after_an_answer_that_offers_no_report_is_not_a_report(dispatcher) -> None:
    from bot.actions.tasks import ActionYesWithNothingAsked
    from tests.support.backoffice_fake import slots_of
    from tests.support.trackers import bot

    answer = bot("The library is open from 9am to 5pm, Monday to Saturday.")
    events = asyncio.run(
        ActionYesWithNothingAsked().run(dispatcher, make_tracker(answer, user_event("yes", "affirm")), {})
    )
    assert "pending_task" not in slots_of(events)


def test_a_question_about_a_neighbours_council_tax_is_refused_plainly(dispatcher) -> None:
    """A probe: "what does my neighbour owe?" got suggestions of articles; the electoral questions were refused well."""
    from bot.actions.tasks import ActionStartTask
    from tests.support.backoffice_fake import slots_of

    for action, text, intent in (
        (ActionHandleMiss(), "when did my neighbour at 19 Rowan Close last pay council tax", "nlu_fallback"),
        (ActionStartTask(), "and my neighbour Janice Dunn at 15 Weald Mews, what does she owe?", "council_tax_balance"),
        (ActionStartTask(), "what's the council tax balance for next door", "council_tax_balance"),
    ):
        dispatcher.messages.clear()
        events = asyncio.run(action.run(dispatcher, make_tracker(user_event(text, intent)), {}))
        reply = " ".join(m.get("text") or "" for m in dispatcher.messages)
        assert reply.startswith("I can't tell you about anyone else's council tax"), text
        assert "pending_task" not in slots_of(events)


def test_the_residents_own_council_tax_is_not_refused() -> None:
    from bot.parsing import asks_about_others_council_tax

    for text in ("what's my council tax balance", "did my payment go through", "my neighbour's bins were missed"):
        assert not asks_about_others_council_tax(text), text


def test_a_message_in_another_alphabet_is_told_the_chat_reads_english_with_the_phone_and_a_person(dispatcher) -> None:
    """A probe: Arabic "can I talk to a person" was asked "What would you like me to do with that?"."""
    from bot.nlp.script import in_another_alphabet

    for text in ("هل يمكنني التحدث مع شخص", "میں کونسل ٹیکس کے بارے میں بات کرنا چاہتا ہوں", "我想和人说话", "Привет"):
        assert in_another_alphabet(text), text
        dispatcher.messages.clear()
        events = asyncio.run(ActionHandleMiss().run(dispatcher, make_tracker(user_event(text, "nlu_fallback")), {}))
        reply = dispatcher.messages[0]
        assert reply["text"].startswith("Sorry, I can only read English") and "interpreter" in reply["text"]
        assert {"title": "Talk to a person", "payload": "/request_officer"} in reply["buttons"]
        assert {"event": "slot", "name": "officer_offered", "value": True, "timestamp": None} in events
    for text in ("café opening hours", "ok 👍", "Zoë Brontë", "my name is José"):
        assert not in_another_alphabet(text), text


def test_a_lone_email_not_understood_as_words_is_asked_what_to_do_with_not_told_sorry(dispatcher) -> None:
    """With more chit-chat in the training data, "my.name@gmail.com" fell to the fallback and got "Sorry"."""
    for text in ("my.name@gmail.com", "TN41 6PA please"):
        dispatcher.messages.clear()
        asyncio.run(ActionHandleMiss().run(dispatcher, make_tracker(user_event(text, "nlu_fallback")), {}))
        assert [m.get("response") for m in dispatcher.messages] == ["utter_what_for"], text  # "What would you like..."


@pytest.mark.parametrize(
    "text",
    [
        "hola, quiero votar por correo",
        "dzień dobry, nie odebrali śmieci",
        "bom dia, eu quero pagar o imposto",
        "Bună ziua, unde este secția de votare",
        "wo ist mein Wahllokal",
        "je voudrais voter par correspondance",
        "Ciao, quando passa la raccolta dei rifiuti?",  # read as goodbye, which ended the chat (a probe)
        "Olá, quando é a recolha do lixo?",
        "Bună ziua, când se colectează gunoiul?",
        "¿Dónde está mi colegio electoral?",  # "Sorry, I didn't quite get that" (a probe)
    ],
)
def test_a_message_in_another_language_in_the_latin_alphabet_gets_the_english_only_reply(dispatcher, text) -> None:
    """A probe: Spanish and Polish got "Sorry, I didn't quite get that", German buttons for voter registration."""
    from bot.nlp.script import not_english

    assert not_english(text)
    asyncio.run(ActionHandleMiss().run(dispatcher, make_tracker(user_event(text, "nlu_fallback")), {}))
    assert dispatcher.messages[0]["text"].startswith("Sorry, I can only read English")


@pytest.mark.parametrize(
    "text",
    ["María José de la Cruz", "my name is Jose de la Cruz", "por favor", "is the tip open on sunday", "una pregunta"],
)
def test_names_and_english_with_a_foreign_word_are_english(text) -> None:
    from bot.nlp.script import not_english

    assert not not_english(text)


def test_council_tax_after_a_death_is_answered_with_the_article_not_the_privacy_refusal(dispatcher) -> None:
    # A probe: "my dad died on sunday. what do i do about his council tax, he lived alone" got "I can't tell you about
    # anyone else's council tax", and the same again to "so do i still have to pay his council tax?".
    from bot.actions.tasks import ActionStartTask
    from bot.knowledge import get_knowledge

    text = "my dad died on sunday. what do i do about his council tax, he lived alone"
    asyncio.run(ActionStartTask().run(dispatcher, make_tracker(user_event(text, "council_tax_balance")), {}))
    reply = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "anyone else's council tax" not in reply
    assert get_knowledge().article("council-tax-after-death").source in reply
    # The second probe: read as other intents, it got a choice of exemptions, registering a death and car parks.
    from bot.actions.knowledge import ActionAnswerFromKnowledge

    for action, intent in ((ActionHandleMiss(), "nlu_fallback"), (ActionAnswerFromKnowledge(), "register_timing")):
        dispatcher.messages.clear()
        events = asyncio.run(action.run(dispatcher, make_tracker(user_event(text, intent)), {}))
        [said] = dispatcher.messages
        assert said["text"].startswith("I'm so sorry for your loss.") and "council-tax" in said["text"], intent
        assert said["buttons"] == [{"title": "Update the register", "payload": "/report_death_or_left"}]
        assert any(e.get("name") == "opening_words" for e in events)
