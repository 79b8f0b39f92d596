"""The bridge's one client of the hub: send a resident's message, read the outbox, record deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class HubUnavailable(Exception):
    """The hub could not be reached or failed (5xx): try again later."""


class HubRefused(Exception):
    """The hub refused the call (4xx): trying again will not help."""


class HubThrottled(Exception):
    """The hub limits this chat for now (429): say ``detail`` to the resident, try again in ``retry_after`` s."""

    def __init__(self, retry_after: float, detail: str) -> None:
        super().__init__(f"HTTP 429, retry in {retry_after:.0f} s")
        self.retry_after = retry_after
        self.detail = detail


@dataclass(frozen=True)
class Accepted:
    """The hub's answer to a resident's message: whether it was new, and what to delete from the chat."""

    new: bool
    card_number_hidden: bool
    # The hub's id for the stored message, and the ids of earlier ones it rewrote to hide a card number
    # this message completed (their Telegram copies should go too).
    message_id: int | None = None
    earlier_hidden: tuple[int, ...] = ()


@dataclass(frozen=True)
class Button:
    """A suggested reply: the title is shown, the payload is what the hub expects back."""

    title: str
    payload: str


@dataclass(frozen=True)
class OutgoingMessage:
    """A hub message to send to a Telegram chat."""

    message_id: int
    chat_id: int
    sender: str
    text: str
    buttons: tuple[Button, ...]
    # Who wrote an officer's message, as the resident should see it ("Priya, Customer Focus").
    author: str | None = None
    # A knowledge answer: the resident may tap Helpful or Not helpful under it.
    rateable: bool = False


class HubClient:
    """Calls the hub's /api/v1/telegram endpoints with the bridge's service token."""

    def __init__(
        self, base_url: str, *, service_token: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1/telegram",
            timeout=timeout,
            headers={"Authorization": f"Bearer {service_token}"},
            transport=transport,
        )

    async def send_resident_message(self, *, update_id: int, chat_id: int, text: str) -> Accepted:
        """Hand a resident's message to the hub; say whether it was new and whether it held a card number."""
        body = await self._call("POST", "/updates", json={"update_id": update_id, "chat_id": chat_id, "text": text})
        return Accepted(
            new=not body["duplicate"],
            card_number_hidden=bool(body.get("card_number_hidden")),
            message_id=body.get("message_id"),
            earlier_hidden=tuple(body.get("earlier_hidden") or ()),
        )

    async def pending_messages(self, *, limit: int = 50) -> list[OutgoingMessage]:
        """Return the messages waiting to be sent to Telegram chats, oldest first."""
        body = await self._call("GET", "/outbox", params={"limit": limit})
        return [
            OutgoingMessage(
                message_id=item["message_id"],
                chat_id=item["chat_id"],
                sender=item["sender"],
                text=item["text"],
                buttons=tuple(Button(title=b["title"], payload=b["payload"]) for b in item["buttons"] or []),
                author=item.get("author"),
                rateable=bool(item.get("rateable")),
            )
            for item in body["messages"]
        ]

    async def rate_answer(self, *, chat_id: int, message_id: int, helpful: bool) -> str:
        """Record the resident's rating of a knowledge answer in their chat; return the hub's thank-you."""
        body = await self._call(
            "POST", "/ratings", json={"chat_id": chat_id, "message_id": message_id, "helpful": helpful}
        )
        return str(body["thanks"])

    async def record_delivery(self, *, message_id: int, sent: bool) -> None:
        """Tell the hub the message was sent (or refused by Telegram), so it is not offered again."""
        await self._call("POST", f"/outbox/{message_id}/delivery", json={"outcome": "sent" if sent else "refused"})

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            # The error's class is enough to diagnose; its message may hold a resident's text.
            raise HubUnavailable(type(error).__name__) from None
        if response.status_code == 429:
            raise HubThrottled(_retry_after(response), _detail(response))
        if response.status_code >= 500:
            raise HubUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise HubRefused(f"HTTP {response.status_code}")
        return response.json() if response.content else None

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()


def _retry_after(response: httpx.Response, default: float = 30.0) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", default)))
    except ValueError:
        return default


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return ""
    return detail if isinstance(detail, str) else ""
