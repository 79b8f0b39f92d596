"""Shared by the redaction tests: a card number hidden and nothing else of it left, a message left as typed, and
any card number of sixteen digits (a hypothesis strategy).
"""

from __future__ import annotations

from hypothesis import strategies as st

from api.conversations.card_numbers import MARKER, ascii_digit
from api.conversations.redaction import luhn_valid, redact_card_numbers


def assert_only_the_card_is_hidden(typed: str, ending: str = "1111") -> None:
    """The message holds one card number: it is hidden, and no digit of it is left outside the marker."""
    redacted = redact_card_numbers(typed)
    assert redacted.card_numbers == 1, redacted.text
    assert f"ending {ending}]" in redacted.text, redacted.text
    assert not [c for c in MARKER.sub("", redacted.text) if ascii_digit(c) is not None], redacted.text


def assert_untouched(message: str) -> None:
    """Redaction leaves ``message`` exactly as typed."""
    assert redact_card_numbers(message).text == message


def with_luhn_digit(body: str) -> str:
    """Append the check digit that makes ``body`` Luhn-valid."""
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


# Any Luhn-valid sixteen-digit number starting as a Visa, Mastercard or Discover card does.
sixteen_digit_cards = st.sampled_from(["4", "51", "55", "2221", "2720", "6011", "65"]).flatmap(
    lambda prefix: st.text(alphabet="0123456789", min_size=15 - len(prefix), max_size=15 - len(prefix)).map(
        lambda body: with_luhn_digit(prefix + body)
    )
)
