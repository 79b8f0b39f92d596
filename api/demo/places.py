"""The demo council's geography: wards, polling districts and stations, streets, postcodes and properties.

Postcodes use the real TN area with districts TN41 to TN44, which Royal Mail does not use (TN stops at
TN40): they pass any format check but belong to no real address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Ward:
    """A ward: its district-code letters, name, main town and postcode district."""

    letters: str
    name: str
    town: str
    outward: str
    districts: tuple[str, str, str]


WARDS = (
    Ward("AA", "Ashbury Central", "Ashbury", "TN41", ("Ashbury Town", "Station Quarter", "Church Green")),
    Ward("AB", "Ashbury East", "Ashbury", "TN42", ("Eastfield", "Brook Farm", "Ashbury Common")),
    Ward("AC", "Millbrook", "Millbrook", "TN43", ("Millbrook Village", "Millbrook Green", "Spring Hill")),
    Ward("AD", "Kestrel Heath", "Kestrel Heath", "TN44", ("Kestrel Heath", "Furze Hill", "Colleys Cross")),
)
STREETS_PER_DISTRICT = 10

# Two stations per ward: the first serves districts 1 and 2, the second district 3.
STATIONS = {
    "AA": (
        (
            "St Michael's Church Hall",
            "Level access from the car park; two accessible parking bays; hearing loop at the ballot desk. "
            "A tactile voting device and a large-print ballot paper are available on request.",
        ),
        (
            "Ashbury Library",
            "Automatic doors and step-free access; accessible toilet; seating while you wait. "
            "No parking on site: the nearest accessible bays are in the Market Street car park.",
        ),
    ),
    "AB": (
        (
            "Eastfield Community Centre",
            "Step-free entrance at the side door (signposted); accessible parking; hearing loop; "
            "a low-level polling booth is provided.",
        ),
        (
            "Brook Farm Primary School (Hall)",
            "Enter by the school gate on the left; ramp to the hall; parking in the playground on polling day. "
            "Tactile voting device and large-print ballot paper available.",
        ),
    ),
    "AC": (
        (
            "Millbrook Village Hall",
            "One step at the front; a portable ramp is in place on polling day. Accessible toilet. "
            "Staff can help any voter who asks; a companion may help a disabled voter to mark the ballot.",
        ),
        (
            "Spring Hill Scout Hut",
            "Gravel path from the lane, then level entry; limited parking; the hut has no accessible toilet. "
            "Large-print ballot paper and magnifier available.",
        ),
    ),
    "AD": (
        (
            "Kestrel Heath Village Hall",
            "Level access; accessible parking beside the entrance; hearing loop; seating while you wait.",
        ),
        (
            "Furze Hill Methodist Church",
            "Ramped entrance from the churchyard path; handrails; accessible toilet in the rear hall. "
            "Tactile voting device available.",
        ),
    ),
}

STREET_WORDS = (
    "Oak",
    "Ash",
    "Beech",
    "Birch",
    "Chestnut",
    "Elm",
    "Hazel",
    "Holly",
    "Larch",
    "Maple",
    "Rowan",
    "Willow",
    "Church",
    "Mill",
    "Station",
    "School",
    "Forge",
    "Market",
    "Bridge",
    "Meadow",
    "Orchard",
    "Park",
    "Priory",
    "Queens",
    "Kings",
    "Victoria",
    "Windmill",
    "Brook",
    "Heath",
    "Forest",
    "Weald",
    "Downs",
    "Kestrel",
    "Falcon",
    "Swallow",
    "Lark",
    "Wren",
    "Heron",
    "Badger",
    "Oast",
    "Bracken",
    "Fern",
    "Heather",
    "Gorse",
    "Primrose",
    "Bluebell",
    "Foxglove",
    "Cowslip",
    "St Mary's",
    "Manor",
    "Grange",
    "Rectory",
    "Vicarage",
    "Pound",
    "Tanyard",
    "Copse",
    "Spring",
    "Hop Garden",
    "Chapel",
    "Poplar",
    "Hawthorn",
    "Sandy",
    "Furnace",
    "Coppice",
    "Pippin",
    "Kiln",
)
STREET_TYPES = (
    "Road",
    "Lane",
    "Close",
    "Way",
    "Avenue",
    "Drive",
    "Gardens",
    "Crescent",
    "Place",
    "Rise",
    "Walk",
    "Mews",
    "View",
    "Court",
)
HOUSE_NAMES = (
    "Rose Cottage",
    "The Old Forge",
    "Hillside",
    "Orchard House",
    "Little Oaks",
    "Meadow View",
    "The Barn",
    "Holly Lodge",
    "Brookside",
    "Oast House",
    "Ivy Cottage",
    "Fairview",
    "The Old Rectory",
    "Corner Cottage",
    "Woodlands",
)
# Letters Royal Mail uses in the last two characters of a postcode.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UPRN_START = 100_099_500_000


@dataclass
class Street:
    """A street: where it is and which properties line it."""

    name: str
    town: str
    district_code: str
    uprns: list[int] = field(default_factory=list)


@dataclass
class Places:
    """Rows for the geography tables, and the streets for the generators that follow."""

    stations: list[Row]
    districts: list[Row]
    properties: list[Row]
    streets: list[Street]
    wards: dict[str, str]


def generate_places(rng: random.Random) -> Places:
    """Build the wards' polling districts and stations, streets, postcodes and properties."""
    names = _street_names(rng, len(WARDS) * 3 * STREETS_PER_DISTRICT)
    streets: list[Street] = []
    districts: list[Row] = []
    for ward in WARDS:
        for number, district_name in enumerate(ward.districts, start=1):
            code = f"{ward.letters}{number}"
            districts.append(
                {
                    "code": code,
                    "name": district_name,
                    "ward": ward.name,
                    "station_key": (ward.letters, 0 if number < 3 else 1),
                }
            )
            streets += [Street(names.pop(0), ward.town, code) for _ in range(STREETS_PER_DISTRICT)]
    ward_of = {ward.letters: ward for ward in WARDS}
    properties: list[Row] = []
    used_postcodes: set[str] = set()
    uprn = UPRN_START
    for street in streets:
        ward = ward_of[street.district_code[:2]]
        lines = _address_lines(rng, street.name, rural=ward.letters == "AD")
        postcodes = _postcodes(rng, ward.outward, len(lines), used_postcodes)
        for line, postcode in zip(lines, postcodes, strict=True):
            uprn += rng.randint(1, 40)
            street.uprns.append(uprn)
            properties.append(
                {
                    "uprn": uprn,
                    "address_line": line,
                    "town": street.town,
                    "postcode": postcode,
                    "polling_district_code": street.district_code,
                }
            )
    stations = _stations(rng, streets, properties)
    return Places(stations, districts, properties, streets, {w.letters: w.name for w in WARDS})


def _street_names(rng: random.Random, count: int) -> list[str]:
    combos = [
        f"{word} {kind}"
        for word in STREET_WORDS
        for kind in STREET_TYPES
        if not (word.endswith("Garden") and kind == "Gardens")
    ]
    return rng.sample(combos, count)


def _address_lines(rng: random.Random, street: str, *, rural: bool) -> list[str]:
    """Return the address lines of one street: numbered houses, some split into flats, some named."""
    houses = rng.randint(8, 40)
    converted = rng.randint(1, houses) if rng.random() < 0.2 else None
    lines: list[str] = []
    for number in range(1, houses + 1):
        if number == converted:
            lines += [f"Flat {flat}, {number} {street}" for flat in range(1, rng.randint(3, 8))]
        else:
            lines.append(f"{number} {street}")
    if rural or rng.random() < 0.1:
        lines += [f"{name}, {street}" for name in rng.sample(HOUSE_NAMES, rng.randint(1, 5))]
    return lines


def _postcodes(rng: random.Random, outward: str, count: int, used: set[str]) -> list[str]:
    """Split a street into runs of 5 to 25 properties, each run with its own postcode."""
    sizes: list[int] = []
    remaining = count
    while remaining > 25:
        size = rng.randint(5, min(25, remaining - 5))
        sizes.append(size)
        remaining -= size
    sizes.append(remaining)
    sector = rng.randint(1, 9)
    codes: list[str] = []
    for size in sizes:
        postcode = ""
        while not postcode or postcode in used:
            postcode = f"{outward} {sector}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
        used.add(postcode)
        codes += [postcode] * size
    return codes


def _stations(rng: random.Random, streets: list[Street], properties: list[Row]) -> list[Row]:
    """Place each ward's two stations on a street of the first district they serve."""
    postcode_of = {row["uprn"]: row["postcode"] for row in properties}
    rows: list[Row] = []
    for letters, pair in STATIONS.items():
        for index, (name, accessibility) in enumerate(pair):
            code = f"{letters}{1 if index == 0 else 3}"
            street = rng.choice([s for s in streets if s.district_code == code])
            rows.append(
                {
                    "key": (letters, index),
                    "name": name,
                    "address": f"{name}, {street.name}, {street.town}",
                    "postcode": postcode_of[street.uprns[0]],
                    "accessibility": accessibility,
                }
            )
    return rows
