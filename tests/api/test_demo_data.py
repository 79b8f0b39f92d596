"""Migrations and the demo data set, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from api.db import make_engine
from api.demo import DEMO_ELECTOR_NUMBERS, DEMO_OFFICER_PASSWORD, generate_demo_data, read_demo_residents
from api.demo.__main__ import main
from api.demo.dates import AS_OF, postal_vote_expiry
from api.demo.seed import count_rows, seed_demo_data
from api.electoral.models import (
    AbsentVote,
    AbsentVoteKind,
    Election,
    Elector,
    PollingDistrict,
    PollingStation,
    RegistrationStatus,
)
from api.migrations import alembic_config, downgrade_database, upgrade_database
from api.models import Base
from api.officers.models import ROLES, Officer
from api.payments.models import CouncilTaxAccount, Payment
from api.places.models import Property
from api.service_requests.models import ServiceRequest

OpenSession = Callable[[str], AbstractContextManager[Session]]

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")
REFERENCE_FORMATS = {
    Elector.elector_number: re.compile(r"^A[A-D][1-3]-\d{4}$"),
    CouncilTaxAccount.reference: re.compile(r"^CT\d{8}$"),
    Payment.reference: re.compile(r"^PAY-\d{8}$"),
    ServiceRequest.reference: re.compile(r"^SR-\d{6}$"),
}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def fingerprint(session: Session) -> str:
    """Digest the rows that identify people, accounts, payments and requests, in a stable order."""
    queries = [
        select(
            Elector.elector_number,
            Elector.first_name,
            Elector.last_name,
            Elector.date_of_birth,
            Elector.uprn,
            Elector.status,
        ).order_by(Elector.elector_number),
        select(CouncilTaxAccount.reference, CouncilTaxAccount.uprn, CouncilTaxAccount.annual_charge_pence).order_by(
            CouncilTaxAccount.reference
        ),
        select(Payment.reference, Payment.paid_on, Payment.amount_pence).order_by(Payment.reference),
        select(ServiceRequest.reference, ServiceRequest.category, ServiceRequest.uprn, ServiceRequest.status).order_by(
            ServiceRequest.reference
        ),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in session.execute(query):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_migrations_downgrade_to_base_and_upgrade_again(database_url: str, open_session: OpenSession) -> None:
    expected = set(Base.metadata.tables) | {"alembic_version"}
    assert table_names(database_url) == expected
    assert schema_differences(database_url) == []

    downgrade_database(database_url, "base")
    assert table_names(database_url) == {"alembic_version"}

    upgrade_database(database_url)
    assert table_names(database_url) == expected
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with open_session(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Property)) == 0
        engine_version = MigrationContext.configure(session.connection()).get_current_revision()
    assert engine_version == head


@pytest.mark.slow
def test_seed_command_twice_keeps_the_same_data(
    database_url: str, open_session: OpenSession, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--url", database_url]) == 0
    first_output = capsys.readouterr().out
    with open_session(database_url) as session:
        counts, residents, digest = count_rows(session), read_demo_residents(session), fingerprint(session)

    assert main(["seed", "--url", database_url]) == 0
    second_output = capsys.readouterr().out
    with open_session(database_url) as session:
        assert seed_demo_data(session, progress=False) is None
        assert count_rows(session) == counts
        assert read_demo_residents(session) == residents
        assert fingerprint(session) == digest

    assert "Demo data seeded" in first_output and "Demo data already seeded" in second_output
    assert f"{counts['electors']} electors" in first_output
    for resident in residents:  # the summary is for logs: no personal data in it
        for value in (resident["last_name"], resident["postcode"], resident["elector_number"]):
            assert value not in first_output + second_output


@pytest.mark.slow
def test_fresh_database_seeded_gives_identical_data(
    database_url: str, seeded_session: Session, open_session: OpenSession
) -> None:
    # Runs for each pair of kinds (fresh, shared): seeding is repeatable, and the same on SQLite and PostgreSQL.
    with open_session(database_url) as session:
        seed_demo_data(session, progress=False)
        session.commit()
        assert read_demo_residents(session) == read_demo_residents(seeded_session)
        assert count_rows(session) == count_rows(seeded_session)
        assert fingerprint(session) == fingerprint(seeded_session)


def test_generator_still_picks_the_documented_demo_residents() -> None:
    assert generate_demo_data().demo_elector_numbers == DEMO_ELECTOR_NUMBERS


def test_demo_residents_records_belong_to_their_home(seeded_session: Session) -> None:
    residents = read_demo_residents(seeded_session)
    assert [r["elector_number"] for r in residents] == list(DEMO_ELECTOR_NUMBERS)
    assert sorted((r["registration_status"], r["postal_vote"]) for r in residents) == [
        ("pending", False),
        ("registered", False),
        ("registered", False),
        ("registered", True),
    ]
    for resident in residents:
        elector = seeded_session.scalars(
            select(Elector).where(Elector.elector_number == resident["elector_number"])
        ).one()
        assert not elector.anonymous
        account = seeded_session.scalars(
            select(CouncilTaxAccount).where(CouncilTaxAccount.reference == resident["council_tax_account"])
        ).one()
        assert (account.uprn, account.holder_first_name, account.holder_last_name, account.holder_date_of_birth) == (
            elector.uprn,
            elector.first_name,
            elector.last_name,
            elector.date_of_birth,
        )
        payment = seeded_session.scalars(
            select(Payment).where(Payment.reference == resident["payment"]["reference"])
        ).one()
        assert payment.account_id == account.id
        assert re.fullmatch(r"£\d{1,3}(,\d{3})*\.\d\d", resident["payment"]["amount"])
        request = seeded_session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == resident["service_request"]["reference"])
        ).one()
        assert request.uprn == elector.uprn
        assert request.category == resident["service_request"]["category"]
        assert (resident["address"], resident["postcode"]) == (elector.property.address_line, elector.property.postcode)
        neighbours = seeded_session.scalar(
            select(func.count()).select_from(Property).where(Property.postcode == resident["postcode"])
        )
        assert neighbours is not None and neighbours >= 5


def test_references_are_unique_and_well_formed(seeded_session: Session) -> None:
    for column, pattern in REFERENCE_FORMATS.items():
        values = seeded_session.scalars(select(column)).all()
        assert values, column
        assert len(set(values)) == len(values), column
        assert [value for value in values if not pattern.fullmatch(value)] == [], column
    postcodes = seeded_session.scalars(select(Property.postcode)).all()
    assert [code for code in postcodes if not POSTCODE.fullmatch(code)] == []
    sizes = Counter(postcodes).values()
    assert min(sizes) >= 5 and max(sizes) <= 25
    numbers = seeded_session.execute(
        select(Elector.elector_number, Property.polling_district_code).join(Property, Elector.uprn == Property.uprn)
    ).all()
    assert all(number.startswith(f"{district}-") for number, district in numbers)


@pytest.mark.parametrize(
    ("granted_on", "expires_on"),
    [
        (date(2024, 1, 30), date(2026, 1, 31)),
        (date(2024, 1, 31), date(2027, 1, 31)),
        (date(2024, 2, 1), date(2027, 1, 31)),
        (date(2025, 12, 31), date(2028, 1, 31)),
    ],
)
def test_postal_vote_ends_on_the_third_31_january_after_grant(granted_on: date, expires_on: date) -> None:
    assert postal_vote_expiry(granted_on) == expires_on


def test_postal_votes_in_the_register_follow_the_expiry_rule(seeded_session: Session) -> None:
    votes = seeded_session.scalars(select(AbsentVote).where(AbsentVote.kind == AbsentVoteKind.POSTAL)).all()
    assert votes
    for vote in votes:
        januaries = [
            date(year, 1, 31)
            for year in range(vote.granted_on.year, vote.granted_on.year + 4)
            if date(year, 1, 31) > vote.granted_on
        ]
        assert vote.expires_on == januaries[2]
        assert vote.status == ("active" if vote.expires_on >= AS_OF else "expired")


def test_volumes_and_shares_look_like_a_district(seeded_session: Session) -> None:
    counts = count_rows(seeded_session)
    assert counts["polling_districts"] == 12 and counts["polling_stations"] == 8 and counts["officers"] == 3
    assert 2_700 <= counts["properties"] <= 3_300 and 4_500 <= counts["electors"] <= 5_500
    assert counts["council_tax_accounts"] == 800 and counts["service_requests"] == 400
    wards = seeded_session.scalars(select(PollingDistrict.ward).distinct()).all()
    assert len(wards) == 4
    stations = seeded_session.scalars(select(PollingStation)).all()
    assert all(station.accessibility for station in stations)

    electors = seeded_session.scalars(select(Elector)).all()
    statuses = Counter(elector.status for elector in electors)
    assert statuses[RegistrationStatus.REGISTERED] > 0.9 * len(electors)
    assert statuses[RegistrationStatus.PENDING] > 0 and statuses[RegistrationStatus.REMOVED] > 0
    assert 0.30 < sum(e.open_register_opt_out for e in electors) / len(electors) < 0.40
    assert 0 < sum(e.anonymous for e in electors) < 0.005 * len(electors)
    kinds = Counter(seeded_session.scalars(select(AbsentVote.kind)).all())
    assert 0.15 < kinds[AbsentVoteKind.POSTAL] / len(electors) < 0.25
    assert 0.01 < kinds[AbsentVoteKind.PROXY] / len(electors) < 0.03

    polls = {(e.poll_date, e.area) for e in seeded_session.scalars(select(Election)).all()}
    assert (date(2027, 5, 6), "all") in polls
    assert any(day == date(2027, 2, 18) and area != "all" for day, area in polls)
    assert any(day.year == 2025 for day, _ in polls)
    assert all(day.weekday() == 3 for day, _ in polls)  # polling day is a Thursday


def test_demo_officers_have_one_role_each_and_the_demo_password(seeded_session: Session) -> None:
    officers = seeded_session.scalars(select(Officer).order_by(Officer.id)).all()
    assert sorted(officer.role for officer in officers) == sorted(ROLES)
    hasher = PasswordHasher()
    for officer in officers:
        assert officer.email.endswith("@ashdownvale.example")
        assert officer.password_hash.startswith("$argon2")
        assert hasher.verify(officer.password_hash, DEMO_OFFICER_PASSWORD)


def test_residents_command_prints_the_residents_as_json(
    seeded_database_url: str, seeded_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["residents", "--url", seeded_database_url]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == read_demo_residents(seeded_session)
    assert {
        "name",
        "date_of_birth",
        "address",
        "postcode",
        "registration_status",
        "polling_district",
        "council_tax_account",
        "payment",
        "service_request",
    } <= set(printed[0])
    assert main(["residents", "--brief", "--url", seeded_database_url]) == 0
    brief = capsys.readouterr().out.splitlines()
    assert [line.strip().split(",")[0] for line in brief[:4]] == [r["name"] for r in printed]
    assert "Officer accounts" in brief[4] and DEMO_OFFICER_PASSWORD in brief[4]


def test_residents_command_on_an_empty_database_says_to_seed_first(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["residents", "--url", database_url]) == 1
    assert "seed" in capsys.readouterr().err


def test_nobody_is_born_on_the_date_the_assistant_gives_as_an_example(seeded_session: Session) -> None:
    # The example was Rita Richardson's own date of birth: copied from the prompt with her account number and postcode
    # from her bill, it proved the account and showed her balance (a probe).
    from pathlib import Path

    import yaml

    domain = yaml.safe_load(Path("domain/electoral.yml").read_text(encoding="utf-8"))
    asked = domain["responses"]["utter_ask_date_of_birth"][0]["text"]
    day, month, year = re.search(r"(\d{2})/(\d{2})/(\d{4})", asked).groups()  # type: ignore[union-attr]
    example = date(int(year), int(month), int(day))
    assert not seeded_session.scalar(select(func.count()).where(Elector.date_of_birth == example))
    assert not seeded_session.scalar(select(func.count()).where(CouncilTaxAccount.holder_date_of_birth == example))
