"""The council's clock: now and today as request dependencies (tests override them), and its calendar day.

Time comes from two dependencies, ``get_now`` and ``get_today``, which tests replace through
``app.dependency_overrides``. ``get_today`` follows ``get_now``, so moving ``get_now`` moves both.

A whole running API can be given a clock of its own with ``CA_CLOCK_START``: it reads that moment when the
process starts and runs on at the real pace. The end-to-end tests use it so that what depends on the day
and hour (officers' hours, deadlines, what is overdue) is the same on every run, whenever it is run;
a frozen clock would not do, since conversations, grants and waits need time to pass.
"""

from __future__ import annotations

import time as monotonic
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from api.db import utcnow

COUNCIL_TIMEZONE = ZoneInfo("Europe/London")
Now = Callable[[], datetime]


def local_date(moment: datetime) -> date:
    """Return the council's calendar date at ``moment``."""
    return moment.astimezone(COUNCIL_TIMEZONE).date()


def start_of_day(day: date) -> datetime:
    """Return the first moment of ``day`` in the council's time zone."""
    return datetime.combine(day, time.min, tzinfo=COUNCIL_TIMEZONE)


def clock_for(start: datetime | None) -> Now:
    """Return the real clock, or (with ``start``) one that reads ``start`` now and runs on from there."""
    return utcnow if start is None else _started_at(start)


@lru_cache
def _started_at(start: datetime) -> Now:
    """One clock per start moment, so every part of the process that asks for it reads the same time."""
    began = monotonic.monotonic()
    anchored = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC)
    return lambda: anchored + timedelta(seconds=monotonic.monotonic() - began)


def get_now(request: Request) -> datetime:
    """Return the current moment (UTC) by the app's clock (``create_app`` sets it); tests override this."""
    clock: Now = getattr(request.app.state, "clock", utcnow)
    return clock()


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
