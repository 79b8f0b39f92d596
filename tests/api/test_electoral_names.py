"""How typed names are compared with the register: examples and properties (hypothesis)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.places.names import full_name_matches, name_tokens


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("Rita Richardson", "Rita", "Richardson"),
        ("  rita   RICHARDSON ", "Rita", "Richardson"),
        ("Rita Jane Richardson", "Rita", "Richardson"),  # a middle name
        ("Mrs Rita Richardson", "Rita", "Richardson"),  # a title
        ("Zoë Brontë", "Zoe", "Bronte"),  # accents either side
        ("Zoe Bronte", "Zoë", "Brontë"),
        ("Sean O'Brien", "Seán", "O\u2019Brien"),  # apostrophes of either kind, or none
        ("Sean OBrien", "Sean", "O'Brien"),
        ("Sean O Brien", "Sean", "O'Brien"),
        ("Anna Smith-Jones", "Anna", "Smith Jones"),  # hyphen, space or nothing
        ("Anna Smith Jones", "Anna", "Smith-Jones"),
        ("Anna SmithJones", "Anna", "Smith-Jones"),
        ("Mary Smith", "Mary Ann", "Smith"),  # the register's first word is enough
        ("Maryann Smith", "Mary-Ann", "Smith"),
        ("Jean-Paul Martin", "Jean-Paul", "Martin"),
        ("Piet van der Berg", "Piet", "van der Berg"),
        ("Soren Sorensen", "Søren", "Sørensen"),  # letters with no accent to strip
        ("ELIF AYDIN", "Elif", "Ayd\u0131n"),  # dotless i
    ],
)
def test_names_that_match(typed: str, first: str, last: str) -> None:
    assert full_name_matches(typed, first_name=first, last_name=last)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("Rita", "Rita", "Richardson"),  # one word is not a full name
        ("Richardson", "Rita", "Richardson"),
        ("Richardson Rita", "Rita", "Richardson"),  # order matters
        ("Rita Richards", "Rita", "Richardson"),
        ("Rita Richardsons", "Rita", "Richardson"),
        ("Anna Jones", "Anna", "Smith-Jones"),  # half a double-barrelled surname
        ("Ann Smith", "Anna", "Smith"),
        ("Mrs Richardson", "Rita", "Richardson"),
        ("", "Rita", "Richardson"),
    ],
)
def test_names_that_do_not_match(typed: str, first: str, last: str) -> None:
    assert not full_name_matches(typed, first_name=first, last_name=last)


words = st.text(
    alphabet=st.characters(whitelist_categories=["Ll", "Lu"], max_codepoint=0x24F), min_size=1, max_size=12
).filter(lambda word: len(name_tokens(word)) == 1)
gaps = st.text(alphabet=" \t\n", min_size=1, max_size=4)


def shuffle_case(data: st.DataObject, word: str) -> str:
    return "".join(char.swapcase() if data.draw(st.booleans()) else char for char in word)


@given(first=words, last=words, middle=st.lists(words, max_size=2), data=st.data())
def test_any_case_spacing_and_middle_names_still_match(
    first: str, last: str, middle: list[str], data: st.DataObject
) -> None:
    parts = [shuffle_case(data, part) for part in (first, *middle, last)]
    typed = data.draw(gaps) + "".join(part + data.draw(gaps) for part in parts)
    assert full_name_matches(typed, first_name=first, last_name=last)


@given(first=words, last=words)
def test_accents_make_no_difference(first: str, last: str) -> None:
    accented = "".join(char + "\u0301" if char.isalpha() else char for char in f"{first} {last}")
    assert full_name_matches(unicodedata.normalize("NFC", accented), first_name=first, last_name=last)


@given(first=words, last=words, other=words)
def test_a_name_not_ending_in_the_registered_surname_never_matches(first: str, last: str, other: str) -> None:
    typed = f"{first} {other}"
    if not "".join(name_tokens(typed)).endswith("".join(name_tokens(last))):
        assert not full_name_matches(typed, first_name=first, last_name=last)


@given(text=st.text(max_size=40))
def test_tokens_are_lower_case_without_spaces_or_accents(text: str) -> None:
    for token in name_tokens(text):
        assert token and token == token.casefold()
        assert not any(char.isspace() or unicodedata.combining(char) for char in token)
