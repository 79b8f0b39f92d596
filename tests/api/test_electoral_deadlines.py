"""Working days and statutory deadlines, checked by hand against a calendar and published timetables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.electoral.deadlines import (
    COUNCIL_TIMEZONE,
    DeadlineKind,
    deadline,
    is_working_day,
    timetable,
    working_days_before,
)
from api.electoral.models import AbsentVote, AbsentVoteKind
from api.electoral.service import add_months, address_order, renewal_due
from api.places.service import normalise_postcode


def london(year: int, month: int, day: int, hour: int = 17, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=COUNCIL_TIMEZONE)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 4, 20), True),  # a Tuesday
        (date(2027, 4, 24), False),  # Saturday
        (date(2027, 4, 25), False),  # Sunday
        (date(2027, 5, 3), False),  # Early May bank holiday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 25), True),  # Maundy Thursday has counted since the Electoral Administration Act 2006
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2026, 12, 24), False),  # Christmas Eve (a Thursday): not a bank holiday, but never a working day
        (date(2026, 12, 28), False),  # Boxing Day moved to the Monday
        (date(2026, 12, 29), True),
        (date(2026, 8, 31), False),  # summer bank holiday in England (Scotland's is 3 August)
    ],
)
def test_working_days_skip_weekends_bank_holidays_and_christmas_eve(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_counting_back_never_counts_polling_day_itself() -> None:
    assert working_days_before(date(2027, 5, 6), 0) == date(2027, 5, 6)
    assert working_days_before(date(2027, 5, 6), 1) == date(2027, 5, 5)
    # Thursday 6 May back over Monday 3 May (bank holiday) and the weekend: 5, 4, 30 Apr, 29, 28, 27 April.
    assert working_days_before(date(2027, 5, 6), 6) == date(2027, 4, 27)


# Each row counted back on a calendar; 2024 and 2025 agree with the Electoral Commission's published dates.
HAND_CHECKED = {
    # 6 May 2027, after the May Day bank holiday (Mon 3 May): 12 working days back is Mon 19 April.
    date(2027, 5, 6): {
        "registration": london(2027, 4, 19, 23, 59, 59),
        "postal": london(2027, 4, 20),
        "proxy": london(2027, 4, 27),
    },
    # 1 May 2025, just after Easter (Good Friday 18 April, Easter Monday 21 April).
    date(2025, 5, 1): {
        "registration": london(2025, 4, 11, 23, 59, 59),
        "postal": london(2025, 4, 14),
        "proxy": london(2025, 4, 23),
    },
    # The general election of 4 July 2024: no holidays in the way.
    date(2024, 7, 4): {
        "registration": london(2024, 6, 18, 23, 59, 59),
        "postal": london(2024, 6, 19),
        "proxy": london(2024, 6, 26),
    },
    # The Millbrook by-election, 18 February 2027, in winter time (GMT).
    date(2027, 2, 18): {
        "registration": london(2027, 2, 2, 23, 59, 59),
        "postal": london(2027, 2, 3),
        "proxy": london(2027, 2, 10),
    },
    # A January poll: back over 1 Jan, Boxing Day (observed Mon 28 Dec), Christmas Day and Christmas Eve.
    date(2027, 1, 14): {
        "registration": london(2026, 12, 23, 23, 59, 59),
        "postal": london(2026, 12, 29),
        "proxy": london(2027, 1, 6),
    },
}


@pytest.mark.parametrize("poll", HAND_CHECKED, ids=str)
def test_deadlines_match_hand_checked_dates(poll: date) -> None:
    expected = HAND_CHECKED[poll]
    found = {item.kind.value: item.at for item in timetable(poll)}

    assert found["registration"] == expected["registration"]
    assert found["postal"] == found["absent_vote_change"] == expected["postal"]
    assert found["proxy"] == found["voter_authority_certificate"] == expected["proxy"]
    assert found["emergency_proxy"] == found["postal_replacement"] == london(poll.year, poll.month, poll.day)


def test_deadlines_are_in_london_time_and_in_a_fixed_order() -> None:
    items = timetable(date(2027, 5, 6))
    assert [item.kind for item in items] == list(DeadlineKind)
    assert [item.kind.value for item in items] == [
        "registration",
        "postal",
        "absent_vote_change",
        "proxy",
        "voter_authority_certificate",
        "emergency_proxy",
        "postal_replacement",
    ]
    assert items[1].at.isoformat() == "2027-04-20T17:00:00+01:00"  # British Summer Time
    assert deadline(date(2027, 2, 18), DeadlineKind.POSTAL).at.isoformat() == "2027-02-03T17:00:00+00:00"
    assert all(item.label and item.label[0].isupper() for item in items)


def test_a_deadline_passes_after_its_last_second() -> None:
    postal = deadline(date(2027, 5, 6), DeadlineKind.POSTAL)
    assert not postal.passed(datetime(2027, 4, 20, 16, 0, 0, tzinfo=UTC))
    assert postal.passed(datetime(2027, 4, 20, 16, 0, 1, tzinfo=UTC))
    registration = deadline(date(2027, 5, 6), DeadlineKind.REGISTRATION)
    assert not registration.passed(datetime(2027, 4, 19, 22, 59, 59, tzinfo=UTC))
    assert registration.passed(datetime(2027, 4, 19, 23, 0, 0, tzinfo=UTC))  # midnight BST


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("TN41 6PA", "TN41 6PA"),
        ("tn416pa", "TN41 6PA"),
        (" tn41\t6pa ", "TN41 6PA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
    ],
)
def test_postcodes_are_normalised(typed: str, normalised: str) -> None:
    assert normalise_postcode(typed) == normalised


def test_address_lines_sort_by_street_number_then_flat_then_name() -> None:
    lines = [
        "Rose Cottage, Oak Lane",
        "10 Oak Lane",
        "Flat 10, 2 Oak Lane",
        "2A Oak Lane",
        "1 Oak Lane",
        "Flat 2, 2 Oak Lane",
        "Brookside, Oak Lane",
        "3 Oak Lane",
        "1 Ash Road",
    ]
    assert sorted(lines, key=address_order) == [
        "1 Ash Road",
        "1 Oak Lane",
        "Flat 2, 2 Oak Lane",
        "Flat 10, 2 Oak Lane",
        "2A Oak Lane",
        "3 Oak Lane",
        "10 Oak Lane",
        "Brookside, Oak Lane",
        "Rose Cottage, Oak Lane",
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 11), 3, date(2027, 4, 11)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 5, 31), 1, date(2027, 6, 30)),
        (date(2027, 1, 11), -60, date(2022, 1, 11)),
    ],
)
def test_adding_months_stays_within_the_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("kind", "status", "granted_on", "expires_on", "due"),
    [
        (AbsentVoteKind.POSTAL, "active", date(2024, 1, 15), date(2027, 1, 31), True),  # ends within 3 months
        (AbsentVoteKind.POSTAL, "active", date(2024, 3, 1), date(2027, 4, 11), True),  # exactly 3 months away
        (AbsentVoteKind.POSTAL, "active", date(2024, 3, 1), date(2028, 1, 31), False),
        (AbsentVoteKind.POSTAL, "expired", date(2023, 11, 1), date(2026, 1, 31), False),  # ended: apply again
        (AbsentVoteKind.PROXY, "active", date(2022, 1, 10), None, True),  # over 5 years ago
        (AbsentVoteKind.PROXY, "active", date(2022, 1, 11), None, False),  # exactly 5 years
    ],
)
def test_renewal_is_due_for_postal_votes_ending_soon_and_old_proxy_signatures(
    kind: AbsentVoteKind, status: str, granted_on: date, expires_on: date | None, due: bool
) -> None:
    vote = AbsentVote(kind=kind, status=status, granted_on=granted_on, expires_on=expires_on)
    assert renewal_due(vote, today=date(2027, 1, 11)) is due
