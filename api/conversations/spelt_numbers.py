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
# Read two digits at a time ("forty one eleven eleven ..."): the tens, with a unit after them or not, and the teens.
TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fourty": "4", "fifty": "5", "sixty": "6", "seventy": "7"}
TENS |= {"eighty": "8", "ninety": "9"}
TEENS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15"}
TEENS |= {"sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
UNIT_WORD = "|".join(word for word in WORDS if word not in ("zero", "oh", "nought"))
# "for" said for four by dictation, only as a card's first digit before the rest in groups as printed (see _runs).
FOR = re.compile(r"for|fore", re.IGNORECASE)
TOKEN = re.compile(
    rf"\b(?:(?P<times>double|triple)[ -](?P<repeated>{DIGIT_WORD}|\d)\b"
    rf"|(?P<tens>{'|'.join(TENS)})(?:[ -](?P<unit>{UNIT_WORD}))?\b|(?P<teen>{'|'.join(TEENS)})\b"
    rf"|(?P<word>{DIGIT_WORD}|for|fore)\b|(?P<digits>\d+))",
    re.IGNORECASE,
)
# "for 111 1111 1111 1111": the first group's four said as "for", the rest typed in digits.
FOR_GROUPS = (3, 4, 4, 4)
# What may stand between the tokens of one number: spaces, a comma, a dash or a dot.
JOIN = re.compile(r"[\s,.\-]{1,3}")
MIN_DIGITS, MAX_DIGITS = 13, 19
PREFERRED_LENGTHS = (16, 15, 19, 14, 18, 17, 13)  # as card_numbers.PREFERRED_LENGTHS (which imports this module)
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
    return [run for run in runs if sum(is_word for *_, is_word in run) >= MIN_WORDS or _for_then_groups(text, run)]


def _for_then_groups(text: str, run: list[tuple[int, int, str, bool]]) -> bool:
    """Say whether the run is "for" and then digits grouped as a card's, less its first digit ("for 111 1111 ...")."""
    first, *rest = run
    return (
        FOR.fullmatch(text[first[0] : first[1]]) is not None
        and all(not is_word for *_, is_word in rest)
        and tuple(len(digits) for _, _, digits, _ in rest[: len(FOR_GROUPS)]) == FOR_GROUPS
    )


def _digits(match: re.Match[str]) -> str:
    if match.group("digits") is not None:
        return match.group("digits")
    if match.group("tens") is not None:
        unit = match.group("unit")
        return TENS[match.group("tens").lower()] + (WORDS[unit.lower()] if unit else "0")
    if match.group("teen") is not None:
        return TEENS[match.group("teen").lower()]
    if match.group("word") is not None:
        word = match.group("word").lower()
        return "4" if FOR.fullmatch(word) else WORDS[word]
    repeated = match.group("repeated")
    digit = repeated if repeated.isdigit() else WORDS[repeated.lower()]
    return digit * (2 if match.group("times").lower() == "double" else 3)


def _card_in(run: list[tuple[int, int, str, bool]], is_card: Callable[[str], bool]) -> SpeltCard | None:
    """Return the card number the run starts with (whole tokens only), with a code right after it, or None."""
    digits, cards = "", []
    for index, (*_, token_digits, _) in enumerate(run):
        digits += token_digits
        if len(digits) > MAX_DIGITS:
            break
        if len(digits) >= MIN_DIGITS and is_card(digits):
            rest = run[index + 1 :]
            cards.append((not rest or _code_after(rest) is not None, len(digits), index))
    if not cards:
        return None
    # The length after which the run ends, or only a code follows, and then the commonest length: a shorter prefix
    # of a number said in pairs may pass the Luhn check too ("fifty one oh oh ... seventy oh zero").
    _, _, index = max(cards, key=lambda card: (card[0], -PREFERRED_LENGTHS.index(card[1])))
    return SpeltCard(run[0][0], run[index][1], _digits_of(run[: index + 1])[-4:], _code_after(run[index + 1 :]))


def _digits_of(run: list[tuple[int, int, str, bool]]) -> str:
    return "".join(token[2] for token in run)


def _code_after(rest: list[tuple[int, int, str, bool]]) -> tuple[int, int] | None:
    """Return where a security code of three or four digits is, if the rest of the run is exactly that."""
    if rest and len("".join(token[2] for token in rest)) in CODE_LENGTHS:
        return rest[0][0], rest[-1][1]
    return None
