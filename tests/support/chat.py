"""A resident chatting through the hub's HTTP contract, and helpers to read the bot's replies."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Select

from api.db import session_on
from api.demo.residents import read_demo_residents


class Resident:
    """A resident using the chat contract."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=60)
        created = self.http.post("/api/chat/conversations", json={"channel": "web"}).json()
        self.conversation_id = created["conversation_id"]
        self.token = created["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def say(self, text: str) -> list[dict]:
        response = self.http.post(f"/api/chat/conversations/{self.conversation_id}/messages", json={"text": text})
        response.raise_for_status()
        return response.json()["messages"]

    def transcript(self) -> list[dict]:
        return self.http.get(f"/api/chat/conversations/{self.conversation_id}/messages").json()["messages"]


def texts(messages: list[dict]) -> str:
    """Join the texts of ``messages``, one per line."""
    return "\n".join(m["text"] for m in messages)


def buttons(messages: list[dict]) -> list[dict]:
    """Return every button offered in ``messages``."""
    return [b for m in messages for b in (m.get("buttons") or [])]


def choose_address(chat: Resident, replies: list[dict], person: dict) -> list[dict]:
    """Tap the resident's own address when the bot offers a choice."""
    choices = buttons(replies)
    if not choices:
        return replies
    [mine] = [b for b in choices if b["title"].startswith(person["address"])]
    return chat.say(mine["payload"])


def reference(prefix: str, text: str) -> str:
    """Return the first reference like SR-123456 in ``text`` (failing the test if there is none)."""
    match = re.search(rf"\b{prefix}-\d{{6}}\b", text)
    assert match, f"no {prefix} reference in: {text}"
    return match.group(0)


def stack_scalar(database_url: str, query: Select[Any]) -> Any:
    """Run one query against the running stack's back-office database and return its single value."""
    with session_on(database_url) as session:
        return session.scalar(query)


def stack_row(database_url: str, query: Select[Any]) -> tuple[Any, ...]:
    """Run one query against the running stack's back-office database and return its single row."""
    with session_on(database_url) as session:
        return tuple(session.execute(query).one())


def stack_residents(database_url: str) -> list[dict[str, Any]]:
    """Return the demo residents seeded into the running stack's database."""
    with session_on(database_url) as session:
        return read_demo_residents(session)


def prove_account(chat, person: dict) -> list[dict]:
    """Give the account number and postcode from the bill, then the holder's date of birth (not on the bill)."""
    chat.say(person["council_tax_account"])
    assert "date of birth" in texts(chat.say(person["postcode"]))
    return chat.say(born(person))


def prove_identity(resident_chat, person: dict, *, date_of_birth: str | None = None) -> list[dict]:
    """Answer the identity questions the way a resident would; return the bot's last replies."""
    asked = texts(resident_chat.say(f"my name is {person['name']}"))
    assert "date of birth" in asked
    day, month, year = (date_of_birth or person["date_of_birth"]).split("-")[::-1]
    asked = texts(resident_chat.say(f"{day}/{month}/{year}"))
    assert "postcode" in asked
    replies = resident_chat.say(person["postcode"].lower())
    choices = buttons(replies)
    if not choices:  # a postcode with one address needs no choice
        return replies
    [mine] = [b for b in choices if b["title"].startswith(person["address"])]
    return resident_chat.say(mine["payload"])


def born(person: dict) -> str:
    """The date of birth as a resident types it: 04/03/1970."""
    year, month, day = person["date_of_birth"].split("-")
    return f"{day}/{month}/{year}"
