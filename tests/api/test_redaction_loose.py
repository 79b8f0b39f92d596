"""Card numbers an attacker typed past the chains (a hostile probe, session 8): a different word between each group,
digits and digit words mixed one by one, and the number glued to words on both sides. All were stored whole, quoted
back by the bot and shown to officers; they are hidden now, and the council's own numbers beside words stay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.conversations.redaction import redact_card_numbers
from tests.support.redaction import assert_only_the_card_is_hidden, assert_untouched, sixteen_digit_cards

TYPED_PAST = [
    ("ab4539148803436467", "6467"),
    ("CT4539148803436467", "6467"),
    ("SR4539148803436467", "6467"),
    ("Rita4111111111111111Richardson", "1111"),
    ("on the wall by Flat AB4539148803436467, Rowan Close", "6467"),
    ("card 4539 apple 1488 pear 0343 plum 6467", "6467"),
    ("card 5555 x 5555 y 5555 z 4444", "4444"),
    ("4111 I 1111 LOVE 1111 BINS 1111", "1111"),
    ("4 1 one 1 1 one 1 1 1 one 1 1 1 1 1 one", "1111"),
    ("4539 plus 1488 plus 0343 plus 6467", "6467"),
    ("pothole, pay me back on card 4539 apple 1488 pear 0343 plum 6467", "6467"),
    # The second probe: digits and digit words typed together.
    ("tag 4one11 11one1 1111 1111", "1111"),
    ("they took 4111one111 1111 1111 from my card twice", "1111"),
    # Left as they were by earlier rounds, as a parcel's or a list's numbers; hidden now (round seven).
    ("JD4111111111111111", "1111"),
    ("REF4111111111111111", "1111"),
    ("ABC4111111111111111", "1111"),
    ("ab4111111111111111", "1111"),
    ("I paid 4111, 1111, 1111 and 1111", "1111"),
    ("flats 4111 1111 and 1111 1111", "1111"),
    ("4111 dash 1111 space 1111 dot 1111", "1111"),
    ("4111 a 1111 b 1111 c 1111", "1111"),
]


@pytest.mark.parametrize("typed, ending", TYPED_PAST)
def test_a_card_typed_with_words_between_or_glued_to_words_is_hidden(typed: str, ending: str) -> None:
    assert_only_the_card_is_hidden(typed, ending)


@given(sixteen_digit_cards, st.lists(st.sampled_from(["apple", "love", "bins", "pear", "ok", "zz"]), min_size=3))
def test_any_card_in_fours_with_any_short_word_between_is_hidden(number: str, words: list[str]) -> None:
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    typed = groups[0] + "".join(f" {words[i % len(words)]} {group}" for i, group in enumerate(groups[1:]))
    assert_only_the_card_is_hidden(typed, number[-4:])


def test_a_card_glued_to_a_hex_mark_is_hidden() -> None:
    assert redact_card_numbers("0x4111111111111111").text == "0x[card number removed, ending 1111]"


@pytest.mark.parametrize(
    "message",
    [
        "I paid 2019 and 2020 and 2021 and 2022",
        "my readings were 1234 then 1456 then 1678 then 1890",
        "UPRN 100099504414 and CT26041538 and PAY-94901911",
        "flat 4 then 1 then 1 then 1",
        "call 01632 960 123 or 07700 900123 after 5",
        "account CT26041538 reference PAY-94901911 SR-246414",
        "between 2024 and 2025 and 2026 and 2027",
        "i have one2 bins and flat 4one",
    ],
)
def test_the_councils_numbers_beside_words_stay(message: str) -> None:
    assert_untouched(message)
