"""Bin collection days: the rounds' dates, bank-holiday changes, the demo rounds and the endpoint, on a fixed clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.clock import get_today
from api.demo.seed import seed_demo_data
from api.places.models import Property
from api.waste.models import BinType, CollectionRound, PropertyCollection
from api.waste.schedule import Collection, last_collection, next_collections, with_bank_holidays
from tests.support.backoffice_api import SERVICE

OpenSession = Callable[[str], AbstractContextManager[Session]]


@pytest.mark.parametrize(
    ("usual", "day", "moved_for"),
    [
        (date(2026, 12, 14), date(2026, 12, 14), ()),  # an ordinary week
        (date(2026, 12, 24), date(2026, 12, 24), ()),  # Thursday before Christmas: nothing before it that week
        (date(2026, 12, 25), date(2026, 12, 26), ("Christmas Day",)),  # a Saturday Boxing Day moves nothing further
        (date(2026, 12, 28), date(2026, 12, 29), ("Boxing Day",)),  # the substitute Monday is the day off
        (date(2026, 12, 30), date(2026, 12, 31), ("Boxing Day",)),
        (date(2026, 12, 31), date(2027, 1, 2), ("Boxing Day", "New Year's Day")),  # never onto a bank holiday
        (date(2027, 1, 1), date(2027, 1, 2), ("Boxing Day", "New Year's Day")),
        (date(2026, 4, 3), date(2026, 4, 4), ("Good Friday",)),
        (date(2026, 4, 6), date(2026, 4, 7), ("Easter Monday",)),
        (date(2026, 4, 9), date(2026, 4, 10), ("Easter Monday",)),  # later in a bank-holiday week: a day later
        (date(2026, 8, 28), date(2026, 8, 28), ()),  # the Friday before a bank holiday Monday stays
    ],
)
def test_a_bank_holiday_moves_that_weeks_later_collections_a_day(
    usual: date, day: date, moved_for: tuple[str, ...]
) -> None:
    assert with_bank_holidays(usual) == Collection(day, usual, moved_for)


def test_a_collection_moved_past_today_is_still_next() -> None:
    # Boxing Day 2026: Friday's collection (Christmas Day) moved to today, Saturday.
    assert next_collections(date(2026, 1, 2), 1, today=date(2026, 12, 26), count=2) == [
        Collection(date(2026, 12, 26), date(2026, 12, 25), ("Christmas Day",)),
        Collection(date(2027, 1, 2), date(2027, 1, 1), ("Boxing Day", "New Year's Day")),
    ]


def test_fortnightly_rounds_keep_their_week_and_garden_waste_stops_for_the_winter() -> None:
    assert [c.day for c in next_collections(date(2026, 1, 6), 2, today=date(2026, 11, 20), count=2)] == [
        date(2026, 11, 24),
        date(2026, 12, 8),
    ]
    garden = next_collections(date(2026, 1, 6), 2, today=date(2026, 11, 20), count=3, seasonal=True)
    assert [c.day for c in garden] == [date(2026, 11, 24), date(2027, 3, 2), date(2027, 3, 16)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # A weekly Monday round: on Wednesday the last was Monday; on Monday itself, the Monday before (today's is
        # still to come).
        (date(2026, 12, 2), Collection(date(2026, 11, 30), date(2026, 11, 30))),
        (date(2026, 11, 30), Collection(date(2026, 11, 23), date(2026, 11, 23))),
        # Christmas week: Monday 28 December's collection moved to Tuesday for Boxing Day (substitute).
        (date(2026, 12, 30), Collection(date(2026, 12, 29), date(2026, 12, 28), ("Boxing Day",))),
    ],
)
def test_the_last_collection_is_the_latest_before_today(today: date, expected: Collection) -> None:
    # What a missed-bin report is checked against (a probe reported a bin missed on a day it was never due).
    assert last_collection(date(2026, 1, 5), 1, today=today) == expected


def test_garden_waste_has_no_last_collection_deep_in_its_winter_break() -> None:
    assert last_collection(date(2026, 1, 6), 2, today=date(2027, 1, 20), seasonal=True) is None
    assert last_collection(date(2026, 1, 6), 2, today=date(2026, 12, 1), seasonal=True) == Collection(
        date(2026, 11, 24), date(2026, 11, 24)
    )


def property_on(session: Session, *, weekday: int, garden: bool, flat: bool = False) -> int:
    """Return the UPRN of a demo property collected on ``weekday`` (0 is Monday), with or without garden waste."""
    gardens = set(session.scalars(select(PropertyCollection.uprn).where(PropertyCollection.bin_type == BinType.GARDEN)))
    rows = session.execute(
        select(Property.uprn, Property.address_line, CollectionRound.first_collection)
        .join(PropertyCollection, PropertyCollection.uprn == Property.uprn)
        .join(CollectionRound, CollectionRound.code == PropertyCollection.round_code)
        .where(PropertyCollection.bin_type == BinType.FOOD)
        .order_by(Property.uprn)
    )
    return next(
        uprn
        for uprn, line, first in rows
        if first.weekday() == weekday and (uprn in gardens) == garden and line.startswith("Flat ") == flat
    )


def lookup(seeded_client: TestClient, seeded_app: FastAPI, uprn: int, today: date) -> dict[str, Any]:
    seeded_app.dependency_overrides[get_today] = lambda: today
    response = seeded_client.get("/api/v1/bin-collections", params={"uprn": uprn}, headers=SERVICE)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_christmas_week_dates_for_a_friday_address(
    seeded_client: TestClient, seeded_app: FastAPI, seeded_session: Session
) -> None:
    uprn = property_on(seeded_session, weekday=4, garden=False)
    body = lookup(seeded_client, seeded_app, uprn, date(2026, 12, 21))
    home = seeded_session.get(Property, uprn)
    assert home is not None
    assert (body["address"], body["postcode"], body["today"]) == (home.address_line, home.postcode, "2026-12-21")
    bins = {item["bin_type"]: item for item in body["bins"]}
    assert set(bins) == {"refuse", "recycling", "food"} and body["garden_waste_subscribed"] is False
    assert bins["food"]["collections"] == [
        {"date": "2026-12-26", "usual_date": "2026-12-25", "moved_for": "Christmas Day"},
        {"date": "2027-01-02", "usual_date": "2027-01-01", "moved_for": "Boxing Day and New Year's Day"},
        {"date": "2027-01-08", "usual_date": "2027-01-08", "moved_for": None},
    ]
    assert {bins["refuse"]["collections"][0]["date"], bins["recycling"]["collections"][0]["date"]} == {
        "2026-12-26",
        "2027-01-02",
    }
    assert bins["refuse"]["frequency"] == "fortnightly" and bins["food"]["usual_day"] == "Friday"
    firsts = [item["collections"][0]["date"] for item in body["bins"]]
    assert firsts == sorted(firsts)  # the soonest bin first


def test_a_monday_bank_holiday_moves_the_collection_to_tuesday(
    seeded_client: TestClient, seeded_app: FastAPI, seeded_session: Session
) -> None:
    uprn = property_on(seeded_session, weekday=0, garden=True)
    body = lookup(seeded_client, seeded_app, uprn, date(2027, 5, 31))  # Spring Bank Holiday
    bins = {item["bin_type"]: item for item in body["bins"]}
    assert bins["food"]["collections"][0] == {
        "date": "2027-06-01",
        "usual_date": "2027-05-31",
        "moved_for": "Spring Bank Holiday",
    }
    assert body["garden_waste_subscribed"] is True and bins["garden"]["paused"] is False


def test_garden_waste_pauses_in_winter_and_flats_have_weekly_rubbish(
    seeded_client: TestClient, seeded_app: FastAPI, seeded_session: Session
) -> None:
    garden = {
        item["bin_type"]: item
        for item in lookup(
            seeded_client, seeded_app, property_on(seeded_session, weekday=2, garden=True), date(2026, 12, 3)
        )["bins"]
    }
    assert garden["garden"]["paused"] is True
    assert garden["garden"]["collections"][0]["date"].startswith("2027-03")
    assert garden["garden"]["label"] == "Garden waste" and garden["garden"]["container"] == "brown bin"
    flat = {
        item["bin_type"]: item
        for item in lookup(
            seeded_client,
            seeded_app,
            property_on(seeded_session, weekday=2, garden=False, flat=True),
            date(2026, 12, 3),
        )["bins"]
    }
    assert flat["refuse"]["frequency"] == "weekly" and "garden" not in flat


def test_an_unknown_property_is_404_and_the_service_token_is_required(seeded_client: TestClient) -> None:
    assert seeded_client.get("/api/v1/bin-collections", params={"uprn": 1}, headers=SERVICE).status_code == 404
    assert seeded_client.get("/api/v1/bin-collections", params={"uprn": 1}).status_code == 401


def test_every_demo_property_has_rubbish_recycling_and_food_and_some_pay_for_garden_waste(
    seeded_session: Session,
) -> None:
    kinds = Counter(seeded_session.scalars(select(PropertyCollection.bin_type)))
    homes = len(seeded_session.scalars(select(Property.uprn)).all())
    assert kinds[BinType.REFUSE] == kinds[BinType.RECYCLING] == kinds[BinType.FOOD] == homes
    assert 0.3 < kinds[BinType.GARDEN] / homes < 0.5
    rounds = seeded_session.scalars(select(CollectionRound)).all()
    assert all(r.first_collection.weekday() < 5 for r in rounds)
    assert len({r.first_collection.weekday() for r in rounds}) == 5  # crews work Monday to Friday


def test_a_database_seeded_before_bin_rounds_gets_the_same_rounds(
    database_url: str, open_session: OpenSession, seeded_session: Session
) -> None:
    with open_session(database_url) as session:
        seed_demo_data(session, progress=False)
        session.execute(delete(PropertyCollection))
        session.execute(delete(CollectionRound))
        session.commit()
        assert seed_demo_data(session, progress=False) is None
        session.commit()
        rows = session.execute(
            select(PropertyCollection.uprn, PropertyCollection.bin_type, PropertyCollection.round_code).order_by(
                PropertyCollection.uprn, PropertyCollection.bin_type
            )
        ).all()
    fresh = seeded_session.execute(
        select(PropertyCollection.uprn, PropertyCollection.bin_type, PropertyCollection.round_code).order_by(
            PropertyCollection.uprn, PropertyCollection.bin_type
        )
    ).all()
    assert rows == fresh and len(rows) > 0
