"""The Telegram bridge's handlers in-process: a python-telegram-bot Application whose Bot API never leaves the
process (a recording request, as python-telegram-bot's own tests use an offline one), against the real hub
served by uvicorn with Rasa answered in-process. No bridge process, no emulator, no network."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from api.migrations import upgrade_database
from telegram_bridge import bridge as bridge_module
from telegram_bridge.bridge import Bridge, BridgeApplication, build_application
from telegram_bridge.settings import BridgeSettings
from tests.support.live_server import build_app, served
from tests.support.rasa_fakes import rasa_offering_a_person

CHAT_ID = 7_700_001
BOT = {"id": 1, "is_bot": True, "first_name": "Ashdown Vale", "username": "ashdown_vale_bot"}
RESIDENT = {"id": CHAT_ID, "is_bot": False, "first_name": "Sam"}


class RecordedBotApi(BaseRequest):
    """Answers the Bot API methods the bridge calls as Telegram would, and keeps each call for the test."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._message_ids = iter(range(5_000, 6_000))

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **timeouts: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        parameters = {
            key: json.loads(value) if value[:1] in "[{" else value
            for key, value in (request_data.json_parameters if request_data else {}).items()
        }
        self.calls.append((name, parameters))
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name == "sendMessage":
            result = {
                "message_id": next(self._message_ids),
                "date": 0,
                "from": BOT,
                "text": parameters["text"],
                "chat": {"id": int(parameters["chat_id"]), "type": "private"},
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [parameters for name, parameters in self.calls if name == method]


def update(update_id: int, **message: Any) -> dict[str, Any]:
    chat = message.pop("chat", {"id": CHAT_ID, "type": "private"})
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "from": RESIDENT, **message},
    }


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The real hub on uvicorn; Rasa echoes and offers a person (tests/support/rasa_fakes.py)."""
    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade_database(url)
    with served(build_app(url)) as base_url:
        yield base_url, url


def run(
    hub_url: str, updates: list[dict[str, Any]], *, deliver: bool = True, bot_api: RecordedBotApi | None = None
) -> RecordedBotApi:
    """Feed ``updates`` to the bridge's Application in order, let the hub take them, then send its outbox."""
    bot_api = bot_api or RecordedBotApi()
    settings = BridgeSettings(telegram_bot_token="123456:offline", hub_url=hub_url, environment="test")

    async def scenario() -> None:
        application: BridgeApplication = build_application(settings, bot_api=bot_api)
        bridge: Bridge = application.bot_data["bridge"]
        await application.initialize()
        try:
            for data in updates:
                await application.process_update(Update.de_json(data, application.bot))
                await bridge.settle()
            if deliver:
                await bridge.deliver_pending(application)
        finally:
            await application.shutdown()
            await bridge.close(application)

    asyncio.run(scenario())
    return bot_api


def test_a_message_reaches_the_hub_and_the_replies_come_back_with_a_reply_keyboard(hub) -> None:
    bot_api = run(hub[0], [update(1, text="where do I vote?")])

    assert [call["action"] for call in bot_api.sent("sendChatAction")] == ["typing"]
    texts = [call["text"] for call in bot_api.sent()]
    assert texts == ["You said: where do I vote?", "Anything else?"]
    keyboard = bot_api.sent()[-1]["reply_markup"]["keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["Talk to a person"]]


def test_a_long_wait_for_the_bot_keeps_typing_shown_and_brings_the_answer_not_an_apology(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a burst the hub holds a message until the bot's turn; Telegram shows "typing..." for about five seconds.
    monkeypatch.setattr(bridge_module, "TYPING_REFRESH_SECONDS", 0.01)
    bot_api = RecordedBotApi()

    async def rasa_answering_late(request: httpx.Request) -> httpx.Response:
        """Answer once the resident has been shown "typing..." three times (no clock is read)."""
        deadline = time.monotonic() + 30
        while len(bot_api.sent("sendChatAction")) < 3:
            assert time.monotonic() < deadline, "the bridge stopped showing that the bot is typing"
            await asyncio.sleep(0.01)
        return rasa_offering_a_person(request)

    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade_database(url)
    with served(build_app(url, rasa_answering_late)) as hub_url:
        run(hub_url, [update(5, text="where do I vote?")], bot_api=bot_api)

    assert {call["action"] for call in bot_api.sent("sendChatAction")} == {"typing"}
    assert [call["text"] for call in bot_api.sent()] == ["You said: where do I vote?", "Anything else?"]


def test_a_card_number_is_deleted_from_the_chat(hub) -> None:
    bot_api = run(hub[0], [update(2, text="my card is 4111 1111 1111 1111")], deliver=False)

    assert bot_api.sent("deleteMessage") == [{"chat_id": str(CHAT_ID), "message_id": "2"}]


def test_a_photo_gets_a_kind_sentence_and_nothing_reaches_the_hub(hub) -> None:
    bot_api = run(hub[0], [update(3, photo=[{"file_id": "x", "file_unique_id": "x", "width": 1, "height": 1}])])

    assert [call["text"] for call in bot_api.sent()] == [
        "Sorry, I can only read typed messages. Please tell me in words how I can help."
    ]


def test_a_group_chat_is_not_a_residents_conversation(hub) -> None:
    bot_api = run(hub[0], [update(4, text="hello", chat={"id": -100, "type": "group", "title": "Street"})])

    assert bot_api.sent() == [] and bot_api.sent("sendChatAction") == []


def test_every_piece_of_a_card_number_sent_over_eight_messages_is_deleted_from_the_chat(hub) -> None:
    """The hub reads a resident's last eight messages with a new one; the bot answered each twice in between."""
    bot_api = RecordedBotApi()
    settings = BridgeSettings(telegram_bot_token="123456:offline", hub_url=hub[0], environment="test")
    sent = ["4111", "1111", "hang on", "1111", "11", "sorry, wrong button", "ok", "11"]

    async def scenario() -> None:
        application: BridgeApplication = build_application(settings, bot_api=bot_api)
        bridge: Bridge = application.bot_data["bridge"]
        await application.initialize()
        try:
            for update_id, text in enumerate(sent, start=1):
                await application.process_update(Update.de_json(update(update_id, text=text), application.bot))
                await bridge.settle()
                await bridge.deliver_pending(application)
        finally:
            await application.shutdown()
            await bridge.close(application)

    asyncio.run(scenario())

    deleted = {int(call["message_id"]) for call in bot_api.sent("deleteMessage")}
    pieces = {update_id for update_id, text in enumerate(sent, start=1) if text[0].isdigit()}
    assert pieces <= deleted
    assert not deleted & {3, 6, 7}  # the chat between stays
