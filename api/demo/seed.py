"""Write the demo data set into a migrated database with bulk inserts, once."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm  # type: ignore[import-untyped]

from api.db import Base
from api.demo.bins import generate_bin_rounds
from api.demo.generator import DemoData, generate_demo_data
from api.demo.places import Row
from api.electoral.models import AbsentVote, Election, Elector, PollingDistrict, PollingStation
from api.officers.models import Officer
from api.payments.models import CouncilTaxAccount, Instalment, Payment
from api.places.models import Property
from api.service_requests.models import ServiceRequest, ServiceRequestUpdate
from api.waste.models import CollectionRound, PropertyCollection

CHUNK = 1000
COUNTED = (
    PollingStation,
    PollingDistrict,
    Property,
    Elector,
    AbsentVote,
    Election,
    CouncilTaxAccount,
    Instalment,
    Payment,
    ServiceRequest,
    ServiceRequestUpdate,
    Officer,
    CollectionRound,
    PropertyCollection,
)


def seed_demo_data(session: Session, *, progress: bool = True) -> dict[str, int] | None:
    """Insert the demo data set unless the database holds properties already.

    Returns the number of rows per table afterwards, or None when the data was there already (a database
    seeded before bin rounds existed gets them then). The caller commits.
    """
    if session.scalar(select(Property.uprn).limit(1)) is not None:
        _add_missing_bin_rounds(session)
        return None
    data = generate_demo_data()
    with tqdm(
        total=data.row_count(), desc="Seeding demo data", unit="row", file=sys.stderr, disable=not progress, leave=False
    ) as bar:
        _insert_all(session, data, bar)
    session.flush()
    return count_rows(session)


def count_rows(session: Session) -> dict[str, int]:
    """Count the rows of every table the demo data fills, by table name."""
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0 for model in COUNTED}


def _insert_all(session: Session, data: DemoData, bar: tqdm) -> None:
    places, register = data.places, data.register
    station_ids = dict(
        zip(
            [row["key"] for row in places.stations],
            _insert(session, PollingStation, _without(places.stations, "key"), bar, ids=True),
            strict=True,
        )
    )
    _insert(session, PollingDistrict, _linked(places.districts, "station_key", "station_id", station_ids), bar)
    _insert(session, Property, places.properties, bar)
    elector_ids = dict(
        zip(
            [row["elector_number"] for row in register.electors],
            _insert(session, Elector, register.electors, bar, ids=True),
            strict=True,
        )
    )
    _insert(session, AbsentVote, _linked(register.absent_votes, "elector_number", "elector_id", elector_ids), bar)
    _insert(session, Election, data.elections, bar)

    tax = data.council_tax
    account_ids = dict(
        zip(
            [row["reference"] for row in tax.accounts],
            _insert(session, CouncilTaxAccount, tax.accounts, bar, ids=True),
            strict=True,
        )
    )
    _insert(session, Instalment, _linked(tax.instalments, "account_reference", "account_id", account_ids), bar)
    _insert(session, Payment, _linked(tax.payments, "account_reference", "account_id", account_ids), bar)

    requests = data.service_requests
    request_ids = dict(
        zip(
            [row["reference"] for row in requests.requests],
            _insert(session, ServiceRequest, requests.requests, bar, ids=True),
            strict=True,
        )
    )
    _insert(
        session, ServiceRequestUpdate, _linked(requests.updates, "request_reference", "request_id", request_ids), bar
    )
    _insert(session, Officer, data.officers, bar)
    _insert(session, CollectionRound, data.bins.rounds, bar)
    _insert(session, PropertyCollection, data.bins.property_collections, bar)


def _add_missing_bin_rounds(session: Session) -> None:
    """Give a demo database seeded before bin rounds existed its rounds, the same as a fresh seed's."""
    if session.scalar(select(CollectionRound.code).limit(1)) is not None:
        return
    properties = session.execute(select(Property.uprn, Property.address_line, Property.polling_district_code))
    bins = generate_bin_rounds(row._asdict() for row in properties)
    session.execute(insert(CollectionRound), bins.rounds)
    for start in range(0, len(bins.property_collections), CHUNK):
        session.execute(insert(PropertyCollection), bins.property_collections[start : start + CHUNK])


def _insert(session: Session, model: type[Base], rows: list[Row], bar: tqdm, *, ids: bool = False) -> list[int]:
    """Insert ``rows`` in chunks; with ``ids``, return the new primary keys in the order of the rows."""
    new_ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if ids:
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
            new_ids += session.scalars(statement, chunk).all()
        else:
            session.execute(insert(model), chunk)
        bar.update(len(chunk))
    return new_ids


def _without(rows: Iterable[Row], key: str) -> list[Row]:
    return [{name: value for name, value in row.items() if name != key} for row in rows]


def _linked(rows: Iterable[Row], key: str, column: str, ids: dict[Any, int]) -> list[Row]:
    """Replace each row's natural key of its parent with the parent's primary key."""
    return [{**{name: value for name, value in row.items() if name != key}, column: ids[row[key]]} for row in rows]
