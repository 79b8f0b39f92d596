"""The demo council's bin collection rounds, and which round empties each bin at each property.

Every polling district is one area for the crews: its bins go on one weekday (districts take Monday to
Friday in turn), rubbish and recycling on alternate weeks, food every week. Flats share big communal
rubbish bins emptied every week. About two houses in five pay for garden waste. Everything follows from
the district and the UPRN, with no random numbers, so the rounds can be added to a database seeded
before they existed and come out the same as in a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from api.demo.places import Row
from api.waste.models import BinType

# A Monday: every round's first collection is in this week or the next.
FIRST_WEEK = date(2026, 1, 5)
WORKING_DAYS = 5
# Houses whose UPRN ends in one of these digits subscribe to garden waste (about two in five).
GARDEN_DIGITS = frozenset({1, 4, 6, 9})


@dataclass
class BinRounds:
    """Rows for the collection tables."""

    rounds: list[Row]
    property_collections: list[Row]


def round_code(district: str, kind: str) -> str:
    """Name a round after its area and what it collects, e.g. "AA1-REC"."""
    return f"{district}-{kind}"


def district_rounds(district: str, index: int) -> list[Row]:
    """Return the rounds of the ``index``-th district: its weekday, and which week its rubbish goes."""
    weekday = index % WORKING_DAYS
    rubbish_week = FIRST_WEEK + timedelta(days=weekday + 7 * (index // WORKING_DAYS % 2))
    recycling_week = rubbish_week + timedelta(days=7)
    return [
        {
            "code": round_code(district, "REF"),
            "bin_type": BinType.REFUSE,
            "first_collection": rubbish_week,
            "every_weeks": 2,
        },
        {
            "code": round_code(district, "REFW"),
            "bin_type": BinType.REFUSE,
            "first_collection": rubbish_week,
            "every_weeks": 1,
        },
        {
            "code": round_code(district, "REC"),
            "bin_type": BinType.RECYCLING,
            "first_collection": recycling_week,
            "every_weeks": 2,
        },
        {
            "code": round_code(district, "FOOD"),
            "bin_type": BinType.FOOD,
            "first_collection": rubbish_week,
            "every_weeks": 1,
        },
        {
            "code": round_code(district, "GDN"),
            "bin_type": BinType.GARDEN,
            "first_collection": recycling_week,
            "every_weeks": 2,
        },
    ]


def property_rounds(uprn: int, address_line: str, district: str) -> list[Row]:
    """Return the rounds one property's bins are on."""
    flat = address_line.startswith("Flat ")
    kinds = [(BinType.REFUSE, "REFW" if flat else "REF"), (BinType.RECYCLING, "REC"), (BinType.FOOD, "FOOD")]
    if not flat and uprn % 10 in GARDEN_DIGITS:
        kinds.append((BinType.GARDEN, "GDN"))
    return [{"uprn": uprn, "bin_type": bin_type, "round_code": round_code(district, kind)} for bin_type, kind in kinds]


def generate_bin_rounds(properties: Iterable[Row]) -> BinRounds:
    """Build the rounds of every district the properties are in, and each property's place on them."""
    rows = list(properties)
    districts = sorted({row["polling_district_code"] for row in rows})
    rounds = [item for index, district in enumerate(districts) for item in district_rounds(district, index)]
    collections = [
        item for row in rows for item in property_rounds(row["uprn"], row["address_line"], row["polling_district_code"])
    ]
    return BinRounds(rounds, collections)
