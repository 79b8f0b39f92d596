"""The supervisor's figures for a day: conversations, first-contact resolution, handoffs, waits, satisfaction.

Charts are drawn here as small inline SVGs (no script, nothing fetched), each with a text equivalent.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from api.console.service import REASON_NAMES
from api.conversations.models import Conversation, Handoff, Message
from api.conversations.service import RATING_CHOICES
from api.db import as_utc
from api.electoral import verification as electoral_verification
from api.knowledge_gaps.service import counts_between as gap_counts
from api.payments import verification as account_verification
from api.verification_common import Refusal


@dataclass(frozen=True)
class Lockouts:
    """Identity checks refused unchecked in a day: by how many chats, client addresses and people named."""

    conversations: int = 0
    addresses: int = 0
    people: int = 0

    @property
    def total(self) -> int:
        """Every lockout, of any kind."""
        return self.conversations + self.addresses + self.people


@dataclass(frozen=True)
class DayFigures:
    """One day's figures, as the dashboard shows them."""

    day: date
    conversations: int
    by_channel: dict[str, int]
    without_officer: int
    handoffs_by_reason: list[tuple[str, int]]
    waits_minutes: list[float]
    waiting_now: int
    longest_waiting_now_minutes: int
    ratings: dict[int, int]
    by_hour: list[int]
    lockouts: Lockouts = Lockouts()
    # Questions the assistant could not answer well that day, and its answers residents marked not helpful.
    knowledge_gaps: int = 0
    not_helpful: int = 0

    @property
    def first_contact_rate(self) -> float | None:
        """The share of conversations resolved without an officer, or None on a day without conversations."""
        return self.without_officer / self.conversations if self.conversations else None

    @property
    def median_wait(self) -> float | None:
        """The median wait, in minutes, before an officer claimed a queued chat."""
        return statistics.median(self.waits_minutes) if self.waits_minutes else None

    @property
    def average_rating(self) -> float | None:
        """The mean satisfaction rating, 1 (very poor) to 5 (very good)."""
        count = sum(self.ratings.values())
        return sum(score * n for score, n in self.ratings.items()) / count if count else None


def day_figures(session: Session, day: date, *, timezone: str, now: datetime) -> DayFigures:
    """Count the day's (local time) conversations, handoffs, waits and ratings."""
    zone = ZoneInfo(timezone)
    # In UTC: SQLite compares stored UTC moments as text, whatever zone a parameter is in.
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    spoke = exists().where(Message.conversation_id == Conversation.id, Message.sender == "resident")
    handed = exists().where(Handoff.conversation_id == Conversation.id)
    conversations = session.execute(
        select(Conversation.channel, Conversation.created_at, handed).where(
            Conversation.created_at >= start, Conversation.created_at < end, spoke
        )
    ).all()
    by_channel: dict[str, int] = {}
    by_hour = [0] * 24
    for channel, created_at, _ in conversations:
        by_channel[channel] = by_channel.get(channel, 0) + 1
        by_hour[as_utc(created_at).astimezone(zone).hour] += 1
    handoffs = list(session.scalars(select(Handoff).where(Handoff.requested_at >= start, Handoff.requested_at < end)))
    reasons: dict[str, int] = {}
    for handoff in handoffs:
        reasons[handoff.reason] = reasons.get(handoff.reason, 0) + 1
    waits = [
        (as_utc(h.claimed_at) - as_utc(h.requested_at)).total_seconds() / 60
        for h in handoffs
        if h.claimed_at is not None
    ]
    waiting = list(session.scalars(select(Handoff.requested_at).where(Handoff.status.in_(("waiting", "callback")))))
    ratings: dict[int, int] = {
        int(score or 0): count
        for score, count in session.execute(
            select(Conversation.rating, func.count())
            .where(Conversation.rated_at >= start, Conversation.rated_at < end, Conversation.rating.is_not(None))
            .group_by(Conversation.rating)
        )
    }
    gaps = gap_counts(session, start=start, end=end)
    return DayFigures(
        day=day,
        conversations=len(conversations),
        by_channel=by_channel,
        without_officer=sum(1 for *_, was_handed in conversations if not was_handed),
        handoffs_by_reason=sorted(((REASON_NAMES.get(r, r), n) for r, n in reasons.items()), key=lambda x: -x[1]),
        waits_minutes=waits,
        waiting_now=len(waiting),
        longest_waiting_now_minutes=max((int((now - as_utc(t)).total_seconds() // 60) for t in waiting), default=0),
        ratings={score: ratings.get(score, 0) for score, _ in RATING_CHOICES},
        by_hour=by_hour,
        lockouts=lockouts(session, start=start, end=end),
        knowledge_gaps=gaps.gaps,
        not_helpful=gaps.not_helpful,
    )


def lockouts(session: Session, *, start: datetime, end: datetime) -> Lockouts:
    """Count the chats, sources and people (electors or accounts) whose identity checks were refused.

    Each identity check counts its own refusals (its attempts table is its own); the dashboard adds them up.
    """
    electoral = electoral_verification.refusal_counts(session, start=start, end=end)
    accounts = account_verification.refusal_counts(session, start=start, end=end)
    return Lockouts(
        conversations=electoral[Refusal.CONVERSATION] + accounts[Refusal.CONVERSATION],
        addresses=electoral[Refusal.SOURCE] + accounts[Refusal.SOURCE],
        people=electoral[Refusal.SUBJECT] + accounts[Refusal.SUBJECT],
    )


BAR_HEIGHT = 22
LABEL_WIDTH = 190
CHART_WIDTH = 520


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def bar_chart(title: str, bars: list[tuple[str, float]], *, unit: str = "") -> Markup:
    """Draw horizontal bars with their values; an empty chart says there is nothing to show."""
    if not bars:
        return Markup('<p class="chart-empty">{}: nothing yet today.</p>').format(title)
    top = max(value for _, value in bars) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    height = BAR_HEIGHT * len(bars) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'aria-labelledby="chart-{_slug(title)}"><title id="chart-{_slug(title)}">{escape(title)}</title>'
    ]
    for row, (label, value) in enumerate(bars):
        y = 4 + row * BAR_HEIGHT
        width = max(2.0, room * value / top) if value else 0
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="{BAR_HEIGHT - 8}" '
            f'class="chart-bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}" class="chart-value">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape)


def column_chart(title: str, columns: list[tuple[str, int]]) -> Markup:
    """Draw vertical columns (e.g. conversations per hour) with a label under every third column."""
    height, base = 150, 125
    top = max((value for _, value in columns), default=0) or 1
    step = CHART_WIDTH / max(1, len(columns))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'aria-labelledby="chart-{_slug(title)}"><title id="chart-{_slug(title)}">{escape(title)}</title>',
        f'<line x1="0" y1="{base}" x2="{CHART_WIDTH}" y2="{base}" class="chart-axis"/>',
    ]
    for index, (label, value) in enumerate(columns):
        x = index * step
        bar = (base - 10) * value / top
        if value:
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{base - bar:.1f}" width="{step - 4:.1f}" height="{bar:.1f}" '
                f'class="chart-bar"><title>{escape(label)}: {value}</title></rect>'
            )
        if index % 3 == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                f'class="chart-label">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape)
