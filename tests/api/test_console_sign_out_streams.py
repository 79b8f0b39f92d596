"""Signing out of the console ends that officer's open event streams at once, not at the next change or timer read.

Before, a stream noticed the sign-out only when something it followed changed (a new handoff, a message) or at its
timer read (ten minutes in these tests, ``push_fallback_seconds``); until then it stayed open on a session that had
ended. Sign-out now wakes the officer's streams, in this worker and, on PostgreSQL, in the others.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.support.console import (
    QUEUE,
    add_officers,
    conversation_events,
    listening,
    officer_client,
    page_csrf,
    push_app,
    resident_waiting,
)
from tests.support.console_push import push_app_with_officers, resident_client  # noqa: F401  (fixtures: app, resident)
from tests.support.event_streams import open_events

PROMPTLY = 10  # seconds: a hang guard; the gone event comes within a poll tick (0.1 s here)


def sign_out(officer: TestClient) -> None:
    response = officer.post("/console/sign-out", data={"csrf_token": page_csrf(officer)}, follow_redirects=False)
    assert response.status_code == 303


def test_signing_out_ends_the_officers_open_streams_with_nothing_else_changing(app, resident) -> None:
    conversation_id, _, _ = resident_waiting(resident, topic="payments")
    priya = officer_client(app, "focus")
    with open_events(priya, QUEUE) as queue, open_events(priya, conversation_events(conversation_id)) as stream:
        queue.next_named("queue"), stream.next_named("status")

        started = time.monotonic()
        sign_out(priya)

        for ended in (queue, stream):
            gone = ended.next()
            assert gone.name == "gone" and "sign in again" in gone.data["detail"]
            assert ended.ended()
        assert time.monotonic() - started < PROMPTLY


def test_another_officers_streams_stay_open(app, resident) -> None:
    priya, jo = officer_client(app, "focus"), officer_client(app, "focus2")
    with open_events(priya, QUEUE) as hers, open_events(jo, QUEUE) as his:
        hers.next_named("queue"), his.next_named("queue")

        sign_out(priya)
        assert hers.next().name == "gone"

        _, _, reference = resident_waiting(resident, topic="payments")
        assert [item["reference"] for item in his.next_named("queue").data["items"]] == [reference]


def test_signing_out_on_another_worker_ends_the_stream_on_postgresql(database_factory, open_session) -> None:
    database_url = database_factory("postgresql")
    with open_session(database_url) as session:
        add_officers(session)
    app, other_worker = push_app(database_url), push_app(database_url)
    try:
        with TestClient(app), TestClient(other_worker):
            priya = officer_client(app, "focus")
            assert listening(app)
            with open_events(priya, QUEUE) as queue:
                queue.next_named("queue")
                elsewhere = TestClient(other_worker, cookies={"ca_console": priya.cookies["ca_console"]})
                sign_out(elsewhere)
                assert queue.next().name == "gone"
    finally:
        other_worker.state.database.engine.dispose()
        app.state.database.engine.dispose()
