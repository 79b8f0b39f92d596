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
PLAIN_LETTERS = str.maketrans({"\u0131": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "æ": "ae", "œ": "oe",
                               "þ": "th"})
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
    given = name_tokens(full_name)
    while len(given) > 2 and given[0] in TITLES:
        given = given[1:]
    first, last = name_tokens(first_name), name_tokens(last_name)
    if len(given) < 2 or not first or not last:
        return False
    surname = "".join(last)
    for size in range(1, len(given)):
        if "".join(given[-size:]) == surname and _forenames_match(given[:-size], first):
            return True
    return False


def _forenames_match(given: list[str], registered: list[str]) -> bool:
    if given[0] == registered[0]:
        return True
    joined = "".join(registered)
    return any("".join(given[:size]) == joined for size in range(1, len(given) + 1))
