"""What the bot and the back office each list for themselves must agree: the categories of a service request.

The bot (Rasa environment) reads a resident's words into a category and the API (app environment) keeps
the service standard of each; neither can import the other, so this reads the bot's lists from its source.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, get_args

from api.service_requests.standards import STANDARDS, Category
from api.settings import ROOT


def bot_constant(path: Path, name: str) -> Any:
    """Return a module-level constant of a bot module, read without importing rasa-sdk."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == name:
                value = node.value.args[0] if isinstance(node.value, ast.Call) else node.value  # frozenset({...})
                return ast.literal_eval(value)
    raise AssertionError(f"{name} not found in {path}")


def test_the_bot_knows_exactly_the_categories_the_back_office_has() -> None:
    bot_categories = set(bot_constant(ROOT / "bot" / "actions" / "form_answers.py", "CATEGORIES"))
    assert bot_categories == set(STANDARDS) == set(get_args(Category))


def test_every_category_the_bot_reads_from_words_exists_and_addressed_ones_too() -> None:
    worded = {category for category, _ in bot_constant(ROOT / "bot" / "actions" / "form_answers.py", "CATEGORY_WORDS")}
    addressed = set(bot_constant(ROOT / "bot" / "names.py", "ADDRESSED_CATEGORIES"))
    assert worded <= set(STANDARDS) and addressed <= set(STANDARDS)
    assert set(STANDARDS) - worded == {"other"}, "a category residents cannot name in words"
