"""A Telegram user chatting with the bot through the Bot API emulator's control API."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from api.conversations.models import Message
from api.db import Database
from api.telegram.models import TelegramChat
from tests.support.chat import stack_scalar


class TelegramUser:
    """A user of one chat in the emulator: writes messages and reads what the bot sent."""

    def __init__(self, emulator_url: str, chat_id: int) -> None:
        self.http = httpx.Client(base_url=emulator_url, timeout=10)
        self.chat_id = chat_id

    def __enter__(self) -> TelegramUser:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def say(self, text: str, *, copies: int = 1) -> int:
        """Write ``text``; ``copies`` > 1 delivers the same update that many times. Return the message's id."""
        response = self.http.post(f"/emulator/chats/{self.chat_id}/messages", json={"text": text, "copies": copies})
        response.raise_for_status()
        return self.messages()[-1]["message_id"]

    def messages(self, *, after: int = 0) -> list[dict[str, Any]]:
        """Return the chat's messages (user and bot) with an id above ``after``."""
        return self.http.get(f"/emulator/chats/{self.chat_id}/messages", params={"after": after}).json()["messages"]

    def wait_for_bot(
        self, until: Callable[[list[dict[str, Any]]], bool], *, after: int, timeout: float = 60
    ) -> list[dict[str, Any]]:
        """Poll the bot's messages after message ``after`` until ``until(messages)`` holds; fail on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            replies = [m for m in self.messages(after=after) if m["from"] == "bot"]
            if until(replies):
                return replies
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not answer as expected within {timeout:.0f} s: {replies}")
            time.sleep(0.1)

    def ask(self, text: str, expected: str, *, timeout: float = 60) -> list[dict[str, Any]]:
        """Write ``text`` and return the bot's messages once one of them contains ``expected``."""
        sent = self.say(text)
        return self.wait_for_bot(lambda replies: expected in texts(replies), after=sent, timeout=timeout)


def texts(messages: list[dict[str, Any]]) -> str:
    """Join the texts of ``messages``, one per line."""
    return "\n".join(m["text"] for m in messages)


def keyboard(message: dict[str, Any]) -> list[str]:
    """Return the titles of the reply keyboard a message shows (none if it shows none)."""
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


def wait_until(condition: Callable[[], Any], *, timeout: float = 30, what: str = "the condition") -> Any:
    """Poll ``condition`` until it returns something truthy, and return it; fail on timeout."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return result


def conversation_of(stack: Any, chat_id: int) -> str:
    """Return the hub conversation of a Telegram chat, once the hub has opened it."""
    return wait_until(
        lambda: stack_scalar(
            stack.database_url, select(TelegramChat.conversation_id).where(TelegramChat.chat_id == chat_id)
        ),
        what="the chat's conversation",
    )


def resident_messages(stack: Any, conversation_id: str) -> list[str]:
    """Return the texts the resident sent in the conversation, as the hub stored them."""
    database = Database(stack.database_url)
    try:
        with database.sessions() as session:
            return list(
                session.scalars(
                    select(Message.text)
                    .where(Message.conversation_id == conversation_id, Message.sender == "resident")
                    .order_by(Message.id)
                )
            )
    finally:
        database.engine.dispose()
