"""A resident chatting through the hub's HTTP contract, and helpers to read the bot's replies."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Select

from api.db import Database
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


def stack_scalar(database_url: str, query: Select[Any]) -> Any:
    """Run one query against the running stack's back-office database and return its single value."""
    database = Database(database_url)
    try:
        with database.sessions() as session:
            return session.scalar(query)
    finally:
        database.engine.dispose()


def stack_row(database_url: str, query: Select[Any]) -> tuple[Any, ...]:
    """Run one query against the running stack's back-office database and return its single row."""
    database = Database(database_url)
    try:
        with database.sessions() as session:
            return tuple(session.execute(query).one())
    finally:
        database.engine.dispose()


def stack_residents(database_url: str) -> list[dict[str, Any]]:
    """Return the demo residents seeded into the running stack's database."""
    database = Database(database_url)
    try:
        with database.sessions() as session:
            return read_demo_residents(session)
    finally:
        database.engine.dispose()
