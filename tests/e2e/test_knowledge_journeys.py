"""Everyday questions through the real hub, Rasa model and action server: the right article, never a task."""

from __future__ import annotations

import pytest

from tests.support.chat import buttons, texts

pytestmark = pytest.mark.stack

SITE = "https://www.ashdownvale.gov.uk/"


@pytest.mark.parametrize(
    ("question", "link"),
    [
        # Libraries and registration are the county's: their articles link to its site.
        ("when does the library open on sundays", "https://www.eastweald.gov.uk/libraries"),
        ("how do I register my baby's birth", "https://www.eastweald.gov.uk/registration/births"),
        # "what day is recycling picked up on my street" starts the bin-day lookup (tests/e2e/test_bin_day_journeys.py).
        ("the dog next door barks all night and keeps us awake", SITE + "environmental-health/barking-dogs"),
    ],
)
def test_an_everyday_question_gets_its_article_and_starts_nothing(stack, new_resident, question, link) -> None:
    resident = new_resident()
    reply = resident.say(question)
    said = texts(reply)
    assert link in said
    # The article alone: no task's first question after it, no handoff; the next message is understood afresh.
    assert len(reply) == 1 and "HO-" not in said
    assert "9am" in texts(resident.say("what time are you open"))


def test_a_close_call_offers_articles_and_the_tapped_one_is_answered(stack, new_resident) -> None:
    resident = new_resident()
    offered = buttons(resident.say("i think my council tax band is wrong"))
    [appeal] = [b for b in offered if b["title"] == "Challenge your council tax band"]
    answer = texts(resident.say(appeal["payload"]))
    assert "Valuation Office Agency" in answer and "https://www.gov.uk/challenge-council-tax-band" in answer
