"""Requests for service: lodging once per key, expected dates from the service standards, public progress."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.db import session_on
from api.service_requests.models import ServiceRequest, ServiceRequestUpdate
from api.service_requests.standards import STANDARDS
from tests.support.backoffice_api import new_key
from tests.support.electoral import copy_of
from tests.support.payments import CouncilApi, Mailbox, Resident, council_api, demo_residents
from tests.support.service_requests import mail_body

FRIDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[CouncilApi]:
    with copy_of(seeded_database_url, tmp_path) as url, council_api(url, smtp_port=mailbox.port) as api:
        yield api


@pytest.fixture
def residents(api: CouncilApi) -> list[Resident]:
    return demo_residents(api.url)


def report(**changes: Any) -> dict[str, Any]:
    return {
        "conversation_id": "conv-1",
        "idempotency_key": new_key(),
        "category": "pothole",
        "uprn": None,
        "location_text": "Outside the school on Mill Lane",
        "description": "Deep pothole by the kerb.",
        "contact_email": None,
        **changes,
    }


def home_uprn(api: CouncilApi) -> int:
    with session_on(api.url) as session:
        uprn = session.scalar(select(ServiceRequest.uprn).where(ServiceRequest.uprn.is_not(None)).limit(1))
        assert uprn is not None
        return uprn


@pytest.mark.parametrize(
    ("category", "lodged", "expected"),
    [
        ("missed_bin", FRIDAY_BEFORE_CHRISTMAS, "2026-12-22"),  # Monday and Tuesday
        ("bin_request", FRIDAY_BEFORE_CHRISTMAS, "2027-01-06"),  # skips Christmas, Boxing Day (Mon 28) and New Year
        ("fallen_tree", datetime(2026, 12, 24, 15, 0, tzinfo=UTC), "2026-12-29"),
        # 23:30 UTC on Thursday 2 July is half past midnight on Friday in London: lodged on the Friday.
        ("missed_bin", datetime(2026, 7, 2, 23, 30, tzinfo=UTC), "2026-07-07"),
    ],
)
def test_the_expected_date_follows_the_service_standard_in_working_days(
    api: CouncilApi, category: str, lodged: datetime, expected: str
) -> None:
    api.now = lodged

    response = api.post("/service-requests", report(category=category, uprn=home_uprn(api), location_text=None))

    assert response.status_code == 201
    body = response.json()
    standard = STANDARDS[category]
    assert body == {
        "reference": body["reference"],
        "category": category,
        "category_label": standard.label,
        "status": "open",
        "expected_by": expected,
        "service_standard": standard.promise,
        "responsible_team": standard.team,
    }
    assert body["reference"].startswith("SR-") and len(body["reference"]) == 9


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("offensive swear words sprayed in red", "2026-12-21"),  # the next working day
        ("racist graffiti on the wall", "2026-12-21"),
        ("tags all over the bus shelter", "2026-12-29"),  # 5 working days: Christmas and Boxing Day are holidays
    ],
)
def test_offensive_graffiti_is_expected_within_one_working_day(
    api: CouncilApi, description: str, expected: str
) -> None:
    # The probe of session 11: "offensive swear words sprayed in red" was read the promise of 1 working day for
    # offensive graffiti, and given the 5-day date.
    api.now = FRIDAY_BEFORE_CHRISTMAS
    response = api.post("/service-requests", report(category="graffiti", description=description))
    assert response.status_code == 201
    assert response.json()["expected_by"] == expected


def test_missed_bin_standard_reads_as_published(api: CouncilApi) -> None:
    categories = api.get("/service-requests/categories").json()
    assert {
        "category": "missed_bin",
        "label": "Missed bin collection",
        "service_standard": "We collect missed bins within 2 working days.",
        "working_days": 2,
    } in categories
    assert [c["category"] for c in categories] == [
        "missed_bin",
        "pothole",
        "street_light",
        "dumped_rubbish",
        "graffiti",
        "fallen_tree",
        "noise",
        "dog_fouling",
        "bin_request",
        "dead_animal",
        "litter_bin",
        "other",
    ]


def test_lodging_is_idempotent_and_a_reused_key_is_a_conflict(api: CouncilApi) -> None:
    body = report()
    first = api.post("/service-requests", body)
    again = api.post("/service-requests", body)
    conflict = api.post("/service-requests", {**body, "description": "Something else."})

    assert (first.status_code, again.status_code, conflict.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    with session_on(api.url) as session:
        rows = session.scalars(select(ServiceRequest).where(ServiceRequest.idempotency_key == body["idempotency_key"]))
        assert len(rows.all()) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"location_text": None},  # neither an address nor a place
        {"category": "alien_landing"},
        {"description": ""},
        {"description": "x" * 1001},
        {"contact_email": "not an email"},
        {"uprn": 1},
        {"idempotency_key": "short"},
    ],
)
def test_incomplete_or_wrong_requests_are_refused(api: CouncilApi, changes: dict[str, Any]) -> None:
    assert api.post("/service-requests", report(**changes)).status_code == 422


def progress_for(api: CouncilApi, reference: str, conversation_id: str, email: str | None = None) -> Any:
    body = {"conversation_id": conversation_id, "reporter_email": email}
    return api.post(f"/service-requests/{reference}/progress-checks", body)


def test_progress_shows_the_reporter_only_public_notes_and_nothing_personal(api: CouncilApi) -> None:
    api.now = FRIDAY_BEFORE_CHRISTMAS
    lodged = api.post("/service-requests", report(contact_email="rita@example.com")).json()
    reference = lodged["reference"]
    assert progress_for(api, reference, "conv-1").json()["latest_update"] == {
        "status": "open",
        "note": "Request received and passed to the Highways team.",
        "at": "2026-12-18T11:00:00Z",
    }

    with session_on(api.url) as session:
        request = session.scalars(select(ServiceRequest).where(ServiceRequest.reference == reference)).one()
        request.status = "in_progress"
        session.add_all(
            [
                ServiceRequestUpdate(
                    request_id=request.id,
                    created_at=FRIDAY_BEFORE_CHRISTMAS + timedelta(hours=1),
                    status="in_progress",
                    note="An inspector has ordered a repair.",
                    public=True,
                ),
                ServiceRequestUpdate(
                    request_id=request.id,
                    created_at=FRIDAY_BEFORE_CHRISTMAS + timedelta(hours=2),
                    status="in_progress",
                    note="Contractor invoice query.",
                    public=False,
                ),
            ]
        )
        session.commit()

    progress = progress_for(api, reference, "conv-1")

    assert progress.status_code == 200
    assert progress.json() == {
        "reference": reference,
        "category": "pothole",
        "category_label": "Pothole",
        "status": "in_progress",
        "created_at": "2026-12-18T11:00:00Z",
        "expected_by": "2026-12-29",
        "overdue": False,
        "latest_update": {
            "status": "in_progress",
            "note": "An inspector has ordered a repair.",
            "at": "2026-12-18T12:00:00Z",
        },
        "responsible_team": "Highways",
        "reporter": True,
        "news_emailed": None,
    }
    for private in ("Contractor", "rita@example.com", "Deep pothole", "Mill Lane", "conv-1"):
        assert private not in progress.text


def test_someone_quoting_a_reference_sees_the_status_and_dates_but_no_note(api: CouncilApi, mailbox: Mailbox) -> None:
    """References are close together and easy to guess: a reference alone shows no officer's words."""
    api.now = FRIDAY_BEFORE_CHRISTMAS
    reference = api.post("/service-requests", report(contact_email="rita@example.com")).json()["reference"]

    for progress in (
        api.get(f"/service-requests/{reference}"),
        progress_for(api, reference, "conv-stranger"),
        progress_for(api, reference, "conv-stranger", "someone.else@example.com"),
    ):
        assert progress.status_code == 200
        seen = progress.json()
        assert (seen["status"], seen["expected_by"], seen["latest_update"], seen["reporter"]) == (
            "open",
            "2026-12-29",
            None,
            False,
        )
        assert "Highways team" not in progress.text

    assert mailbox.messages == []
    # The email on the report is no proof (it may be guessed): the news goes to that address, not to the chat.
    by_email = progress_for(api, reference, "conv-stranger", "Rita@Example.com").json()
    assert (by_email["reporter"], by_email["latest_update"], by_email["news_emailed"]) == (False, None, "sent")
    [(envelope, message)] = mailbox.messages
    assert envelope.rcpt_tos == ["rita@example.com"] and message["Subject"] == f"News on your request {reference}"
    assert "Latest update (18 December 2026): Request received and passed to the Highways team." in mail_body(mailbox)
    assert "We expect to deal with it by Tuesday 29 December 2026." in mail_body(mailbox)
    api.now = FRIDAY_BEFORE_CHRISTMAS + timedelta(days=14)  # past the date: said as late, as the chat says it
    progress_for(api, reference, "conv-stranger", "rita@example.com")
    assert "We expected to deal with it by Tuesday 29 December 2026, so it is late." in mail_body(mailbox)


def test_overdue_once_past_the_expected_date_until_closed(api: CouncilApi) -> None:
    api.now = FRIDAY_BEFORE_CHRISTMAS
    reference = api.post("/service-requests", report(category="missed_bin")).json()["reference"]

    api.now = datetime(2026, 12, 22, 16, 0, tzinfo=UTC)
    assert api.get(f"/service-requests/{reference}").json()["overdue"] is False  # due today: not late yet
    api.now = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    assert api.get(f"/service-requests/{reference}").json()["overdue"] is True

    with session_on(api.url) as session:
        session.scalars(select(ServiceRequest).where(ServiceRequest.reference == reference)).one().status = "closed"
        session.commit()
    assert api.get(f"/service-requests/{reference}").json()["overdue"] is False


def test_a_demo_residents_request_is_found_however_the_reference_is_typed(
    api: CouncilApi, residents: list[Resident]
) -> None:
    reference = residents[0].service_request
    digits = reference.removeprefix("SR-")
    answers = [
        api.get(f"/service-requests/{typed}") for typed in (reference, f"sr-{digits}", f"SR {digits}", f"sr{digits}")
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert all(answer.json() == answers[0].json() for answer in answers)
    assert answers[0].json()["category"] == "missed_bin"


@pytest.mark.parametrize("reference", ["SR-000001", "hello", "SR-12345"])
def test_unknown_references_are_not_found(api: CouncilApi, reference: str) -> None:
    response = api.get(f"/service-requests/{reference}")
    assert (response.status_code, response.json()) == (404, {"detail": "not found"})


def test_the_same_problem_reported_again_in_a_chat_returns_the_open_request(api: CouncilApi) -> None:
    uprn = home_uprn(api)
    first = api.post("/service-requests", report(category="missed_bin", uprn=uprn, location_text=None))
    again = api.post(
        "/service-requests",
        report(category="missed_bin", uprn=uprn, location_text=None, description="Still not collected."),
    )
    pothole = [api.post("/service-requests", report()), api.post("/service-requests", report())]
    stranger = api.post(
        "/service-requests", report(conversation_id="conv-2", category="missed_bin", uprn=uprn, location_text=None)
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert [r.status_code for r in pothole] == [201, 200]
    assert stranger.status_code == 201 and stranger.json()["reference"] != first.json()["reference"]


def test_a_card_number_in_what_the_bot_sends_is_hidden_before_it_is_stored(api: CouncilApi) -> None:
    response = api.post(
        "/service-requests",
        report(
            description="Bin missed. I paid the fee with 4111.1111.1111.1111 exp 12/27",
            location_text="Mill Lane, card 5500 0000 0000 0004 123",
        ),
    )

    assert response.status_code == 201
    with session_on(api.url) as session:
        stored = session.scalar(select(ServiceRequest).where(ServiceRequest.reference == response.json()["reference"]))
        assert stored is not None
        assert stored.description == (
            "Bin missed. I paid the fee with [card number removed, ending 1111] exp [expiry date removed]"
        )
        assert "0000 0000" not in (stored.location_text or "") and "123" not in (stored.location_text or "")
