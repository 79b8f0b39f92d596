"""What the assistant says about bin collection days: the next dates per bin at the resident's chosen address.

Bin days are published by address and say nothing about who lives there, so the task asks only for a
postcode and the address (no identity check). The dates, and any bank-holiday change to them, come from
the back office (``GET /api/v1/bin-collections``); this module only puts them into plain words.
"""

from __future__ import annotations

import datetime as dt
import re

from rasa_sdk import Tracker

from bot.actions.common import council_phone
from bot.actions.task_kit import Task, opening_request, uprn_of
from bot.backoffice import BackOffice, BackOfficeError
from bot.backoffice_models import Bin, BinCollections
from bot.knowledge import ArticleError, get_knowledge
from bot.parsing import BIN_KINDS, follow_up_of

BINS_ARTICLE = "bin-collection-day"
GARDEN_ARTICLE = "garden-waste"
# Used only when the knowledge base cannot be read: the answer still carries a working link.
FALLBACK_LINKS = {
    BINS_ARTICLE: "https://www.ashdownvale.gov.uk/bins-and-recycling/collection-days",
    GARDEN_ARTICLE: "https://www.ashdownvale.gov.uk/bins-and-recycling/garden-waste",
}


def article_link(slug: str) -> str:
    """Return an article's source link, so the reply points where the article does (a fixed link if unreadable)."""
    try:
        return get_knowledge().article(slug).source
    except (ArticleError, OSError):
        return FALLBACK_LINKS[slug]


def day_words(value: str, *, today: str | None = None) -> str:
    """Write a collection date as residents say it: 'Tuesday 8 December', or 'today (Tuesday 8 December)'.

    No year: every date the back office returns is within the next few weeks (months for a winter break).
    """
    day = dt.date.fromisoformat(value)
    words = f"{day:%A} {day.day} {day:%B}"
    if value == today:
        return f"today ({words})"
    if today and day == dt.date.fromisoformat(today) + dt.timedelta(days=1):
        return f"tomorrow ({words})"
    return words


def _bin_name(item: Bin) -> str:
    return f"{item.label} ({item.container})"


def _collection_line(item: Bin, today: str) -> str:
    """One bullet: the bin and its next date, with why it moved or why it pauses."""
    first = item.collections[0]
    line = f"- {_bin_name(item)}: {day_words(first.date, today=today)}"
    if first.moved_for:
        line += f", not {day_words(first.usual_date)} {because_of(first.moved_for)}"
    if item.paused:
        line += " (brown bins have a winter break)"
    return line


def because_of(moved_for: str) -> str:
    """Say which bank holiday moved a collection: "(Wednesday 30 December, Boxing Day)" read as if the 30th were it.

    The holiday may be earlier in the week (Boxing Day 2026 is a Saturday; its day off is Monday 28 December).
    """
    holidays = moved_for.replace(" and ", " and the ")
    plural = "s" if " and " in moved_for else ""
    return f"(because of the {holidays} bank holiday{plural})"


def _later_changes(bins: list[Bin], today: str) -> list[str]:
    """List bank-holiday changes among the later dates, soonest first, so "is it different at Christmas" is answered.

    One short line each: a long sentence of dates is hard to read.
    """
    changes = sorted(
        (collection.date, item.label, collection.usual_date, collection.moved_for)
        for item in bins
        for collection in item.collections[1:]
        if collection.moved_for
    )
    return [
        f"- {label}: {day_words(day, today=today)}, not {day_words(usual)} {because_of(moved_for)}"
        for day, label, usual, moved_for in changes
    ]


# Words that name one kind of bin ("is the recycling the same day?"), not bins in general.
BIN_KIND_WORDS = re.compile(rf"\b({BIN_KINDS})\b", re.IGNORECASE)


def bins_asked_about(text: str, bins: list[Bin]) -> list[Bin]:
    """Return the bins ``text`` names by kind or colour ("and is the recycling the same day"); none if it names none."""
    words = {word.lower() for word in BIN_KIND_WORDS.findall(text)}
    return [item for item in bins if words & set(re.findall(r"[a-z]+", f"{item.label} {item.container}".lower()))]


def next_collections(result: BinCollections, asked: str = "") -> str:
    """Describe the next collection of each bin at the address, bank-holiday changes, and where to read more.

    A question about one kind of bin ("and is the recycling the same day") gets that bin's day, beside the others'.
    """
    today = result.today or ""
    where = f"{result.address}, {result.postcode}"
    bins = [item for item in result.bins if item.collections]
    named = bins_asked_about(asked, bins)
    if named and len(named) < len(bins):
        # It got the whole list again (a probe): the bin asked about first, then the others' days in one line.
        others = ", ".join(
            f"{item.label.lower()} {day_words(item.collections[0].date, today=today)}"
            for item in bins
            if item not in named
        )
        lines = [_collection_line(item, today).removeprefix("- ") for item in named]
        return "\n".join([f"At {where}:", *lines, f"The others: {others}.", f"More: {article_link(BINS_ARTICLE)}"])
    if not bins:
        return (
            f"I'm sorry, I don't have collection days for {where}. Please check on our website: "
            f"{article_link(BINS_ARTICLE)}"
        )
    lines = [f"Your next bin collections at {where}:"]
    lines += [_collection_line(item, today) for item in bins]
    changes = _later_changes(bins, today)
    if changes:
        lines += ["Changes for bank holidays:", *changes]
    if not result.garden_waste_subscribed:
        lines.append(
            f"There's no garden waste (brown bin) collection here. You can pay for one at "
            f"{article_link(GARDEN_ARTICLE)}"
        )
    lines.append(f"Please put your bins out by 7am. More: {article_link(BINS_ARTICLE)}")
    return "\n".join(lines)


async def _ask_bin_day(backoffice: BackOffice, tracker: Tracker) -> str:
    result = await backoffice.bin_collections(uprn=uprn_of(tracker) or 0)
    # Only a follow-up about one bin ("and is the recycling the same day") gets that bin first; a first question
    # naming one ("my recycling wasn't collected, when is bin day?") gets the whole list.
    opening = opening_request(tracker)
    return next_collections(result, asked=opening if follow_up_of("ask_bin_day", opening) else "")


# Bin days are public: a postcode and the chosen address are all the task asks.
TASKS = (Task("ask_bin_day", _ask_bin_day, needs="address"),)


# A missed collection is reported only when one was due lately. A probe lodged a brown bin "not collected this week"
# in its winter break, a bin "not collected today" on a Saturday for a Monday round, and one missed "yesterday" on a
# Friday for a Monday round: crews would be sent for nothing, and the resident promised what would not happen.
DUE_TODAY = (
    "Your {bins} {is_are} due to be emptied today, and the crews work through the day, so please leave {it_them} out. "
    "If {it_they} still {has_have}n't been emptied by tomorrow, tell me then and I'll report it."
)
NOT_DUE_LATELY = (
    "{lines} We can send a crew back only within 2 working days of a collection day, so I haven't reported a missed "
    "collection. If you think our dates are wrong, or your bin is often missed, I can pass you to an officer, or you "
    "can call us on {phone}."
)


def _bin_dates(item: Bin, today: str) -> str:
    """Say when a bin was last due and is next due ("Your brown bin is on its winter break ...")."""
    upcoming = f"next collection is {day_words(item.collections[0].date, today=today)}" if item.collections else ""
    if item.paused:
        return f"Your {item.container} ({item.label.lower()}) is on its winter break: its {upcoming}."
    if item.last_collection is None:
        return f"Your {item.container}'s {upcoming}."
    last = day_words(item.last_collection.date)
    return f"Your {item.container} was last due on {last}, and its {upcoming}."


def missed_collection_refused(result: BinCollections, said: str) -> str | None:
    """Return why a missed collection cannot be reported at this address now, or None when it can.

    ``said`` is what the resident wrote about it: the bins it names are checked (all of them when it names none).
    One named bin due lately is enough. Due today, it is asked to stay out until the crews have been.
    """
    today = result.today or ""
    named = bins_asked_about(said, result.bins) or result.bins
    if not named or any(
        item.miss_reportable_until and today <= item.miss_reportable_until and item.last_collection for item in named
    ):
        return None
    due_today = [item for item in named if item.collections and item.collections[0].date == today]
    if due_today:
        one = len(due_today) == 1
        return DUE_TODAY.format(
            bins=" and ".join(item.container for item in due_today),
            is_are="is" if one else "are",
            it_them="it" if one else "them",
            it_they="it" if one else "they",
            has_have="has" if one else "have",
        )
    lines = " ".join(_bin_dates(item, today) for item in named)
    return NOT_DUE_LATELY.format(lines=f"{lines}{_another_day(said, named)}", phone=council_phone())


WEEKDAY_SAID = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)


def _another_day(said: str, bins: list[Bin]) -> str:
    """Say the round's day when the resident named another ("bins not emptied on monday" for a Tuesday round)."""
    named = WEEKDAY_SAID.search(said)
    days = sorted({item.usual_day for item in bins if item.usual_day})
    if named is None or not days or named.group(1).lower() in (day.lower() for day in days):
        return ""
    return f" Your bins are collected on {' and '.join(f'{day}s' for day in days)}, not {named.group(1).capitalize()}s."


async def missed_collection_check(backoffice: BackOffice, uprn: int, said: str) -> str | None:
    """Look the address's collections up and say why a missed collection can't be reported, or None.

    None on a failure too: the report goes ahead as before, for an officer to check.
    """
    try:
        result = await backoffice.bin_collections(uprn=uprn)
    except BackOfficeError:
        return None
    return missed_collection_refused(result, said)
