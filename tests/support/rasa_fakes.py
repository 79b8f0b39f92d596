"""Rasa's REST channel answered in-process (httpx.MockTransport), for the hub's chat and Telegram tests."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

RasaHandler = Callable[[httpx.Request], httpx.Response]


def rasa_offering_a_person(request: httpx.Request) -> httpx.Response:
    """Answer like Rasa's REST channel: an echo, then an offer with a button."""
    body = json.loads(request.content)
    return httpx.Response(
        200,
        json=[
            {"recipient_id": body["sender"], "text": f"You said: {body['message']}"},
            {
                "recipient_id": body["sender"],
                "text": "Anything else?",
                "buttons": [{"title": "Talk to a person", "payload": "/request_officer"}],
            },
        ],
    )


def rasa_down(request: httpx.Request) -> httpx.Response:
    """Rasa is not listening."""
    raise httpx.ConnectError("connection refused", request=request)
