"""Telegram end to end in webhook mode: the emulator posts updates to the bridge's server with the secret header.

A module of its own, so that the polling bridge of test_telegram.py has stopped: a hub's outbox is read by
one bridge, the one bot's.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest
from stack import TelegramChannel

from tests.support.network import free_port
from tests.support.telegram_chat import TelegramUser, conversation_of, resident_messages, texts

pytestmark = pytest.mark.stack

chat_ids = itertools.count(920_001)


@pytest.fixture(scope="module")
def webhook_telegram(stack) -> Iterator[TelegramChannel]:
    """The bridge in webhook mode: the emulator posts updates to the bridge's server with the secret header."""
    channel = TelegramChannel(
        hub_url=stack.api_url,
        service_token=stack.telegram_token,
        log_dir=stack.log_dir,
        emulator_port=free_port(),
        mode="webhook",
        webhook_port=free_port(),
        webhook_secret=secrets.token_urlsafe(24),
    )
    channel.start()
    yield channel
    channel.stop()


def test_in_webhook_mode_only_calls_with_the_secret_are_taken_in(stack, webhook_telegram) -> None:
    with TelegramUser(webhook_telegram.emulator_url, next(chat_ids)) as user:
        before = user.ask("hello", "assistant")[-1]["message_id"]
        forged = forged_update(user.chat_id, "what's the phone number for the council")

        without = httpx.post(webhook_telegram.webhook_url, json=forged)
        wrong = httpx.post(
            webhook_telegram.webhook_url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
        )
        right = httpx.post(
            webhook_telegram.webhook_url,
            json=forged,
            headers={"X-Telegram-Bot-Api-Secret-Token": webhook_telegram.webhook_secret},
        )

        assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
        user.wait_for_bot(lambda replies: "01632 960 123" in texts(replies), after=before)
    assert resident_messages(stack, conversation_of(stack, user.chat_id)) == [
        "hello",
        "what's the phone number for the council",
    ]


def forged_update(chat_id: int, text: str) -> dict:
    """Return an update as Telegram posts it: a private chat's text message."""
    person = {"id": chat_id, "is_bot": False, "first_name": "Demo"}
    chat = {"id": chat_id, "type": "private", "first_name": "Demo"}
    # Above any id the emulator hands out, so it is new to the hub.
    update_id = 2_000_000_000 + secrets.randbelow(10**8)
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": int(time.time()), "text": text, "chat": chat, "from": person},
    }
