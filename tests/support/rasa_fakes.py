"""Rasa's REST channel answered in-process (httpx.MockTransport), for the hub's chat, Telegram and knowledge tests."""

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


# The article rasa_with_knowledge answers from.
ARTICLE = "batteries-electricals"


def marker(article: str | None = None, gap: str | None = None) -> dict[str, object]:
    """The custom JSON item the bot's knowledge answers and misses end with (bot/actions/knowledge.py)."""
    return {"recipient_id": "x", "custom": {"knowledge": {"article": article, "gap": gap}}}


def rasa_with_knowledge(request: httpx.Request) -> httpx.Response:
    """Answer batteries from an article, ask back about council tax, and miss everything else."""
    text = json.loads(request.content)["message"]
    if "batter" in text or "article" in text:
        return httpx.Response(
            200, json=[{"recipient_id": "x", "text": "Put batteries in a bag on your bin lid."}, marker(ARTICLE)]
        )
    if "council tax" in text:
        return httpx.Response(
            200,
            json=[
                {
                    "recipient_id": "x",
                    "text": "I'm not sure which of these you mean.",
                    "buttons": [
                        {"title": "Council tax bands", "payload": '/out_of_scope{"article": "council-tax-bands"}'}
                    ],
                },
                marker(gap="clarified"),
            ],
        )
    if "guess" in text:
        return httpx.Response(
            200,
            json=[{"recipient_id": "x", "text": "Allotments: ask the parish."}, marker("allotments", "low_confidence")],
        )
    return httpx.Response(
        200, json=[{"recipient_id": "x", "text": "Sorry, I didn't quite get that."}, marker(gap="unanswered")]
    )


# The bot's greeting (domain/core.yml utter_greet), named as bot/channels.py names it.
GREETING = "Hello! I'm the council's assistant. How can I help?"


def rasa_greeting_and_knowledge(request: httpx.Request) -> httpx.Response:
    """Greet a hello with the named greeting; answer anything else as ``rasa_with_knowledge`` does."""
    if "hello" in json.loads(request.content)["message"].lower():
        return httpx.Response(200, json=[{"recipient_id": "x", "text": GREETING, "response": "utter_greet"}])
    return rasa_with_knowledge(request)


# The bot's answer to card_payment_attempt (domain/payments.yml utter_card_details), named as bot/channels.py names it.
CARD_DETAILS = (
    "Please don't type card details in this chat: it isn't a safe place for them. To pay by card, use our secure "
    "payment page https://www.ashdownvale.gov.uk/pay or the automated phone line 01632 960 124 (24 hours)."
)


def rasa_refusing_card_details(request: httpx.Request) -> httpx.Response:
    """Answer as the bot does when it reads a card payment attempt: its own warning, then the offer."""
    body = json.loads(request.content)
    return httpx.Response(
        200,
        json=[
            {"recipient_id": body["sender"], "text": CARD_DETAILS, "response": "utter_card_details"},
            {"recipient_id": body["sender"], "text": "Anything else?"},
        ],
    )
