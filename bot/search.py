"""Find the knowledge article that answers a question in the resident's own words, and spot misroutes.

The intent classifier knows the assistant's tasks and a handful of knowledge intents; the A-Z articles are
far more than it was trained on, so a question with no task behind it is answered by search instead:
BM25 over each article's title, file name, keywords and text (title words count more, as they name the
topic). Everything here is plain Python over the loaded articles, so an added or edited article is
searchable on the next question without retraining, and nothing is downloaded or loaded at run time.

``misroute`` is the other half: a message that names a different service from the task or answer its
intent resembles ("register my baby's birth" is not registering to vote; library hours are not office
hours) is answered with that service's article instead. Its words are few and distinctive on purpose,
and a real emergency or a real problem report (a bin that was not emptied) is never redirected.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.knowledge import Article

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset("""
a about after all also am an and any are as at be been before being but by can cant could did didnt do does
doing done dont for from get got had has have having he her here him his how i id if im in into is isnt it
its ive just me more my no not now of off on or our out over please she so some than that the their them
then there these they this to too up us very was wasnt we were what when where which who why will with wont
would you your yours
give good get need want like know tell thank thanks hello hi reckon
""".split())  # noqa: SIM905
# Field weights: a title word says what the article is about; a body word may be a passing mention.
WEIGHTS = {"title": 3.0, "slug": 2.0, "keywords": 2.0, "body": 1.0}
K1, B = 1.2, 0.75


def stem(word: str) -> str:
    """Reduce a word to a rough stem, so "bins", "boxes" and "collected" meet "bin", "box" and "collect"."""
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    # No "-ing": parking is not a park, riding not rid.
    for suffix, minimum in (("ed", 6), ("s", 4)):
        if word.endswith(suffix) and len(word) >= minimum:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Return the stemmed content words of ``text`` (lower case, no stop words, apostrophes dropped)."""
    words = TOKEN.findall(text.lower().replace("'", "").replace("\u2019", ""))
    return [stem(word) for word in words if word not in STOPWORDS]


@dataclass(frozen=True)
class Hit:
    """An article and how well it matches a question; ``named`` when the question uses its title or a keyword."""

    article: Article
    score: float
    named: bool = False


# A one-word keyword names its article only if that word is in at most this many articles: "cemetery" names
# the cemeteries article, but "pay" (in dozens) names nothing.
NAMING_MAX_ARTICLES = 3


class Ranker:
    """BM25 over weighted article fields, built once for a set of articles."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self._docs = [self._weighted_terms(article) for article in articles]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._average = sum(self._lengths) / max(len(self._docs), 1)
        frequency = Counter(term for doc in self._docs for term in doc)
        count = len(self._docs)
        self._idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
        self._names = [self._naming_phrases(article, frequency) for article in articles]

    @staticmethod
    def _naming_phrases(article: Article, frequency: Counter[str]) -> list[frozenset[str]]:
        """Return the term sets of the article's title and keywords that, all present, name the article."""
        phrases = (frozenset(terms(text)) for text in (article.title, *article.keywords))
        return [phrase for phrase in phrases
                if len(phrase) > 1 or (phrase and frequency[next(iter(phrase))] <= NAMING_MAX_ARTICLES)]

    @staticmethod
    def _weighted_terms(article: Article) -> dict[str, float]:
        fields = {"title": article.title, "slug": article.slug.replace("-", " "),
                  "keywords": " ".join(article.keywords), "body": article.answer}
        weighted: dict[str, float] = defaultdict(float)
        for name, text in fields.items():
            for term in terms(text):
                weighted[term] += WEIGHTS[name]
        return weighted

    def rank(self, question: str, limit: int = 3) -> list[Hit]:
        """Return the best ``limit`` articles for ``question``, best first.

        An article must share two of the question's words (its one word, if it has one), or the question must
        name it by its title or a whole keyword: "who won the footy" is not about election results because both
        use "won", but "get rid of an old sofa" is bulky waste ("sofa" is its keyword and no other article's).
        """
        query = set(terms(question))
        needed = min(2, len(query))
        hits = []
        for article, doc, length, names in zip(self.articles, self._docs, self._lengths, self._names, strict=True):
            score = 0.0
            shared = query & doc.keys()
            named = any(phrase <= query for phrase in names)
            if len(shared) < needed and not named:
                continue
            for term in shared:
                tf = doc[term]
                score += self._idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._average))
            if score > 0:
                hits.append(Hit(article, score, named))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]


# A search answer needs a top score this high and this far ahead of the next; between CLARIFY and ANSWER the
# resident is asked which of the top articles they mean. Measured on knowledge/eval (make knowledge-eval).
ANSWER_SCORE = 10.0
ANSWER_MARGIN = 1.25
CLARIFY_SCORE = 3.0
# A question the classifier took for a task or another answer needs less to be answered by search.
QUESTION_SCORE = 5.0
QUESTION_MARGIN = 1.15
STATEMENT_SCORE = 10.0


@dataclass(frozen=True)
class Decision:
    """What search makes of a question: one article to answer with, a few to choose from, or nothing."""

    answer: Article | None = None
    choices: tuple[Article, ...] = ()


def decide(hits: list[Hit]) -> Decision:
    """Answer when the best match is strong and clearly ahead, ask when it is middling, else give up."""
    if not hits or hits[0].score < CLARIFY_SCORE:
        return Decision()
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if hits[0].score >= ANSWER_SCORE and hits[0].score >= ANSWER_MARGIN * runner_up:
        return Decision(answer=hits[0].article)
    return Decision(choices=tuple(hit.article for hit in hits if hit.score >= CLARIFY_SCORE / 2))


# A message naming one of these services is about that service's article, whatever the task it resembles.
# Patterns match the lower-cased message; the first that matches wins.
DISTINCTIVE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), slug) for pattern, slug in (
    (r"\b(birth|baby'?s?|newborn|new born)\b", "register-a-birth"),
    (r"\bregist\w*\s+(a|the|my|his|her|their|our)?\s*(\w+'?s?\s+)?death\b|\bdeath certificate", "register-a-death"),
    (r"\blibrar(y|ies)\b", "libraries"),
    (r"\bleisure cent|\bswimming\b|\bswim\b|\bpool\b|\bgym\b", "leisure-centres"),
    (r"\bgarden waste\b|\bbrown bin", "garden-waste"),
    (r"\b(what|which) day\b.*\b(bins?|recycling|rubbish|waste|collect\w*|picked up|emptied)\b"
     r"|\b(bin|bins|collection|recycling|rubbish) days?\b"
     r"|\bwhen\b.*\b(bins?|recycling|rubbish)\b.*\b(collected|picked up|emptied)\b", "bin-collection-day"),
    (r"\bbark(s|ing)?\b", "barking-dogs"),
))
# A report of something that went wrong stays a report, even if it names a bin the articles describe.
PROBLEM = re.compile(r"\b(missed|wasn'?t|was not|weren'?t|didn'?t|did not|not been|never|forgot|skipped|broken|"
                     r"damaged|stolen|overflowing|dumped)\b")
# Danger words keep an emergency an emergency: a barking dog is not, a dog attack is.
DANGER = re.compile(r"\b(fire|flood\w*|gas|smoke|attack\w*|bit|bitten|bite|injur\w*|hurt|blood|danger\w*|"
                    r"collaps\w*|unconscious|threat\w*|weapon|knife|police|ambulance|999)\b")


def misroute(text: str, intent: str, articles: list[Article]) -> Article | None:
    """Return the article a message names when its intent would otherwise start or answer something else.

    ``None`` means the intent stands: no distinctive service is named, the named article is the one the
    intent already answers, or the message is a danger or a problem report that must keep its task.
    """
    lowered = text.lower().replace("\u2019", "'")
    if intent == "emergency" and DANGER.search(lowered):
        return None
    by_slug = {article.slug: article for article in articles}
    named = [by_slug[slug] for pattern, slug in DISTINCTIVE if slug in by_slug and pattern.search(lowered)]
    if named:
        if intent == "report_problem" and PROBLEM.search(lowered):
            return None
        # The intent stands when any service named is its own: "when is my brown bin collected" names garden
        # waste too, but it is a bin-day question.
        return None if any(intent in article.intents for article in named) else named[0]
    return searched_instead(text, intent, articles)


# Intents the classifier gives too readily to questions about other services; a question (not a report or a
# request) parsed as one of them is answered from a strongly matching article instead.
# (Knowledge intents are left alone: "what time are you open" shares more words with the library's article
# than with the office's, so search would take it from the intent that was right.)
OVERRIDABLE = frozenset({"report_problem", "payment_difficulty", "recovery_notice", "emergency", "council_tax_balance",
                         "report_death_or_left"})
QUESTION = re.compile(r"^(how|what|whats|when|where|which|who|why|is|are|do|does|did|can i|can we|can my|"
                      r"can \w+ \w+ (go|be)|will|should|am i|if)\b|\?\s*$")
# What is left to pay on one's own account is a balance request however it is worded ("do I still owe",
# "how much is left on my bill"), never a question for an article that happens to share "council tax".
REQUEST = re.compile(r"\b(report|my (account|balance|bill)|balance|i (still )?owe|owed?|owing|outstanding|arrears|"
                     r"left (to pay|on (my|the))|behind (on|with))\b")


def searched_instead(text: str, intent: str, articles: list[Article]) -> Article | None:
    """Return a strongly matching article for a question whose intent is a poor fit, or None."""
    lowered = text.lower().replace("\u2019", "'").strip()
    if intent not in OVERRIDABLE or REQUEST.search(lowered) or DANGER.search(lowered):
        return None
    question = bool(QUESTION.search(lowered))
    # A report or a task request stays one unless it is asked as a question; a few intents yield to a strong
    # match even for a statement ("household support fund" is no payment difficulty, nor a section 21 notice
    # a council tax recovery notice).
    if intent == "report_problem" and PROBLEM.search(lowered):
        return None
    if not question and intent not in STATEMENT_OVERRIDABLE:
        return None
    hits = ranker_for(articles).rank(lowered)
    if not hits or hits[0].score < (QUESTION_SCORE if question else STATEMENT_SCORE):
        return None
    if len(hits) > 1 and hits[0].score < QUESTION_MARGIN * hits[1].score:
        return None
    return None if intent in hits[0].article.intents else hits[0].article


STATEMENT_OVERRIDABLE = frozenset({"payment_difficulty", "recovery_notice", "emergency"})


TITLE_PAYLOAD = re.compile(r'"article"\s*:\s*"([a-z0-9-]+)"')


def chosen_article(text: str, articles: list[Article]) -> Article | None:
    """Return the article a clarifying button named (its payload carries the slug), if the message is one."""
    match = TITLE_PAYLOAD.search(text or "")
    if match is None:
        return None
    return next((article for article in articles if article.slug == match.group(1)), None)


_rankers: dict[tuple[int, ...], Ranker] = {}


def ranker_for(articles: list[Article]) -> Ranker:
    """Return a ranker over ``articles``, reused while the knowledge base hands back the same parsed articles."""
    key = tuple(id(article) for article in articles)
    if key not in _rankers:
        _rankers.clear()
        _rankers[key] = Ranker(articles)
    return _rankers[key]
