"""Proving identity: the happy path, identical failures, the lockouts, expiry, and logs without personal data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api.db import session_on
from api.electoral.models import RegistrationStatus, Verification, VerificationAttempt
from api.electoral.service import as_utc
from api.places.models import Property
from tests.support.backoffice_api import conversation_from, new_conversation_id
from tests.support.electoral import ElectoralApi, Person, add_elector, copy_of, demo_residents, electoral_api

FAILED = {"outcome": "not_verified", "expires_at": None, "message_key": "verification_failed"}
LOCKED = {"outcome": "locked", "expires_at": None, "message_key": "verification_locked"}


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path) -> Iterator[ElectoralApi]:
    with copy_of(seeded_database_url, tmp_path) as url, electoral_api(url) as api:
        yield api


@pytest.fixture
def rita(api: ElectoralApi) -> Person:
    """The first demo resident (Rita Richardson, 19 Rowan Close, TN41 6PA)."""
    return demo_residents(api.url)[0]


def neighbour_uprn(api: ElectoralApi, person: Person) -> int:
    """Return another property in the same postcode."""
    with session_on(api.url) as session:
        postcode = session.get_one(Property, person.uprn).postcode
        return next(
            uprn
            for uprn in session.scalars(select(Property.uprn).where(Property.postcode == postcode))
            if uprn != person.uprn
        )


def fail(api: ElectoralApi, person: Person, conversation_id: str | None = None) -> None:
    """Make one failed attempt naming ``person`` with a wrong date of birth."""
    wrong = (date.fromisoformat(person.date_of_birth) + timedelta(days=1)).isoformat()
    assert api.verify(person, conversation_id, date_of_birth=wrong).json() == FAILED


@pytest.mark.parametrize("index", range(4), ids=["registered", "registered-2", "pending", "postal-voter"])
def test_each_demo_resident_verifies_and_reads_only_their_own_record(api: ElectoralApi, index: int) -> None:
    person = demo_residents(api.url)[index]
    conversation = new_conversation_id()

    response = api.verify(person, conversation)

    assert response.status_code == 200
    assert response.json() == {
        "outcome": "verified",
        "expires_at": (api.now + timedelta(minutes=60)).isoformat().replace("+00:00", "Z"),
        "message_key": "verification_succeeded",
    }
    record = api.me(conversation)
    assert record.status_code == 200
    expected_status = "pending" if index == 2 else "registered"
    assert record.json()["registration_status"] == expected_status
    assert [vote["kind"] for vote in record.json()["absent_votes"]] == (["postal"] if index == 3 else [])
    assert set(response.json()) == {"outcome", "expires_at", "message_key"}
    assert not {"name", "first_name", "last_name", "date_of_birth", "elector_number", "elector_id", "id"} & set(
        record.json()
    )
    for text in (response.text, record.text):
        for secret in (*person.full_name.split(), person.date_of_birth):
            assert secret not in text


def test_failures_are_byte_identical_whoever_is_named(api: ElectoralApi, rita: Person) -> None:
    anonymous = add_elector(
        api.url, first_name="Nadia", last_name="Osei", born=date(1990, 3, 4), uprn=rita.uprn, anonymous=True
    )
    removed = add_elector(
        api.url,
        first_name="Colin",
        last_name="Barker",
        born=date(1961, 7, 9),
        uprn=rita.uprn,
        status=RegistrationStatus.REMOVED,
    )
    attempts = {
        "wrong date of birth": api.verify(rita, date_of_birth="1978-01-27"),
        "nobody of that name": api.verify(rita, full_name="Rhona Ritchie"),
        "right person, wrong address": api.verify(rita, uprn=neighbour_uprn(api, rita)),
        "an address that does not exist": api.verify(rita, uprn=999_999_999_999),
        "anonymous elector, all correct": api.verify(anonymous),
        "removed entry, all correct": api.verify(removed),
    }

    assert {response.status_code for response in attempts.values()} == {200}
    assert {response.content for response in attempts.values()} == {attempts["nobody of that name"].content}
    assert attempts["nobody of that name"].json() == FAILED
    # Every response carries its own random request id (for tracing, it says nothing about who was named);
    # every other header must be the same.
    assert (
        len(
            {
                tuple(sorted((name, value) for name, value in response.headers.items() if name != "x-request-id"))
                for response in attempts.values()
            }
        )
        == 1
    )
    assert all(len(response.headers["x-request-id"]) == 32 for response in attempts.values())


def test_every_attempt_is_recorded_with_the_candidate_but_not_what_was_typed(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    fail(api, rita, conversation)
    api.verify(rita, conversation, full_name="Nobody Atall")
    api.verify(rita, conversation)

    with session_on(api.url) as session:
        attempts = session.scalars(
            select(VerificationAttempt)
            .where(VerificationAttempt.conversation_id == conversation)
            .order_by(VerificationAttempt.id)
        ).all()
        assert [(a.elector_id, a.succeeded) for a in attempts] == [
            (rita.elector_id, False),
            (None, False),
            (rita.elector_id, True),
        ]
        assert all(a.uprn == rita.uprn and a.attempted_at is not None for a in attempts)
        assert {column.name for column in VerificationAttempt.__table__.columns} == {
            "id",
            "conversation_id",
            "elector_id",
            "uprn",
            "attempted_at",
            "succeeded",
            "client_source",
            "refused",
        }


def test_five_failures_lock_the_conversation_for_fifteen_minutes(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    for _ in range(5):  # names nobody, so only the conversation's count grows
        assert api.verify(rita, conversation, full_name="Made Up").json() == FAILED

    assert api.verify(rita, conversation).json() == LOCKED
    assert api.verify(rita, conversation, full_name="Made Up").json() == LOCKED
    assert api.verify(rita).json()["outcome"] == "verified"  # another conversation is not locked

    api.advance(minutes=14, seconds=59)
    assert api.verify(rita, conversation).json() == LOCKED
    api.advance(seconds=2)
    assert api.verify(rita, conversation).json()["outcome"] == "verified"


def test_guessing_while_locked_keeps_the_lock(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    for _ in range(5):
        api.verify(rita, conversation, full_name="Made Up")
    api.advance(minutes=10)
    for _ in range(5):
        assert api.verify(rita, conversation, full_name="Made Up").json() == LOCKED

    api.advance(minutes=5, seconds=1)  # the first five have aged out; the refused five have not
    assert api.verify(rita, conversation).json() == LOCKED
    api.advance(minutes=15)
    assert api.verify(rita, conversation).json()["outcome"] == "verified"


def test_a_person_guessed_at_from_five_conversations_is_held_back_two_minutes_and_learns_nothing(
    api: ElectoralApi, rita: Person
) -> None:
    for _ in range(5):
        fail(api, rita)
    someone_else = demo_residents(api.url)[1]

    held_but_right = api.verify(rita)
    held_and_wrong = api.verify(rita, date_of_birth="1978-01-27")
    nobody = api.verify(rita, full_name="Rhona Ritchie")

    assert held_but_right.content == held_and_wrong.content == nobody.content  # no oracle, no lock to read
    assert held_but_right.json() == FAILED
    assert api.verify(someone_else).json()["outcome"] == "verified"

    api.advance(minutes=1)
    assert api.verify(rita).json() == FAILED  # refused checks do not stretch the back-off...
    api.advance(minutes=1, seconds=1)
    assert api.verify(rita).json()["outcome"] == "verified"  # ...which ends two minutes after the last guess


def test_guessing_on_after_each_back_off_doubles_it(api: ElectoralApi, rita: Person) -> None:
    """A probe waited out the two minutes each time, from new addresses, and guessed on: the wait now doubles."""
    for _ in range(5):
        fail(api, rita)
    for _ in range(5):  # one guess each time the two minutes are up: failures six to ten
        api.advance(minutes=2, seconds=1)
        fail(api, rita)
    api.advance(minutes=2, seconds=1)
    assert api.verify(rita).json() == FAILED  # ten failures: four minutes now
    api.advance(minutes=2)
    assert api.verify(rita).json()["outcome"] == "verified"


def test_the_back_off_grows_to_hours_but_no_longer(api: ElectoralApi, rita: Person) -> None:
    from api.verification_common import MAX_SUBJECT_BACKOFF, subject_backoff

    assert [subject_backoff(n).total_seconds() / 60 for n in (5, 9, 10, 15, 20, 25)] == [2, 2, 4, 8, 16, 32]
    assert subject_backoff(5 * 40) == MAX_SUBJECT_BACKOFF == timedelta(hours=4)
    for _ in range(5):
        fail(api, rita)
    for failures in range(5, 30):  # a guess as soon as each back-off allows: about five hours for 25 more
        api.advance(seconds=subject_backoff(failures).total_seconds() + 1)
        fail(api, rita)
    api.advance(minutes=63)
    assert api.verify(rita).json() == FAILED  # thirty failures: held back an hour and four minutes
    api.advance(minutes=2)
    assert api.verify(rita).json()["outcome"] == "verified"


def test_twenty_failed_checks_an_hour_at_one_address_do_not_lock_its_electors_out(
    api: ElectoralApi, rita: Person
) -> None:
    """Issue 11: a script failing 20 checks an hour at one address locked every elector there for > 90 min."""
    housemate = add_elector(api.url, first_name="Dev", last_name="Richardson", born=date(1999, 5, 6), uprn=rita.uprn)

    def guess(number: int) -> None:  # a made-up person at Rita's address, in a new conversation
        api.verify(rita, conversation_from(api.url, "203.0.113.66"), full_name=f"Guess Number{'x' * number}")

    for number in range(20):
        guess(number)
    for number in range(30):  # and on, one every three minutes, for ninety minutes
        api.advance(minutes=3)
        guess(number)
    api.advance(seconds=1)

    assert api.verify(rita, conversation_from(api.url, "198.51.100.7")).json()["outcome"] == "verified"
    assert api.verify(housemate, conversation_from(api.url, "192.0.2.44")).json()["outcome"] == "verified"
    assert api.verify(rita, conversation_from(api.url, "203.0.113.66")).json() == LOCKED  # the script's address is


def test_ten_failures_from_one_address_lock_that_address_across_its_conversations(
    api: ElectoralApi, rita: Person
) -> None:
    conversations = [conversation_from(api.url, "203.0.113.66") for _ in range(3)]
    for conversation, tries in zip(conversations, (4, 4, 2), strict=True):
        for _ in range(tries):
            assert api.verify(rita, conversation, full_name="Made Up").json() == FAILED

    assert api.verify(rita, conversation_from(api.url, "203.0.113.66")).json() == LOCKED
    assert api.verify(rita, conversation_from(api.url, "198.51.100.7")).json()["outcome"] == "verified"
    api.advance(minutes=59)
    assert api.verify(rita, conversation_from(api.url, "203.0.113.66")).json() == LOCKED  # guessing on keeps it
    api.advance(hours=1, seconds=1)
    assert api.verify(rita, conversation_from(api.url, "203.0.113.66")).json()["outcome"] == "verified"


def test_a_resident_retrying_in_a_locked_chat_does_not_lock_their_household(api: ElectoralApi, rita: Person) -> None:
    locked_chat = conversation_from(api.url, "203.0.113.66")
    for _ in range(5):
        fail(api, rita, locked_chat)
    for _ in range(6):  # the bot said "locked"; they try again and again in the same chat
        assert api.verify(rita, locked_chat).json() == LOCKED

    api.advance(minutes=2, seconds=1)  # their own five failures held their record back briefly
    assert api.verify(rita, conversation_from(api.url, "203.0.113.66")).json()["outcome"] == "verified"


def test_refusals_are_kept_with_their_reason_for_the_dashboard(api: ElectoralApi, rita: Person) -> None:
    conversation = conversation_from(api.url, "203.0.113.66")
    for _ in range(6):
        api.verify(rita, conversation, full_name="Made Up")
    for _ in range(5):
        fail(api, rita)
    fail(api, rita)

    with session_on(api.url) as session:
        refused = session.scalars(select(VerificationAttempt.refused).order_by(VerificationAttempt.id)).all()
    assert refused == [None] * 5 + ["conversation"] + [None] * 5 + ["subject"]


def test_verification_lasts_sixty_minutes(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    assert api.verify(rita, conversation).json()["outcome"] == "verified"

    api.advance(minutes=59, seconds=59)
    assert api.me(conversation).status_code == 200
    api.advance(seconds=1)
    response = api.me(conversation)
    assert response.status_code == 403
    assert response.json() == {"detail": "not verified"}


def test_delete_ends_the_verification(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    api.verify(rita, conversation)
    assert api.me(conversation).status_code == 200

    assert api.delete(f"/electoral/verifications/{conversation}").status_code == 204
    assert api.me(conversation).status_code == 403
    assert api.delete(f"/electoral/verifications/{conversation}").status_code == 204  # nothing left to end


def test_me_without_verification_is_forbidden(api: ElectoralApi, rita: Person) -> None:
    conversation = new_conversation_id()
    fail(api, rita, conversation)
    for conversation_id in (conversation, new_conversation_id()):
        response = api.me(conversation_id)
        assert (response.status_code, response.json()) == (403, {"detail": "not verified"})


def test_verifying_again_replaces_the_earlier_verification(api: ElectoralApi, rita: Person) -> None:
    partner = add_elector(api.url, first_name="Paul", last_name="Richardson", born=date(1976, 5, 2), uprn=rita.uprn)
    conversation = new_conversation_id()
    api.verify(rita, conversation)
    api.advance(minutes=30)
    second = api.verify(partner, conversation)

    assert second.json()["outcome"] == "verified"
    with session_on(api.url) as session:
        rows = session.scalars(select(Verification).where(Verification.conversation_id == conversation)).all()
        assert [(row.elector_id, as_utc(row.expires_at)) for row in rows] == [
            (partner.elector_id, api.now + timedelta(minutes=60))
        ]


def test_logs_hold_no_names_dates_of_birth_or_addresses(
    api: ElectoralApi, rita: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    conversation = new_conversation_id()
    fail(api, rita, conversation)
    api.verify(rita, full_name="Rhona Ritchie")
    api.verify(rita, conversation)
    api.me(conversation)
    api.post(
        "/electoral/change-requests",
        {
            "conversation_id": conversation,
            "idempotency_key": "log-test-0001",
            "kind": "died",
            "details": {"person_name": "Harold Pinkerton"},
        },
    )

    assert "identity check recorded" in caplog.text
    with session_on(api.url) as session:
        home = session.get_one(Property, rita.uprn)
        secrets = [
            *rita.full_name.split(),
            "Rhona",
            "Ritchie",
            "Harold",
            "Pinkerton",
            rita.date_of_birth,
            "1978-01-27",
            "26/01/1978",
            home.address_line,
            home.postcode,
        ]
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert [secret for secret in secrets if secret.lower() in logged.lower()] == []


def _vary(draw: st.DrawFn, word: str) -> str:
    return "".join(char.upper() if draw(st.booleans()) else char.lower() for char in word)


@st.composite
def typed_versions(draw: st.DrawFn, first: str, last: str) -> str:
    """Draw a way a person might type ``first last``: any case, extra spaces, a title or middle name."""
    space = st.text(alphabet=" \t", min_size=1, max_size=3)
    parts = [_vary(draw, first)]
    if draw(st.booleans()):
        parts.append(_vary(draw, draw(st.sampled_from(["Anne", "J.", "Marie-Claire", "O'Neil"]))))
    parts.append(_vary(draw, last))
    if draw(st.booleans()):
        parts.insert(0, draw(st.sampled_from(["Mrs", "ms", "DR"])))
    return (
        draw(st.sampled_from(["", " ", "  "]))
        + "".join(part + draw(space) for part in parts[:-1])
        + parts[-1]
        + draw(st.sampled_from(["", " ", "  "]))
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_case_and_spacing_of_a_residents_name_still_verifies(
    api: ElectoralApi, rita: Person, data: st.DataObject
) -> None:
    # The fixture's state needs no reset between examples: each uses a new conversation and succeeds.
    first, last = rita.full_name.split()
    typed = data.draw(typed_versions(first, last))
    assert api.verify(rita, full_name=typed).json()["outcome"] == "verified", typed
