"""The council's clock: now and today as request dependencies (tests override them), and its calendar day.

Time comes from two dependencies, ``get_now`` and ``get_today``, which tests replace through
``app.dependency_overrides``. ``get_today`` follows ``get_now``, so moving ``get_now`` moves both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends

from api.db import utcnow

COUNCIL_TIMEZONE = ZoneInfo("Europe/London")


def local_date(moment: datetime) -> date:
    """Return the council's calendar date at ``moment``."""
    return moment.astimezone(COUNCIL_TIMEZONE).date()


def start_of_day(day: date) -> datetime:
    """Return the first moment of ``day`` in the council's time zone."""
    return datetime.combine(day, time.min, tzinfo=COUNCIL_TIMEZONE)


def get_now() -> datetime:
    """Return the current moment (UTC); tests override this to move time."""
    return utcnow()


def get_today(now: Annotated[datetime, Depends(get_now)]) -> date:
    """Return today's date in the council's time zone."""
    return local_date(now)


class Clock:
    """Today and now, kept consistent when a test overrides only ``get_today``."""

    def __init__(self, today: Annotated[date, Depends(get_today)], now: Annotated[datetime, Depends(get_now)]):
        self.today = today
        # A date set on its own stands for the start of that day, so "passed" agrees with "today".
        self.now = now if local_date(now) == today else start_of_day(today).astimezone(UTC)


ClockDep = Annotated[Clock, Depends()]
NowDep = Annotated[datetime, Depends(get_now)]
