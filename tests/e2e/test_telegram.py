"""Telegram end to end: the real bridge, against a Bot API emulated on loopback, with the real hub, Rasa and actions.

Each test is a Telegram user in a chat of their own; what they see is what the emulator recorded the bot
sending. Nothing leaves the machine: the bridge's Bot API URL is the emulator's. One bridge at a time reads a
hub's outbox (it stands for one bot), so webhook mode is tested in a module of its own.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from stack import APP_ENV, TelegramChannel, spawn, stop_processes

from api.console import service as console
from api.conversations.models import Conversation, Message
from api.db import Database
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.migrations import upgrade_database
from api.officers.models import Officer
from tests.support.chat import stack_scalar
from tests.support.network import free_port
from tests.support.telegram_chat import TelegramUser, conversation_of, keyboard, resident_messages, texts, wait_until

pytestmark = pytest.mark.stack

chat_ids = itertools.count(910_001)


@pytest.fixture(scope="module")
def telegram(stack) -> Iterator[TelegramChannel]:
    """The bridge, polling the emulator, for the stack's hub."""
    channel = TelegramChannel(
        hub_url=stack.api_url, service_token=stack.telegram_token, log_dir=stack.log_dir, emulator_port=free_port()
    )
    channel.start()
    yield channel
    channel.stop()


@pytest.fixture
def user(telegram) -> Iterator[TelegramUser]:
    """A Telegram user with a chat of their own."""
    person = TelegramUser(telegram.emulator_url, next(chat_ids))
    yield person
    person.http.close()


def test_a_resident_is_greeted_and_told_the_opening_hours(stack, user) -> None:
    greeting = user.ask("/start", "assistant")
    assert greeting[0]["text"]

    hours = texts(user.ask("what time are you open on a wednesday?", "9am"))
    assert "5pm" in hours
    conversation_id = conversation_of(stack, user.chat_id)
    assert (
        stack_scalar(stack.database_url, select(Conversation.channel).where(Conversation.id == conversation_id))
        == "telegram"
    )


def test_buttons_become_a_reply_keyboard_and_tapping_one_sends_its_payload(stack, user) -> None:
    user.ask("who do you reckon will win the cricket this arvo", "I can help with")
    offer = user.wait_for_bot(
        lambda replies: any(keyboard(m) for m in replies), after=user.say("give me a good recipe for banana bread")
    )
    [with_keyboard] = [m for m in offer if keyboard(m)]
    assert "Yes, talk to a person" in keyboard(with_keyboard)
    assert with_keyboard["reply_markup"]["one_time_keyboard"] is True

    # A reply-keyboard tap sends the button's title as the message's text, as Telegram does.
    accepted = user.ask("Yes, talk to a person", "HO-")

    assert accepted[0]["reply_markup"] == {"remove_keyboard": True}
    assert resident_messages(stack, conversation_of(stack, user.chat_id))[-1] == "/request_officer"


def test_a_card_number_is_deleted_from_the_chat_and_the_resident_warned(stack, user) -> None:
    user.ask("can I pay my council tax with this card 4111 1111 1111 1111", "don't type card details")

    wait_until(
        lambda: all("4111" not in m["text"] for m in user.messages()),
        what="the message with the card number to be deleted from the chat",
    )
    assert resident_messages(stack, conversation_of(stack, user.chat_id)) == [
        "can I pay my council tax with this card [card number removed, ending 1111]"
    ]


def test_a_card_number_split_over_two_messages_is_deleted_from_the_chat(stack, user) -> None:
    first = user.say("my card number is 4929 1234")
    user.wait_for_bot(lambda replies: bool(replies), after=first)
    user.ask("5678 9015", "don't type card details")

    wait_until(
        lambda: all("4929" not in m["text"] and "9015" not in m["text"] for m in user.messages()),
        what="both parts of the card number to be deleted from the chat",
    )
    assert resident_messages(stack, conversation_of(stack, user.chat_id)) == [
        "my card number is [card number removed]",
        "[card number removed, ending 9015]",
    ]


def test_an_officer_reply_reaches_the_chat_and_the_bot_stays_silent_meanwhile(stack, user) -> None:
    reference = re.search(r"HO-\d{6}", texts(user.ask("can I talk to a real person please", "HO-"))).group(0)
    conversation_id = conversation_of(stack, user.chat_id)
    database = Database(stack.database_url)
    try:
        # The officer claims the handoff through the console's service, as the console's claim button does.
        with database.sessions.begin() as session:
            officer = session.scalar(select(Officer).where(Officer.role == "customer_focus", Officer.active))
            console.claim(session, officer, reference=reference)
        joined = user.wait_for_bot(lambda replies: "has joined the chat" in texts(replies), after=0)

        asked = user.say("is anyone there?")
        wait_until(
            lambda: resident_messages(stack, conversation_id)[-1:] == ["is anyone there?"],
            what="the hub to keep the message",
        )
        with database.sessions.begin() as session:
            officer = session.merge(officer)
            console.reply(
                session, officer, conversation_id=conversation_id, text="Hello, thanks for waiting. How can I help?"
            )
            signature = console.signature(officer)
    finally:
        database.engine.dispose()

    replies = user.wait_for_bot(lambda replies: "thanks for waiting" in texts(replies), after=asked)

    assert "Customer Focus" in texts(joined)
    assert [m["text"] for m in replies] == [f"{signature}: Hello, thanks for waiting. How can I help?"]
    last_resident = (
        select(func.max(Message.id))
        .where(Message.conversation_id == conversation_id, Message.sender == "resident")
        .scalar_subquery()
    )
    assert (
        stack_scalar(
            stack.database_url,
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation_id, Message.sender == "bot", Message.id > last_resident),
        )
        == 0
    )


def test_the_same_update_delivered_twice_is_answered_once(stack, user) -> None:
    user.ask("hello", "assistant")

    asked = user.say("what's the phone number for the council", copies=2)
    # The chat's messages reach the hub in order, so once this is answered the repeat has been dealt with.
    user.ask("hello", "assistant")

    replies = texts(user.messages(after=asked))
    assert replies.count("01632 960 123") == 1
    assert resident_messages(stack, conversation_of(stack, user.chat_id)) == [
        "hello",
        "what's the phone number for the council",
        "hello",
    ]


def test_while_the_hub_is_down_the_resident_hears_the_phone_number_and_the_message_is_answered_later(
    stack, tmp_path
) -> None:
    # A hub of its own (its own database, the stack's Rasa), so the stack's bridge cannot take its outbox.
    database_url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade_database(database_url)
    hub_port = free_port()
    channel = TelegramChannel(
        hub_url=f"http://127.0.0.1:{hub_port}",
        service_token=stack.telegram_token,
        log_dir=tmp_path,
        emulator_port=free_port(),
        hub_retry_max_seconds=1,
    )
    hub: dict = {}
    try:
        channel.start()
        with TelegramUser(channel.emulator_url, next(chat_ids)) as user:
            asked = user.say("what's the phone number for the council")
            apology = user.wait_for_bot(lambda replies: bool(replies), after=asked)
            assert "Sorry" in apology[0]["text"] and "01632 960 123" in apology[0]["text"]
            assert "Traceback" not in apology[0]["text"]

            # The hub comes back: the kept message is answered.
            spawn(
                hub,
                tmp_path,
                "api",
                [
                    str(APP_ENV / "uvicorn"),
                    "api.main:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(hub_port),
                ],
                dict(
                    os.environ,
                    CA_ENVIRONMENT="test",
                    CA_DATABASE_URL=database_url,
                    CA_RASA_URL=stack.rasa_url,
                    CA_SERVICE_TOKENS=stack.service_tokens,
                    CA_DOCUMENT_RETRY_SECONDS="0",
                ),
            )
            user.wait_for_bot(lambda replies: len(replies) > 1 and "01632 960 123" in replies[-1]["text"], after=asked)
    finally:
        channel.stop()
        stop_processes(hub)
    hub_database = Database(database_url)
    try:
        with hub_database.sessions() as session:
            kept = list(session.scalars(select(Message.text).where(Message.sender == "resident")))
    finally:
        hub_database.engine.dispose()
    assert kept == ["what's the phone number for the council"]


def test_a_knowledge_answer_is_rated_from_its_inline_buttons(stack, user) -> None:
    question = "when does the library open on sundays"
    replies = user.ask(question, "eastweald.gov.uk/libraries")
    answer = next(m for m in replies if "eastweald.gov.uk/libraries" in m["text"])
    buttons = [b for row in (answer["reply_markup"] or {}).get("inline_keyboard", []) for b in row]
    assert [b["text"] for b in buttons] == ["👍 Helpful", "👎 Not helpful"]

    tapped = user.http.post(
        f"/emulator/chats/{user.chat_id}/taps",
        json={"message_id": answer["message_id"], "data": buttons[1]["callback_data"]},
    )
    assert tapped.status_code == 201
    query = tapped.json()["callback_query_id"]
    reply = wait_until(
        lambda: (a := user.http.get(f"/emulator/callbacks/{query}").json())["answered"] and a,
        what="the bot's answer to the tap",
    )
    assert reply["text"].startswith("Thank you for telling us")
    # The chosen button is ticked (the buttons stay, to change one's mind).
    wait_until(
        lambda: (
            "👎 Not helpful ✓"
            in str(next(m for m in user.messages() if m["message_id"] == answer["message_id"])["reply_markup"])
        ),
        what="the tick on the chosen button",
    )

    conversation_id = conversation_of(stack, user.chat_id)
    rated = stack_scalar(
        stack.database_url, select(AnswerRating.helpful).where(AnswerRating.conversation_id == conversation_id)
    )
    kept = stack_scalar(
        stack.database_url,
        select(KnowledgeGap.question).where(
            KnowledgeGap.conversation_id == conversation_id, KnowledgeGap.kind == "not_helpful"
        ),
    )
    assert rated is False and kept == question
