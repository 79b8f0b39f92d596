"""Build the whole demo data set of Ashdown Vale District Council (fictional) from one fixed seed.

The same seed gives the same rows every time, on any day: names come from ``Faker("en_GB")`` seeded
with it, everything else from ``random.Random`` seeded with it, and dates from ``api.demo.dates``.
Four electors are made demo residents: each also holds the council tax account at their home, has paid
into it and has lodged a request there, so a tester can play them end to end.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from argon2 import PasswordHasher
from faker import Faker

from api.demo.bins import BinRounds, generate_bin_rounds
from api.demo.council_tax import CouncilTax, generate_council_tax
from api.demo.dates import AS_OF, random_date
from api.demo.people import Register, generate_elections, generate_register, postal_vote
from api.demo.places import WARDS, Places, Row, generate_places
from api.demo.requests import PlannedRequest, ServiceRequests, generate_service_requests
from api.electoral.models import RegistrationStatus

SEED = 20_261_120
COUNCIL_NAME = "Ashdown Vale District Council"
# For `make run` and local testing only: every demo officer signs in with it.
DEMO_OFFICER_PASSWORD = "council-demo-2026"  # noqa: S105 (published on purpose, demo only)
OFFICERS = (
    ("Alex Morgan", "electoral_services"),
    ("Priya Shah", "customer_focus"),
    ("Sam Taylor", "supervisor"),
)
OFFICER_EMAIL_DOMAIN = "ashdownvale.example"

# What each demo resident is, in order (one per ward): on the register, on it, applying, on it voting by post.
DEMO_ROLES = ("registered", "registered", "pending", "postal")
# What each demo resident has reported at home, when, and how far it has gone.
DEMO_REQUESTS = (
    ("missed_bin", date(2026, 11, 18), "open"),
    ("street_light", date(2026, 11, 9), "in_progress"),
    ("bin_request", date(2026, 10, 26), "in_progress"),
    ("dumped_rubbish", date(2026, 11, 2), "closed"),
)
# The elector numbers SEED makes demo residents; a test checks the generator still picks these.
DEMO_ELECTOR_NUMBERS = ("AA1-0352", "AB3-0139", "AC2-0193", "AD3-0010")


@dataclass
class DemoData:
    """Every row of the demo data set, ready to insert, and which electors are the demo residents."""

    places: Places
    register: Register
    elections: list[Row]
    council_tax: CouncilTax
    service_requests: ServiceRequests
    officers: list[Row]
    demo_elector_numbers: tuple[str, ...]
    bins: BinRounds

    def row_count(self) -> int:
        """Return how many rows inserting the data set writes."""
        return sum(
            len(rows)
            for rows in (
                self.places.stations,
                self.places.districts,
                self.places.properties,
                self.register.electors,
                self.register.absent_votes,
                self.elections,
                self.council_tax.accounts,
                self.council_tax.instalments,
                self.council_tax.payments,
                self.service_requests.requests,
                self.service_requests.updates,
                self.officers,
                self.bins.rounds,
                self.bins.property_collections,
            )
        )


def generate_demo_data(seed: int = SEED) -> DemoData:
    """Generate the demo data set for ``seed``; the same seed always gives the same rows."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    places = generate_places(rng)
    register = generate_register(rng, fake, places)
    residents = _designate_demo_residents(rng, register)
    council_tax = generate_council_tax(rng, fake, register, {row["uprn"]: row for row in residents})
    planned = [
        PlannedRequest(row["uprn"], _email(row), category, created_on, status)
        for row, (category, created_on, status) in zip(residents, DEMO_REQUESTS, strict=True)
    ]
    service_requests = generate_service_requests(rng, fake, places, planned)
    return DemoData(
        places,
        register,
        generate_elections(places),
        council_tax,
        service_requests,
        officer_rows(),
        tuple(row["elector_number"] for row in residents),
        generate_bin_rounds(places.properties),
    )


def officer_rows() -> list[Row]:
    """Return the demo officers, one per role, with argon2 hashes of ``DEMO_OFFICER_PASSWORD``."""
    hasher = PasswordHasher()
    rows = []
    for name, role in OFFICERS:
        email = f"{name.lower().replace(' ', '.')}@{OFFICER_EMAIL_DOMAIN}"
        rows.append(
            {
                "email": email,
                "display_name": name,
                "role": role,
                "password_hash": hasher.hash(DEMO_OFFICER_PASSWORD),
                "active": True,
            }
        )
    return rows


def _designate_demo_residents(rng: random.Random, register: Register) -> list[Row]:
    """Pick one adult elector per ward and shape their record to their role in ``DEMO_ROLES``."""
    residents = []
    for ward, role in zip(WARDS, DEMO_ROLES, strict=True):
        candidates = [
            row
            for row in register.electors
            if row["elector_number"].startswith(ward.letters)
            and row["status"] is RegistrationStatus.REGISTERED
            and not row["anonymous"]
            and 25 <= (AS_OF - row["date_of_birth"]).days // 365 <= 75
        ]
        resident = rng.choice(candidates)
        number = resident["elector_number"]
        register.absent_votes = [vote for vote in register.absent_votes if vote["elector_number"] != number]
        if role == "pending":
            resident.update(status=RegistrationStatus.PENDING, registered_on=None)
        elif role == "postal":
            register.absent_votes.append(postal_vote(number, random_date(rng, date(2024, 6, 1), date(2026, 6, 30))))
        residents.append(resident)
    return residents


def _email(row: Row) -> str:
    """Return the address a demo resident gives for updates (a reserved example domain)."""
    local = re.sub(r"[^a-z.]", "", f"{row['first_name']}.{row['last_name']}".lower())
    return f"{local}@example.com"
