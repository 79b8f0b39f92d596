"""Round four of issue 10: forms the third review left open, each hidden now, and near misses that must stay.

Every form is how a resident could plausibly type or dictate a card; see docs/privacy-redaction.md, round four.
"""

from __future__ import annotations

import pytest

from api.conversations.card_numbers import MARKER, ascii_digit
from api.conversations.redaction import redact_card_numbers


def assert_only_the_card_is_hidden(typed: str, ending: str = "1111") -> None:
    """The message holds one card number: it is hidden, and no digit of it is left outside the marker."""
    redacted = redact_card_numbers(typed)
    assert redacted.card_numbers == 1, redacted.text
    assert f"ending {ending}]" in redacted.text, redacted.text
    assert not [c for c in MARKER.sub("", redacted.text) if ascii_digit(c) is not None], redacted.text


def assert_untouched(message: str) -> None:
    assert redact_card_numbers(message).text == message


# ----- "and" or emoji between the groups -----

SAID_AND = ["4111 and 1111 and 1111 and 1111", "my card is 4111 AND 1111 AND 1111 AND 1111 thanks"]
EMOJI_BETWEEN = [
    "4111 🔒 1111 🔒 1111 🔒 1111",
    "4111💳1111💳1111💳1111",
    "4111 ❤️ 1111 ❤️ 1111 ❤️ 1111",  # a heart with its variation selector
    "4111 👍🏽 1111 👍🏽 1111 👍🏽 1111",  # a thumb with a skin tone
    "👉 4111 👉 1111 1111 1111",
]


@pytest.mark.parametrize("typed", SAID_AND + EMOJI_BETWEEN)
def test_a_card_number_with_and_or_emoji_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


def test_and_between_a_cards_groups_and_its_details_hides_them_too() -> None:
    redacted = redact_card_numbers("4111 and 1111 and 1111 and 1111 exp 12/27")
    assert redacted.text == "[card number removed, ending 1111] exp [expiry date removed]"


def test_lists_with_and_before_the_last_and_symbols_beside_numbers_stay() -> None:
    # 4111 1111 1111 1111 passes the Luhn check: only the words between make it a list.
    assert_untouched("I paid 4111, 1111, 1111 and 1111")
    assert_untouched("flats 4111 1111 and 1111 1111")
    assert_untouched("it was 20°C on 12/03/2026 ✅ call 0300 123 4567 📞")
    assert_untouched("between 2024 and 2025 and 2026 and 2027")


# ----- one letter or a reference glued in front -----

GLUED_IN_FRONT = [
    "x4111111111111111",
    "ref:x4111111111111111",
    "my card a4111 1111 1111 1111",
]


@pytest.mark.parametrize("typed", GLUED_IN_FRONT)
def test_a_card_number_with_one_letter_glued_in_front_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


@pytest.mark.parametrize("typed", ["AA1-4111111111111111", "AB3-4111 1111 1111 1111", "AB3-4111-1111-1111-1111"])
def test_a_card_number_glued_to_a_reference_loses_its_digits_and_the_reference_stays(typed: str) -> None:
    assert redact_card_numbers(typed).text == f"{typed[:4]}[card number removed, ending 1111]"


@pytest.mark.parametrize(
    "message", ["JD4111111111111111", "ab4111111111111111", "0x4111111111111111", "AA1-0042 4111", "x12345678"]
)
def test_references_with_two_letters_and_short_numbers_after_a_letter_stay(message: str) -> None:
    assert_untouched(message)
