"""The officer console's pages get new messages, new handoffs and status changes pushed (server-sent events),
behind the officer's session and with the JSON's access rules, on SQLite and PostgreSQL.

Every app here reads the database on its own only every ten minutes (``push_fallback_seconds``), so an event that
arrives during a test was pushed by a commit's wake-up, not found by a timer.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.access.settings import RateLimits
from api.console import service as console
from api.conversations import service as hub
from api.conversations.changes import HANDOFFS, MessageChanges
from api.conversations.models import Handoff
from api.db import Database, PoolSize
from api.officers.models import Officer
from api.privacy.models import AuditEntry
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


def claim(officer: TestClient, reference: str) -> None:
    response = officer.post(
        f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(officer)}, follow_redirects=False
    )
    assert response.status_code == 303


def say(resident: TestClient, conversation_id: str, token: str, text: str) -> None:
    response = resident.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


def references(event) -> list[str]:
    return [item["reference"] for item in event.data["items"]]


# ----- the queue -----


def test_a_new_handoff_reaches_the_queue_stream_of_its_team_and_not_the_other_team(app, resident) -> None:
    priya, alex = officer_client(app, "focus"), officer_client(app, "electoral")
    with open_events(priya, QUEUE) as focus_queue, open_events(alex, QUEUE) as electoral_queue:
        assert focus_queue.response.status_code == 200
        assert focus_queue.response.headers["content-type"].startswith("text/event-stream")
        assert references(focus_queue.next_named("queue")) == []
        assert references(electoral_queue.next_named("queue")) == []

        _, _, payments = resident_waiting(resident, topic="payments", reason="payment_difficulty")
        arrived = focus_queue.next_named("queue")
        assert references(arrived) == [payments]
        assert arrived.data["items"][0]["reason_name"] == "Payment difficulty"

        # Alex's stream woke too, but had nothing to send: the next thing it sends is his own team's handoff.
        _, _, electoral = resident_waiting(resident, topic="electoral", wanted="Postal vote")
        assert references(electoral_queue.next_named("queue")) == [electoral]


def test_a_claim_by_another_officer_reaches_the_queue_stream(app, resident) -> None:
    _, _, reference = resident_waiting(resident, topic="payments")
    priya, jo = officer_client(app, "focus"), officer_client(app, "focus2")
    with open_events(priya, QUEUE) as queue:
        waiting = queue.next_named("queue").data["items"]
        assert [(i["reference"], i["status"], i["claimed_by"]) for i in waiting] == [(reference, "waiting", None)]
        claim(jo, reference)
        taken = queue.next_named("queue").data["items"]
        assert [(i["reference"], i["status"], i["claimed_by"], i["mine"]) for i in taken] == [
            (reference, "claimed", "Jo Brown", False)
        ]


def test_the_claims_update_statement_moves_the_handoff_counters(database_url: str, open_session) -> None:
    """The claim changes its handoff by one conditional UPDATE, which the session does not track as an object."""
    with open_session(database_url) as session:
        add_officers(session)
    app = push_app(database_url)
    with TestClient(app) as resident:
        conversation_id, _, reference = resident_waiting(resident, topic="payments")
    database = Database(database_url, PoolSize(size=2, overflow=0))
    changes = MessageChanges()
    changes.watch(database.sessions)
    try:
        with database.sessions.begin() as session:
            officer = session.scalars(select(Officer).where(Officer.role == "customer_focus")).first()
            assert officer is not None
            console.claim(session, officer, reference=reference)
        assert changes.version(HANDOFFS) == 1
        assert changes.version(conversation_id) >= 1
    finally:
        database.engine.dispose()
        app.state.database.engine.dispose()


# ----- a conversation -----


def test_the_conversation_stream_gets_the_residents_new_message_and_status_changes(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(resident, topic="payments")
    priya = officer_client(app, "focus")
    claim(priya, reference)
    with open_events(priya, conversation_events(conversation_id)) as stream:
        joined = stream.next_named("message")
        assert joined.data["sender"] == "system" and "Priya from Customer Focus has joined" in joined.data["text"]
        assert stream.next_named("status").data == {"status": "claimed", "claimed_by": "Priya Shah", "mine": True}

        say(resident, conversation_id, token, "my green bin was missed on Monday")
        pushed = stream.next_named("message")
        assert pushed.data["sender"] == "resident" and pushed.data["text"] == "my green bin was missed on Monday"
        assert pushed.id == str(pushed.data["id"]) and int(pushed.id) > joined.data["id"]

        priya.post(
            f"/console/conversations/{conversation_id}/resolve",
            headers={"X-CSRF-Token": page_csrf(priya), "Accept": "application/json"},
        )
        assert stream.next_named("status").data["status"] == "resolved"


def test_a_reconnecting_stream_resumes_after_its_last_event_id(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(resident, topic="payments")
    priya = officer_client(app, "focus")
    claim(priya, reference)
    for text in ("first", "second", "third"):
        say(resident, conversation_id, token, text)
    with open_events(priya, conversation_events(conversation_id)) as stream:
        sent = [stream.next_named("message") for _ in range(4)]  # the officer joined, then the resident's three
    assert [event.data["text"] for event in sent[1:]] == ["first", "second", "third"]
    second = sent[2].id
    # EventSource reconnects with its first URL (here after=0) and the id of the last event it received.
    with open_events(
        priya, conversation_events(conversation_id) + "?after=0", headers={"Last-Event-ID": str(second)}
    ) as stream:
        assert stream.next_named("message").data["text"] == "third"


def test_customer_focus_streams_no_date_of_birth_and_the_view_is_audited(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(resident, topic="payments")
    priya = officer_client(app, "focus")
    claim(priya, reference)
    with app.state.database.sessions.begin() as session:
        hub.add_message(session, conversation_id=conversation_id, sender="bot", text="What is your date of birth?")
    with open_events(priya, conversation_events(conversation_id)) as stream:
        stream.next_named("status")
        say(resident, conversation_id, token, "14/03/1961")
        shown = stream.next_named("message")
        assert shown.data["sender"] == "resident"
        assert shown.data["text"] == "[date of birth hidden]"
    with app.state.database.sessions() as session:
        views = session.scalars(
            select(AuditEntry).where(AuditEntry.conversation_id == conversation_id, AuditEntry.action == "view")
        ).all()
    assert views, "the stream's view was not audited"


def test_another_teams_officer_is_refused_the_conversation_stream(app, resident) -> None:
    conversation_id, _, _ = resident_waiting(resident, topic="payments")
    alex = officer_client(app, "electoral")
    refused = alex.get(conversation_events(conversation_id))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This conversation is not in your team's queue."}


def test_a_signed_out_officer_gets_no_stream_and_an_open_one_ends(app, resident) -> None:
    conversation_id, _, reference = resident_waiting(resident, topic="payments")
    nobody = TestClient(app)
    for url in (QUEUE, conversation_events(conversation_id)):
        refused = nobody.get(url)
        assert refused.status_code == 401
        assert "event:" not in refused.text

    priya = officer_client(app, "focus")
    copied = TestClient(app, cookies={"ca_console": priya.cookies["ca_console"]})  # the same session's cookie
    with open_events(priya, QUEUE) as queue:
        assert references(queue.next_named("queue")) == [reference]
        signed_out = priya.post("/console/sign-out", data={"csrf_token": page_csrf(priya)}, follow_redirects=False)
        assert signed_out.status_code == 303
        resident_waiting(resident, topic="payments")  # wakes the stream, which finds the session over
        gone = queue.next()
        assert gone.name == "gone" and "sign in again" in gone.data["detail"]
        assert queue.ended()
    for url in (QUEUE, conversation_events(conversation_id)):
        assert copied.get(url).status_code == 401


def test_an_officer_has_a_few_streams_at_once(database_url: str, open_session) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    app = push_app(database_url, rate_limits=RateLimits(streams_per_officer=2))
    with TestClient(app) as resident:
        resident_waiting(resident, topic="payments")
        priya = officer_client(app, "focus")
        with open_events(priya, QUEUE) as first, open_events(priya, QUEUE) as second:
            first.next_named("queue"), second.next_named("queue")
            third = priya.get(QUEUE)
            assert third.status_code == 429
            assert "too many windows" in third.json()["detail"] and third.headers["Retry-After"].isdigit()
            # Another officer's streams are their own.
            with open_events(officer_client(app, "focus2"), QUEUE) as jos:
                assert jos.response.status_code == 200
    app.state.database.engine.dispose()


# ----- several API workers on one PostgreSQL database -----


@pytest.mark.postgres
def test_a_handoff_and_a_message_stored_by_another_worker_are_pushed_on_postgresql(database_factory, open_session):
    """LISTEN/NOTIFY carries the other worker's commits; the timer read is ten minutes away."""
    database_url = database_factory("postgresql")
    with open_session(database_url) as session:
        add_officers(session)
    app, other_worker = push_app(database_url), push_app(database_url)
    try:
        with TestClient(app), TestClient(other_worker) as elsewhere:
            priya = officer_client(app, "focus")
            assert listening(app)
            with open_events(priya, QUEUE) as queue:
                assert references(queue.next_named("queue")) == []
                conversation_id, token, reference = resident_waiting(elsewhere, topic="payments")
                assert references(queue.next_named("queue")) == [reference]
                claim(priya, reference)
                with open_events(priya, conversation_events(conversation_id)) as stream:
                    stream.next_named("status")
                    say(elsewhere, conversation_id, token, "hello from the other worker")
                    assert stream.next_named("message").data["text"] == "hello from the other worker"
    finally:
        other_worker.state.database.engine.dispose()
        app.state.database.engine.dispose()


def test_every_handoff_row_is_seen_by_the_queue_counter(database_url: str) -> None:
    """A handoff added through the ORM moves HANDOFFS and its conversation's counter on commit, not before."""
    database = Database(database_url, PoolSize(size=2, overflow=0))
    changes = MessageChanges()
    changes.watch(database.sessions)
    try:
        with database.sessions.begin() as session:
            created = hub.create_conversation(session, channel="web")
        with database.sessions.begin() as session:
            session.add(
                Handoff(conversation_id=created.conversation_id, reason="resident_asked", reference="HO-TEST01")
            )
            session.flush()
            assert changes.version(HANDOFFS) == 0
        assert changes.version(HANDOFFS) == 1
        assert changes.version(created.conversation_id) >= 1
    finally:
        database.engine.dispose()
