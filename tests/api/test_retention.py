"""The retention schedule: the purge deletes quiet conversations everywhere (hub and Rasa's tracker store),
identity checks after their shorter period and audit entries after theirs, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from api.db import Database, utcnow
from api.electoral.models import Verification, VerificationAttempt
from api.main import create_app
from api.officers.models import SignInAttempt, SignInLimit
from api.payments.models import DocumentRequest
from api.privacy.models import AuditEntry
from api.privacy.retention import PURGE_LOCK, RetentionPolicy, purge, purge_once
from api.privacy.tracker import TrackerStore
from api.settings import Settings
from tests.support.privacy import conversation_with_everything, held, officer, register
from tests.support.rasa_tracker import resident_turn, write_trackers

SCHEDULE = RetentionPolicy(transcripts=timedelta(days=90), verification=timedelta(days=30), audit=timedelta(days=730))


@pytest.fixture
def tracker(tracker_url: str) -> Iterator[TrackerStore]:
    """The API's handle on the test's tracker store, closed afterwards."""
    store = TrackerStore(tracker_url)
    yield store
    store.close()


def tracker_events(url: str, sender_id: str) -> list[str]:
    """The types of the events Rasa's table holds for one conversation (read with plain SQL)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                row[0]
                for row in connection.execute(
                    text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender_id}
                )
            ]
    finally:
        engine.dispose()


def test_the_purge_deletes_quiet_conversations_everywhere_and_keeps_recent_ones(
    database_url, tracker_url, tracker, open_session
) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=91), now - timedelta(days=10)
    with open_session(database_url) as session:
        someone = officer(session)
        quiet = conversation_with_everything(session, at=old, note_by=someone, register_rows=register(session))
        active = conversation_with_everything(session, at=recent, note_by=someone)
        session.commit()
    write_trackers(
        tracker_url,
        {
            quiet: resident_turn("I'm Ann Example", old.timestamp(), slot=("full_name", "Ann Example")),
            active: resident_turn("my bin was missed", recent.timestamp()),
        },
    )
    assert tracker_events(tracker_url, quiet) == ["user", "slot", "action"]

    with open_session(database_url) as session:
        counts = purge(session, tracker, SCHEDULE, now=now)
        session.commit()

    with open_session(database_url) as session:
        assert set(held(session, quiet).values()) == {0}, held(session, quiet)
        kept = held(session, active)
        assert kept["conversation"] == kept["messages"] == kept["handoffs"] == kept["notes"] == 1
        assert kept["telegram chats"] == kept["telegram deliveries"] == kept["electoral attempts"] == 1
        assert kept["answer ratings"] == kept["knowledge gaps"] == 1
    assert tracker_events(tracker_url, quiet) == []
    assert tracker_events(tracker_url, active) == ["user", "action"]
    assert counts["conversations"] == 1 and counts["tracker events"] == 3 and counts["messages"] == 1


def test_identity_checks_go_after_their_shorter_period_while_the_conversation_stays(
    database_url, tracker, open_session
) -> None:
    now = utcnow()
    with open_session(database_url) as session:
        rows = register(session)
        conversation = conversation_with_everything(
            session, at=now - timedelta(days=40), note_by=officer(session), register_rows=rows
        )
        session.add(
            VerificationAttempt(
                conversation_id=conversation, uprn=1, attempted_at=now - timedelta(days=20), succeeded=True
            )
        )
        session.commit()
    with open_session(database_url) as session:
        purge(session, tracker, SCHEDULE, now=now)
        session.commit()
        counts = held(session, conversation)
        assert counts["conversation"] == counts["messages"] == 1
        assert counts["electoral attempts"] == 1  # the 20-day-old one
        assert counts["account attempts"] == counts["electoral verification"] == counts["account verification"] == 0
        assert session.scalar(select(VerificationAttempt.attempted_at)).date() == (now - timedelta(days=20)).date()


def test_audit_entries_and_sent_receipt_addresses_follow_the_schedule(database_url, tracker, open_session) -> None:
    now = utcnow()
    with open_session(database_url) as session:
        rows, who = register(session), officer(session, "supervisor")
        session.add_all(
            [
                AuditEntry(action="view", officer_id=who.id, conversation_id=name, at=now - timedelta(days=age))
                for name, age in (("gone", 731), ("kept", 700))
            ]
        )
        for key, status, age in (("sent-old", "sent", 100), ("queued-old", "queued", 100), ("sent-new", "sent", 5)):
            session.add(
                DocumentRequest(
                    reference=key,
                    idempotency_key=key,
                    conversation_id="c",
                    kind="receipt",
                    account_id=rows["account"].id,
                    email="ann@example.org",
                    status=status,
                    created_at=now - timedelta(days=age),
                )
            )
        session.commit()
    with open_session(database_url) as session:
        purge(session, tracker, SCHEDULE, now=now)
        session.commit()
        assert set(session.scalars(select(AuditEntry.conversation_id).where(AuditEntry.action == "view"))) == {"kept"}
        emails = {
            reference: email
            for reference, email in session.execute(select(DocumentRequest.reference, DocumentRequest.email))
        }
        assert emails == {"sent-old": "", "queued-old": "ann@example.org", "sent-new": "ann@example.org"}
        purge_entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
        assert purge_entry is not None and purge_entry.officer_id is None
        assert "1 audit entries" in purge_entry.detail and "ann" not in purge_entry.detail


@pytest.mark.slow
def test_the_purge_command_reads_the_schedule_from_the_environment(database_url, tracker_url, open_session) -> None:
    now = utcnow()
    with open_session(database_url) as session:
        who = officer(session)
        week_old = conversation_with_everything(session, at=now - timedelta(days=8), note_by=who)
        fresh = conversation_with_everything(session, at=now - timedelta(days=6), note_by=who)
        session.commit()
    write_trackers(
        tracker_url,
        {
            week_old: resident_turn("hello", (now - timedelta(days=8)).timestamp()),
            fresh: resident_turn("hello", (now - timedelta(days=6)).timestamp()),
        },
    )
    env = {"CA_ENVIRONMENT": "test", "PATH": "/usr/bin:/bin", "CA_RETENTION_TRANSCRIPT_DAYS": "7"}
    done = subprocess.run(
        [sys.executable, "-m", "api.privacy", "purge", "--url", database_url, "--tracker-url", tracker_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "transcripts 7 days" in done.stdout
    assert "1 conversations" in done.stdout and "2 tracker events" in done.stdout
    with open_session(database_url) as session:
        assert held(session, week_old)["conversation"] == 0 and held(session, fresh)["conversation"] == 1
    assert tracker_events(tracker_url, week_old) == [] and tracker_events(tracker_url, fresh) == ["user", "action"]


def test_the_purge_command_on_a_database_not_made_yet_says_so_kindly(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CA_ENVIRONMENT": "test"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.privacy",
            "purge",
            "--url",
            f"sqlite:///{tmp_path / 'new.db'}",
            "--tracker-url",
            f"sqlite:///{tmp_path / 'tracker.db'}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "Nothing to purge" in done.stdout and not (tmp_path / "tracker.db").exists()


def test_the_api_purges_on_its_own_schedule(database_url, tracker_url, open_session) -> None:
    with open_session(database_url) as session:
        quiet = conversation_with_everything(session, at=utcnow() - timedelta(days=200), note_by=officer(session))
        session.commit()
    app = create_app(
        Settings(
            database_url=database_url,
            tracker_store_url=tracker_url,
            environment="test",
            document_retry_seconds=0,
            purge_interval_seconds=0.2,
        )
    )
    with TestClient(app), open_session(database_url) as session:
        deadline = time.monotonic() + 60
        while held(session, quiet)["conversation"] and time.monotonic() < deadline:
            time.sleep(0.2)
            session.rollback()  # see other transactions' commits
        assert held(session, quiet)["conversation"] == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "purge"))


def test_a_tracker_store_rasa_has_not_made_yet_is_left_alone(tmp_path) -> None:
    missing = tmp_path / "rasa_tracker.db"
    tracker = TrackerStore(f"sqlite:///{missing}")
    assert tracker.delete_before(utcnow()) == 0 and tracker.conversation_events("x") == []
    assert not missing.exists()


def test_proven_identities_are_kept_no_longer_than_checks(database_url, tracker, open_session) -> None:
    now = utcnow()
    with open_session(database_url) as session:
        rows = register(session)
        session.add(
            Verification(
                conversation_id="c1",
                elector_id=rows["elector"].id,
                verified_at=now - timedelta(days=31),
                expires_at=now - timedelta(days=31),
            )
        )
        session.commit()
        purge(session, tracker, SCHEDULE, now=now)
        session.commit()
        assert session.scalar(select(func.count()).select_from(Verification)) == 0


def test_officers_sign_in_records_go_after_the_verification_period(database_url, tracker, open_session) -> None:
    now = utcnow()
    with open_session(database_url) as session:
        session.add_all(
            [
                SignInAttempt(email_hash="a" * 64, attempted_at=now - timedelta(days=31), succeeded=False),
                SignInAttempt(email_hash="b" * 64, attempted_at=now - timedelta(days=1), succeeded=False),
                SignInLimit(key="client:old", failures=3, window_started_at=now - timedelta(days=31)),
                SignInLimit(key="client:new", failures=3, window_started_at=now - timedelta(minutes=5)),
            ]
        )
        session.commit()
        counts = purge(session, tracker, SCHEDULE, now=now)
        session.commit()
        assert list(session.scalars(select(SignInAttempt.email_hash))) == ["b" * 64]
        assert list(session.scalars(select(SignInLimit.key))) == ["client:new"]
        assert counts["sign-in attempts"] == counts["sign-in limits"] == 1


@pytest.mark.postgres
def test_on_postgresql_one_worker_purges_and_the_others_skip_the_round(
    database_factory, tmp_path, open_session
) -> None:
    url = database_factory("postgresql")
    with open_session(url) as session:
        quiet = conversation_with_everything(session, at=utcnow() - timedelta(days=100), note_by=officer(session))
        session.commit()
    settings = Settings(environment="test", database_url=url, tracker_store_url=f"sqlite:///{tmp_path / 'none.db'}")
    database, tracker = Database(url), TrackerStore(settings.tracker_store_url)
    try:
        with database.engine.connect() as other_worker:
            other_worker.begin()
            other_worker.execute(select(func.pg_advisory_xact_lock(PURGE_LOCK)))  # another worker is purging
            assert purge_once(database, tracker, settings) is None
            with open_session(url) as session:
                assert held(session, quiet)["conversation"] == 1
            other_worker.rollback()
        done = purge_once(database, tracker, settings)
        assert done is not None and done["conversations"] == 1
    finally:
        database.engine.dispose()
