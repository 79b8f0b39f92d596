"""Score the reading age of everything the assistant says in fixed words, and list the hardest ten.

Residents of every reading level use the chat, so its fixed replies aim at a reading age of about 9 (GOV.UK
writes for the same). The texts scored: every response in domain/*.yml, every knowledge article's answer, the
sentences the bot's actions build (bot/actions), and the hub's own sentences (the apology when the bot is down,
the card-number warning, the busy answer).
Reading age is the Flesch-Kincaid grade plus 5 (grade 4 in the US system is a 9-year-old), from textstat 0.7.4,
which needs no downloaded corpus.

    python scripts/readability.py            # the hardest ten, and the median
"""

from __future__ import annotations

import ast
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import textstat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.conversations.routing import card_warning, unavailable_text  # noqa: E402
from api.knowledge_gaps.schemas import THANKS  # noqa: E402
from api.overload import busy_sentence  # noqa: E402
from api.settings import Settings  # noqa: E402

GRADE_TO_AGE = 5
# Placeholders ({name}), references and numbers are read as they are; only the words are scored.
PLACEHOLDER = re.compile(r"\{[^}]*\}")
URL = re.compile(r"https?://\S+|\S+@\S+")


@dataclass(frozen=True)
class Scored:
    """One fixed text, where it comes from and its reading age."""

    where: str
    text: str
    reading_age: float


def reading_age(text: str) -> float:
    """Return the reading age of ``text`` (Flesch-Kincaid grade + 5, never below 5).

    Each line is read as a sentence of its own (bullet lines carry no full stop but are read as separate items).
    """
    lines = [line.strip().lstrip("-• ").strip() for line in text.splitlines() if line.strip()]
    sentences = " ".join(line if line[-1] in ".?!:" else f"{line}." for line in lines)
    words = URL.sub("link", PLACEHOLDER.sub("it", sentences))
    return max(float(GRADE_TO_AGE), round(textstat.flesch_kincaid_grade(words) + GRADE_TO_AGE, 1))


def action_texts() -> list[tuple[str, str]]:
    """Sentences the bot's actions build in Python (reply wording): string literals of six words or more.

    An f-string's values are read as "it"; docstrings are left out.
    """
    found = []
    for path in sorted((ROOT / "bot" / "actions").glob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            text = _literal_text(node)
            if text and len(text.split()) >= 6 and text.rstrip()[-1:] in ".?!":
                found.append((f"action: {path.stem}:{node.lineno}", text))
    return found


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "it" for part in node.values)
    return None


def domain_texts() -> list[tuple[str, str]]:
    """Every response text in domain/*.yml, named by its response."""
    found = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
        for name, variants in responses.items():
            found += [(f"domain: {name}", v["text"]) for v in variants or [] if v.get("text")]
    return found


def knowledge_texts() -> list[tuple[str, str]]:
    """Every knowledge article's answer (the body after its front matter)."""
    found = []
    for path in sorted((ROOT / "knowledge").glob("*.md")):
        if path.name == "README.md":
            continue
        parts = path.read_text().split("---", 2)
        body = parts[2] if len(parts) == 3 else parts[-1]
        found.append((f"knowledge: {path.stem}", body.strip()))
    return found


def hub_texts() -> list[tuple[str, str]]:
    """Return the hub's own fixed sentences."""
    settings = Settings(environment="test")
    return [
        ("hub: bot unavailable", unavailable_text(settings)),
        ("hub: card warning", card_warning(settings)),
        ("hub: busy", busy_sentence(settings)),
        *(
            (f"hub: rating thanks ({'helpful' if helpful else 'not helpful'})", text)
            for helpful, text in THANKS.items()
        ),
    ]


def score_all() -> list[Scored]:
    """Score every fixed text, hardest first."""
    texts = [*domain_texts(), *action_texts(), *knowledge_texts(), *hub_texts()]
    return sorted(
        (Scored(where, text, reading_age(text)) for where, text in texts), key=lambda s: s.reading_age, reverse=True
    )


def main() -> None:
    """Print the hardest ten and the median reading age."""
    scored = score_all()
    median = statistics.median(s.reading_age for s in scored)
    print(f"{len(scored)} fixed texts; median reading age {median:.1f}; hardest ten:")
    for item in scored[:10]:
        print(f"  {item.reading_age:5.1f}  {item.where}: {item.text[:90]}")


if __name__ == "__main__":
    main()
