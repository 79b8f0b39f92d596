"""Demo requests for service since August 2026, with the public and internal notes officers added."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker

from api.demo.dates import AS_OF, office_time, random_date
from api.demo.places import Places, Row
from api.working_days import add_working_days

REQUEST_COUNT = 400
FIRST_DAY = date(2026, 8, 3)
FIRST_REFERENCE = 240_113


@dataclass(frozen=True)
class Category:
    """A kind of request: who deals with it, its service standard and what residents report."""

    team: str
    working_days: int
    weight: int
    at_property: bool
    reports: tuple[str, ...]
    progress: str
    done: str


CATEGORIES = {
    "missed_bin": Category(
        "Waste and Recycling",
        2,
        25,
        True,
        (
            "Grey general waste bin not emptied on collection day.",
            "Blue recycling bin missed; the rest of the street was collected.",
            "Green garden waste bin left full.",
        ),
        "The crew has been asked to return for the bin.",
        "The bin has been emptied.",
    ),
    "bin_request": Category(
        "Waste and Recycling",
        10,
        10,
        True,
        (
            "New recycling bin needed: the old one is cracked.",
            "Bin stolen after collection day; please deliver a replacement.",
            "Moved in and there is no general waste bin at the property.",
        ),
        "A delivery has been booked.",
        "The bin has been delivered.",
    ),
    "pothole": Category(
        "Highways",
        5,
        15,
        False,
        (
            "Deep pothole in the carriageway, about 30 cm across.",
            "Pothole by the kerb where cyclists ride.",
            "Several potholes after the rain.",
        ),
        "An inspector has assessed the defect and ordered a repair.",
        "The pothole has been filled.",
    ),
    "street_light": Category(
        "Street Lighting",
        7,
        12,
        False,
        ("Street light out all night.", "Street light flickering on and off.", "Street light on during the day."),
        "An engineer has been booked to visit.",
        "The light has been repaired.",
    ),
    "dumped_rubbish": Category(
        "Street Scene",
        3,
        15,
        False,
        (
            "Black bags dumped on the verge.",
            "Old mattress left on the pavement.",
            "Builders' rubble tipped in the lay-by.",
        ),
        "The site has been inspected for evidence.",
        "The rubbish has been cleared.",
    ),
    "graffiti": Category(
        "Street Scene",
        5,
        6,
        False,
        ("Graffiti on the bus shelter.", "Tags sprayed on the underpass wall."),
        "Removal has been scheduled.",
        "The graffiti has been removed.",
    ),
    "fallen_tree": Category(
        "Parks and Trees",
        1,
        4,
        False,
        ("Branch down across the footpath.", "Tree leaning over the road after the storm."),
        "The tree team has made the site safe.",
        "The tree has been cleared.",
    ),
    "noise": Category(
        "Environmental Health",
        10,
        8,
        True,
        ("Loud music from a neighbouring property late at night.", "Dog barking for hours every day."),
        "Diary sheets have been sent to the resident.",
        "The case has been closed after monitoring.",
    ),
    "other": Category(
        "Customer Focus",
        10,
        5,
        True,
        ("Overgrown hedge from the council verge blocking the pavement.", "Abandoned shopping trolley in the stream."),
        "Passed to the right team.",
        "Dealt with.",
    ),
}
INTERNAL_NOTES = (
    "Crew sheet checked.",
    "Contractor job raised.",
    "Duplicate of an earlier report checked: none.",
    "Resident called for an update.",
    "Photos attached by the inspector.",
)


@dataclass(frozen=True)
class PlannedRequest:
    """A request a demo resident lodged at their own property, on a given day, standing at a given status."""

    uprn: int
    contact_email: str
    category: str
    created_on: date
    status: str


@dataclass
class ServiceRequests:
    """Rows of requests (keyed by reference) and of their updates (which name their request)."""

    requests: list[Row]
    updates: list[Row]


def generate_service_requests(
    rng: random.Random, fake: Faker, places: Places, planned: list[PlannedRequest]
) -> ServiceRequests:
    """Lodge requests across the area, plus the planned ones; no other request is at a planned property."""
    address_of = {row["uprn"]: f"{row['address_line']}, {row['town']}" for row in places.properties}
    reserved = {plan.uprn for plan in planned}
    free_uprns = [row["uprn"] for row in places.properties if row["uprn"] not in reserved]
    names = list(CATEGORIES)
    drafts: list[tuple[datetime, Row]] = []
    for _ in range(REQUEST_COUNT - len(planned)):
        category = rng.choices(names, [CATEGORIES[name].weight for name in names])[0]
        created = office_time(rng, random_date(rng, FIRST_DAY, AS_OF))
        uprn: int | None = rng.choice(free_uprns)
        location = address_of[uprn]
        if not CATEGORIES[category].at_property and rng.random() < 0.7:
            location, uprn = f"{rng.choice(('Outside', 'Opposite', 'Near'))} {location}", None
        email = fake.safe_email() if rng.random() < 0.75 else None
        drafts.append((created, _request(rng, category, created, uprn, location, email, None)))
    for plan in planned:
        created = office_time(rng, plan.created_on)
        drafts.append(
            (
                created,
                _request(
                    rng, plan.category, created, plan.uprn, address_of[plan.uprn], plan.contact_email, plan.status
                ),
            )
        )
    drafts.sort(key=lambda draft: draft[0])
    result = ServiceRequests([], [])
    number = FIRST_REFERENCE
    for created, row in drafts:
        number += rng.randint(1, 30)  # other channels take numbers in between
        row["reference"] = f"SR-{number:06d}"
        result.requests.append(row)
        result.updates += _updates(rng, row, created)
    return result


def _request(
    rng: random.Random,
    category: str,
    created: datetime,
    uprn: int | None,
    location: str,
    email: str | None,
    status: str | None,
) -> Row:
    """Draft one request; its status follows from its age against the service standard unless given."""
    spec = CATEGORIES[category]
    expected_by = add_working_days(created.date(), spec.working_days)
    if status is None:
        if expected_by < AS_OF:
            status = rng.choices(("closed", "in_progress", "open"), (85, 11, 4))[0]
        elif created.date() < AS_OF:
            status = rng.choices(("open", "in_progress", "closed"), (45, 45, 10))[0]
        else:
            status = "open"
    return {
        "reference": "",
        "idempotency_key": None,
        "category": category,
        "uprn": uprn,
        "location_text": location,
        "description": rng.choice(spec.reports),
        "status": status,
        "responsible_team": spec.team,
        "contact_email": email,
        "created_at": created,
        "expected_by": expected_by,
    }


def _updates(rng: random.Random, request: Row, created: datetime) -> list[Row]:
    """Write the notes, in time order, that lead to the request's status."""
    spec = CATEGORIES[request["category"]]
    reference = request["reference"]
    rows = [
        {
            "request_reference": reference,
            "created_at": created,
            "status": "open",
            "public": True,
            "note": f"Request received and passed to the {spec.team} team.",
        }
    ]
    if request["status"] == "open":
        return rows
    started = max(created + timedelta(hours=1), office_time(rng, min(add_working_days(created.date(), 1), AS_OF)))
    rows.append(
        {
            "request_reference": reference,
            "created_at": started,
            "status": "in_progress",
            "public": True,
            "note": spec.progress,
        }
    )
    if rng.random() < 0.5:
        rows.append(
            {
                "request_reference": reference,
                "created_at": started + timedelta(minutes=rng.randint(5, 240)),
                "status": "in_progress",
                "public": False,
                "note": rng.choice(INTERNAL_NOTES),
            }
        )
    if request["status"] == "closed":
        closed_on = min(random_date(rng, started.date(), request["expected_by"] + timedelta(days=3)), AS_OF)
        closed = max(rows[-1]["created_at"] + timedelta(minutes=30), office_time(rng, closed_on))
        rows.append(
            {
                "request_reference": reference,
                "created_at": closed,
                "status": "closed",
                "public": True,
                "note": spec.done,
            }
        )
    return rows
