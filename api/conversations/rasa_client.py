"""The one client the hub uses to reach Rasa's REST channel, spread over one or several Rasa servers.

With several Rasa servers (the production profile) each conversation goes to one of them, chosen by
rendezvous hashing of its id: the same server for as long as that server is up, so its messages queue behind
each other on one server instead of contending for Redis's conversation lock on two. When a server refuses
the connection (it is down or restarting) the hub marks it down for ``retry_after`` seconds and sends the
message to the conversation's next server in the same hash order, so only the down server's conversations move
and they all move somewhere predictable. That is safe because every Rasa server reads and writes the same
tracker store (PostgreSQL) under the same lock store (Redis), so any server can carry on any conversation.

Only a refused connection is retried elsewhere: then the message never reached Rasa. A server that drops the
connection while answering may already have handled the message (and still holds the conversation's lock in
Redis until the lock lapses), so sending it again could answer it twice: the hub marks that server down and the
resident gets the apology, with the message kept. A slow answer (a timeout) is not a sign the server is down,
only busy, so it moves nothing.

A server is sent only a few messages at a time (``in_flight``); the rest wait their turn in the hub, without
holding a thread, so the timeout covers only Rasa's own work and a burst is answered more slowly rather than
refused. Only a hopeless wait (``max_queued`` already in line, or a predicted wait over ``busy_after`` seconds)
raises ``RasaBusy`` at once, and the resident hears "busy, try again" (api/conversations/backlog.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import httpx

from api.conversations.backlog import Backlog
from api.observability.metrics import RASA_CALLS, RASA_FAILOVERS
from bot.privacy.logs import REQUEST_ID

log = logging.getLogger(__name__)

# Seconds a server that refused a connection or dropped one is skipped before the hub tries it again.
DEFAULT_RETRY_AFTER = 10.0


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
    # The domain response the reply came from ("utter_card_details"), as the bot's REST channel names it.
    response: str | None = None
    gap: str | None = None


def parse_urls(urls: str | Sequence[str]) -> list[str]:
    """Return the Rasa servers' base URLs from a comma-separated string (CA_RASA_URL) or a list."""
    items = urls.split(",") if isinstance(urls, str) else list(urls)
    parsed = [url.strip().rstrip("/") for url in items if url.strip()]
    if not parsed:
        raise ValueError("no Rasa server URL given")
    return parsed


def servers_in_order(conversation_id: str, servers: Sequence[str]) -> list[str]:
    """Return ``servers`` in the order this conversation tries them (rendezvous hashing: highest weight first).

    Each server's weight depends only on the conversation and that server, so adding or losing a server moves
    only the conversations that were, or will be, on it.
    """

    def weight(server: str) -> bytes:
        return hashlib.sha256(f"{server}|{conversation_id}".encode()).digest()

    return sorted(servers, key=weight, reverse=True)


class RasaClient:
    """Send a resident's message to Rasa's REST webhook and return the bot's replies."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_after: float = DEFAULT_RETRY_AFTER,
        in_flight: int = 4,
        max_queued: int = 0,
        busy_after: float = 0.0,
    ) -> None:
        self.servers = parse_urls(base_url)
        # How many messages each server is sent at once, and when a wait for a turn is hopeless (0 and 0: never).
        self.backlog = Backlog(in_flight=in_flight, max_queued=max_queued, busy_after=busy_after)
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=200),
        )
        self._retry_after = retry_after
        self._down_until: dict[str, float] = {}
        self._lock = threading.Lock()

    async def send(
        self,
        *,
        conversation_id: str,
        text: str,
        metadata: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    ) -> list[BotReply]:
        """Deliver ``text`` as the resident of ``conversation_id`` and return what the bot says.

        The message waits its turn on its server first (``backlog``); the timeout runs from when it is sent.
        ``metadata`` may be a function, called when the message's turn comes (a grant it holds then runs from
        when Rasa starts on it, not from when the message joined the line). The request's id goes in the
        metadata, for Rasa's and the actions' log lines (bot/channels.py).
        Raises ``RasaBusy`` without sending when the wait for the server it would go to is hopeless.
        """
        request_id = REQUEST_ID.get()

        def payload() -> dict[str, Any]:
            given = metadata() if callable(metadata) else metadata
            return {
                "sender": conversation_id,
                "message": text,
                "metadata": {**(given or {}), **({"request_id": request_id} if request_id else {})},
            }

        order = self._candidates(conversation_id)
        for attempt, server in enumerate(order):
            started = time.perf_counter()
            try:
                async with self.backlog.turn(server):
                    started = time.perf_counter()  # Rasa's time, not the wait in line
                    response = await self._http.post(f"{server}/webhooks/rest/webhook", json=payload())
                response.raise_for_status()
                body = response.json()
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                self._mark_down(server, error)
                if attempt + 1 < len(order):
                    RASA_FAILOVERS.inc()
                    continue
                self._fail(started, error)
            except (httpx.HTTPError, ValueError) as error:
                if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
                    self._mark_down(server, error)  # it dropped the connection: probably stopped or crashed
                self._fail(started, error)
            seconds = time.perf_counter() - started
            RASA_CALLS.labels(outcome="ok").observe(seconds)
            log.info(
                "rasa server %d of %d answered in %.0f ms",
                self.servers.index(server) + 1,
                len(self.servers),
                seconds * 1000,
            )
            return bot_replies(body)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _candidates(self, conversation_id: str) -> list[str]:
        """Return the conversation's servers in hash order, those marked down last (tried only as a last resort)."""
        now = time.monotonic()
        ordered = servers_in_order(conversation_id, self.servers)
        with self._lock:
            up = [server for server in ordered if self._down_until.get(server, 0.0) <= now]
        return up + [server for server in ordered if server not in up]

    def _mark_down(self, server: str, error: Exception) -> None:
        with self._lock:
            self._down_until[server] = time.monotonic() + self._retry_after
        # The server's position, not its URL or the error's message (which may quote the resident's text).
        log.warning(
            "rasa server %d of %d unreachable (%s); skipped for %.0f s",
            self.servers.index(server) + 1,
            len(self.servers),
            type(error).__name__,
            self._retry_after,
        )

    @staticmethod
    def _fail(started: float, error: Exception) -> NoReturn:
        RASA_CALLS.labels(outcome="error").observe(time.perf_counter() - started)
        # The error's class is enough to diagnose; the message may hold the resident's text.
        log.warning("rasa unavailable: %s", type(error).__name__)
        raise RasaUnavailable from error

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


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
            replies[-1] = replace(
                replies[-1],
                article=_checked(marker.get("article"), ARTICLE_SLUG),
                gap=_checked(marker.get("gap"), GAP_KIND),
            )
        elif isinstance(custom, dict) and custom.get("ask_rating"):
            replies.append(BotReply(text="", ask_rating=True))
        elif item.get("text") or item.get("buttons"):
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in item.get("buttons") or []
            ]
            response = item.get("response")
            replies.append(
                BotReply(
                    text=item.get("text") or "",
                    buttons=buttons or None,
                    response=response if isinstance(response, str) else None,
                )
            )
    return replies


ARTICLE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
GAP_KIND = re.compile(r"unanswered|clarified|low_confidence")


def _checked(value: object, pattern: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None
