"""Measure how residents' questions are answered: the evaluation set through the trained model and the routing.

Each question in knowledge/eval/questions.yml is parsed by the trained Rasa model's NLU (the same pipeline
the running bot uses) and routed as the actions route it (bot/routing.py): a task intent starts its task
unless the message names another service's article; a knowledge intent answers its article; a question
no intent answers is searched. Printed per topic: top-1 (what the resident is told first is the expected
article or task) and top-3 (the expected answer is that, or among the buttons of a clarifying question or
the search's best three). "Confidently wrong" counts messages that would start a task, or hand over,
other than the one expected: the harm the issue is about.
Run it with `make knowledge-eval`, or .venv/rasa/bin/python scripts/knowledge_eval.py --model models/X.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge import get_knowledge  # noqa: E402
from bot.routing import Route, route  # noqa: E402

EVAL_SET = ROOT / "knowledge" / "eval" / "questions.yml"


def load_questions(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the evaluation questions by topic, each with ``q`` and an ``article`` or a ``task``."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["topics"])


async def parse_all(model: Path, questions: list[str]) -> dict[str, str]:
    """Return the intent the trained model gives each question, reusing the intents saved for this model.

    Parsing takes a second or two a question on a busy machine, so the intents are kept in
    var/knowledge-eval/<model>.json and a change to routing or articles is scored again at once.
    """
    cache = ROOT / "var" / "knowledge-eval" / f"{model.name.removesuffix('.tar.gz')}.json"
    intents: dict[str, str] = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    missing = [question for question in questions if question not in intents]
    if not missing:
        return intents
    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))
    for question in missing:
        parsed: dict[str, Any] = await agent.parse_message(question)
        intents[question] = parsed.get("intent", {}).get("name") or "nlu_fallback"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(intents, indent=1, sort_keys=True), encoding="utf-8")
    return intents


def expected(item: dict[str, str]) -> str:
    """Return the article or task a question expects."""
    return item.get("article") or item["task"]


def score(topics: dict[str, list[dict[str, str]]], intents: dict[str, str], *, show: bool) -> bool:
    """Print per-topic accuracy; return whether the issue's targets are met."""
    articles = get_knowledge().articles()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, top-1, top-3, confidently wrong
    for topic, items in topics.items():
        for item in items:
            result: Route = route(item["q"], intents[item["q"]], articles)
            want = expected(item)
            row = totals[topic]
            row[0] += 1
            row[1] += result.first == want
            row[2] += want in result.top3
            wrong = result.starts is not None and result.starts != want
            row[3] += wrong
            if show and result.first != want:
                print(f"  {topic}: {item['q']!r} wants {want}; got {result.first} "
                      f"({intents[item['q']]}{', CONFIDENTLY WRONG' if wrong else ''})")
    print(f"{'topic':28} {'n':>4} {'top-1':>7} {'top-3':>7} {'wrong task':>11}")
    all_rows = [0, 0, 0, 0]
    for topic, row in totals.items():
        all_rows = [a + b for a, b in zip(all_rows, row, strict=True)]
        print(f"{topic:28} {row[0]:4d} {row[1] / row[0]:7.1%} {row[2] / row[0]:7.1%} {row[3] / row[0]:11.1%}")
    n = all_rows[0]
    top1, top3, wrong = all_rows[1] / n, all_rows[2] / n, all_rows[3] / n
    print(f"{'all':28} {n:4d} {top1:7.1%} {top3:7.1%} {wrong:11.1%}")
    print(f"targets: top-1 >= 90% ({'met' if top1 >= 0.9 else 'not met'}), "
          f"confidently wrong <= 2% ({'met' if wrong <= 0.02 else 'not met'})")
    return top1 >= 0.9 and wrong <= 0.02


def main() -> None:
    """Parse the evaluation set with the model given and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the trained model (models/<fingerprint>.tar.gz)")
    parser.add_argument("--show", action="store_true", help="list every question not answered right first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the targets are not met")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    topics = load_questions(EVAL_SET)
    questions = [item["q"] for items in topics.values() for item in items]
    intents = asyncio.run(parse_all(args.model, questions))
    met = score(topics, intents, show=args.show)
    sys.exit(1 if args.strict and not met else 0)


if __name__ == "__main__":
    main()
