"""When officers answer live chats: working days (as ``api.working_days`` counts them) and hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from api.working_days import is_working_day


class OfficeHours:
    """Officer availability for live chat in the council's time zone."""

    def __init__(self, *, start_hour: int, end_hour: int, timezone: str) -> None:
        self.start_hour = start_hour
        self.end_hour = end_hour
        self.zone = ZoneInfo(timezone)

    def is_open(self, moment: datetime) -> bool:
        """Say whether officers are answering chats at ``moment``."""
        local = self._local(moment)
        return is_working_day(local.date()) and self.start_hour <= local.hour < self.end_hour

    def next_opening(self, moment: datetime) -> datetime:
        """Return when officers next start answering after ``moment`` (local time)."""
        local = self._local(moment)
        day = local.date()
        if local.hour >= self.start_hour or not is_working_day(day):
            day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, self.start_hour, tzinfo=self.zone)

    def _local(self, moment: datetime) -> datetime:
        # SQLite hands back naive datetimes; everything the hub stores is UTC.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.zone)

    def describe(self) -> str:
        """Describe the hours in words, e.g. 'Monday to Friday, 9am to 5pm, except bank holidays'."""
        return f"Monday to Friday, {_hour(self.start_hour)} to {_hour(self.end_hour)}, except bank holidays"


def _hour(hour: int) -> str:
    suffix = "am" if hour < 12 else "pm"
    return f"{(hour - 1) % 12 + 1}{suffix}"
