"""Edit distances between words, light enough for the action server (the spelling layer and slot readers share it)."""

from __future__ import annotations


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): swapping two neighbouring letters is one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, letter_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, letter_b in enumerate(b, start=1):
            cost = 0 if letter_a == letter_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and letter_a == b[j - 2] and a[i - 2] == letter_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def one_slip(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter wrong, missing, extra or swapped, keeping the first letter."""
    return bool(typed) and typed[0] == word[:1] and edit_distance(typed, word) == 1
