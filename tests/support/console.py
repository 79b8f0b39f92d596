"""Helpers for console tests: officers in a database, a signed-in browser-like client, a waiting handoff, and the
console's pushed events (server-sent): their URLs and an app whose pushes only commits wake.

Fixtures for that app are in tests/support/console_push.py.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.router import office_hours as office_hours_dependency
from api.main import create_app
from api.officers.auth import hash_password
from api.officers.models import Officer
from api.settings import Settings
from tests.support.backoffice_api import SERVICE, granted  # noqa: F401  (SERVICE: the action server's token, for tests)
from tests.support.hub import FixedHours

PASSWORD = "a-long-test-password"
OFFICERS = {
    "electoral": ("alex@council.test", "Alex Morgan", "electoral_services"),
    "focus": ("priya@council.test", "Priya Shah", "customer_focus"),
    "focus2": ("jo@council.test", "Jo Brown", "customer_focus"),
    "supervisor": ("sam@council.test", "Sam Taylor", "supervisor"),
}


def console_app(database_url: str, **settings) -> FastAPI:
    """The API for console tests: no Rasa to reach (hand-offs are made directly), the office open."""
    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            rasa_url="http://127.0.0.1:9",
            rasa_timeout_seconds=1,
            document_retry_seconds=0,
            **settings,
        )
    )
    app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=True)
    return app


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


def add_officers(session) -> None:
    """Add the test officers (one argon2 hash shared by all, to keep the tests quick)."""
    session.add_all(
        Officer(email=email, display_name=name, role=role, password_hash=_password_hash(), active=True)
        for email, name, role in OFFICERS.values()
    )
    session.commit()


def hidden_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, who: str, password: str = PASSWORD):
    """Sign in through the form as a browser would; return the response (a redirect on success)."""
    page = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={"email": OFFICERS[who][0], "password": password, "csrf_token": hidden_csrf(page.text)},
        follow_redirects=False,
    )


def officer_client(app, who: str) -> TestClient:
    """A client of ``app`` signed in as the demo officer ``who`` (a key of OFFICERS)."""
    client = TestClient(app)
    assert sign_in(client, who).status_code == 303
    return client


def page_csrf(client: TestClient) -> str:
    return hidden_csrf(client.get("/console/queue").text)


def resident_waiting(
    client: TestClient, *, topic: str = "general", reason: str = "resident_asked", **packet
) -> tuple[str, str, str]:
    """Start a resident conversation and queue it for an officer; return its id, token and handoff reference."""
    created = client.post("/api/chat/conversations").json()
    handoff = client.post(
        f"/api/v1/conversations/{created['conversation_id']}/handoffs",
        headers=granted(created["conversation_id"]),
        json={"reason": reason, "topic": topic, **packet},
    ).json()
    return created["conversation_id"], created["token"], handoff["reference"]


def officer_row(html: str, email: str) -> str:
    match = re.search(rf'<tr data-officer="{re.escape(email)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {email}"
    return match.group(1)


def officer_id(app, who: str) -> int:
    with app.state.database.sessions() as session:
        return session.scalars(select(Officer.id).where(Officer.email == OFFICERS[who][0])).one()


# ----- pushed events (server-sent) -----

QUEUE = "/console/api/queue/events"


def conversation_events(conversation_id: str) -> str:
    return f"/console/api/conversations/{conversation_id}/events"


def push_app(database_url: str, **settings) -> FastAPI:
    """The console's API reading the database on its own only every ten minutes (``push_fallback_seconds``), so an
    event that arrives during a test was pushed by a commit's wake-up, not found by a timer.
    """
    return console_app(database_url, push_poll_seconds=0.1, push_fallback_seconds=600, **settings)


def listening(app) -> bool:
    """Wait up to 30 s for the app's LISTEN connection (a hang guard, not a measured time)."""
    deadline = time.monotonic() + 30
    while not app.state.message_changes.shared:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
