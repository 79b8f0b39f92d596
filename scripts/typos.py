"""Typos as residents make them, for measuring how the NLU copes with misspelt messages.

`perturb` misspells one or two words of a message the way people do on a phone: a dropped vowel, two letters
swapped, a letter dropped or doubled, a neighbouring key hit instead, or every vowel left out ("cncl"). It is
seeded, so a report is repeatable, and it leaves alone the character spans it is told to protect (entity
values), returning where each protected span has moved to. It is deliberately mechanical and knows nothing of
the spelling corrector (bot/nlp/spelling.py), so the corrector is measured on typos it was not written for.
Used by scripts/nlu_probe.py and scripts/nlu_folds.py (the typo-perturbed test folds of `make nlu-report`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

WORD = re.compile(r"[A-Za-z]{4,}")
VOWELS = "aeiou"
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours(letter: str) -> str:
    """Keys next to ``letter`` on a QWERTY keyboard (same row)."""
    for row in KEYBOARD:
        index = row.find(letter.lower())
        if index >= 0:
            return row[max(index - 1, 0) : index] + row[index + 1 : index + 2]
    return ""


def drop_vowel(word: str, rng: random.Random) -> str:
    """Leave out one vowel (not the first letter): "electon"."""
    places = [i for i, letter in enumerate(word) if i > 0 and letter.lower() in VOWELS]
    if not places:
        return drop_letter(word, rng)
    i = rng.choice(places)
    return word[:i] + word[i + 1 :]


def swap_letters(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters: "elcetion"."""
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def drop_letter(word: str, rng: random.Random) -> str:
    """Leave out one letter (not the first): "registred"."""
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def double_letter(word: str, rng: random.Random) -> str:
    """Type one letter twice: "councill"."""
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def wrong_key(word: str, rng: random.Random) -> str:
    """Hit a key next to the right one: "vite"."""
    i = rng.randrange(1, len(word))
    keys = _neighbours(word[i])
    return word[:i] + rng.choice(keys) + word[i + 1 :] if keys else drop_letter(word, rng)


def no_vowels(word: str, rng: random.Random) -> str:
    """Leave out every vowel after the first letter, as text-speak does: "cncl"."""
    stripped = word[0] + "".join(letter for letter in word[1:] if letter.lower() not in VOWELS)
    return stripped if len(stripped) >= 2 else drop_vowel(word, rng)


MISTAKES: tuple[Callable[[str, random.Random], str], ...] = (
    drop_vowel,
    swap_letters,
    drop_letter,
    double_letter,
    wrong_key,
    no_vowels,
)


def perturb(
    text: str, rng: random.Random, protected: Sequence[tuple[int, int]] = ()
) -> tuple[str, list[tuple[int, int]]]:
    """Misspell one word (two in a longer message) outside the ``protected`` spans.

    Returns the new text and the protected spans' new (start, end), in the order given.
    """
    words = [m for m in WORD.finditer(text) if not any(m.start() < end and start < m.end() for start, end in protected)]
    if not words:
        return text, list(protected)
    chosen = sorted(rng.sample(words, 2 if len(words) >= 6 else 1), key=lambda m: m.start())
    pieces, position, shifts = [], 0, []
    for match in chosen:
        wrong = rng.choice(MISTAKES)(match.group(), rng)
        pieces += [text[position : match.start()], wrong]
        shifts.append((match.start(), len(wrong) - len(match.group())))
        position = match.end()
    pieces.append(text[position:])

    def moved(offset: int) -> int:
        return offset + sum(delta for start, delta in shifts if start < offset)

    return "".join(pieces), [(moved(start), moved(end)) for start, end in protected]
