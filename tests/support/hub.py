"""The hub in tests: a conversation started as the web chat starts one, officers' hours fixed open or shut, the
kind sentence an overlong message gets.
"""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from api.conversations.office_hours import OfficeHours

# What a resident sees, on the web chat and on Telegram, for a message over 2,000 characters.
TOO_LONG = "That message is too long for me - please send it in shorter parts of up to 2,000 characters."


def start(client: TestClient) -> tuple[str, dict[str, str]]:
    """Open a web conversation; return its id and the headers that carry its token."""
    response = client.post("/api/chat/conversations", json={"channel": "web"})
    assert response.status_code == 201
    body = response.json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


class FixedHours(OfficeHours):
    """Officer hours that are always open, or always closed, whatever the clock says."""

    def __init__(self, *, open_now: bool) -> None:
        super().__init__(start_hour=9, end_hour=17, timezone="Europe/London")
        self.open_now = open_now

    def is_open(self, moment: datetime) -> bool:
        return self.open_now
