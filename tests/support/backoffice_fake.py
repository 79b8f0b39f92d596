"""The back office as the action tests see it: addresses and identity checks answered over httpx.MockTransport."""

from __future__ import annotations

import asyncio

import httpx

from bot.actions.tasks import ActionCompleteTask
from bot.backoffice import BackOffice
from tests.support.trackers import make_tracker, user_event


class FakeBackOffice:
    """Answers like the back office over httpx.MockTransport, recording each call."""

    def __init__(self, verification: str = "verified", *, accounts: bool = False) -> None:
        self.calls: list[httpx.Request] = []
        self.verification = verification
        self.accounts = accounts  # council tax account checks are answered too (else 404, a failure)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.path == "/api/v1/addresses":
            if request.url.params["postcode"] == "TN41 6PA":
                return httpx.Response(200, json=ADDRESSES)
            return httpx.Response(200, json={"postcode": request.url.params["postcode"], "addresses": []})
        if request.url.path == "/api/v1/electoral/verifications":
            return httpx.Response(200, json={"outcome": self.verification, "expires_at": None, "message_key": "x"})
        if request.url.path == "/api/v1/payments/verifications" and self.accounts:
            return httpx.Response(200, json={"outcome": self.verification, "expires_at": None, "message_key": "x"})
        return httpx.Response(404)

    def client(self) -> BackOffice:
        return BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(self.handler))


ADDRESSES = {
    "postcode": "TN41 6PA",
    "addresses": [
        {"uprn": 100099500101, "address": "17 Rowan Close, Ashbury"},
        {"uprn": 100099500102, "address": "19 Rowan Close, Ashbury"},
        {"uprn": 100099500103, "address": "Orchard House, Rowan Close, Ashbury"},
    ],
}


def backoffice(routes: dict[tuple[str, str], httpx.Response], calls: list[httpx.Request]) -> BackOffice:
    """A back-office client whose calls get the answer ``routes`` gives (method, path), recorded in ``calls``."""

    def handler(request: httpx.Request) -> httpx.Response:
        route = (request.method, request.url.path)
        if route not in routes and route in DEFAULTS:
            return DEFAULTS[route]  # a look-up the test did not set up: answered, not counted among its calls
        calls.append(request)
        return routes.get(route, NONE)

    return BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(handler))


# A verified elector with no postal or proxy vote and nothing waiting, unless a test's routes say otherwise.
NO_ABSENT_VOTES = {
    "registration_status": "registered",
    "polling_district": "AA1",
    "ward": "Ashbury Central",
    "absent_votes": [],
    "open_requests": [],
}
DEFAULTS = {("GET", "/api/v1/electoral/me"): httpx.Response(200, json=NO_ABSENT_VOTES)}
NONE = httpx.Response(404)


def complete(routes, dispatcher, **slots):
    """Complete the task in ``slots`` for a verified resident; return the events, the calls and what was said."""
    calls: list[httpx.Request] = []
    tracker = make_tracker(user_event("x", "inform"), slots={"identity_verified": True} | slots)
    events = asyncio.run(ActionCompleteTask(backoffice(routes, calls)).run(dispatcher, tracker, {}))
    return events, calls, " ".join(m["text"] or "" for m in dispatcher.messages)


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}
