"""Load the knowledge articles (knowledge/*.md): one topic each, with title, answer, source, review date and owner.

Articles are re-read when their file changes, so an edited article is what the bot says on the next
question without a restart or retraining.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings
from council import council_facts

# ``owner`` names the team that keeps the answer right, so an officer knows whom to ask when it goes stale.
REQUIRED = ("title", "source", "last_reviewed", "owner")


class ArticleError(ValueError):
    """An article is missing or malformed."""


@dataclass(frozen=True)
class Article:
    """A knowledge article."""

    slug: str
    title: str
    answer: str
    source: str
    last_reviewed: dt.date
    owner: str = ""
    intents: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)
    # Entity values that make this the answer, e.g. {"voter_category": "overseas"}.
    when: dict[str, str] = field(default_factory=dict)
    # Words residents use for the topic that its title and text may not (search weighs them like a title).
    keywords: tuple[str, ...] = ()


ANSWER_LINES = (2, 6)
MARKUP = re.compile(r"^\s*#|<[a-zA-Z/][^>]*>", re.MULTILINE)


def check_answer(slug: str, answer: str) -> None:
    """Raise ArticleError unless the answer is 2 to 6 lines of plain text.

    The text goes to the web chat and Telegram as it is, where a heading or a tag would show as symbols, and a
    longer answer is a page to read rather than a reply; a longer topic links to its source instead.
    """
    lines = [line for line in answer.splitlines() if line.strip()]
    if not ANSWER_LINES[0] <= len(lines) <= ANSWER_LINES[1]:
        raise ArticleError(f"{slug}: the answer has {len(lines)} lines; write 2 to 6 and link to the source")
    if MARKUP.search(answer):
        raise ArticleError(f"{slug}: the answer must be plain text (no '#' headings or HTML tags)")


def parse_article(slug: str, text: str) -> Article:
    """Parse an article's front matter and answer; raise ArticleError when it is malformed."""
    parts = text.split("---", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ArticleError(f"{slug}: the article must start with front matter between '---' lines")
    meta: dict[str, Any] = yaml.safe_load(parts[1]) or {}
    missing = [key for key in REQUIRED if not meta.get(key)]
    answer = parts[2].strip()
    if missing or not answer:
        raise ArticleError(f"{slug}: missing {', '.join(missing) or 'answer'}")
    check_answer(slug, answer)
    if not str(meta["source"]).startswith("https://"):
        raise ArticleError(f"{slug}: the source must be an https link")
    reviewed = meta["last_reviewed"]
    if not isinstance(reviewed, dt.date):
        raise ArticleError(f"{slug}: last_reviewed must be a date (YYYY-MM-DD)")
    check_council_facts(slug, {str(k): str(v) for k, v in (meta.get("facts") or {}).items()}, answer)
    return Article(
        slug=slug,
        title=str(meta["title"]),
        answer=answer,
        source=str(meta["source"]),
        last_reviewed=reviewed,
        owner=str(meta["owner"]),
        intents=tuple(meta.get("intents") or ()),
        facts={str(k): str(v) for k, v in (meta.get("facts") or {}).items()},
        when={str(k): str(v) for k, v in (meta.get("when") or {}).items()},
        keywords=tuple(str(word) for word in meta.get("keywords") or ()),
    )


def check_council_facts(slug: str, facts: dict[str, str], answer: str) -> None:
    """Refuse a council fact an article declares differently from council/facts.yml, or does not say.

    The council's phone numbers and addresses live in council/facts.yml; an article that states them (the
    contact article) would otherwise drift from what the bot's own replies say.
    """
    council = asdict(council_facts())
    for name, value in facts.items():
        if name in council and value != council[name]:
            raise ArticleError(f"{slug}: the fact {name} is {value!r} but council/facts.yml says {council[name]!r}")
        if name in council and value not in answer:
            raise ArticleError(f"{slug}: the answer does not say the {name} it declares ({value})")


def article_paths(folder: Path) -> list[Path]:
    """Return the article files in ``folder`` (every Markdown file but the README)."""
    return [path for path in sorted(folder.glob("*.md")) if path.name.lower() != "readme.md"]


class Knowledge:
    """The articles in a folder, re-read whenever a file's modification time changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[Path, tuple[float, Article]] = {}

    def articles(self) -> list[Article]:
        """Return every article, parsed afresh if its file changed."""
        found = []
        for path in article_paths(self.folder):
            mtime = path.stat().st_mtime
            cached = self._cache.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, parse_article(path.stem, path.read_text(encoding="utf-8")))
                self._cache[path] = cached
            found.append(cached[1])
        return found

    def article(self, slug: str) -> Article:
        """Return the article called ``slug``."""
        for article in self.articles():
            if article.slug == slug:
                return article
        raise ArticleError(f"no article called {slug}")

    def for_intent(self, intent: str, entities: dict[str, str] | None = None) -> Article | None:
        """Return the article that answers ``intent``: one whose ``when`` matches ``entities``, else a general one."""
        entities = entities or {}
        candidates = [a for a in self.articles() if intent in a.intents]
        specific = [a for a in candidates if a.when and a.when.items() <= entities.items()]
        general = [a for a in candidates if not a.when]
        found = specific or general
        return found[0] if found else None

    def fact(self, name: str) -> str:
        """Return a named fact (such as ``phone``) from whichever article declares it."""
        for article in self.articles():
            if name in article.facts:
                return article.facts[name]
        raise ArticleError(f"no article declares the fact {name}")


_knowledge: Knowledge | None = None


def get_knowledge() -> Knowledge:
    """Return the knowledge base of the configured folder."""
    global _knowledge
    if _knowledge is None:
        _knowledge = Knowledge(get_settings().knowledge_dir)
    return _knowledge


def check(folder: Path) -> list[str]:
    """Validate every article in ``folder``; return the problems found (empty when all is well)."""
    problems = []
    for path in article_paths(folder):
        try:
            parse_article(path.stem, path.read_text(encoding="utf-8"))
        except (ArticleError, yaml.YAMLError) as error:
            problems.append(str(error))
    return problems


if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else get_settings().knowledge_dir
    issues = check(folder)
    for issue in issues:
        print(f"error: {issue}")
    print(f"{len(article_paths(folder))} articles checked, {len(issues)} problems")
    sys.exit(1 if issues else 0)
