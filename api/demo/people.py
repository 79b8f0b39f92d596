"""The demo register: households of electors at the properties, their absent votes, and the elections."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from api.demo.dates import AS_OF, POSTAL_RULES_START, postal_vote_expiry, random_date
from api.demo.places import Places, Row
from api.electoral.models import AbsentVoteKind, RegistrationStatus

# How many electors a property holds, and how often (empty properties are second homes, lets, new builds).
HOUSEHOLD_SIZES = (0, 1, 2, 3, 4, 5)
HOUSEHOLD_WEIGHTS = (12, 34, 39, 10, 4, 1)
STATUS_WEIGHTS = {RegistrationStatus.REGISTERED: 94, RegistrationStatus.PENDING: 4, RegistrationStatus.REMOVED: 2}
OPEN_REGISTER_OPT_OUT = 0.35
ANONYMOUS = 0.002
POSTAL_SHARE = 0.20
PROXY_SHARE = 0.02


@dataclass
class Register:
    """Rows of electors (keyed by elector number) and of absent votes (which name their elector's number)."""

    electors: list[Row]
    absent_votes: list[Row]


def generate_register(rng: random.Random, fake: Faker, places: Places) -> Register:
    """Fill the properties with households; number electors within each polling district."""
    electors: list[Row] = []
    next_number: dict[str, int] = {}
    for prop in places.properties:
        code = prop["polling_district_code"]
        for person in _household(rng, fake):
            next_number[code] = next_number.get(code, 0) + 1
            electors.append({"elector_number": f"{code}-{next_number[code]:04d}", "uprn": prop["uprn"], **person})
    absent_votes = [vote for elector in electors if (vote := _absent_vote(rng, fake, elector)) is not None]
    return Register(electors, absent_votes)


def _household(rng: random.Random, fake: Faker) -> list[Row]:
    """Return the adults registered (or applying, or removed) at one property."""
    size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_WEIGHTS)[0]
    family_name = fake.last_name()
    first_age = rng.randint(19, 92)
    people: list[Row] = []
    for index in range(size):
        if index == 0:
            age = first_age
        elif index == 1:
            age = max(18, min(95, first_age + rng.randint(-6, 6)))
        else:  # grown-up children, lodgers or grandparents
            age = rng.randint(18, max(18, first_age - 18)) if first_age >= 40 else rng.randint(18, 40)
        last_name = family_name if rng.random() < 0.85 else fake.last_name()
        people.append(_person(rng, fake, age, last_name))
    return people


def _person(rng: random.Random, fake: Faker, age: int, last_name: str) -> Row:
    first_name = fake.first_name_female() if rng.random() < 0.51 else fake.first_name_male()
    # Exactly ``age`` years old on AS_OF.
    youngest = AS_OF.replace(year=AS_OF.year - age)
    born = random_date(rng, youngest.replace(year=youngest.year - 1) + timedelta(days=1), youngest)
    status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    # Sixteen-year-olds may register as attainers, so an entry can predate the 18th birthday.
    sixteenth = date(born.year + 16, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
    registered_on = None
    if status is not RegistrationStatus.PENDING:
        registered_on = random_date(rng, max(sixteenth, date(2003, 1, 1)), date(2026, 10, 30))
    return {
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": born,
        "status": status,
        "open_register_opt_out": rng.random() < OPEN_REGISTER_OPT_OUT,
        "anonymous": rng.random() < ANONYMOUS,
        "registered_on": registered_on,
    }


def _absent_vote(rng: random.Random, fake: Faker, elector: Row) -> Row | None:
    """Give a registered elector a postal vote (about one in five) or a proxy (one in fifty), or nothing."""
    if elector["status"] is not RegistrationStatus.REGISTERED:
        return None
    draw = rng.random()
    if draw < POSTAL_SHARE:
        return postal_vote(elector["elector_number"], random_date(rng, POSTAL_RULES_START, date(2026, 10, 30)))
    if draw < POSTAL_SHARE + PROXY_SHARE:
        # A proxy has no three-year end; its signature is refreshed every five years instead.
        return {
            "elector_number": elector["elector_number"],
            "kind": AbsentVoteKind.PROXY,
            "status": "active",
            "granted_on": random_date(rng, POSTAL_RULES_START, date(2026, 10, 30)),
            "expires_on": None,
            "proxy_name": fake.name(),
        }
    return None


def postal_vote(elector_number: str, granted_on: date) -> Row:
    """Return a long-term postal vote granted on ``granted_on``, expired if its end is before ``AS_OF``."""
    expires_on = postal_vote_expiry(granted_on)
    return {
        "elector_number": elector_number,
        "kind": AbsentVoteKind.POSTAL,
        "status": "active" if expires_on >= AS_OF else "expired",
        "granted_on": granted_on,
        "expires_on": expires_on,
        "proxy_name": None,
    }


def generate_elections(places: Places) -> list[Row]:
    """Return the elections timetable: a past by-election, one coming up, and the 2027 district elections."""
    wards = places.wards
    return [
        {
            "title": f"District council by-election: {wards['AD']} ward",
            "election_type": "local_by_election",
            "poll_date": date(2025, 7, 10),
            "area": wards["AD"],
        },
        {
            "title": f"District council by-election: {wards['AC']} ward",
            "election_type": "local_by_election",
            "poll_date": date(2027, 2, 18),
            "area": wards["AC"],
        },
        {
            "title": "Ashdown Vale District Council elections",
            "election_type": "local",
            "poll_date": date(2027, 5, 6),
            "area": "all",
        },
    ]
