"""Round five of issue 10: card forms round four left kept, hidden now, and the council's numbers that must stay.

Thousands commas or dots between the digits, a card word in capitals glued to the number, and a number whose
pieces are further apart than card_guard read (see docs/privacy-redaction.md, round five).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.hub import resident_texts, say, start
from tests.support.rasa_fakes import rasa_offering_a_person
from tests.support.redaction import assert_only_the_card_is_hidden, assert_untouched, sixteen_digit_cards

# ----- irregular groupings (hidden since round two; kept here as the brief's examples) -----


@pytest.mark.parametrize("typed", ["411 11111 1111 1111", "41111 111111 11111", "my card is 411 11111 1111 1111"])
def test_irregular_groupings_are_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


# ----- thousands commas and dots -----

THOUSANDS = [
    ("4,111,111,111,111,111", "1111"),
    ("my card is 4,111,111,111,111,111 thanks", "1111"),
    ("4.111.111.111.111.111", "1111"),
    ("5,500,000,000,000,004 exp 12/27", "0004"),
    ("378,282,246,310,005", "0005"),  # an Amex's fifteen digits
]


@pytest.mark.parametrize("typed, ending", THOUSANDS)
def test_a_card_number_with_thousands_commas_or_dots_is_hidden(typed: str, ending: str) -> None:
    assert_only_the_card_is_hidden(typed, ending)


@pytest.mark.parametrize(
    "message",
    [
        "£4,111,111,111,111,111",  # an amount: a currency sign before it
        "4,111,111,111,111,111.50",  # pence after it
        "€ 4.111.111.111.111.111,50",
        "I owe 1,234,567.89 apparently",
        "population 4,111,111",
        "4,111,111,111,111,111,111",  # more groups than a card has: the run is no card
        "0,111,111,111,111,111",  # no brand's number starts 0
        "1,234, 5,678, 9,012",
    ],
)
def test_amounts_and_short_numbers_with_thousands_commas_stay(message: str) -> None:
    assert_untouched(message)


@given(sixteen_digit_cards, st.sampled_from([",", "."]), st.sampled_from(["", "my card is ", "card: "]))
def test_any_card_number_with_thousands_separators_is_hidden(card: str, mark: str, lead: str) -> None:
    groups = [card[0]] + [card[i : i + 3] for i in range(1, 16, 3)]
    assert_only_the_card_is_hidden(lead + mark.join(groups), card[-4:])


# ----- a card word in capitals glued to the number -----


@pytest.mark.parametrize(
    "typed",
    [
        "CARD4111111111111111EXP",
        "Card4111111111111111",
        "VISA4111111111111111",
        "my CARDNO4111111111111111 thanks",
        "CARD4111 1111 1111 1111",
    ],
)
def test_a_card_word_in_capitals_glued_to_the_number_does_not_save_it(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


# JD4111111111111111, REF4111111111111111 and ABC4111111111111111 stayed here until round seven
# (docs/privacy-redaction.md): they are hidden now (tests/api/test_redaction_loose.py).
@pytest.mark.parametrize("message", ["CT12345678", "REF12345678", "ABC123456789012"])
def test_references_glued_to_capitals_stay(message: str) -> None:
    assert_untouched(message)


# ----- a number whose pieces are further apart than card_guard read -----


def test_a_card_number_with_more_chat_between_its_halves_than_the_window_is_hidden(
    make_client, open_session, database_url
) -> None:
    """Nine chat messages between the halves pushed the first out of the last eight messages card_guard read."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    chat = ["hang on", "getting my purse", "it's upstairs", "ok", "one sec", "found it", "sorry", "right", "here"]

    for text in ["my card is 4111 1111", *chat, "1111 1111"]:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == ["my card is [card number removed]", *chat, "[card number removed, ending 1111]"]


def test_numbers_with_much_chat_between_that_make_no_card_stay(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = ["flat 12", "ok", "hang on", "2024", "sorry", "yes", "no", "4111", "thanks", "fine", "1234 5678"]
    sent += ["yes", "ok", "9012 3456", "bye", "ok", "CT12345678", "07700 900123"]

    for text in sent:
        say(client, conversation_id, auth, text)

    assert resident_texts(open_session, database_url) == sent


# ----- a card typed with a stray piece after "and" (found by a hostile pass: it reached the bot, which began a
# service-request lookup with it) -----


@pytest.mark.parametrize("typed", ["4111 1111 1111 111 and 1", "my card 4111 1111 1111 111 and 1 thanks"])
def test_a_card_number_with_its_last_digit_after_and_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


@pytest.mark.parametrize("message", ["4111 1111 1111 112 and 1", "2024 2025 2026 202 and 6"])
def test_numbers_with_a_digit_after_and_that_make_no_card_stay(message: str) -> None:
    assert_untouched(message)


def test_the_bot_never_reads_the_digits_of_a_card_typed_with_a_stray_piece(
    make_client, rasa_calls, open_session, database_url
) -> None:
    """What the bot could take for a reference is what it is sent: only the marker's last four."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "4111 1111 1111 111 and 1")

    assert [call["message"] for call in rasa_calls] == ["[card number removed, ending 1111]"]
    assert resident_texts(open_session, database_url) == ["[card number removed, ending 1111]"]
