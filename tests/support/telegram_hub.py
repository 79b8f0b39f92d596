"""The hub's Telegram endpoints (/api/v1/telegram) in tests: the bridge's token, a chat's update sent, the outbox read.

For the hub seen through a TestClient; tests/support/telegram_chat.py is a user of the Bot API emulator instead.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.settings import DEV_TELEGRAM_TOKEN

SERVICE = {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"}
CHAT = 5550001


def send(client: TestClient, text: str, *, update_id: int, chat_id: int = CHAT) -> dict:
    response = client.post("/api/v1/telegram/updates", json={"update_id": update_id, "chat_id": chat_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def outbox(client: TestClient) -> list[dict]:
    response = client.get("/api/v1/telegram/outbox")
    assert response.status_code == 200
    return response.json()["messages"]
