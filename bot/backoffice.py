"""The one client actions use to reach the back-office API. It returns typed results or raises BackOfficeError."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import httpx

from bot.backoffice_models import (
    AbsentVoteRecorded,
    AbsentVoteWithdrawal,
    Account,
    Address,
    AddressList,
    BinCollections,
    ChangeRecorded,
    DocumentSent,
    Election,
    ElectoralRecord,
    HandoffTicket,
    MalformedAnswer,
    Payment,
    PollingPlace,
    ServiceRequestCancellation,
    ServiceRequestLodged,
    ServiceRequestProgress,
    Street,
    StreetList,
    UpcomingElections,
    Verification,
    parse,
)
from bot.privacy.logs import REQUEST_ID, REQUEST_ID_HEADER
from bot.settings import get_settings

log = logging.getLogger(__name__)
# When the running action must stop waiting on the back office (time.monotonic()); see within_deadline.
_DEADLINE: ContextVar[float | None] = ContextVar("backoffice_deadline", default=None)
# The grant the hub gave Rasa with the message being answered; bot.action_server sets it for each action
# call, and every back-office call of that action carries it, so no action can forget it.
CONVERSATION_GRANT: ContextVar[str | None] = ContextVar("conversation_grant", default=None)
GRANT_HEADER = "X-Conversation-Grant"
# httpx logs every request URL at INFO; ours carry postcodes and references next to conversation ids,
# and logs must hold no personal data.
logging.getLogger("httpx").setLevel(logging.WARNING)


class BackOfficeError(Exception):
    """The back office could not be reached or refused the call."""


class NotFound(BackOfficeError):
    """The back office has no such record (or will not say whether it has)."""


class NotVerified(BackOfficeError):
    """The conversation has no live verified identity (never verified, expired or ended)."""


class NoEmailOnFile(BackOfficeError):
    """The verified council tax account holds no email address, so no document can be emailed."""


P = ParamSpec("P")
R = TypeVar("R")
Recorded = TypeVar("Recorded", AbsentVoteRecorded, ChangeRecorded, DocumentSent, ServiceRequestLodged)
Answer = TypeVar("Answer")


def within_deadline(run: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Bound the back-office calls of one action run by ``action_deadline_seconds`` in all.

    Rasa 3.6 waits up to 300 s for an action (a constant, not a setting) while the hub gives up on Rasa
    after 30 s, so an action that waited on a slow back office answered long after the resident had been
    told sorry. With each call bounded by ``backoffice_timeout_seconds`` and each action by this deadline,
    an action answers (with an apology that keeps the resident's answers) well inside the hub's time.
    """

    @functools.wraps(run)
    async def bounded(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _DEADLINE.set(time.monotonic() + get_settings().action_deadline_seconds)
        try:
            return await run(*args, **kwargs)
        finally:
            _DEADLINE.reset(token)

    return bounded


def _parsed(kind: type[Answer], body: object, path: str) -> Answer:
    try:
        return parse(kind, body)
    except MalformedAnswer as error:
        log.warning("back office answer unreadable: %s: %s", path.split("/")[3], error)
        raise BackOfficeError("the back office's answer lacks what the bot reads") from error


def _detail(response: httpx.Response) -> object:
    try:
        return response.json().get("detail")
    except ValueError:
        return None


# One connection pool per event loop and back office (an action server worker runs one loop): a new client per call
# cost about 25 ms of CPU (its TLS context loads the certificate bundle, even for http) and a new connection.
_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def _pooled_client(base_url: str, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """Return this event loop's client for ``base_url`` (and ``transport``, which tests give), made on first use."""
    pools = _POOLS.setdefault(asyncio.get_running_loop(), {})
    key = (base_url, id(transport))
    client = pools.get(key)
    if client is None or client.is_closed:
        client = pools[key] = httpx.AsyncClient(base_url=base_url, transport=transport)
    return client


class BackOffice:
    """Typed access to the council's back office over HTTP with a service token."""

    def __init__(
        self, *, base_url: str, token: str, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._transport = transport

    @classmethod
    def from_settings(cls) -> BackOffice:
        """Build the client from the action server's settings."""
        settings = get_settings()
        return cls(
            base_url=settings.backoffice_url, token=settings.service_token, timeout=settings.backoffice_timeout_seconds
        )

    async def _call(
        self, method: str, path: str, *, json: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        return (await self._send(method, path, json=json, params=params))[0]

    async def _read(self, kind: type[Answer], path: str, *, params: dict[str, Any] | None = None) -> Answer:
        """GET ``path`` and read the answer as ``kind``.

        An answer without a field the bot reads is a back-office failure like any other (BackOfficeError):
        the resident keeps their answers and is offered a retry, rather than the action failing mid-reply.
        """
        return _parsed(kind, await self._call("GET", path, params=params), path)

    async def _record(self, kind: type[Recorded], path: str, request: dict[str, Any]) -> Recorded:
        """POST a request the back office records once; ``already_recorded`` says it was there before.

        The back office answers 201 for a new request and 200 for one it already holds: a retry with the
        same idempotency key, or the same request still open. The resident is then told the reference
        they already have rather than thinking a second application was made.
        """
        body, status = await self._send("POST", path, json=request)
        return dataclasses.replace(_parsed(kind, body, path), already_recorded=status == httpx.codes.OK)

    async def _send(
        self, method: str, path: str, *, json: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> tuple[Any, int]:
        deadline = _DEADLINE.get()
        seconds = self._timeout if deadline is None else min(self._timeout, deadline - time.monotonic())
        if seconds <= 0:
            log.warning("back office not called: the action's deadline has passed")
            raise BackOfficeError("the action ran out of time")
        grant, request_id = CONVERSATION_GRANT.get(), REQUEST_ID.get()
        headers = {
            **self._headers,
            **({GRANT_HEADER: grant} if grant else {}),
            **({REQUEST_ID_HEADER: request_id} if request_id else {}),
        }
        http = _pooled_client(self._base_url, self._transport)
        try:
            async with asyncio.timeout(seconds):  # the whole call, whatever the transport does with timeouts
                response = await http.request(method, path, json=json, params=params, headers=headers, timeout=seconds)
        except (httpx.HTTPError, TimeoutError) as error:
            log.warning("back office unreachable: %s %s: %s", method, path.split("/")[1:3], type(error).__name__)
            raise BackOfficeError("the back office could not be reached") from error
        # The service the path names (electoral, addresses, conversations, ...); the rest can identify someone.
        log.info("back office %s %s: HTTP %d", method, path.split("/")[3], response.status_code)
        if response.status_code == httpx.codes.NOT_FOUND:
            raise NotFound
        if response.status_code == httpx.codes.FORBIDDEN:
            raise NotVerified
        if response.status_code == httpx.codes.CONFLICT and _detail(response) == "no_email_on_file":
            raise NoEmailOnFile
        if response.status_code == httpx.codes.NO_CONTENT:
            return None, response.status_code
        if response.is_error:
            log.warning("back office refused %s: HTTP %s", method, response.status_code)
            raise BackOfficeError(f"the back office answered HTTP {response.status_code}")
        return response.json(), response.status_code

    async def request_handoff(
        self,
        *,
        conversation_id: str,
        reason: str,
        priority: str = "normal",
        summary: str = "",
        topic: str = "general",
        wanted: str = "",
        collected: dict[str, str] | None = None,
    ) -> HandoffTicket:
        """Ask for an officer to take the conversation over, with what the officer needs to know."""
        body = await self._call(
            "POST",
            f"/api/v1/conversations/{conversation_id}/handoffs",
            json={
                "reason": reason,
                "priority": priority,
                "summary": summary,
                "topic": topic,
                "wanted": wanted,
                "collected": collected or {},
            },
        )
        return _parsed(HandoffTicket, body, "/api/v1/conversations")

    async def find_addresses(self, *, postcode: str) -> list[Address]:
        """Return the addresses at ``postcode`` (empty when the postcode is not in the council's area)."""
        return (await self._read(AddressList, "/api/v1/addresses", params={"postcode": postcode})).addresses

    async def find_streets(self, *, name: str) -> list[Street]:
        """Return the town and postcode of each street called ``name`` in the council's area (public information)."""
        return (await self._read(StreetList, "/api/v1/streets", params={"name": name[:80]})).streets

    async def polling_station(self, *, uprn: int) -> PollingPlace:
        """Return the polling district, station and poll hours for a property."""
        return await self._read(PollingPlace, "/api/v1/polling-stations", params={"uprn": uprn})

    async def bin_collections(self, *, uprn: int) -> BinCollections:
        """Return the next collection dates of each bin at a property, bank-holiday changes included."""
        return await self._read(BinCollections, "/api/v1/bin-collections", params={"uprn": uprn})

    async def upcoming_elections(self, *, uprn: int | None = None) -> list[Election]:
        """Return the coming polls (for a property's area when ``uprn`` is given) with their deadlines."""
        params = {"uprn": uprn} if uprn is not None else None
        return (await self._read(UpcomingElections, "/api/v1/elections/upcoming", params=params)).elections

    async def verify_identity(
        self, *, conversation_id: str, full_name: str, date_of_birth: str, uprn: int
    ) -> Verification:
        """Ask the back office whether the details match an elector; only the outcome comes back."""
        body = await self._call(
            "POST",
            "/api/v1/electoral/verifications",
            json={
                "conversation_id": conversation_id,
                "full_name": full_name,
                "date_of_birth": date_of_birth,
                "uprn": uprn,
            },
        )
        return _parsed(Verification, body, "/api/v1/electoral/verifications")

    async def end_verification(self, *, conversation_id: str) -> None:
        """Forget the conversation's verified identity."""
        await self._call("DELETE", f"/api/v1/electoral/verifications/{conversation_id}")

    async def end_account_verification(self, *, conversation_id: str) -> None:
        """Forget the conversation's proved council tax account."""
        await self._call("DELETE", f"/api/v1/payments/verifications/{conversation_id}")

    async def my_electoral_record(self, *, conversation_id: str) -> ElectoralRecord:
        """Return the verified resident's own registration, polling station and absent votes."""
        return await self._read(ElectoralRecord, "/api/v1/electoral/me", params={"conversation_id": conversation_id})

    async def request_absent_vote(
        self,
        *,
        conversation_id: str,
        idempotency_key: str,
        kind: str,
        action: str,
        duration: str | None,
        poll_date: str | None,
        proxy_name: str | None,
        proxy_relationship: str | None,
        reason: str | None,
        delivery: str | None,
        delivery_address: str | None = None,
        delivery_reason: str | None = None,
    ) -> AbsentVoteRecorded:
        """Record a postal or proxy vote request (idempotent by its ``idempotency_key``)."""
        request = {
            "conversation_id": conversation_id,
            "idempotency_key": idempotency_key,
            "kind": kind,
            "action": action,
            "duration": duration,
            "poll_date": poll_date,
            "proxy_name": proxy_name,
            "proxy_relationship": proxy_relationship,
            "reason": reason,
            "delivery": delivery,
            "delivery_address": delivery_address,
            "delivery_reason": delivery_reason,
        }
        return await self._record(AbsentVoteRecorded, "/api/v1/electoral/absent-vote-requests", request)

    async def withdraw_absent_vote_request(self, *, conversation_id: str, reference: str) -> AbsentVoteWithdrawal:
        """Withdraw the verified resident's own request no officer has dealt with; NotFound if it is not theirs."""
        path = f"/api/v1/electoral/absent-vote-requests/{reference}/withdrawal"
        body = await self._call("POST", path, json={"conversation_id": conversation_id})
        return _parsed(AbsentVoteWithdrawal, body, path)

    async def request_electoral_change(
        self, *, conversation_id: str, idempotency_key: str, kind: str, details: dict[str, str | None]
    ) -> ChangeRecorded:
        """Record a change to the register (idempotent by its ``idempotency_key``)."""
        request = {
            "conversation_id": conversation_id,
            "idempotency_key": idempotency_key,
            "kind": kind,
            "details": details,
        }
        return await self._record(ChangeRecorded, "/api/v1/electoral/change-requests", request)

    async def verify_account(
        self,
        *,
        conversation_id: str,
        postcode: str,
        account_reference: str | None = None,
        full_name: str | None = None,
        date_of_birth: str | None = None,
    ) -> Verification:
        """Ask whether the details prove the council tax account is the resident's; only the outcome returns."""
        body = await self._call(
            "POST",
            "/api/v1/payments/verifications",
            json={
                "conversation_id": conversation_id,
                "account_reference": account_reference,
                "postcode": postcode,
                "full_name": full_name,
                "date_of_birth": date_of_birth,
            },
        )
        return _parsed(Verification, body, "/api/v1/payments/verifications")

    async def my_account(self, *, conversation_id: str) -> Account:
        """Return the verified resident's council tax account: balance, next instalment, recovery stage."""
        return await self._read(Account, "/api/v1/payments/account", params={"conversation_id": conversation_id})

    async def my_payment(self, *, conversation_id: str, payment_reference: str) -> Payment:
        """Return one payment on the verified resident's account (NotFound when it is not theirs)."""
        return await self._read(
            Payment, f"/api/v1/payments/payments/{payment_reference}", params={"conversation_id": conversation_id}
        )

    async def request_document(
        self, *, conversation_id: str, idempotency_key: str, kind: str, payment_reference: str | None
    ) -> DocumentSent:
        """Have a receipt or statement emailed to the verified resident (idempotent by its key)."""
        request = {
            "conversation_id": conversation_id,
            "idempotency_key": idempotency_key,
            "kind": kind,
            "payment_reference": payment_reference,
        }
        return await self._record(DocumentSent, "/api/v1/payments/document-requests", request)

    async def lodge_service_request(
        self,
        *,
        conversation_id: str,
        idempotency_key: str,
        category: str,
        uprn: int | None,
        location_text: str | None,
        description: str | None,
        contact_email: str | None,
    ) -> ServiceRequestLodged:
        """Lodge a request for service (idempotent by its key); returns its reference and expected date."""
        request = {
            "conversation_id": conversation_id,
            "idempotency_key": idempotency_key,
            "category": category,
            "uprn": uprn,
            "location_text": location_text,
            "description": description,
            "contact_email": contact_email,
        }
        return await self._record(ServiceRequestLodged, "/api/v1/service-requests", request)

    async def service_request_progress(
        self,
        *,
        reference: str,
        conversation_id: str,
        reporter_email: str | None = None,
        reporter_code: str | None = None,
    ) -> ServiceRequestProgress:
        """Return where a request stands: with the latest note when this chat or a code shows the reporter.

        An email that matches the report's sends the news to that address (``news_emailed``).
        """
        path = f"/api/v1/service-requests/{reference}/progress-checks"
        request = {"conversation_id": conversation_id, "reporter_email": reporter_email, "reporter_code": reporter_code}
        body = await self._call("POST", path, json=request)
        return _parsed(ServiceRequestProgress, body, path)

    async def send_reporter_code(self, *, reference: str, conversation_id: str, reporter_email: str) -> str:
        """Have a one-time code emailed to the report's address if ``reporter_email`` is it; return the outcome.

        "sent", "not_matched" (also when too many wrong emails hold it back), "too_many" (codes this hour) or
        "mail_failed". NotFound for an unknown reference.
        """
        path = f"/api/v1/service-requests/{reference}/reporter-code"
        body = await self._call(
            "POST", path, json={"conversation_id": conversation_id, "reporter_email": reporter_email}
        )
        return str(body.get("outcome") or "mail_failed") if isinstance(body, dict) else "mail_failed"

    async def cancel_service_request(
        self, *, reference: str, conversation_id: str, reporter_code: str | None, reason: str
    ) -> ServiceRequestCancellation:
        """Cancel a request for the person who reported it; NotFound when it is unknown or not shown to be theirs."""
        path = f"/api/v1/service-requests/{reference}/cancellation"
        body = await self._call(
            "POST", path, json={"conversation_id": conversation_id, "reporter_code": reporter_code, "reason": reason}
        )
        return _parsed(ServiceRequestCancellation, body, path)
