"""Council tax details open only to the holder: what is printed on the bill is not enough, and documents go only to
the email address the council holds for the account, never to one given in the chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.electoral import copy_of
from tests.support.payments import (
    CouncilApi,
    Mailbox,
    Resident,
    add_account,
    council_api,
    demo_residents,
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
def rita(db_url: str) -> Resident:
    return demo_residents(db_url)[0]


def bill_details(rita: Resident) -> dict[str, str]:
    """What anyone holding the bill (or a photo of it) knows."""
    return {"account_reference": rita.account_reference, "postcode": rita.postcode}


def test_the_details_on_the_bill_alone_reveal_nothing(api: CouncilApi, rita: Resident) -> None:
    conversation = "bill-in-hand-0001"
    response = api.verify(conversation, **bill_details(rita))
    assert response.status_code == 422 or response.json()["outcome"] != "verified"
    account = api.get("/payments/account", conversation_id=conversation)
    assert account.status_code == 403 and "balance" not in account.text and "recovery" not in account.text


def test_the_bill_with_a_wrong_date_of_birth_reveals_nothing(api: CouncilApi, rita: Resident) -> None:
    conversation = "bill-in-hand-0002"
    response = api.verify(conversation, **bill_details(rita), date_of_birth="1990-01-01")
    assert response.status_code == 200 and response.json()["outcome"] == "not_verified"
    assert api.get("/payments/account", conversation_id=conversation).status_code == 403


def test_the_holders_date_of_birth_opens_their_account(api: CouncilApi, rita: Resident) -> None:
    conversation = "holder-0003"
    response = api.verify(conversation, **bill_details(rita), date_of_birth=rita.date_of_birth)
    assert response.json()["outcome"] == "verified"
    account = api.get("/payments/account", conversation_id=conversation)
    assert account.status_code == 200 and account.json()["account_reference"] == rita.account_reference


def test_a_statement_cannot_be_sent_to_an_address_given_in_the_chat(
    api: CouncilApi, mailbox: Mailbox, rita: Resident
) -> None:
    conversation = api.verified(rita)
    response = api.post(
        "/payments/document-requests",
        {
            "conversation_id": conversation,
            "kind": "statement",
            "idempotency_key": "key-typed-address",
            "email": "someone.else@attacker.example",
        },
    )
    assert response.status_code == 422
    assert mailbox.messages == []


def test_a_statement_goes_to_the_address_on_the_account(api: CouncilApi, mailbox: Mailbox, rita: Resident) -> None:
    assert rita.email and rita.email.endswith("@example.com")
    response = api.post(
        "/payments/document-requests",
        {"conversation_id": api.verified(rita), "kind": "statement", "idempotency_key": "key-on-file-0001"},
    )
    assert response.status_code == 201
    local, _, domain = rita.email.partition("@")
    assert response.json()["sent_to"] == f"{local[0]}***@{domain[0]}***.com"
    [(envelope, _)] = mailbox.messages
    assert envelope.rcpt_tos == [rita.email]


def test_an_account_without_an_address_on_file_gets_nothing_emailed(
    api: CouncilApi, mailbox: Mailbox, db_url: str
) -> None:
    holder = add_account(db_url, reference="CT29999991", charge=150_000, instalments=[], payments=[])
    conversation = api.verified(holder)
    response = api.post(
        "/payments/document-requests",
        {"conversation_id": conversation, "kind": "statement", "idempotency_key": "key-no-address-01"},
    )
    assert response.status_code == 409 and response.json() == {"detail": "no_email_on_file"}
    assert mailbox.messages == []
