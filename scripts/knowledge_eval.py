"""Measure how residents' questions are answered: the evaluation set through the trained model and the routing.

Each question in knowledge/eval/questions.yml is parsed by the trained Rasa model's NLU (the same pipeline
the running bot uses) and routed as the actions route it (bot/routing.py, which the actions call): a task
intent starts its task unless the message names another service's article; a knowledge intent answers its
article; a question no intent answers is searched. Printed per topic: top-1 (what the resident is told
first is the expected article or task) and top-3 (the expected answer is that, or among the buttons of a
clarifying question or the search's best three). "Confidently wrong" counts messages that would start a
task, or hand over, other than the one expected: the harm the issue is about.

A fifth of the questions (by a checksum of their words) is held out: whoever tunes search or routing looks
at the misses of the other four fifths only (`--show` lists those), and the held-out fifth's score says
whether the tuning generalised. The table goes to reports/knowledge-eval.md as well.
Run it with `make knowledge-eval`, or .venv/rasa/bin/python scripts/knowledge_eval.py --model models/X.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge import Article, get_knowledge  # noqa: E402
from bot.routing import Route, route  # noqa: E402

EVAL_SET = ROOT / "knowledge" / "eval" / "questions.yml"
REPORT = ROOT / "reports" / "knowledge-eval.md"
HOLD_OUT_EVERY = 5
TOP1_TARGET, WRONG_TARGET = 0.9, 0.02


def load_questions(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the evaluation questions by topic, each with ``q`` and an ``article`` or a ``task``."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["topics"])


def held_out(question: str) -> bool:
    """Whether ``question`` is in the held-out fifth.

    It is chosen by a checksum of the question's words, so adding or moving questions in the file moves no
    other question between the halves.
    """
    return zlib.crc32(question.strip().lower().encode()) % HOLD_OUT_EVERY == 0


async def parse_all(model: Path, questions: list[str]) -> dict[str, dict[str, Any]]:
    """Return the intent and confidence the trained model gives each question, reusing those saved for this model.

    Parsing takes a second or two a question on a busy machine, so the parses are kept in
    var/knowledge-eval/<model>.v2.json and a change to routing or articles is scored again at once.
    """
    cache = ROOT / "var" / "knowledge-eval" / f"{model.name.removesuffix('.tar.gz')}.v2.json"
    parses: dict[str, dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    missing = [question for question in questions if question not in parses]
    if not missing:
        return parses
    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))
    for question in missing:
        parsed: dict[str, Any] = await agent.parse_message(question)
        intent = parsed.get("intent") or {}
        parses[question] = {
            "intent": intent.get("name") or "nlu_fallback",
            "confidence": float(intent.get("confidence") or 0.0),
        }
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(parses, indent=1, sort_keys=True), encoding="utf-8")
    return parses


def expected(item: dict[str, str]) -> str:
    """Return the article or task a question expects."""
    return item.get("article") or item["task"]


@dataclass
class Tally:
    """Counts for a group of questions: how many, right first, right in the top three, confidently wrong."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, topic: str, item: dict[str, str], result: Route, parse: dict[str, Any]) -> None:
        """Count one question's route against what it expects."""
        want = expected(item)
        wrong = result.starts is not None and result.starts != want
        self.n += 1
        self.top1 += result.first == want
        self.top3 += want in result.top3
        self.wrong += wrong
        if result.first != want:
            self.misses.append(
                f"{topic}: {item['q']!r} wants {want}; got {result.first} "
                f"({parse['intent']} {parse['confidence']:.2f}{', CONFIDENTLY WRONG' if wrong else ''})"
            )

    def row(self, name: str) -> str:
        """Return a Markdown table row of the rates."""
        n = max(self.n, 1)
        return f"| {name} | {self.n} | {self.top1 / n:.1%} | {self.top3 / n:.1%} | {self.wrong / n:.1%} |"

    def meets_targets(self) -> bool:
        """Whether the issue's targets are met: top-1 at least 90%, confidently wrong at most 2%."""
        n = max(self.n, 1)
        return self.top1 / n >= TOP1_TARGET and self.wrong / n <= WRONG_TARGET


def total(tallies: list[Tally]) -> Tally:
    """Add tallies up (their misses are not kept)."""
    return Tally(
        sum(t.n for t in tallies),
        sum(t.top1 for t in tallies),
        sum(t.top3 for t in tallies),
        sum(t.wrong for t in tallies),
    )


def score(
    topics: dict[str, list[dict[str, str]]], parses: dict[str, dict[str, Any]], articles: list[Article]
) -> tuple[dict[str, Tally], Tally, Tally]:
    """Route every question; return the tallies per topic, for the tuning four fifths and for the held-out fifth."""
    by_topic: dict[str, Tally] = defaultdict(Tally)
    tuning, holdout = Tally(), Tally()
    for topic, items in topics.items():
        for item in items:
            parse = parses[item["q"]]
            result = route(item["q"], parse["intent"], articles, confidence=parse["confidence"])
            by_topic[topic].add(topic, item, result, parse)
            (holdout if held_out(item["q"]) else tuning).add(topic, item, result, parse)
    return by_topic, tuning, holdout


def report(by_topic: dict[str, Tally], tuning: Tally, holdout: Tally, model: Path) -> str:
    """Return the Markdown report: a row per topic, the whole set, and its two halves."""
    everything = total(list(by_topic.values()))
    top1, wrong = everything.top1 / max(everything.n, 1), everything.wrong / max(everything.n, 1)
    lines = [
        "# Knowledge evaluation",
        "",
        f"Model `{model.name}`; {everything.n} questions from knowledge/eval/questions.yml routed by "
        "bot/routing.py (`make knowledge-eval`). Held out: a fifth of the questions (by checksum), not to be "
        "looked at while tuning.",
        "",
        "| topic | n | top-1 | top-3 | confidently wrong |",
        "|---|---:|---:|---:|---:|",
        *(tally.row(topic) for topic, tally in by_topic.items()),
        everything.row("**all**"),
        tuning.row("tuning four fifths"),
        holdout.row("held-out fifth"),
        "",
        f"Targets: top-1 >= 90% ({'met' if top1 >= TOP1_TARGET else 'not met'}), "
        f"confidently wrong <= 2% ({'met' if wrong <= WRONG_TARGET else 'not met'}).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Parse the evaluation set with the model given, print the scores and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the trained model (models/<fingerprint>.tar.gz)")
    parser.add_argument("--show", action="store_true", help="list the tuning questions not answered right first")
    parser.add_argument("--show-held-out", action="store_true", help="list the held-out misses too (after tuning)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the targets are not met")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    topics = load_questions(EVAL_SET)
    questions = [item["q"] for items in topics.values() for item in items]
    parses = asyncio.run(parse_all(args.model, questions))
    by_topic, tuning, holdout = score(topics, parses, get_knowledge().articles())
    if args.show:
        print("\n".join(f"  {miss}" for miss in tuning.misses))
    if args.show_held_out:
        print("\n".join(f"  held out: {miss}" for miss in holdout.misses))
    text = report(by_topic, tuning, holdout, args.model)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    sys.exit(1 if args.strict and not total(list(by_topic.values())).meets_targets() else 0)


if __name__ == "__main__":
    main()
