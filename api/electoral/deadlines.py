"""Statutory deadlines before a poll, counted back in working days from polling day.

The rules (docs/domain.md, from the Electoral Commission's timetables): registration closes at midnight at the
end of the 12th working day before polling day; new postal votes and changes or cancellations of absent
votes at 5pm on the 11th; new proxies and Voter Authority Certificates at 5pm on the 6th; emergency
proxies and replacements of lost or spoilt postal votes at 5pm on polling day. Polling day itself is
never counted.

Which days are not working days comes from the computation-of-time rules of the election rules
(Representation of the People Act 1983 s.119 and the local election rules, as amended by the Electoral
Administration Act 2006 s.20): Saturdays, Sundays, Christmas Eve, Christmas Day, Good Friday, bank
holidays, and days of public thanksgiving or mourning (which are made bank holidays). Christmas Eve is
the one day among them that is not a bank holiday, so it is added by hand.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from api import working_days
from api.clock import COUNCIL_TIMEZONE

OFFICE_CUT_OFF = time(17, 0)
# "Midnight at the end of the day": the last second of it, so the day reads as the deadline day.
END_OF_DAY = time(23, 59, 59)
POLL_HOURS = "7am to 10pm"


class DeadlineKind(enum.StrEnum):
    """Things a resident can still do before a poll, each with its own deadline."""

    REGISTRATION = "registration"
    POSTAL = "postal"
    ABSENT_VOTE_CHANGE = "absent_vote_change"
    PROXY = "proxy"
    VOTER_AUTHORITY_CERTIFICATE = "voter_authority_certificate"
    EMERGENCY_PROXY = "emergency_proxy"
    POSTAL_REPLACEMENT = "postal_replacement"


@dataclass(frozen=True)
class DeadlineRule:
    """How many working days before polling day a deadline falls, at what time, and what it is for."""

    working_days_before: int
    at: time
    label: str


RULES: dict[DeadlineKind, DeadlineRule] = {
    DeadlineKind.REGISTRATION: DeadlineRule(12, END_OF_DAY, "Register to vote"),
    DeadlineKind.POSTAL: DeadlineRule(11, OFFICE_CUT_OFF, "Apply for a postal vote"),
    DeadlineKind.ABSENT_VOTE_CHANGE: DeadlineRule(11, OFFICE_CUT_OFF, "Change or cancel a postal or proxy vote"),
    DeadlineKind.PROXY: DeadlineRule(6, OFFICE_CUT_OFF, "Apply for a proxy vote"),
    DeadlineKind.VOTER_AUTHORITY_CERTIFICATE: DeadlineRule(
        6, OFFICE_CUT_OFF, "Apply for a Voter Authority Certificate (free photo ID for voting)"
    ),
    DeadlineKind.EMERGENCY_PROXY: DeadlineRule(
        0,
        OFFICE_CUT_OFF,
        "Apply for an emergency proxy vote (if illness, disability, work or lost photo ID stops you going)",
    ),
    DeadlineKind.POSTAL_REPLACEMENT: DeadlineRule(0, OFFICE_CUT_OFF, "Replace a lost or spoilt postal vote"),
}


@dataclass(frozen=True)
class Deadline:
    """One deadline of one poll, as a moment in the council's time zone."""

    kind: DeadlineKind
    label: str
    at: datetime

    def passed(self, now: datetime) -> bool:
        """Tell whether the deadline has gone by at ``now`` (the deadline minute itself is still in time)."""
        return now > self.at


def is_working_day(day: date) -> bool:
    """Tell whether ``day`` counts as a working day in an election timetable."""
    is_christmas_eve = (day.month, day.day) == (12, 24)
    return working_days.is_working_day(day) and not is_christmas_eve


def working_days_before(day: date, count: int) -> date:
    """Return the working day ``count`` working days before ``day`` (``day`` itself is not counted)."""
    while count > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def deadline(poll_date: date, kind: DeadlineKind) -> Deadline:
    """Return the deadline of ``kind`` for a poll on ``poll_date``."""
    rule = RULES[kind]
    day = working_days_before(poll_date, rule.working_days_before)
    return Deadline(kind, rule.label, datetime.combine(day, rule.at, tzinfo=COUNCIL_TIMEZONE))


def timetable(poll_date: date) -> list[Deadline]:
    """Return every deadline for a poll on ``poll_date``, in the order a resident meets them."""
    return [deadline(poll_date, kind) for kind in DeadlineKind]
