"""A Telegram chat over the hub's message limit: the real bridge tells the resident kindly and loses nothing.

The hub here is the real API on its own uvicorn server with a low limit (two messages in ten seconds per
chat) and Rasa answered in-process; the bridge is the real process, polling the Bot API emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stack import TelegramChannel

from api.access.settings import RateLimits
from api.migrations import upgrade_database
from api.settings import DEV_TELEGRAM_TOKEN
from tests.support.live_server import build_app, served
from tests.support.network import free_port
from tests.support.telegram_chat import TelegramUser, texts

COUNCIL_PHONE = "01632 960 123"


@pytest.fixture
def throttled_telegram(tmp_path: Path) -> Iterator[TelegramChannel]:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade_database(url)
    limits = RateLimits(messages_per_conversation="2/10 seconds")
    with served(build_app(url, rate_limits=limits)) as hub:
        channel = TelegramChannel(
            hub_url=hub, service_token=DEV_TELEGRAM_TOKEN, log_dir=tmp_path / "log", emulator_port=free_port()
        )
        channel.start()
        try:
            yield channel
        finally:
            channel.stop()


def test_a_chat_over_the_limit_is_told_to_wait_and_every_message_is_answered(throttled_telegram) -> None:
    with TelegramUser(throttled_telegram.emulator_url, 920_001) as user:
        first = user.say("one")
        user.say("two")
        user.say("three")

        replies = user.wait_for_bot(lambda bot: "You said: three" in texts(bot), after=first, timeout=90)

    said = texts(replies)
    assert "a lot of messages in a short time" in said and COUNCIL_PHONE in said
    assert said.count("a lot of messages") == 1  # told once, not for every retry
    # the third waited its turn and was not lost (the wait note comes straight from the bridge, the replies
    # through the hub's outbox, so only the replies' order is fixed)
    assert said.index("You said: one") < said.index("You said: two") < said.index("You said: three")
