"""Find card numbers spelt out in words: "four one one one ...", "four triple one, double one ...".

A resident reading a card aloud to a phone's dictation, or wary of typing digits, may write the number as words,
the way it is said in the UK ("oh" for zero, "double one", "triple one"). Words and digits may be mixed. A run of
such tokens joined by spaces, commas or dashes is read as digits; where it starts with a card number (Luhn-valid,
13 to 19 digits, starting as card brands' numbers do), the words for that number are hidden, and three or four
digits right after it are its security code.

Ordinary sentences never hold a run of thirteen number words with nothing else between them, so this adds no
false alarms on the council's own numbers (which are digits, read by ``card_numbers``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

WORDS = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
DIGIT_WORD = "|".join(WORDS)
TOKEN = re.compile(
    rf"\b(?:(?P<times>double|triple)[ -](?P<repeated>{DIGIT_WORD}|\d)\b|(?P<word>{DIGIT_WORD})\b|(?P<digits>\d+))",
    re.IGNORECASE,
)
# What may stand between the tokens of one number: spaces, a comma, a dash or a dot.
JOIN = re.compile(r"[\s,.\-]{1,3}")
MIN_DIGITS, MAX_DIGITS = 13, 19
# A run holds at least this many words, so a number typed in digits is left to card_numbers.
MIN_WORDS = 4
CODE_LENGTHS = (3, 4)


@dataclass(frozen=True)
class SpeltCard:
    """A card number spelt out at text[start:end], its last four digits, and its code's place if one follows."""

    start: int
    end: int
    ending: str
    code: tuple[int, int] | None = None


def find_spelt_cards(text: str, is_card: Callable[[str], bool]) -> list[SpeltCard]:
    """Return the card numbers spelt out in ``text``; ``is_card(digits)`` says whether digits make a card number."""
    found = []
    for run in _runs(text):
        card = _card_in(run, is_card)
        if card is not None:
            found.append(card)
    return found


def _runs(text: str) -> list[list[tuple[int, int, str, bool]]]:
    """Return the runs of tokens joined only by ``JOIN``: each token's start, end, digits and whether it is words."""
    runs: list[list[tuple[int, int, str, bool]]] = []
    previous_end = -1
    for match in TOKEN.finditer(text):
        token = (match.start(), match.end(), _digits(match), match.group("digits") is None)
        if runs and JOIN.fullmatch(text[previous_end : match.start()]):
            runs[-1].append(token)
        else:
            runs.append([token])
        previous_end = match.end()
    return [run for run in runs if sum(is_word for *_, is_word in run) >= MIN_WORDS]


def _digits(match: re.Match[str]) -> str:
    if match.group("digits") is not None:
        return match.group("digits")
    if match.group("word") is not None:
        return WORDS[match.group("word").lower()]
    repeated = match.group("repeated")
    digit = repeated if repeated.isdigit() else WORDS[repeated.lower()]
    return digit * (2 if match.group("times").lower() == "double" else 3)


def _card_in(run: list[tuple[int, int, str, bool]], is_card: Callable[[str], bool]) -> SpeltCard | None:
    """Return the card number the run starts with (whole tokens only), with a code right after it, or None."""
    digits = ""
    for index, (_, end, token_digits, _) in enumerate(run):
        digits += token_digits
        if len(digits) > MAX_DIGITS:
            return None
        if len(digits) >= MIN_DIGITS and is_card(digits):
            return SpeltCard(run[0][0], end, digits[-4:], _code_after(run[index + 1 :]))
    return None


def _code_after(rest: list[tuple[int, int, str, bool]]) -> tuple[int, int] | None:
    """Return where a security code of three or four digits is, if the rest of the run is exactly that."""
    if rest and len("".join(token[2] for token in rest)) in CODE_LENGTHS:
        return rest[0][0], rest[-1][1]
    return None
