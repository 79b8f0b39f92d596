"""The one client actions use to reach the back-office API. It returns typed results or raises BackOfficeError."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bot.settings import get_settings

log = logging.getLogger(__name__)


class BackOfficeError(Exception):
    """The back office could not be reached or refused the call."""


class NotFound(BackOfficeError):
    """The back office has no such record (or will not say whether it has)."""


@dataclass(frozen=True)
class HandoffTicket:
    """What happens next after the resident asked for an officer."""

    reference: str
    status: str
    in_office_hours: bool
    queue_position: int | None
    expected_wait_minutes: int | None
    officer_hours: str
    reply_by: str | None


class BackOffice:
    """Typed access to the council's back office over HTTP with a service token."""

    def __init__(self, *, base_url: str, token: str, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._transport = transport

    @classmethod
    def from_settings(cls) -> BackOffice:
        """Build the client from the action server's settings."""
        settings = get_settings()
        return cls(base_url=settings.backoffice_url, token=settings.service_token,
                   timeout=settings.backoffice_timeout_seconds)

    async def _call(self, method: str, path: str, *, json: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self._base_url, headers=self._headers, timeout=self._timeout,
                                     transport=self._transport) as http:
            try:
                response = await http.request(method, path, json=json)
            except httpx.HTTPError as error:
                log.warning("back office unreachable: %s %s: %s", method, path.split("/")[1:3],
                            type(error).__name__)
                raise BackOfficeError("the back office could not be reached") from error
        if response.status_code == httpx.codes.NOT_FOUND:
            raise NotFound
        if response.is_error:
            log.warning("back office refused %s: HTTP %s", method, response.status_code)
            raise BackOfficeError(f"the back office answered HTTP {response.status_code}")
        return response.json()

    async def request_handoff(self, *, conversation_id: str, reason: str, priority: str = "normal",
                              summary: str = "") -> HandoffTicket:
        """Ask for an officer to take the conversation over."""
        body = await self._call("POST", f"/api/v1/conversations/{conversation_id}/handoffs",
                                json={"reason": reason, "priority": priority, "summary": summary})
        return HandoffTicket(**{field: body.get(field) for field in HandoffTicket.__dataclass_fields__})
