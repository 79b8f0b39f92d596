"""Asking for an officer: the back-office endpoint the bot calls, and officer hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.clock import clock_for
from api.conversations.models import Conversation, Handoff
from api.conversations.office_hours import OfficeHours
from api.conversations.router import office_hours as office_hours_dependency
from api.main import create_app
from api.settings import Settings
from tests.support.backoffice_api import granted
from tests.support.hub import FixedHours

HOURS = OfficeHours(start_hour=9, end_hour=17, timezone="Europe/London")


@pytest.fixture(params=[True, False], ids=["office-hours", "out-of-hours"])
def open_now(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def client(database_url: str, open_now: bool):
    app = create_app(Settings(database_url=database_url, environment="test"))
    app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=open_now)
    with TestClient(app) as client:
        yield client


def new_conversation(client: TestClient) -> str:
    return client.post("/api/chat/conversations").json()["conversation_id"]


def test_the_back_office_refuses_calls_without_a_service_token(client) -> None:
    conversation_id = new_conversation(client)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = client.post(f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=headers)
        assert response.status_code == 401


def test_a_handoff_is_recorded_once_and_queues_the_conversation(open_session, client, database_url, open_now) -> None:
    conversation_id = new_conversation(client)
    url = f"/api/v1/conversations/{conversation_id}/handoffs"

    first = client.post(url, json={"reason": "resident_asked"}, headers=granted(conversation_id))
    again = client.post(url, json={"reason": "resident_asked"}, headers=granted(conversation_id))

    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert first.json()["reference"].startswith("HO-")
    with open_session(database_url) as session:
        assert len(session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)).all()) == 1
        assert session.get_one(Conversation, conversation_id).mode == "queued"
    body = first.json()
    if open_now:
        assert body["status"] == "waiting" and body["queue_position"] == 1 and body["expected_wait_minutes"] > 0
    else:
        assert body["status"] == "callback" and body["queue_position"] is None
        assert body["reply_by"].startswith("by the end of ")


@pytest.mark.parametrize("open_now", [True], ids=["office-hours"])
def test_queue_positions_follow_the_order_of_asking(client) -> None:
    conversations = [new_conversation(client) for _ in range(3)]
    positions = [
        client.post(
            f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=granted(conversation_id)
        ).json()["queue_position"]
        for conversation_id in conversations
    ]
    assert positions == [1, 2, 3]


def test_a_handoff_for_an_unknown_conversation_is_not_found(client) -> None:
    assert client.post("/api/v1/conversations/nope/handoffs", json={}, headers=granted("nope")).status_code == 404


@pytest.mark.parametrize(
    "moment, is_open",
    [
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), True),  # a Wednesday morning
        (datetime(2026, 11, 25, 17, 30, tzinfo=UTC), False),  # after 5pm
        (datetime(2026, 11, 28, 11, 0, tzinfo=UTC), False),  # a Saturday
        (datetime(2026, 12, 25, 11, 0, tzinfo=UTC), False),  # Christmas Day
        (datetime(2026, 8, 31, 10, 0, tzinfo=UTC), False),  # summer bank holiday (England)
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), True),  # 9:30 British Summer Time
    ],
)
def test_officer_hours_follow_working_days_and_london_time(moment, is_open) -> None:
    assert HOURS.is_open(moment) is is_open


def test_out_of_hours_the_next_opening_skips_weekends_and_bank_holidays() -> None:
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)  # Christmas Eve, a Thursday
    opening = HOURS.next_opening(christmas_eve_evening)
    assert (opening.year, opening.month, opening.day, opening.hour) == (2026, 12, 29, 9)  # after Boxing Day (Mon 28)


@pytest.mark.parametrize(
    "start, status",
    [
        (datetime(2026, 11, 25, 10, 30, tzinfo=UTC), "waiting"),  # a Wednesday morning: the queue
        (datetime(2026, 11, 28, 10, 30, tzinfo=UTC), "callback"),  # a Saturday morning: a callback
    ],
    ids=["wednesday-morning", "saturday-morning"],
)
def test_an_api_on_a_clock_of_its_own_takes_office_hours_from_it(
    database_url: str, start: datetime, status: str
) -> None:
    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            clock_start=start,
            purge_interval_seconds=0,
            document_retry_seconds=0,
        )
    )
    with TestClient(app) as client:
        conversation_id = new_conversation(client)
        ticket = client.post(
            f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=granted(conversation_id)
        ).json()
    assert ticket["status"] == status


def test_a_started_clock_reads_its_start_and_runs_on() -> None:
    start = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    clock = clock_for(start)
    first, second = clock(), clock()
    assert start <= first <= second < start + timedelta(minutes=5)
    assert clock_for(start) is clock  # one clock per start: the whole process reads the same time
    assert clock_for(None)().year >= 2026
