"""The one client the hub uses to reach Rasa's REST channel."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
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
    # The knowledge article the reply quoted (residents may say whether it helped), and the kind of
    # knowledge gap it was: unanswered, clarified or low_confidence (bot/actions/knowledge.py).
    article: str | None = None
    gap: str | None = None


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
        return bot_replies(body)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def bot_replies(body: list[dict[str, Any]]) -> list[BotReply]:
    """Turn the REST channel's items into replies, folding each knowledge marker into the reply it follows.

    Rasa sends a message's custom JSON as an item of its own after the text, so a ``knowledge`` marker
    describes the reply before it. Slugs and kinds are checked, as anything from Rasa is stored.
    """
    replies: list[BotReply] = []
    for item in body:
        custom = item.get("custom") or {}
        marker = custom.get("knowledge") if isinstance(custom, dict) else None
        if isinstance(marker, dict) and replies and not (item.get("text") or item.get("buttons")):
            replies[-1] = replace(replies[-1], article=_checked(marker.get("article"), ARTICLE_SLUG),
                                  gap=_checked(marker.get("gap"), GAP_KIND))
        elif isinstance(custom, dict) and custom.get("ask_rating"):
            replies.append(BotReply(text="", ask_rating=True))
        elif item.get("text") or item.get("buttons"):
            buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                       for b in item.get("buttons") or []]
            replies.append(BotReply(text=item.get("text") or "", buttons=buttons or None))
    return replies


ARTICLE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
GAP_KIND = re.compile(r"unanswered|clarified|low_confidence")


def _checked(value: object, pattern: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None
