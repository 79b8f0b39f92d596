"""Card numbers a hostile review of the redactor got stored unhidden (issue 10), and near misses that must stay."""

from __future__ import annotations

import pytest

from api.conversations.card_numbers import MARKER, ascii_digit
from api.conversations.redaction import redact_card_numbers


def assert_only_the_card_is_hidden(typed: str) -> None:
    """The message holds one card number: it is hidden, and no digit of it is left outside the marker."""
    redacted = redact_card_numbers(typed)
    assert redacted.card_numbers == 1, redacted.text
    assert "ending 1111]" in redacted.text
    assert not [c for c in MARKER.sub("", redacted.text) if ascii_digit(c) is not None], redacted.text


SPACED_DIGITS = {
    "dashes between groups": "4 1 1 1 - 1 1 1 1 - 1 1 1 1 - 1 1 1 1",
    "full-width": "\uff14 \uff11 \uff11 \uff11 \uff0d \uff11 \uff11 \uff11 \uff11 \uff0d \uff11 \uff11 \uff11 \uff11"
                  " \uff0d \uff11 \uff11 \uff11 \uff11",
    "slashes between groups": "4 1 1 1 / 1 1 1 1 / 1 1 1 1 / 1 1 1 1",
}


@pytest.mark.parametrize("typed", SPACED_DIGITS.values(), ids=SPACED_DIGITS.keys())
def test_a_card_number_typed_digit_by_digit_with_marks_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"my card is {typed} thanks")
