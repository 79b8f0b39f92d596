"""Reading residents' free text: postcodes, names, dates of birth and address choices."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.parsing import choose_address, clean_full_name, find_postcode, parse_date_of_birth

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("text, expected", [
    ("TN41 6PA", "TN41 6PA"), ("tn416pa", "TN41 6PA"), ("my postcode is sw1a 1aa thanks", "SW1A 1AA"),
    ("M1 1AE", "M1 1AE"), ("no idea", None), ("12345", None),
])
def test_postcodes(text: str, expected: str | None) -> None:
    assert find_postcode(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Rita Richardson", "Rita Richardson"), ("my name is jodie kemp", "Jodie Kemp"),
    ("It's Kathleen Mary Gray", "Kathleen Mary Gray"), ("Siobhán O'Neill-Byrne", "Siobhán O'Neill-Byrne"),
    ("Rita", None), ("why do you need that 2", None), ("12 Rowan Close", None),
])
def test_full_names(text: str, expected: str | None) -> None:
    assert clean_full_name(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("26/01/1978", dt.date(1978, 1, 26)), ("born 15th August 1955", dt.date(1955, 8, 15)),
    ("DOB 18-04-1989", dt.date(1989, 4, 18)), ("17 Aug 1984", dt.date(1984, 8, 17)),
    ("01/02/03", dt.date(2003, 2, 1)),
    ("tomorrow", None), ("26/01", None), ("31/02/1980", None), ("01/01/2030", None), ("1/1/1850", None),
])
def test_dates_of_birth(text: str, expected: dt.date | None) -> None:
    assert parse_date_of_birth(text, today=TODAY) == expected


ADDRESSES = [(101, "1 Rowan Close, Ashbury"), (102, "2 Rowan Close, Ashbury"), (119, "19 Rowan Close, Ashbury")]


@pytest.mark.parametrize("text, expected", [
    ("19 Rowan Close", 119), ("19 rowan close, ashbury", 119), ("101", 101), ("19", 119), ("3", None),
    ("Rowan Close", None), ("7 Oak Road", None),
])
def test_address_choice(text: str, expected: int | None) -> None:
    assert choose_address(text, ADDRESSES) == expected
