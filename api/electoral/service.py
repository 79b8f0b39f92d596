"""Public electoral information (addresses, polling places, elections) and the verified elector's own record.

Addresses in a postcode, polling places and election timetables are public. An elector's own record is
given only to a conversation that has proved to be that elector (``verification.verified_elector``).
"""

from __future__ import annotations

import calendar
import difflib
import re
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.db import as_utc
from api.electoral import deadlines
from api.electoral.models import (
    AbsentVote,
    AbsentVoteRequest,
    Election,
    ElectoralChangeRequest,
    PollingDistrict,
    RegistrationStatus,
)
from api.electoral.schemas import (
    AbsentVoteRead,
    AddressList,
    AddressRead,
    DeadlineRead,
    ElectionRead,
    MyRecord,
    OpenRequestRead,
    PollingPlace,
    StationRead,
    StreetList,
    StreetRead,
    UpcomingElections,
)
from api.electoral.verification import verified_elector
from api.places.models import Property
from api.places.service import UnknownProperty, normalise_postcode

NUMBERED_ADDRESS = re.compile(r"^(?:(?P<unit>.+?),\s*)?(?P<number>\d+)(?P<suffix>[A-Za-z]?)\s+(?P<street>.+)$")
DIGIT_RUNS = re.compile(r"(\d+)")
ALL_AREAS = "all"
OPEN_REQUEST_STATES = ("received", "in_progress")
POSTAL_RENEWAL_NOTICE_MONTHS = 3
PROXY_SIGNATURE_YEARS = 5

NaturalKey = tuple[tuple[int, int, str], ...]


def list_addresses(session: Session, *, postcode: str) -> AddressList:
    """Return the properties in ``postcode`` (public information), in street-number order."""
    normalised = normalise_postcode(postcode)
    properties = session.scalars(select(Property).where(Property.postcode == normalised)).all()
    ordered = sorted(properties, key=lambda p: (address_order(p.address_line), p.uprn))
    return AddressList(
        postcode=normalised,
        addresses=[AddressRead(uprn=p.uprn, address=f"{p.address_line}, {p.town}") for p in ordered],
    )


# The most postcodes a street search returns: a street name is asked to pick an address, not to list an area.
MAX_STREETS = 12
LIKE_SPECIALS = re.compile(r"([\\%_])")


def find_streets(session: Session, *, name: str) -> StreetList:
    """Return each town and postcode of the streets called ``name`` (public information); none if unknown.

    Case, spacing and a "the" in front make no difference ("rowan  close" is Rowan Close). A resident who does not
    know their postcode can then be shown the addresses on their street.
    """
    wanted = " ".join(name.split()).casefold()
    wanted = re.sub(r"^the\s+", "", wanted)
    if len(wanted) < 3:
        return StreetList(streets=[])
    pattern = "%" + LIKE_SPECIALS.sub(r"\\\1", wanted)
    rows = session.execute(
        select(Property.address_line, Property.town, Property.postcode).where(
            func.lower(Property.address_line).like(pattern, escape="\\")
        )
    ).all()
    found = {
        (street, town, postcode) for line, town, postcode in rows if (street := street_of(line)).casefold() == wanted
    }
    if not found:
        found = _streets_spelt_like(session, wanted)
    ordered = sorted(found, key=lambda row: (row[1], row[2]))[:MAX_STREETS]
    return StreetList(streets=[StreetRead(street=s, town=t, postcode=p) for s, t, p in ordered])


def _streets_spelt_like(session: Session, wanted: str) -> set[tuple[str, str, str]]:
    """Return the streets whose name is a near spelling of ``wanted`` ("rowen close" is Rowan Close), if one is."""
    every = {
        (street_of(line), town, postcode)
        for line, town, postcode in session.execute(select(Property.address_line, Property.town, Property.postcode))
    }
    names = {street.casefold(): street for street, _, _ in every}
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=SPELLING_CUTOFF)
    return {row for row in every if close and row[0].casefold() == close[0]}


# How alike a typed street name must be to a real one to be taken for it (difflib's ratio).
SPELLING_CUTOFF = 0.85


def street_of(line: str) -> str:
    """Return the street of an address line: "Flat 2, 14 Mill Lane" and "Orchard House, Mill Lane" are Mill Lane."""
    numbered = NUMBERED_ADDRESS.match(line)
    if numbered:
        return numbered["street"]
    return line.rpartition(", ")[2]


def address_order(line: str) -> tuple[str, int, int, str, NaturalKey]:
    """Sort key for an address line: by street, numbered houses by number (flats within), then named houses."""
    numbered = NUMBERED_ADDRESS.match(line)
    if numbered:
        return (
            numbered["street"].casefold(),
            0,
            int(numbered["number"]),
            numbered["suffix"].casefold(),
            _natural(numbered["unit"] or ""),
        )
    name, _, street = line.rpartition(", ")
    return (street.casefold(), 1, 0, "", _natural(name or line))


def _natural(text: str) -> NaturalKey:
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in DIGIT_RUNS.split(text) if part
    )


def polling_place(session: Session, *, uprn: int) -> PollingPlace:
    """Return the polling district, ward and station of a property."""
    district = _district_of(session, uprn)
    return PollingPlace(
        polling_district=district.code, ward=district.ward, station=_station(district), poll_hours=deadlines.POLL_HOURS
    )


def upcoming_elections(session: Session, *, today: date, now: datetime, uprn: int | None = None) -> UpcomingElections:
    """Return the polls from ``today`` on (only those covering the property, given one) and their deadlines."""
    ward = _district_of(session, uprn).ward if uprn is not None else None
    return UpcomingElections(
        today=today,
        elections=[
            ElectionRead(
                title=poll.title,
                election_type=poll.election_type,
                poll_date=poll.poll_date,
                area=poll.area,
                deadlines=[
                    DeadlineRead(kind=d.kind, label=d.label, deadline=d.at, passed=d.passed(now))
                    for d in deadlines.timetable(poll.poll_date)
                ],
            )
            for poll in polls_from(session, today=today, ward=ward)
        ],
    )


def polls_from(session: Session, *, today: date, ward: str | None) -> list[Election]:
    """Return the polls on or after ``today``, soonest first; with a ward, only those that cover it."""
    query = select(Election).where(Election.poll_date >= today).order_by(Election.poll_date, Election.id)
    if ward is not None:
        query = query.where(or_(Election.area == ALL_AREAS, Election.area == ward))
    return list(session.scalars(query))


def my_record(session: Session, *, conversation_id: str, today: date, now: datetime) -> MyRecord:
    """Return the verified elector's own entry; raise NotVerified without a live verification."""
    elector = verified_elector(session, conversation_id=conversation_id, now=now)
    district = _district_of(session, elector.uprn)
    votes = session.scalars(
        select(AbsentVote)
        .where(AbsentVote.elector_id == elector.id)
        .order_by(AbsentVote.granted_on.desc(), AbsentVote.id.desc())
    ).all()
    return MyRecord(
        registration_status="pending" if elector.status == RegistrationStatus.PENDING else "registered",
        polling_district=district.code,
        ward=district.ward,
        station=_station(district),
        open_register_opt_out=elector.open_register_opt_out,
        absent_votes=[
            AbsentVoteRead(
                kind=vote.kind.value,
                status=vote.status,
                granted_on=vote.granted_on,
                expires_on=vote.expires_on,
                renewal_due=renewal_due(vote, today=today),
                proxy_name=vote.proxy_name,
            )
            for vote in votes
        ],
        open_requests=_open_requests(session, elector_id=elector.id),
    )


def renewal_due(vote: AbsentVote, *, today: date) -> bool:
    """Tell whether an active postal vote ends within 3 months, or an active proxy is due its signature refresh."""
    if vote.status != "active":
        return False
    if vote.kind == "postal":
        return vote.expires_on is not None and vote.expires_on <= add_months(today, POSTAL_RENEWAL_NOTICE_MONTHS)
    return vote.granted_on < add_months(today, -12 * PROXY_SIGNATURE_YEARS)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), kept within the month (31 May + 1 -> 30 June)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _open_requests(session: Session, *, elector_id: int) -> list[OpenRequestRead]:
    absent = session.scalars(
        select(AbsentVoteRequest).where(
            AbsentVoteRequest.elector_id == elector_id, AbsentVoteRequest.status.in_(OPEN_REQUEST_STATES)
        )
    ).all()
    # Reports about other people (died, left_address) are not the elector's own requests: left out.
    changes = session.scalars(
        select(ElectoralChangeRequest).where(
            ElectoralChangeRequest.requested_by_elector_id == elector_id,
            ElectoralChangeRequest.kind.in_(("name_change", "open_register_opt_out", "open_register_opt_in")),
            ElectoralChangeRequest.status.in_(OPEN_REQUEST_STATES),
        )
    ).all()
    rows = [
        OpenRequestRead(
            reference=r.reference,
            kind=f"{r.kind.value}_{r.details.get('action', 'new')}",
            status=r.status,
            created_at=as_utc(r.created_at),
        )
        for r in absent
    ]
    rows += [
        OpenRequestRead(reference=r.reference, kind=r.kind, status=r.status, created_at=as_utc(r.created_at))
        for r in changes
    ]
    return sorted(rows, key=lambda row: (row.created_at, row.reference), reverse=True)


def _district_of(session: Session, uprn: int) -> PollingDistrict:
    district = session.scalar(
        select(PollingDistrict)
        .join(Property, Property.polling_district_code == PollingDistrict.code)
        .where(Property.uprn == uprn)
    )
    if district is None:
        raise UnknownProperty(uprn)
    return district


def _station(district: PollingDistrict) -> StationRead | None:
    return StationRead.model_validate(district.station) if district.station is not None else None
