"""The hub in tests: a conversation started as the web chat starts one, a resident's message sent on it and what the
hub stored of them, officers' hours fixed open or shut, the kind sentence an overlong message gets.
"""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Message
from api.conversations.office_hours import OfficeHours

# What a resident sees, on the web chat and on Telegram, for a message over 2,000 characters.
TOO_LONG = "That message is too long for me - please send it in shorter parts of up to 2,000 characters."


def start(client: TestClient) -> tuple[str, dict[str, str]]:
    """Open a web conversation; return its id and the headers that carry its token."""
    response = client.post("/api/chat/conversations", json={"channel": "web"})
    assert response.status_code == 201
    body = response.json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def say(client: TestClient, conversation_id: str, auth: dict[str, str], text: str) -> dict:
    """Send ``text`` as the resident on the web conversation; return the hub's answer."""
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 200
    return response.json()


def resident_texts(open_session, database_url: str) -> list[str]:
    """Return what the hub stored of the resident's messages, oldest first."""
    with open_session(database_url) as session:
        return list(session.scalars(select(Message.text).where(Message.sender == "resident").order_by(Message.id)))


class FixedHours(OfficeHours):
    """Officer hours that are always open, or always closed, whatever the clock says."""

    def __init__(self, *, open_now: bool) -> None:
        super().__init__(start_hour=9, end_hour=17, timezone="Europe/London")
        self.open_now = open_now

    def is_open(self, moment: datetime) -> bool:
        return self.open_now
