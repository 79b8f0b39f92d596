"""The council A-Z: the articles cover residents' everyday questions, and the evaluation set that measures the
answers (knowledge/eval/questions.yml) only names answers that exist and stays out of the bot's training data."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import yaml

from bot.knowledge import Knowledge
from bot.settings import ROOT

EVAL_SET = ROOT / "knowledge" / "eval" / "questions.yml"
COUNTY_SITE = "https://www.eastweald.gov.uk"

# The issue's eight everyday questions, seven of which used to start the wrong task.
ISSUE_EXAMPLES = {
    "how do I register my baby's birth": ("article", "register-a-birth"),
    "can I register a death here": ("article", "register-a-death"),
    "when does the library open on sundays": ("article", "libraries"),
    "what time does the leisure centre pool open": ("article", "leisure-centres"),
    # Issue 14 item 3: the bin-day lookup by address answers it (the article only says "ask me").
    "what day is recycling picked up on my street": ("task", "ask_bin_day"),
    "how much is the brown bin garden waste subscription": ("article", "garden-waste"),
    "the dog next door barks all night and keeps us awake": ("article", "barking-dogs"),
    "am I registered to vote": ("task", "check_registration"),
}
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def eval_questions() -> list[dict[str, Any]]:
    """Every question of the evaluation set, with its topic."""
    topics = yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))["topics"]
    return [item | {"topic": topic} for topic, items in topics.items() for item in items]


def domain_intents() -> set[str]:
    """The intents the assistant's domain declares (its tasks and answers)."""
    found: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        found |= set((yaml.safe_load(path.read_text()) or {}).get("intents") or [])
    return found


def training_examples() -> set[str]:
    """Every NLU training example, entity annotations removed, in lower case."""
    found = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                found.add(ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")).strip().lower())
    return found


def test_the_a_to_z_has_at_least_120_articles_each_with_an_owner_team() -> None:
    articles = Knowledge(ROOT / "knowledge").articles()
    assert len(articles) >= 120
    assert all(article.owner.strip() for article in articles)


def test_county_services_say_the_county_runs_them_and_link_to_it() -> None:
    county = [a for a in Knowledge(ROOT / "knowledge").articles() if a.source.startswith(COUNTY_SITE)]
    assert {"register-a-birth", "register-a-death", "libraries", "blue-badge", "school-admissions"} <= {
        a.slug for a in county
    }
    for article in county:
        assert "East Weald County Council" in article.answer, article.slug
        assert "https://" in article.answer, article.slug


def test_the_evaluation_set_is_large_and_each_question_has_one_answer_that_exists() -> None:
    questions = eval_questions()
    slugs = {a.slug for a in Knowledge(ROOT / "knowledge").articles()}
    intents = domain_intents()

    assert len(questions) >= 300
    for item in questions:
        assert ("article" in item) != ("task" in item), item
        if "article" in item:
            assert item["article"] in slugs, item
        else:
            assert item["task"] in intents, item
    repeated = [q for q, n in Counter(i["q"].strip().lower() for i in questions).items() if n > 1]
    assert repeated == []


def test_the_evaluation_set_covers_many_articles_and_topics() -> None:
    questions = eval_questions()
    assert len({i["article"] for i in questions if "article" in i}) >= 120
    assert all(n >= 8 for n in Counter(i["topic"] for i in questions).values())


def test_the_issues_eight_examples_are_in_the_evaluation_set_with_the_right_answer() -> None:
    expected = {i["q"]: ("article", i["article"]) if "article" in i else ("task", i["task"]) for i in eval_questions()}
    for question, answer in ISSUE_EXAMPLES.items():
        assert expected.get(question) == answer, question


def test_no_evaluation_question_is_a_training_example() -> None:
    """A question the model was trained on would flatter the score; the set measures unseen wording.

    The issue's examples are exempt: they were reported word for word and may be taught to the model.
    """
    seen = training_examples()
    unseen = [i for i in eval_questions() if i["topic"] != "issue-14"]
    assert [i["q"] for i in unseen if i["q"].strip().lower() in seen] == []


# Other countries' emergency numbers and names: the emergency article told residents "in Australia, call 000".
FOREIGN = re.compile(r"\b(?:Australia|America|USA|Canada|New Zealand)\b|\b(?:call|dial|ring),? (?:000|911)\b")


def test_no_article_gives_another_countrys_emergency_number_or_names_another_country() -> None:
    found = {
        article.slug: FOREIGN.findall(f"{article.title} {article.answer}")
        for article in Knowledge(ROOT / "knowledge").articles()
        if FOREIGN.search(f"{article.title} {article.answer}")
    }
    assert not found
