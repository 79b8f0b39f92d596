"""Find payment card numbers in residents' messages and hide them before anything is stored or forwarded.

A card number is 13 to 19 digits, possibly grouped with spaces or hyphens, that passes the Luhn check.
The council's own references (CT12345678, PAY-12345678, SR-123456, AA1-0042, 12-digit UPRNs) are never
card numbers: they are too short or are glued to letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Digits in groups separated by single spaces or hyphens, not touching letters, digits or other hyphens.
CANDIDATE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
MIN_DIGITS, MAX_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    """Say whether a string of digits passes the Luhn checksum used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(text: str) -> bool:
    """Say whether ``text`` (digits with optional spaces or hyphens) is a plausible card number."""
    digits = re.sub(r"[ -]", "", text)
    return digits.isdigit() and MIN_DIGITS <= len(digits) <= MAX_DIGITS and luhn_valid(digits)


@dataclass(frozen=True)
class Redacted:
    """A message with card numbers hidden, and how many were found."""

    text: str
    card_numbers: int


def redact_card_numbers(text: str) -> Redacted:
    """Replace each card number in ``text`` with a marker showing at most its last four digits."""
    found = 0

    def hide(match: re.Match[str]) -> str:
        nonlocal found
        if not is_card_number(match.group(0)):
            return match.group(0)
        found += 1
        return f"[card number removed, ending {re.sub(r'[ -]', '', match.group(0))[-4:]}]"

    return Redacted(text=CANDIDATE.sub(hide, text), card_numbers=found)
