"""Find the knowledge article that answers a question in the resident's own words, and spot misroutes.

The intent classifier knows the assistant's tasks and a handful of knowledge intents; the A-Z articles are
far more than it was trained on, so a question with no task behind it is answered by search instead:
BM25 over each article's title, file name, keywords and text (title words count more, as they name the
topic). Everything here is plain Python over the loaded articles, so an added or edited article is
searchable on the next question without retraining, and nothing is downloaded or loaded at run time.
When search overrules an intent is bot/routing.py's business.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.knowledge import Article
from bot.nlp.edits import edit_distance

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """
a about after all also am an and any are as at be been before being but by can cant could did didnt do does
doing done dont for from get got had has have having he her here him his how i id if im in into is isnt it
its ive just me more my no not now of off on or our out over please she so some than that the their them
then there these they this to too up us very was wasnt we were what when where which who why will with wont
would you your yours
give good get need want like know tell thank thanks hello hi reckon
""".split()  # noqa: SIM905
)
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
    """An article and how well it matches a question.

    ``naming`` holds the question's words that name the article: those of its title or of a whole keyword
    found in the question ("brown bin"); empty when the match is only words the article happens to use.
    """

    article: Article
    score: float
    naming: frozenset[str] = frozenset()

    @property
    def named(self) -> bool:
        """Whether the question names the article by its title or a keyword."""
        return bool(self.naming)


TYPO_MIN_LENGTH = 5  # the shortest question word read as a misspelt article word (shorter ones are too ambiguous)
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
        # Each article word with one letter left out, so a question's misspelt word finds the word it stands for.
        self._by_delete: dict[str, set[str]] = defaultdict(set)
        for term in frequency:
            if len(term) >= TYPO_MIN_LENGTH:
                for variant in (term, *(term[:i] + term[i + 1 :] for i in range(len(term)))):
                    self._by_delete[variant].add(term)

    def spelt_as_the_articles(self, word: str) -> str:
        """Return the article word one slip from ``word`` (a question's own word), or the word itself.

        "how much is parkin in town" got the council tax bill article (a probe): "parkin" matched no article, so
        "town" decided. A word the articles do not use, five letters or more, is read as the one article word a
        letter left out, added, swapped or typed wrong away; when several are, as the one most articles use.
        """
        if word in self._idf or len(word) < TYPO_MIN_LENGTH:
            return word
        variants = (word, *(word[:i] + word[i + 1 :] for i in range(len(word))))
        candidates = {term for variant in variants for term in self._by_delete.get(variant, ())}
        near = [term for term in candidates if edit_distance(word, term) == 1]
        return max(near, key=lambda term: (-self._idf[term], term)) if near else word

    @staticmethod
    def _naming_phrases(article: Article, frequency: Counter[str]) -> list[frozenset[str]]:
        """Return the term sets of the article's title and keywords that, all present, name the article."""
        phrases = (frozenset(terms(text)) for text in (article.title, *article.keywords))
        return [
            phrase
            for phrase in phrases
            if len(phrase) > 1 or (phrase and frequency[next(iter(phrase))] <= NAMING_MAX_ARTICLES)
        ]

    @staticmethod
    def _weighted_terms(article: Article) -> dict[str, float]:
        fields = {
            "title": article.title,
            "slug": article.slug.replace("-", " "),
            "keywords": " ".join(article.keywords),
            "body": article.answer,
        }
        weighted: dict[str, float] = defaultdict(float)
        for name, text in fields.items():
            for term in terms(text):
                weighted[term] += WEIGHTS[name]
        return weighted

    def uses(self, article: Article, words: frozenset[str]) -> bool:
        """Whether ``article`` uses any of ``words`` (search terms) in its title, keywords or text."""
        return any(word in self._docs[self.articles.index(article)] for word in words)

    def rank(self, question: str, limit: int = 3, *, forgive_typos: bool = False) -> list[Hit]:
        """Return the best ``limit`` articles for ``question``, best first.

        An article must share two of the question's words (its one word, if it has one), or the question must
        name it by its title or a whole keyword: "who won the footy" is not about election results because both
        use "won", but "get rid of an old sofa" is bulky waste ("sofa" is its keyword and no other article's).
        ``forgive_typos``: a misspelt word counts as the article word it stands for (``spelt_as_the_articles``);
        for a question no intent answered, not for overruling an intent ("what's my council tax balanve?" would
        have found "balance" in the article about what the assistant can do, and lost the balance task).
        """
        words = terms(question)
        query = {self.spelt_as_the_articles(word) for word in words} if forgive_typos else set(words)
        needed = min(2, len(query))
        hits = []
        for article, doc, length, names in zip(self.articles, self._docs, self._lengths, self._names, strict=True):
            score = 0.0
            shared = query & doc.keys()
            naming = frozenset().union(*(phrase for phrase in names if phrase <= query))
            if len(shared) < needed and not naming:
                continue
            for term in shared:
                tf = doc[term]
                score += self._idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._average))
            if score > 0:
                hits.append(Hit(article, score, naming))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]


# A search answer needs a top score this high and this far ahead of the next; between CLARIFY and ANSWER the
# resident is asked which of the top articles they mean. Measured on knowledge/eval (make knowledge-eval).
ANSWER_SCORE = 7.0
ANSWER_MARGIN = 1.1
CLARIFY_SCORE = 3.0


@dataclass(frozen=True)
class Decision:
    """What search makes of a question: one article to answer with, a few to choose from, or nothing.

    ``task``: the task the message's intent would have started, offered beside the ``choices`` when search
    and the intent disagree and neither is clearly right.
    """

    answer: Article | None = None
    choices: tuple[Article, ...] = ()
    task: str | None = None


def decide(hits: list[Hit]) -> Decision:
    """Answer when the best match is strong and clearly ahead, ask when it is middling, else give up."""
    if not hits or hits[0].score < CLARIFY_SCORE:
        return Decision()
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if hits[0].score >= ANSWER_SCORE and hits[0].score >= ANSWER_MARGIN * runner_up:
        return Decision(answer=hits[0].article)
    return Decision(choices=tuple(hit.article for hit in hits if hit.score >= CLARIFY_SCORE / 2))


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
