"""Subject access and the audit log: a supervisor exports everything held about a conversation or Telegram chat
and erases it (hub rows and Rasa's tracker events); every view, export and erasure is audited, without the data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Handoff
from api.conversations.router import office_hours as office_hours_dependency
from api.db import utcnow
from api.main import create_app
from api.privacy.models import AuditEntry
from api.privacy.tracker import TrackerStore
from api.settings import DEV_TELEGRAM_TOKEN, Settings
from api.telegram.models import TelegramChat
from tests.support.console import add_officers, officer_client, page_csrf, resident_waiting
from tests.support.hub import FixedHours
from tests.support.privacy import conversation_with_everything, held, officer, register
from tests.support.rasa_tracker import resident_turn, write_trackers

NAME = "Ann Example"


@pytest.fixture
def app(database_url: str, tracker_url: str, open_session):
    with open_session(database_url) as session:
        add_officers(session)
    app = create_app(
        Settings(
            database_url=database_url,
            tracker_store_url=tracker_url,
            environment="test",
            rasa_url="http://127.0.0.1:9",
            rasa_timeout_seconds=1,
            document_retry_seconds=0,
        )
    )
    app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=True)
    yield app
    app.state.tracker.close()
    app.state.database.engine.dispose()


@pytest.fixture
def resident(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def telegram_conversation(resident, database_url, tracker_url, open_session) -> dict[str, object]:
    """A Telegram conversation holding a row of every kind, and Rasa's tracker of it with the resident's name."""
    now = utcnow()
    with open_session(database_url) as session:
        conversation_id = conversation_with_everything(
            session, at=now, note_by=officer(session), register_rows=register(session)
        )
        session.commit()
        chat_id = session.scalar(select(TelegramChat.chat_id).where(TelegramChat.conversation_id == conversation_id))
        reference = session.scalar(select(Handoff.reference).where(Handoff.conversation_id == conversation_id))
    write_trackers(
        tracker_url,
        {
            conversation_id: resident_turn(f"I'm {NAME}", now.timestamp(), slot=("full_name", NAME)),
            "someone-else": resident_turn("hello", now.timestamp()),
        },
    )
    return {"id": conversation_id, "chat_id": chat_id, "reference": reference}


def audit_rows(open_session, database_url: str) -> list[AuditEntry]:
    with open_session(database_url) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.slow
def test_a_supervisor_finds_a_telegram_chat_and_exports_everything_held(
    app, telegram_conversation, database_url, open_session
) -> None:
    sam = officer_client(app, "supervisor")
    conversation_id = telegram_conversation["id"]
    for query in (str(telegram_conversation["chat_id"]), telegram_conversation["reference"], conversation_id):
        found = sam.get("/console/privacy", params={"q": query})
        assert found.status_code == 200 and conversation_id in found.text
        assert 'data-testid="held-messages">1<' in found.text and 'data-testid="held-tracker-events">3<' in found.text
        assert 'data-testid="held-answer-ratings">1<' in found.text
        assert 'data-testid="held-knowledge-gaps">1<' in found.text
        assert NAME not in found.text  # the look-up shows counts, not the data
    assert sam.get("/console/privacy", params={"q": "HO-999999999"}).status_code == 404

    download = sam.get(f"/console/privacy/conversations/{conversation_id}/export")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="subject-access-{conversation_id}.json"'
    held_data = json.loads(download.text)
    assert held_data["conversation"]["telegram_chat_id"] == telegram_conversation["chat_id"]
    assert NAME in held_data["messages"][0]["text"]
    assert held_data["internal_notes"][0]["text"] == "Rang back"
    assert held_data["handoffs"][0]["reference"] == telegram_conversation["reference"]
    assert held_data["identity_checks"]["electoral_verification"]["elector_number"].startswith("AA1-")
    assert len(held_data["identity_checks"]["electoral_attempts"]) == 1
    assert [r["reference"][:3] for r in held_data["back_office_records"]["absent_vote_requests"]] == ["AV-"]
    assert {"event": "slot", "name": "full_name", "value": NAME}.items() <= next(
        e for e in held_data["rasa_tracker_events"] if e["event"] == "slot"
    ).items()
    assert all(e.get("text") != "hello" for e in held_data["rasa_tracker_events"])  # not another's

    entries = audit_rows(open_session, database_url)
    assert [(e.action, e.conversation_id) for e in entries] == [("export", conversation_id)]
    assert "1 messages" in entries[0].detail and NAME not in entries[0].detail


def test_erasure_deletes_the_conversation_from_the_hub_and_rasas_tracker(
    app, telegram_conversation, resident, database_url, tracker_url, open_session
) -> None:
    sam = officer_client(app, "supervisor")
    conversation_id = telegram_conversation["id"]
    erase = f"/console/privacy/conversations/{conversation_id}/erase"
    assert sam.post(erase, data={"confirm": "erase"}).status_code == 403  # no CSRF token
    unconfirmed = sam.post(erase, data={"csrf_token": page_csrf(sam)})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    with open_session(database_url) as session:
        assert held(session, conversation_id)["messages"] == 1

    done = sam.post(erase, data={"csrf_token": page_csrf(sam), "confirm": "erase"})
    assert done.status_code == 200 and "is erased" in done.text and "3 tracker events" in done.text
    with open_session(database_url) as session:
        assert set(held(session, conversation_id).values()) == {0}, held(session, conversation_id)
    tracker = TrackerStore(tracker_url)
    try:
        assert tracker.conversation_events(conversation_id) == []
        assert len(tracker.conversation_events("someone-else")) == 2  # nobody else's events
    finally:
        tracker.close()
    assert sam.get("/console/privacy", params={"q": str(telegram_conversation["chat_id"])}).status_code == 404
    assert [e.action for e in audit_rows(open_session, database_url)] == ["erase"]

    # The chat can carry on: its next message opens a new, empty conversation.
    sent = resident.post(
        "/api/v1/telegram/updates",
        headers={"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"},
        json={"update_id": 1, "chat_id": telegram_conversation["chat_id"], "text": "hello again"},
    )
    assert sent.status_code == 200
    with open_session(database_url) as session:
        chat = session.get(TelegramChat, telegram_conversation["chat_id"])
        assert chat is not None and chat.conversation_id != conversation_id


def test_a_web_resident_whose_conversation_is_erased_finds_nothing_left(app, resident) -> None:
    conversation_id, token, _ = resident_waiting(resident)
    sam = officer_client(app, "supervisor")
    assert (
        sam.post(
            f"/console/privacy/conversations/{conversation_id}/erase",
            data={"csrf_token": page_csrf(sam), "confirm": "erase"},
        ).status_code
        == 200
    )
    gone = resident.get(
        f"/api/chat/conversations/{conversation_id}/messages", headers={"Authorization": f"Bearer {token}"}
    )
    assert gone.status_code == 404


@pytest.mark.slow
def test_only_supervisors_reach_subject_access_and_the_audit_log(
    app, telegram_conversation, database_url, open_session
) -> None:
    conversation_id = telegram_conversation["id"]
    for who in ("focus", "electoral"):
        officer_ = officer_client(app, who)
        for path in (
            "/console/privacy",
            f"/console/privacy?q={conversation_id}",
            "/console/audit",
            f"/console/privacy/conversations/{conversation_id}/export",
        ):
            refused = officer_.get(path)
            assert refused.status_code == 403 and "for supervisors" in refused.text, (who, path)
        assert (
            officer_.post(
                f"/console/privacy/conversations/{conversation_id}/erase",
                data={"csrf_token": page_csrf(officer_), "confirm": "erase"},
            ).status_code
            == 403
        )
    with open_session(database_url) as session:
        assert held(session, conversation_id)["conversation"] == 1
    assert audit_rows(open_session, database_url) == []


def test_every_view_of_a_conversation_is_audited_without_the_data(app, resident, database_url, open_session) -> None:
    conversation_id, token, reference = resident_waiting(resident)
    resident.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": f"I'm {NAME}"},
        headers={"Authorization": f"Bearer {token}"},
    )
    priya, sam = officer_client(app, "focus"), officer_client(app, "supervisor")
    assert priya.get(f"/console/conversations/{conversation_id}").status_code == 200
    for _ in range(3):  # the page's live refresh is the same view: logged once per window
        assert priya.get(f"/console/api/conversations/{conversation_id}?after=0").status_code == 200
    entries = audit_rows(open_session, database_url)
    assert [(e.action, e.conversation_id, e.detail) for e in entries] == [
        ("view", conversation_id, f"handoff {reference}")
    ]
    # A read through the JSON alone is a view too.
    assert sam.get(f"/console/api/conversations/{conversation_id}?after=0").status_code == 200
    assert len(audit_rows(open_session, database_url)) == 2
    # Once the window has passed, the refresh logs the view again.
    with open_session(database_url) as session:
        for entry in session.scalars(select(AuditEntry)):
            entry.at = utcnow() - timedelta(minutes=16)
        session.commit()
    priya.get(f"/console/api/conversations/{conversation_id}?after=5")
    assert len(audit_rows(open_session, database_url)) == 3

    log = sam.get("/console/audit")
    assert log.status_code == 200 and "Priya Shah (priya@council.test)" in log.text and conversation_id in log.text
    assert NAME not in log.text
    only_priya = sam.get("/console/audit", params={"officer": "PRIYA@council.test"}).text
    assert "Sam Taylor (sam@council.test)" not in only_priya and "Priya Shah (priya@council.test)" in only_priya
    with open_session(database_url) as session:
        assert all(NAME not in e.detail for e in session.scalars(select(AuditEntry)))
