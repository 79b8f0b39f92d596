"""Cancelling a request for service: only its reporter, only while not closed, idempotent, and recorded.

The rules are in docs/domain.md ("Cancelling a service request"); each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.console.service import related_records
from api.db import session_on
from api.demo import read_demo_residents
from api.service_requests.models import ServiceRequest, ServiceRequestUpdate
from tests.support.electoral import copy_of
from tests.support.payments import CouncilApi, Mailbox, council_api
from tests.support.service_requests import (
    LODGED,
    REPORTER,
    ask_for_code,
    cancel,
    emailed_code,
    lodge,
    mail_body,
    mailing_api,
)


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[CouncilApi]:
    with mailing_api(seeded_database_url, tmp_path, mailbox) as api:
        yield api


def stored(api: CouncilApi, reference: str) -> tuple[ServiceRequest, list[ServiceRequestUpdate]]:
    with session_on(api.url) as session:
        row = session.scalars(select(ServiceRequest).where(ServiceRequest.reference == reference)).one()
        updates = list(
            session.scalars(
                select(ServiceRequestUpdate)
                .where(ServiceRequestUpdate.request_id == row.id)
                .order_by(ServiceRequestUpdate.id)
            )
        )
        session.expunge_all()
        return row, updates


def test_the_reporter_cancels_from_the_chat_they_reported_it_in(api: CouncilApi) -> None:
    reference = lodge(api)
    api.advance(hours=3)

    response = cancel(api, reference, reason="The pothole was filled in this morning.")

    assert response.status_code == 200
    assert response.json() == {
        "reference": reference,
        "category": "pothole",
        "category_label": "Pothole",
        "status": "cancelled",
        "outcome": "cancelled",
        "responsible_team": "Highways",
        "cancelled_at": "2026-12-14T12:30:00Z",
    }
    row, updates = stored(api, reference)
    assert (row.status, row.cancelled_by, row.cancelled_in_conversation) == ("cancelled", "reporting_chat", REPORTER)
    assert row.cancel_reason == "The pothole was filled in this morning."
    assert row.cancelled_at is not None and row.cancelled_at.replace(tzinfo=UTC) == LODGED + timedelta(hours=3)
    # The officers' notes: a public one anyone quoting the reference sees, and one with the reason for officers.
    assert [(u.status, u.public) for u in updates[1:]] == [("cancelled", True), ("cancelled", False)]
    assert "The pothole was filled in this morning." in updates[2].note


def test_the_reporter_cancels_from_another_chat_with_a_code_emailed_to_the_address_they_gave(
    api: CouncilApi, mailbox: Mailbox
) -> None:
    reference = lodge(api)

    assert ask_for_code(api, reference, "conv-later", "rita.patel@EXAMPLE.com") == "sent"
    [(envelope, message)] = mailbox.messages
    assert envelope.rcpt_tos == ["Rita.Patel@example.com"]
    assert message["Subject"] == f"Your code for request {reference}"
    assert "If it wasn't you, you need do nothing" in mail_body(mailbox)
    response = cancel(api, reference, conversation_id="conv-later", reporter_code=emailed_code(mailbox))

    assert (response.status_code, response.json()["outcome"]) == (200, "cancelled")
    row, updates = stored(api, reference)
    assert (row.cancelled_by, row.cancelled_in_conversation) == ("reporter_code", "conv-later")
    assert "with a code emailed to the address they gave" in updates[-1].note


def test_the_email_alone_no_longer_cancels_it(api: CouncilApi) -> None:
    """An attacker guessed a demo reporter's email (firstname.lastname@...) and cancelled the request with it."""
    reference = lodge(api)

    refused = cancel(api, reference, conversation_id="conv-attacker", reporter_email="rita.patel@example.com")

    assert refused.status_code == 422  # the field is gone: only the chat or a code shows the reporter
    assert stored(api, reference)[0].status == "open"


def test_a_code_works_only_in_the_chat_it_was_sent_for_and_only_for_a_while(api: CouncilApi, mailbox: Mailbox) -> None:
    reference = lodge(api)
    ask_for_code(api, reference, "conv-later", "rita.patel@example.com")
    code = emailed_code(mailbox)

    elsewhere = cancel(api, reference, conversation_id="conv-onlooker", reporter_code=code)
    api.advance(minutes=16)
    late = cancel(api, reference, conversation_id="conv-later", reporter_code=code)

    assert (elsewhere.status_code, late.status_code) == (404, 404)
    assert stored(api, reference)[0].status == "open"


def test_five_wrong_codes_void_the_code(api: CouncilApi, mailbox: Mailbox) -> None:
    reference = lodge(api)
    ask_for_code(api, reference, "conv-later", "rita.patel@example.com")
    code = emailed_code(mailbox)
    wrong = [f"{n:06d}" for n in range(6) if f"{n:06d}" != code][:5]

    answers = [cancel(api, reference, conversation_id="conv-later", reporter_code=guess).status_code for guess in wrong]
    right = cancel(api, reference, conversation_id="conv-later", reporter_code=code)

    assert answers == [404] * 5 and right.status_code == 404
    assert stored(api, reference)[0].status == "open"


def test_a_wrong_email_sends_nothing_and_a_chat_gets_two_codes_an_hour(api: CouncilApi, mailbox: Mailbox) -> None:
    reference = lodge(api)

    assert ask_for_code(api, reference, "conv-stranger", "someone.else@example.com") == "not_matched"
    assert mailbox.messages == []
    sent = [ask_for_code(api, reference, "conv-later", "rita.patel@example.com") for _ in range(3)]
    api.advance(minutes=61)

    assert sent == ["sent", "sent", "too_many"] and len(mailbox.messages) == 2
    assert ask_for_code(api, reference, "conv-later", "rita.patel@example.com") == "sent"


def test_chats_using_up_codes_do_not_stop_the_reporter_until_the_address_has_had_six(
    api: CouncilApi, mailbox: Mailbox
) -> None:
    """A probe: three chats asking for codes with a guessable email left the reporter, in a chat of their own,
    with "I can't send you a code by email just now", and the codes in their inbox worked only in those chats."""
    reference = lodge(api)
    other = lodge(api, location_text="By the church on Mill Lane")  # the same address, another report

    attackers = [ask_for_code(api, reference, f"conv-attacker-{n}", "rita.patel@example.com") for n in range(3)]
    reporter = ask_for_code(api, reference, "conv-reporter-later", "rita.patel@example.com")
    more = [ask_for_code(api, other, f"conv-flood-{n}", "rita.patel@example.com") for n in range(3)]

    assert attackers == ["sent"] * 3 and reporter == "sent"
    assert more == ["sent", "sent", "too_many"] and len(mailbox.messages) == 6  # the address's hour is spent


def test_a_code_is_refused_when_the_mail_server_is_down(seeded_database_url: str, tmp_path: Path) -> None:
    with copy_of(seeded_database_url, tmp_path) as url, council_api(url, smtp_port=1) as api:
        api.now = LODGED
        reference = lodge(api)
        assert ask_for_code(api, reference, "conv-later", "rita.patel@example.com") == "mail_failed"


def test_an_unknown_reference_gets_no_code(api: CouncilApi) -> None:
    response = api.post(
        "/service-requests/SR-999999/reporter-code",
        {"conversation_id": "conv-later", "reporter_email": "rita.patel@example.com"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "attempt",
    [
        {"conversation_id": "conv-stranger"},  # the reference alone proves nothing
        {"conversation_id": "conv-stranger", "reporter_code": "123456"},
    ],
)
def test_anyone_else_gets_the_same_answer_as_for_an_unknown_reference_and_nothing_changes(
    api: CouncilApi, attempt: dict[str, Any]
) -> None:
    reference = lodge(api)

    refused = cancel(api, reference, **attempt)
    unknown = cancel(api, "SR-999999", **attempt)

    assert (refused.status_code, refused.json()) == (404, {"detail": "not found"})
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "not found"})
    row, updates = stored(api, reference)
    assert (row.status, row.cancelled_at, row.cancel_reason, len(updates)) == ("open", None, None, 1)


def test_a_report_made_without_an_email_is_cancelled_only_from_its_own_chat(api: CouncilApi, mailbox: Mailbox) -> None:
    reference = lodge(api, contact_email=None)

    asked = ask_for_code(api, reference, "conv-later", "rita.patel@example.com")
    there = cancel(api, reference)

    assert (asked, mailbox.messages) == ("not_matched", [])
    assert (there.status_code, there.json()["outcome"]) == (200, "cancelled")


def test_cancelling_twice_tells_the_existing_state_and_records_it_once(api: CouncilApi) -> None:
    reference = lodge(api)
    first = cancel(api, reference)
    api.advance(days=1)

    again = cancel(api, reference, reason="Asking again in case.")

    assert again.status_code == 200
    assert again.json() == {**first.json(), "outcome": "already_cancelled"}
    row, updates = stored(api, reference)
    assert row.cancel_reason == "Filled in by a neighbour."
    assert len(updates) == 3


def test_a_closed_request_stays_closed(api: CouncilApi) -> None:
    reference = lodge(api)
    with session_on(api.url) as session:
        session.scalars(select(ServiceRequest).where(ServiceRequest.reference == reference)).one().status = "closed"
        session.commit()

    response = cancel(api, reference)

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["status"], response.json()["cancelled_at"]) == (
        "already_closed",
        "closed",
        None,
    )
    row, updates = stored(api, reference)
    assert (row.status, row.cancelled_at, len(updates)) == ("closed", None, 1)


def test_a_request_in_progress_can_still_be_cancelled(api: CouncilApi) -> None:
    reference = lodge(api)
    with session_on(api.url) as session:
        row = session.scalars(select(ServiceRequest).where(ServiceRequest.reference == reference)).one()
        row.status = "in_progress"
        session.commit()

    assert cancel(api, reference).json()["outcome"] == "cancelled"


def test_progress_shows_it_cancelled_not_overdue_and_not_the_reason(api: CouncilApi) -> None:
    reference = lodge(api)
    cancel(api, reference, reason="My neighbour Rita fixed it.")
    api.advance(days=30)

    body = {"conversation_id": REPORTER}
    progress = api.post(f"/service-requests/{reference}/progress-checks", body).json()

    assert (progress["status"], progress["overdue"]) == ("cancelled", False)
    assert progress["latest_update"]["note"] == "Cancelled at the request of the person who reported it."
    assert "Rita" not in str(progress)


def test_an_officer_sees_it_cancelled_in_the_chat_it_was_reported_in_and_the_one_it_was_cancelled_in(
    api: CouncilApi, mailbox: Mailbox
) -> None:
    reference = lodge(api)
    ask_for_code(api, reference, "conv-later", "rita.patel@example.com")
    cancel(api, reference, conversation_id="conv-later", reporter_code=emailed_code(mailbox))

    with session_on(api.url) as session:
        seen = {
            conversation: [(r.reference, r.status) for r in related_records(session, conversation, kinds=frozenset())]
            for conversation in (REPORTER, "conv-later", "conv-stranger")
        }

    assert seen == {REPORTER: [(reference, "cancelled")], "conv-later": [(reference, "cancelled")], "conv-stranger": []}


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": ""},
        {"reason": "x" * 301},
        {"reporter_code": "12345"},
        {"reporter_code": "one two three"},
        {"conversation_id": ""},
        {"who": "me"},
    ],
)
def test_a_malformed_cancellation_is_refused_before_any_rule_runs(api: CouncilApi, changes: dict[str, Any]) -> None:
    reference = lodge(api)
    assert cancel(api, reference, **changes).status_code == 422
    assert stored(api, reference)[0].status == "open"


def test_a_card_number_in_the_reason_is_hidden_before_it_is_stored(api: CouncilApi) -> None:
    reference = lodge(api)

    cancel(api, reference, reason="Paid a contractor with 4111 1111 1111 1111 instead")

    row, updates = stored(api, reference)
    assert row.cancel_reason == "Paid a contractor with [card number removed, ending 1111] instead"
    assert all("4111 1111" not in u.note for u in updates)


def test_a_demo_resident_cancels_their_open_request_with_the_email_make_demo_residents_shows(
    api: CouncilApi, mailbox: Mailbox
) -> None:
    """The README's way to try it: the demo request's contact_email gets a code that proves its reporter."""
    with session_on(api.url) as session:
        people = read_demo_residents(session)
    sr = next(p["service_request"] for p in people if p["service_request"]["status"] in ("open", "in_progress"))

    assert ask_for_code(api, sr["reference"], "conv-demo", sr["contact_email"]) == "sent"
    response = cancel(api, sr["reference"], conversation_id="conv-demo", reporter_code=emailed_code(mailbox))

    assert (response.status_code, response.json()["outcome"]) == (200, "cancelled")
