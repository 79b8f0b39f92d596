"""Misspelt and text-speak requests reach the task a resident meant, through the real model (issue 12, item 6).

Before the spelling layer (bot/nlp/spelling.py), "wen is the nxt electon" was read as out_of_scope (0.70) and
other misspelt task requests landed on the wrong task. Each message below starts a task whose first question
(or answer) only that task gives.
"""

from __future__ import annotations

import pytest

from tests.support.chat import texts

pytestmark = pytest.mark.stack

# (what a resident types, words only the right task's first reply contains; | between alternatives)
MISSPELT_REQUESTS = [
    ("wen is the nxt electon", "The next polls"),
    ("wen r the nxt electons", "The next polls"),
    ("am i registred to vote", "full name"),
    ("am i on the electorl regster", "full name"),
    ("i want a pstal vote pls", "full name"),
    ("cn i vote by pst", "full name"),
    ("wats my cncl tx balance", "account number"),
    ("did my paymnet go thru", "account number"),
    ("my bin wasnt colected", "postcode|kind of problem"),
    ("wher is my polling staton", "postcode"),
    ("wat id do i need to vote", "photo ID"),
    ("pstal vote pls", "full name"),
    ("i cant aford my cncl tx", "not alone"),
]


@pytest.mark.parametrize(("message", "expected"), MISSPELT_REQUESTS, ids=[m for m, _ in MISSPELT_REQUESTS])
def test_a_misspelt_request_reaches_the_right_task(new_resident, message: str, expected: str) -> None:
    reply = texts(new_resident().say(message))
    assert any(words in reply for words in expected.split("|")), f"{message!r} got {reply!r}"


def test_a_misspelt_message_keeps_its_details_as_typed(new_resident, residents) -> None:
    person = residents[2]
    chat = new_resident()
    replies = chat.say(f"wher do i vote, my pstcode is {person['postcode'].lower()}")
    assert "Your polling station is" in texts(replies) or any(
        (b["title"] or "").startswith(person["address"]) for m in replies for b in (m.get("buttons") or [])
    )
