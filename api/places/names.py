"""How a name a resident types is compared with a name on the register.

Case, accents (and letters like "ø" or "ł" typed plain), extra spaces, hyphens, apostrophes, full stops,
a leading title and middle names make no difference. The first word(s) must be the register's first name
(its first word is enough, so "Mary Smith" matches "Mary Ann Smith") and the last word(s) the register's
last name, written together or apart ("Smith-Jones", "Smith Jones" and "SmithJones" are one surname).
Anything in between is a middle name.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = "'\u2018\u2019\u02bc`"
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.,]+")
# Letters that carry no accent to strip, as someone without them on their keyboard types them.
PLAIN_LETTERS = str.maketrans(
    {"\u0131": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th"}
)
# Dropped from the front of a typed name when at least a first and a last name remain.
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame"})


def name_tokens(text: str) -> list[str]:
    """Split a name into lower-case words without accents, apostrophes or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().translate(PLAIN_LETTERS)
    for mark in APOSTROPHES:
        plain = plain.replace(mark, "")
    return [token for token in SEPARATORS.split(plain) if token]


def full_name_matches(full_name: str, *, first_name: str, last_name: str) -> bool:
    """Tell whether ``full_name`` as typed names the person registered as ``first_name`` ``last_name``."""
    typed = name_tokens(full_name)
    first, last = name_tokens(first_name), name_tokens(last_name)
    if not first or not last:
        return False
    # Leading titles are optional, but a title word may also be a real first name ("Sir", "Dame"):
    # try the name as typed, then without each leading title in turn.
    candidates = [typed]
    while len(candidates[-1]) > 2 and candidates[-1][0] in TITLES:
        candidates.append(candidates[-1][1:])
    return any(_names_match(given, first, last) for given in candidates)


def _names_match(given: list[str], first: list[str], last: list[str]) -> bool:
    if len(given) < 2:
        return False
    surname = "".join(last)
    return any(
        "".join(given[-size:]) == surname and _forenames_match(given[:-size], first) for size in range(1, len(given))
    )


def _forenames_match(given: list[str], registered: list[str]) -> bool:
    if given[0] == registered[0]:
        return True
    joined = "".join(registered)
    return any("".join(given[:size]) == joined for size in range(1, len(given) + 1))
