"""The intent training data (data/nlu) files a message that sits between two intents where a council officer
would, and never files one message under two intents (issue 12 item 6)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from bot.settings import ROOT

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")

# Examples that were filed under the wrong intent, and where they belong.
BOUNDARIES = {
    # knowledge/dog-fouling.md asks residents to report dog mess in this chat: a problem report.
    "how do i report dog mess": "report_problem",
    # The brown bin is a paid subscription (knowledge/garden-waste.md), not a replacement bin request.
    "how do i get a garden waste bin": "out_of_scope",
    # Help on a low income in general is the cost-of-living article, not a council tax payment difficulty.
    "is there any help for people on low incomes": "out_of_scope",
    # A missed collection is reported, so that the crew comes back; it is not a question for the A-Z.
    "when will the crew return for our missed recycling": "report_problem",
    # Voting for someone else who cannot go is being their proxy.
    "my mum is in hospital can i vote for her": "request_proxy_vote",
}


def intents_by_example() -> dict[str, set[str]]:
    """Every example of data/nlu, entity mark-up removed and in lower case, with the intents it is filed under."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                text = ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")).strip().lower()
                if text and "intent" in block:
                    found[text].add(block["intent"])
    return found


@pytest.mark.parametrize(("text", "intent"), BOUNDARIES.items())
def test_a_message_between_two_intents_is_filed_where_an_officer_would(text: str, intent: str) -> None:
    assert intents_by_example()[text] == {intent}


def test_no_example_is_filed_under_two_intents() -> None:
    assert {text: intents for text, intents in intents_by_example().items() if len(intents) > 1} == {}
