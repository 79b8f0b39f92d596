"""Messages written in another alphabet (Arabic, Urdu, Chinese, Cyrillic...): the assistant reads only English.

Read as English, "هل يمكنني التحدث مع شخص" ("can I talk to a person") was taken for a detail and asked "What would
you like me to do with that?" (a probe). The intent classifier gives such a message no confidence, so the
fallback answers it: in plain English, with the phone number and an interpreter.
"""

from __future__ import annotations

import unicodedata

# At least this many letters, most of them outside the Latin alphabet: "ok 👍" or one stray letter is not a message
# in another alphabet.
LETTERS_NEEDED = 2
# The reply, wherever such a message comes (out of the blue, or at one of a task's questions).
ENGLISH_ONLY = (
    "Sorry, I can only read English. If English is hard for you, please call us on {phone} and ask for an "
    "interpreter, or choose Talk to a person."
)


def in_another_alphabet(text: str) -> bool:
    """Tell whether most of the letters in ``text`` are not Latin letters."""
    letters = [char for char in text if char.isalpha()]
    others = [char for char in letters if not unicodedata.name(char, "").startswith("LATIN")]
    return len(others) >= LETTERS_NEEDED and len(others) * 2 > len(letters)
