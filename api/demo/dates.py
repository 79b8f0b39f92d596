"""The fixed dates the demo data is built around, and the calendar rules it applies.

Nothing here reads today's date: the demo register is "as of" November 2026 whatever day it is run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from api.working_days import is_working_day

# The day the demo data describes: the register, payments and requests all stop here.
AS_OF = date(2026, 11, 20)
# The council tax year the accounts are billed for (1 April to 31 March).
TAX_YEAR_START = date(2026, 4, 1)
# Long-term postal votes granted under the Elections Act 2022 rules (from 31 October 2023).
POSTAL_RULES_START = date(2023, 10, 31)


def next_working_day(day: date) -> date:
    """Return ``day`` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def postal_vote_expiry(granted_on: date) -> date:
    """Return the day a long-term postal vote ends: the third 31 January after it was granted."""
    first = date(granted_on.year, 1, 31)
    if first <= granted_on:
        first = date(granted_on.year + 1, 1, 31)
    return first.replace(year=first.year + 2)


def random_date(rng: random.Random, start: date, end: date) -> date:
    """Return a date between ``start`` and ``end`` inclusive."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def office_time(rng: random.Random, day: date) -> datetime:
    """Return a moment during office hours on ``day``, in UTC."""
    minutes = rng.randint(8 * 60, 16 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60, rng.randint(0, 59)), tzinfo=UTC)
