"""When a round collects: its usual dates, bank-holiday changes and the garden waste winter break.

The rule is the one English councils publish: a bank holiday moves every collection from that day to the
end of its week one day later (Monday's to Tuesday, ..., Friday's to Saturday), and a collection never lands
on a bank holiday itself (Christmas week 2026: Thursday 31 December moves past New Year's Day to Saturday).
Bank holidays come from ``api.working_days`` (England's, from the ``holidays`` package); one that falls at a
weekend is no day off (its substitute weekday is) and moves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from api.working_days import bank_holidays

WEEK_DAYS = 7
# Brown bins are emptied from March to November (the garden-waste article says so); none in the winter.
GARDEN_SEASON_MONTHS = range(3, 12)


@dataclass(frozen=True)
class Collection:
    """One collection: the day it happens, the day it usually would, and the holidays that moved it."""

    day: date
    usual_day: date
    moved_for: tuple[str, ...] = ()


def weekday_holiday(day: date) -> str | None:
    """Return the bank holiday's name if ``day`` is a weekday bank holiday ("(observed)" dropped), else None."""
    if day.weekday() >= 5:
        return None
    name = bank_holidays().get(day)
    return str(name).replace(" (observed)", "") if name else None


def usual_days(first_collection: date, every_weeks: int, *, start: date) -> Iterator[date]:
    """Yield the round's usual collection days from ``start`` on (``start`` itself if it is one)."""
    step = every_weeks * WEEK_DAYS
    behind = (start - first_collection).days
    day = first_collection + timedelta(days=-(-behind // step) * step) if behind > 0 else first_collection
    while True:
        yield day
        day += timedelta(days=step)


def with_bank_holidays(usual: date) -> Collection:
    """Move a usual collection day for the bank holidays of its week, as the module docstring describes."""
    monday = usual - timedelta(days=usual.weekday())
    earlier = [weekday_holiday(monday + timedelta(days=n)) for n in range(usual.weekday() + 1)]
    reasons = [name for name in earlier if name]
    if not reasons:
        return Collection(usual, usual)
    day = usual + timedelta(days=1)
    while (name := weekday_holiday(day)) is not None:
        reasons.append(name)
        day += timedelta(days=1)
    return Collection(day, usual, tuple(dict.fromkeys(reasons)))


def next_collections(
    first_collection: date, every_weeks: int, *, today: date, count: int, seasonal: bool = False
) -> list[Collection]:
    """Return the round's next ``count`` collections from ``today`` on, moved for bank holidays.

    A collection moved from before today to today or later still counts (Friday's, moved to Saturday, is
    next on Saturday). ``seasonal`` rounds (garden waste) skip the winter months.
    """
    found: list[Collection] = []
    start = today - timedelta(days=WEEK_DAYS)  # a collection moved from last week could still be ahead
    for usual in usual_days(first_collection, every_weeks, start=start):
        if seasonal and usual.month not in GARDEN_SEASON_MONTHS:
            continue
        collection = with_bank_holidays(usual)
        if collection.day >= today:
            found.append(collection)
        if len(found) == count:
            return found
    raise AssertionError("unreachable: the rounds repeat for ever")  # pragma: no cover


def last_collection(
    first_collection: date, every_weeks: int, *, today: date, seasonal: bool = False
) -> Collection | None:
    """Return the round's latest collection before ``today`` (moved for bank holidays), or None in the last weeks.

    Looked for over the last two rounds and a week: a winter break (``seasonal``) leaves none.
    """
    start = today - timedelta(days=(every_weeks + 1) * WEEK_DAYS + WEEK_DAYS)
    latest: Collection | None = None
    for usual in usual_days(first_collection, every_weeks, start=start):
        if usual > today:
            return latest
        if seasonal and usual.month not in GARDEN_SEASON_MONTHS:
            continue
        collection = with_bank_holidays(usual)
        if collection.day < today:
            latest = collection
    raise AssertionError("unreachable: the rounds repeat for ever")  # pragma: no cover


def in_season(today: date) -> bool:
    """Tell whether garden waste is being collected in ``today``'s month."""
    return today.month in GARDEN_SEASON_MONTHS
