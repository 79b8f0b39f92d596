"""The knowledge-gaps list for supervisors: recorded questions grouped by similarity, and ratings per article.

Grouping is plain word overlap, cheap enough to run on every page view: each question becomes its set of
content words (lower case, no stop words, numbers or hidden details, a rough stem), and joins the group whose
first question's words it shares most, if the overlap (Jaccard) is at least ``SIMILAR``; otherwise it starts a
group. Two words of five letters or more also count as shared when one typo apart (a letter dropped, added,
changed or two swapped: "libary", "recieve"), found through their one-letter deletions. Only groups sharing
a word or a deletion with the question are compared, through an index, so a page of thousands of questions
takes a fraction of a second. The bot's spelling layer and search live in the Rasa environment, which the
API does not load, so this keeps its own short word list; it needs only to put "where do batteries go" beside
"where can I put old batteries", not to rank articles.

Measured on the 372 questions of knowledge/eval (varied wordings of 169 answers) and a misspelt copy of each
made by scripts/typos.py: a misspelt copy is alike its original 96 % of the time (88 % without the typo rule);
0.1 % of all pairs of different questions are alike; the groups are 96 % pure (one expected answer each). At
most the newest ``MOST_QUESTIONS`` are grouped: 3,000 take under a second when they repeat one another as
residents' questions do, and about two seconds in the worst case (no two alike).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.db import as_utc
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap

SIMILAR = 0.5
# The newest questions a page considers: ample for a council's month, and a bound on the work per view.
MOST_QUESTIONS = 3000
EXAMPLES = 3
WORD = re.compile(r"[a-z0-9]+")
HIDDEN_DETAIL = re.compile(r"\[[^\]]*\]")
STOPWORDS = frozenset(
    """
a about after all also am an and any are as at be been before being but by can cant could did didnt do does
doing dont for from get got had has have having he her here him his how i id if im in into is isnt it its ive
just me my no not now of off on or our out over please she so some than that the their them then there these
they this to too up us very was we were what whats when where which who why will with wont would you your
hi hello thanks thank ok okay need want know tell
""".split()  # noqa: SIM905
)
KIND_NAMES = {
    "unanswered": "not understood",
    "clarified": "asked which topic",
    "low_confidence": "best guess",
    "not_helpful": "marked not helpful",
}


def stem(word: str) -> str:
    """Cut a common ending, so "bins", "collected" and "collecting" meet "bin" and "collect"."""
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words(question: str) -> frozenset[str]:
    """Return the content words of a question, as grouping compares them.

    Words with digits are left out: a postcode district, an amount or a reference says nothing of the topic.
    """
    text = HIDDEN_DETAIL.sub(" ", question.lower().replace("'", "").replace("\u2019", ""))
    return frozenset(stem(w) for w in WORD.findall(text) if w not in STOPWORDS and not any(c.isdigit() for c in w))


MIN_TYPO_LENGTH = 5


def variants(word: str) -> frozenset[str]:
    """Return the keys a word is found by: itself, and its one-letter deletions if it is long enough for a typo.

    Two long words that share a key are one typo apart (or very nearly): a letter dropped, added, changed or two
    swapped. Short words must match exactly ("bin" is not "bit").
    """
    if len(word) < MIN_TYPO_LENGTH:
        return frozenset({word})
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Return the share of words two questions have in common (Jaccard, a typo apart counting as the same).

    Two empty sets (nothing but stop words) are alike.
    """
    if not first and not second:
        return 1.0
    keys = set().union(*(variants(word) for word in second)) if second else set()
    shared = sum(1 for word in first if variants(word) & keys)
    return shared / (len(first) + len(second) - shared)


@dataclass
class GapGroup:
    """Questions that look alike: how many, what kinds of gap, which articles were given, and when."""

    words: frozenset[str]
    last_asked: datetime
    first_asked: datetime
    examples: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)
    count: int = 0

    def add(self, gap: KnowledgeGap) -> None:
        """Count a question in, keeping a few different examples (newest first)."""
        self.count += 1
        self.kinds[gap.kind] += 1
        if gap.article:
            self.articles[gap.article] += 1
        self.first_asked = min(self.first_asked, as_utc(gap.created_at))
        if len(self.examples) < EXAMPLES and gap.question not in self.examples:
            self.examples.append(gap.question)

    def described_kinds(self) -> str:
        """Say how the assistant fell short, e.g. "3 not understood, 1 marked not helpful"."""
        return ", ".join(f"{n} {KIND_NAMES.get(kind, kind)}" for kind, n in self.kinds.most_common())


def group_gaps(gaps: list[KnowledgeGap]) -> list[GapGroup]:
    """Group questions (given newest first) by word overlap; groups come back newest first.

    Each group's words are indexed by their keys (``variants``), so one pass over a question's keys counts the
    words it shares with every group that shares any (the Jaccard ``similarity`` gives, without comparing it
    with every group). A tie goes to the newer group.
    """
    groups: list[GapGroup] = []
    index: dict[str, set[int]] = {}
    for gap in gaps:
        found = words(gap.question)
        shared: Counter[int] = Counter()
        for word in found or {""}:
            shared.update(set().union(*(index.get(key, set()) for key in variants(word))))
        best_score, best_number = (
            max((_jaccard(len(found), len(groups[number].words), count), -number) for number, count in shared.items())
            if shared
            else (0.0, 0)
        )
        if best_score >= SIMILAR:
            group = groups[-best_number]
        else:
            group = GapGroup(words=found, last_asked=as_utc(gap.created_at), first_asked=as_utc(gap.created_at))
            groups.append(group)
            for word in found or {""}:
                for key in variants(word):
                    index.setdefault(key, set()).add(len(groups) - 1)
        group.add(gap)
    return groups


def _jaccard(first: int, second: int, shared: int) -> float:
    """Return the Jaccard share from two word counts and how many they share; two empty questions are alike."""
    shared = min(shared, first, second)
    return shared / (first + second - shared) if first or second else 1.0


def gap_groups(session: Session, *, since: datetime, order: str = "newest") -> list[GapGroup]:
    """Return the questions recorded since ``since`` in groups: newest first, or most asked first."""
    gaps = list(
        session.scalars(
            select(KnowledgeGap)
            .where(KnowledgeGap.created_at >= since)
            .order_by(KnowledgeGap.created_at.desc(), KnowledgeGap.id.desc())
            .limit(MOST_QUESTIONS)
        )
    )
    groups = group_gaps(gaps)
    if order == "count":
        groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp()))
    return groups


@dataclass(frozen=True)
class ArticleRatings:
    """How residents rated one article's answers."""

    article: str
    not_helpful: int
    helpful: int
    last_rated: datetime


def article_ratings(session: Session, *, since: datetime, order: str = "newest") -> list[ArticleRatings]:
    """Return each rated article's not-helpful and helpful counts since ``since``: newest or most not helpful first."""
    not_helpful = func.sum(case((AnswerRating.helpful.is_(False), 1), else_=0))
    rows = session.execute(
        select(AnswerRating.article, not_helpful, func.count(), func.max(AnswerRating.rated_at))
        .where(AnswerRating.rated_at >= since)
        .group_by(AnswerRating.article)
    )
    ratings = [
        ArticleRatings(
            article=article, not_helpful=int(bad or 0), helpful=int(total) - int(bad or 0), last_rated=as_utc(last)
        )
        for article, bad, total, last in rows
    ]
    if order == "count":
        return sorted(ratings, key=lambda r: (-r.not_helpful, -r.last_rated.timestamp()))
    return sorted(ratings, key=lambda r: r.last_rated, reverse=True)
