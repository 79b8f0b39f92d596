"""Receipts and statements by email: sent through a real SMTP server, at most once, queued when it is down."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from api.db import session_on
from api.payments.documents import deliver_queued, mask_email
from api.payments.models import DocumentRequest
from api.settings import Settings
from tests.support.backoffice_api import new_key
from tests.support.electoral import copy_of
from tests.support.payments import (
    CouncilApi,
    Mailbox,
    Resident,
    _Collector,
    council_api,
    demo_residents,
    free_port,
    smtp_server,
)


@pytest.fixture
def db_url(seeded_database_url: str, tmp_path: Path) -> Iterator[str]:
    with copy_of(seeded_database_url, tmp_path) as url:
        yield url


@pytest.fixture
def api(db_url: str, mailbox: Mailbox) -> Iterator[CouncilApi]:
    with council_api(db_url, smtp_port=mailbox.port) as api:
        yield api


@pytest.fixture
def residents(db_url: str) -> list[Resident]:
    return demo_residents(db_url)


def receipt(conversation: str, resident: Resident, **changes: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation,
        "idempotency_key": new_key(),
        "kind": "receipt",
        "payment_reference": resident.payment_reference,
        **changes,
    }


def test_a_receipt_arrives_by_email(api: CouncilApi, mailbox: Mailbox, residents: list[Resident]) -> None:
    rita = residents[0]

    response = api.post("/payments/document-requests", receipt(api.verified(rita), rita))

    assert response.status_code == 201
    body = response.json()
    assert body == {"reference": body["reference"], "kind": "receipt", "sent_to": "r***@e***.com", "status": "sent"}
    assert body["reference"].startswith("DR-") and len(body["reference"]) == 9
    [(envelope, message)] = mailbox.messages
    assert envelope.rcpt_tos == [rita.email]
    assert (message["To"], message["From"]) == (rita.email, "no-reply@ashdownvale.example")
    text = message.get_payload(decode=True).decode()
    for expected in (rita.payment_reference, rita.payment_amount, rita.account_reference):
        assert expected in text
    assert message.get_content_type() == "text/plain"


def test_a_statement_lists_the_years_payments_and_balance(
    api: CouncilApi, mailbox: Mailbox, residents: list[Resident]
) -> None:
    rita = residents[0]
    body = {"conversation_id": api.verified(rita), "idempotency_key": new_key(), "kind": "statement"}

    response = api.post("/payments/document-requests", body)

    assert response.status_code == 201
    assert response.json()["sent_to"] == "r***@e***.com"
    [(envelope, message)] = mailbox.messages
    text = message.get_payload(decode=True).decode()
    assert envelope.rcpt_tos == [rita.email]
    for expected in (
        rita.account_reference,
        rita.payment_reference,
        "£2,098.91",
        "Balance: £696.00",
        "Next instalment: £174.00 due on 1 December 2026",
    ):
        assert expected in text
    assert text.count("PAY-") == 8


def test_a_retry_returns_the_same_request_and_sends_nothing_more(
    api: CouncilApi, mailbox: Mailbox, residents: list[Resident]
) -> None:
    rita = residents[0]
    body = receipt(api.verified(rita), rita)
    first = api.post("/payments/document-requests", body)

    again = api.post("/payments/document-requests", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(mailbox.messages) == 1
    conflict = api.post("/payments/document-requests", {**body, "kind": "statement", "payment_reference": None})
    assert conflict.status_code == 409
    with session_on(api.url) as session:
        assert len(session.scalars(select(DocumentRequest)).all()) == 1


def test_when_the_mail_server_is_down_the_request_is_queued_and_sent_later(
    db_url: str, residents: list[Resident], caplog: pytest.LogCaptureFixture
) -> None:
    rita = residents[0]
    down = free_port()
    with council_api(db_url, smtp_port=down) as api:
        body = receipt(api.verified(rita), rita)
        with caplog.at_level(logging.WARNING):
            queued = api.post("/payments/document-requests", body)
        assert (queued.status_code, queued.json()["status"]) == (201, "queued")
        assert "queued: mail server unavailable" in caplog.text

    with smtp_server() as mailbox, council_api(db_url, smtp_port=mailbox.port) as api:
        retried = api.post("/payments/document-requests", body)
        assert (retried.status_code, retried.json()["status"]) == (200, "sent")
        assert retried.json()["reference"] == queued.json()["reference"]
        assert api.post("/payments/document-requests", body).json()["status"] == "sent"
        assert len(mailbox.messages) == 1


def test_a_scheduled_run_sends_what_was_queued(db_url: str, residents: list[Resident]) -> None:
    rita = residents[0]
    with council_api(db_url, smtp_port=free_port()) as api:
        conversation = api.verified(rita)
        for _ in range(2):
            assert api.post("/payments/document-requests", receipt(conversation, rita)).json()["status"] == "queued"
        now, today = api.now, api.now.date()

    with smtp_server() as mailbox, session_on(db_url) as session:
        settings = Settings(environment="test", smtp_port=mailbox.port)
        assert deliver_queued(session, settings=settings, today=today, now=now) == 2
        session.commit()
        assert deliver_queued(session, settings=settings, today=today, now=now) == 0
        assert len(mailbox.messages) == 2
        assert {row.status for row in session.scalars(select(DocumentRequest))} == {"sent"}


def test_only_the_verified_holders_own_payments_and_no_address_from_the_chat(
    api: CouncilApi, mailbox: Mailbox, residents: list[Resident]
) -> None:
    rita, janice = residents[0], residents[1]
    conversation = api.verified(rita)

    others = api.post("/payments/document-requests", receipt(conversation, janice))
    unverified = api.post("/payments/document-requests", receipt("never-verified", rita))
    typed_email = api.post("/payments/document-requests", receipt(conversation, rita, email="rita@example.com"))
    statement_with_payment = api.post("/payments/document-requests", receipt(conversation, rita, kind="statement"))
    card = api.post("/payments/document-requests", receipt(conversation, rita, card_number="4111111111111111"))

    assert (others.status_code, others.json()) == (404, {"detail": "not found"})
    assert (unverified.status_code, unverified.json()) == (403, {"detail": "not verified"})
    assert {typed_email.status_code, statement_with_payment.status_code, card.status_code} == {422}
    assert mailbox.messages == []


def test_logs_hold_no_address_name_or_account(
    api: CouncilApi, residents: list[Resident], caplog: pytest.LogCaptureFixture
) -> None:
    rita = residents[0]
    with caplog.at_level(logging.DEBUG):
        reference = api.post("/payments/document-requests", receipt(api.verified(rita), rita)).json()["reference"]
    # Everything but the test's own SMTP server (aiosmtpd logs what it receives, as a mail server's log would).
    logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("mail.log"))
    assert f"document request {reference} sent" in logged
    for secret in (
        str(rita.email).partition("@")[0],
        "example.com",
        *rita.full_name.split(),
        rita.date_of_birth,
        rita.account_reference,
        rita.postcode,
    ):
        assert secret.lower() not in logged.lower()


@pytest.mark.parametrize(
    ("address", "masked"), [("rita.r@example.com", "r***@e***.com"), ("j@council.gov.uk", "j***@c***.gov.uk")]
)
def test_masked_addresses_show_only_first_letters(address: str, masked: str) -> None:
    assert mask_email(address) == masked


def test_the_api_sends_queued_documents_by_itself_once_the_mail_server_is_back(
    db_url: str, residents: list[Resident]
) -> None:
    rita = residents[0]
    port = free_port()
    with council_api(db_url, smtp_port=port, document_retry_seconds=0.2) as api:
        conversation = api.verified(rita)
        assert api.post("/payments/document-requests", receipt(conversation, rita)).json()["status"] == "queued"
        mailbox = Mailbox(port)
        controller = Controller(_Collector(mailbox), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            for _ in range(100):
                if mailbox.messages:
                    break
                time.sleep(0.1)
        finally:
            controller.stop()
    assert len(mailbox.messages) == 1
    with session_on(db_url) as session:
        assert {row.status for row in session.scalars(select(DocumentRequest))} == {"sent"}
