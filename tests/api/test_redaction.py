"""Card numbers typed into the chat are hidden; the council's own references never are (property-based)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from api.conversations.redaction import is_card_number, luhn_valid, redact_card_numbers


def with_luhn_digit(body: str) -> str:
    """Append the check digit that makes ``body`` Luhn-valid."""
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


card_bodies = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n))
cards = card_bodies.map(with_luhn_digit)
separators = st.sampled_from(["", " ", "-"])
groupings = st.sampled_from([4, 5, 6])


def grouped(digits: str, separator: str, size: int) -> str:
    return separator.join(digits[i:i + size] for i in range(0, len(digits), size))


@given(cards, separators, groupings, st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=30))
def test_any_luhn_valid_card_number_is_hidden_leaving_at_most_the_last_four(card, separator, size, prefix) -> None:
    typed = grouped(card, separator, size)
    message = f"{prefix} my card is {typed} thanks"

    redacted = redact_card_numbers(message)

    assert redacted.card_numbers == 1
    assert f"ending {card[-4:]}" in redacted.text
    assert card[:-4] not in re.sub(r"[ -]", "", redacted.text)


@given(st.integers(min_value=0, max_value=99_999_999))
def test_council_tax_account_references_are_not_card_numbers(number) -> None:
    for reference in (f"CT{number:08d}", f"CT-{number:08d}", f"PAY-{number:08d}"):
        assert redact_card_numbers(f"my reference is {reference}").text == f"my reference is {reference}"


@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(["AA1", "AB3", "AD2"]),
       st.integers(min_value=0, max_value=9999))
def test_request_references_and_elector_numbers_are_not_card_numbers(request_no, district, elector) -> None:
    message = f"SR-{request_no:06d} and elector {district}-{elector:04d}"
    assert redact_card_numbers(message).card_numbers == 0


@given(st.integers(min_value=100_000_000_000, max_value=999_999_999_999))
def test_twelve_digit_uprns_and_phone_numbers_are_not_card_numbers(uprn) -> None:
    message = f"uprn {uprn}, phone 01632 960 123 or +44 1632 960123"
    assert redact_card_numbers(message).card_numbers == 0


@given(cards)
def test_a_number_failing_the_luhn_check_is_left_alone(card) -> None:
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not is_card_number(broken)
    assert redact_card_numbers(f"ref {broken}").text == f"ref {broken}"


def test_known_test_cards() -> None:
    assert redact_card_numbers("4111 1111 1111 1111").text == "[card number removed, ending 1111]"
    assert redact_card_numbers("5500-0000-0000-0004 exp 12/27").text.startswith("[card number removed, ending 0004]")
    assert redact_card_numbers("two cards 4111111111111111 and 378282246310005").card_numbers == 2
