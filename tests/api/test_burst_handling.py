"""How the hub copes when many residents arrive at once: kind 503s instead of 500s, and push without polling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from api.conversations import service
from api.conversations.changes import MessageChanges
from api.db import Database, PoolSize
from api.main import create_app
from api.settings import Settings


@pytest.fixture
def tiny_pool_app(database_url: str):
    """A hub whose database pool has one connection and gives up waiting for it almost at once."""
    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            document_retry_seconds=0,
            database_pool_size=1,
            database_max_overflow=0,
            database_pool_timeout_seconds=0.2,
        )
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


def test_an_exhausted_pool_gets_a_kind_503_with_retry_after_not_a_500(tiny_pool_app) -> None:
    app, client = tiny_pool_app
    held = app.state.database.engine.connect()  # another request holds the only connection
    try:
        response = client.post("/api/chat/conversations", json={"channel": "web"})
    finally:
        held.close()

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    detail = response.json()["detail"]
    assert "try again" in detail and "01632 960 123" in detail
    assert "Traceback" not in response.text and "QueuePool" not in response.text
    # Once the connection is free again, the same request succeeds: nothing was left broken.
    assert client.post("/api/chat/conversations", json={"channel": "web"}).status_code == 201


def test_a_committed_message_moves_the_counter_and_a_rolled_back_one_does_not(database_url: str) -> None:
    database = Database(database_url, PoolSize(size=2, overflow=0))
    changes = MessageChanges()
    changes.watch(database.sessions)
    try:
        with database.sessions.begin() as session:
            created = service.create_conversation(session, channel="web")
        other = "someone-else"
        before = changes.version(created.conversation_id)

        with database.sessions.begin() as session:
            service.add_message(session, conversation_id=created.conversation_id, sender="resident", text="hi")
        assert changes.version(created.conversation_id) == before + 1
        assert changes.version(other) == 0

        with pytest.raises(RuntimeError), database.sessions.begin() as session:
            service.add_message(session, conversation_id=created.conversation_id, sender="resident", text="lost")
            raise RuntimeError("the request failed before it committed")
        assert changes.version(created.conversation_id) == before + 1
    finally:
        database.engine.dispose()


def test_the_event_stream_reads_the_database_only_when_something_changed(database_url: str) -> None:
    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            document_retry_seconds=0,
            push_poll_seconds=0.05,
            push_fallback_seconds=60,
        )
    )
    reads: list[str] = []

    def count_message_reads(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM messages" in statement:
            reads.append(statement)

    event.listen(app.state.database.engine, "before_cursor_execute", count_message_reads)
    with TestClient(app) as client:
        created = client.post("/api/chat/conversations", json={"channel": "web"}).json()
        conversation, token = created["conversation_id"], created["token"]
        received: list[str] = []
        stop = threading.Event()

        def officer_posts_later() -> None:
            stop.wait(1.0)
            with app.state.database.sessions.begin() as session:
                service.add_message(session, conversation_id=conversation, sender="system", text="Hello from us")

        threading.Thread(target=officer_posts_later, daemon=True).start()
        with client.stream(
            "GET", f"/api/chat/conversations/{conversation}/events", params={"token": token}
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data:"):
                    received.append(line)
                    break
        stop.set()

    assert "Hello from us" in received[0]
    # One read when the stream opened and one when the message was committed; about 20 checks of the
    # in-memory counter in between did not touch the database.
    assert 1 <= len(reads) <= 3, reads


@pytest.mark.postgres
def test_a_message_another_worker_stores_is_pushed_to_the_stream_on_postgresql(database_factory) -> None:
    """Two API workers on one PostgreSQL database: a message the second stores reaches a stream on the first
    through LISTEN/NOTIFY, not by reading the database on a timer (the timer here is ten minutes)."""
    database_url = database_factory("postgresql")
    settings = Settings(
        database_url=database_url,
        environment="test",
        document_retry_seconds=0,
        push_poll_seconds=0.2,
        push_fallback_seconds=600,
    )
    app, other_worker = create_app(settings), create_app(settings)
    reads: list[str] = []

    def count_message_reads(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM messages" in statement:
            reads.append(statement)

    event.listen(app.state.database.engine, "before_cursor_execute", count_message_reads)
    received: list[str] = []
    try:
        with TestClient(app) as client:
            created = client.post("/api/chat/conversations", json={"channel": "web"}).json()
            conversation, token = created["conversation_id"], created["token"]
            assert _eventually(lambda: app.state.message_changes.shared), "the listener never connected"

            def read_stream() -> None:
                with client.stream(
                    "GET", f"/api/chat/conversations/{conversation}/events", params={"token": token}
                ) as response:
                    for line in response.iter_lines():
                        if line.startswith("data:"):
                            received.append(line)
                            return

            reader = threading.Thread(target=read_stream, daemon=True)
            reader.start()
            assert _eventually(lambda: len(reads) >= 1), "the stream never opened"
            with other_worker.state.database.sessions.begin() as session:
                service.add_message(session, conversation_id=conversation, sender="officer", text="Hello from us")
            reader.join(timeout=60)
    finally:
        other_worker.state.database.engine.dispose()

    assert received and "Hello from us" in received[0], "the stream did not get the other worker's message"
    # One read when the stream opened, one (or two: its own commit and the notification) when it was woken.
    assert len(reads) <= 3, reads


def _eventually(condition: Callable[[], bool]) -> bool:
    """Wait up to 30 s for something other threads do (no timing is measured)."""
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
