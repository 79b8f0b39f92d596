"""Working days in England: not a Saturday, a Sunday or a bank holiday (from the ``holidays`` package).

Service standards count in these days. Election timetables count the same way but also skip Christmas
Eve (``api.electoral.deadlines``).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Where the council is: bank holidays differ between England and Wales, Scotland and Northern Ireland.
BANK_HOLIDAY_SUBDIVISION = "ENG"


@lru_cache
def bank_holidays() -> holidays.HolidayBase:
    """Return the bank holidays where the council is (years are filled in as they are asked about)."""
    return holidays.country_holidays("GB", subdiv=BANK_HOLIDAY_SUBDIVISION)


def is_working_day(day: date) -> bool:
    """Tell whether ``day`` is a working day: a weekday that is not a bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays()


def add_working_days(day: date, count: int) -> date:
    """Return the working day ``count`` working days after ``day`` (``day`` itself is not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
