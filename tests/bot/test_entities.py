"""The project's spaCy pipeline finds postcodes and the council's references, and nothing else."""

from __future__ import annotations

import pytest

from bot.nlp.build import build

NLP = build()


def entities(text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in NLP(text).ents]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my postcode is TN22 1AB", [("TN22 1AB", "postcode")]),
        ("i live at sw1a 1aa", [("sw1a 1aa", "postcode")]),
        ("M1 1AE please", [("M1 1AE", "postcode")]),
        ("postcode tn221ab", [("tn221ab", "postcode")]),
        ("account CT20451234", [("CT20451234", "account_reference")]),
        ("I paid, ref PAY-12345678", [("PAY-12345678", "payment_reference")]),
        ("how is sr-004512 going", [("sr-004512", "request_reference")]),
        ("elector number AA1-0042", [("AA1-0042", "elector_number")]),
    ],
)
def test_council_entities_are_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert entities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello there",
        "my card is 4111 1111 1111 1111",
        "call 01632 960 123",
        "I was born 12/03/1980",
        "QQ1 1AA is not a postcode",
    ],
)
def test_other_text_has_no_council_entities(text: str) -> None:
    assert entities(text) == []
