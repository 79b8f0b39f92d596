"""The one client the hub uses to reach Rasa's REST channel."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from api.observability.metrics import RASA_CALLS

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    """One message the bot sent back."""

    text: str
    buttons: list[dict[str, str]] | None = None
    # The bot asks the hub to put the satisfaction question (the hub owns its answers and records them).
    ask_rating: bool = False


class RasaClient:
    """Send a resident's message to Rasa's REST webhook and return the bot's replies."""

    def __init__(self, base_url: str, *, timeout: float, transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def send(self, *, conversation_id: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotReply]:
        """Deliver ``text`` as the resident of ``conversation_id`` and return what the bot says."""
        payload = {"sender": conversation_id, "message": text, "metadata": metadata or {}}
        started = time.perf_counter()
        try:
            response = self._http.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            RASA_CALLS.labels(outcome="error").observe(time.perf_counter() - started)
            # The error's class is enough to diagnose; the message may hold the resident's text.
            log.warning("rasa unavailable: %s", type(error).__name__)
            raise RasaUnavailable from error
        RASA_CALLS.labels(outcome="ok").observe(time.perf_counter() - started)
        return [self._reply(item) for item in body
                if item.get("text") or item.get("buttons") or (item.get("custom") or {}).get("ask_rating")]

    @staticmethod
    def _reply(item: dict[str, Any]) -> BotReply:
        if (item.get("custom") or {}).get("ask_rating"):
            return BotReply(text="", ask_rating=True)
        buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                   for b in item.get("buttons") or []]
        return BotReply(text=item.get("text") or "", buttons=buttons or None)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
