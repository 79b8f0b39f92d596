"""Proving a council tax account is the caller's: both ways in, identical failures, lockouts, expiry, quiet logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import session_on
from api.payments.models import AccountVerification, AccountVerificationAttempt
from tests.support.backoffice_api import conversation_from, new_conversation_id
from tests.support.electoral import copy_of
from tests.support.payments import CouncilApi, Resident, council_api, demo_residents

FAILED = {"outcome": "not_verified", "expires_at": None}
LOCKED = {"outcome": "locked", "expires_at": None}


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path) -> Iterator[CouncilApi]:
    with copy_of(seeded_database_url, tmp_path) as url, council_api(url) as api:
        yield api


@pytest.fixture
def residents(api: CouncilApi) -> list[Resident]:
    return demo_residents(api.url)


def wrong_day(resident: Resident) -> str:
    return (date.fromisoformat(resident.date_of_birth) + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("index", range(4))
def test_each_demo_resident_verifies_both_ways(api: CouncilApi, residents: list[Resident], index: int) -> None:
    resident = residents[index]
    expires = (api.now + timedelta(minutes=60)).isoformat().replace("+00:00", "Z")
    by_reference, by_name = new_conversation_id(), new_conversation_id()

    assert api.verify_by_reference(resident, by_reference).json() == {"outcome": "verified", "expires_at": expires}
    assert api.verify_by_name(resident, by_name).json() == {"outcome": "verified", "expires_at": expires}

    for conversation in (by_reference, by_name):
        account = api.get("/payments/account", conversation_id=conversation)
        assert account.status_code == 200
        assert account.json()["account_reference"] == resident.account_reference


@pytest.mark.parametrize("typed", ["ct{}", "CT-{}", "CT {} ", "c t {}"])
def test_account_reference_is_accepted_as_people_type_it(
    api: CouncilApi, residents: list[Resident], typed: str
) -> None:
    rita = residents[0]
    digits = rita.account_reference.removeprefix("CT")
    spaced = f"{digits[:4]} {digits[4:]}"
    response = api.verify_by_reference(
        rita, account_reference=typed.format(spaced), postcode=rita.postcode.lower().replace(" ", "")
    )
    assert response.json()["outcome"] == "verified"


def test_name_route_forgives_case_accents_and_titles(api: CouncilApi, residents: list[Resident]) -> None:
    rita = residents[0]
    assert api.verify_by_name(rita, full_name="MRS rita  RICHARDSON").json()["outcome"] == "verified"


def test_wrong_and_unknown_details_get_byte_identical_answers(api: CouncilApi, residents: list[Resident]) -> None:
    rita, janice = residents[0], residents[1]
    answers = [
        api.verify_by_reference(rita, postcode=janice.postcode),  # real account, wrong postcode
        api.verify_by_reference(rita, account_reference="CT19999999"),  # no such account
        api.verify_by_name(rita, date_of_birth=wrong_day(rita)),  # real holder, wrong date of birth
        api.verify_by_name(rita, full_name="Nobody Atall"),  # no such holder
        api.verify_by_name(rita, postcode=janice.postcode),  # real holder, wrong postcode
    ]
    assert {(answer.status_code, answer.content) for answer in answers} == {(200, answers[0].content)}
    assert answers[0].json() == FAILED


def test_malformed_postcode_or_reference_is_refused_before_anything_is_looked_up(
    api: CouncilApi, residents: list[Resident]
) -> None:
    rita = residents[0]
    assert api.verify_by_reference(rita, postcode="not a postcode").status_code == 422
    assert api.verify_by_reference(rita, account_reference="1234").status_code == 422
    assert api.verify(postcode=rita.postcode).status_code == 422  # neither reference nor name and birthday
    with session_on(api.url) as session:
        assert session.scalar(select(AccountVerificationAttempt.id)) is None


def test_five_failures_lock_the_conversation(api: CouncilApi, residents: list[Resident]) -> None:
    rita, conversation = residents[0], new_conversation_id()
    for _ in range(5):
        assert api.verify_by_name(rita, conversation, date_of_birth=wrong_day(rita)).json() == FAILED

    assert api.verify_by_name(rita, conversation).json() == LOCKED  # even the right details
    api.advance(minutes=16)
    assert api.verify_by_name(rita, conversation).json()["outcome"] == "verified"


def test_an_account_guessed_at_from_five_conversations_is_held_back_two_minutes_and_learns_nothing(
    api: CouncilApi, residents: list[Resident]
) -> None:
    rita = residents[0]
    for _ in range(5):  # each from a new conversation
        assert api.verify_by_reference(rita, postcode=residents[1].postcode).json() == FAILED

    right = api.verify_by_reference(rita)
    assert right.json() == FAILED  # "locked" would confirm the postcode
    assert right.content == api.verify_by_reference(rita, postcode=residents[2].postcode).content
    assert api.verify_by_name(rita).json() == FAILED  # the same account, the other way in
    assert api.verify_by_reference(residents[1]).json()["outcome"] == "verified"  # other accounts unaffected
    api.advance(minutes=2, seconds=1)
    assert api.verify_by_reference(rita).json()["outcome"] == "verified"  # the holder is never locked out


def test_failures_lock_the_address_they_come_from_not_the_account(api: CouncilApi, residents: list[Resident]) -> None:
    rita = residents[0]
    for number in range(20):  # a script at one address, a new conversation each time, many accounts' postcodes
        api.verify_by_reference(
            residents[number % 2 + 1], conversation_from(api.url, "203.0.113.66"), postcode=rita.postcode
        )

    assert api.verify_by_reference(rita, conversation_from(api.url, "203.0.113.66")).json() == LOCKED
    assert api.verify_by_reference(rita, conversation_from(api.url, "198.51.100.7")).json()["outcome"] == "verified"
    api.advance(minutes=2, seconds=1)  # the accounts guessed at most are held back only briefly
    assert (
        api.verify_by_reference(residents[1], conversation_from(api.url, "192.0.2.44")).json()["outcome"] == "verified"
    )
    assert api.verify_by_reference(rita, conversation_from(api.url, "203.0.113.66")).json() == LOCKED


def test_attempts_keep_nothing_that_was_typed(api: CouncilApi, residents: list[Resident]) -> None:
    rita = residents[0]
    api.verify_by_name(rita, date_of_birth=wrong_day(rita))
    api.verify_by_reference(rita)
    with session_on(api.url) as session:
        attempts = session.scalars(select(AccountVerificationAttempt)).all()
        assert [attempt.succeeded for attempt in attempts] == [False, True]
        columns = set(AccountVerificationAttempt.__table__.columns.keys())
        assert columns == {
            "id",
            "conversation_id",
            "account_id",
            "attempted_at",
            "succeeded",
            "client_source",
            "refused",
        }


def test_verification_expires_after_an_hour_and_can_be_ended(api: CouncilApi, residents: list[Resident]) -> None:
    conversation = api.verified(residents[0])
    api.advance(minutes=59)
    assert api.get("/payments/account", conversation_id=conversation).status_code == 200
    api.advance(minutes=2)
    assert api.get("/payments/account", conversation_id=conversation).json() == {"detail": "not verified"}

    conversation = api.verified(residents[0])
    assert api.delete(f"/payments/verifications/{conversation}").status_code == 204
    assert api.delete(f"/payments/verifications/{conversation}").status_code == 204  # nothing left: still fine
    assert api.get("/payments/account", conversation_id=conversation).status_code == 403
    with session_on(api.url) as session:
        assert session.get(AccountVerification, conversation) is None


def test_electoral_verification_does_not_open_the_account(api: CouncilApi, residents: list[Resident]) -> None:
    assert api.get("/payments/account", conversation_id=new_conversation_id()).status_code == 403


def test_logs_hold_no_personal_data(
    api: CouncilApi, residents: list[Resident], caplog: pytest.LogCaptureFixture
) -> None:
    rita = residents[0]
    with caplog.at_level(logging.DEBUG):
        api.verify_by_name(rita, date_of_birth=wrong_day(rita))
        conversation = api.verified(rita)
        api.get("/payments/account", conversation_id=conversation)
        api.get(f"/payments/payments/{rita.payment_reference}", conversation_id=conversation)
    logged = caplog.text
    assert "account check recorded" in logged
    for secret in (*rita.full_name.split(), rita.date_of_birth, wrong_day(rita), rita.postcode, rita.account_reference):
        assert secret not in logged


ROUTES = [
    ("POST", "/api/v1/payments/verifications"),
    ("DELETE", "/api/v1/payments/verifications/abc"),
    ("GET", "/api/v1/payments/account?conversation_id=abc"),
    ("GET", "/api/v1/payments/payments/PAY-12345678?conversation_id=abc"),
    ("POST", "/api/v1/payments/document-requests"),
    ("POST", "/api/v1/service-requests"),
    ("GET", "/api/v1/service-requests/SR-123456"),
    ("GET", "/api/v1/service-requests/categories"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_route_needs_a_service_token(api: CouncilApi, method: str, path: str, token: str | None) -> None:
    client: TestClient = api.client
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.request(method, path, headers=headers, json={} if method == "POST" else None)
    assert response.status_code == 401
