"""Card numbers a hostile review of the redactor got stored unhidden (issue 10), and near misses that must stay."""

from __future__ import annotations

import re

import pytest

from api.conversations.card_numbers import MARKER, ascii_digit
from api.conversations.redaction import redact_card_numbers, redact_messages


def assert_only_the_card_is_hidden(typed: str) -> None:
    """The message holds one card number: it is hidden, and no digit of it is left outside the marker."""
    redacted = redact_card_numbers(typed)
    assert redacted.card_numbers == 1, redacted.text
    assert "ending 1111]" in redacted.text
    assert not [c for c in MARKER.sub("", redacted.text) if ascii_digit(c) is not None], redacted.text


SPACED_DIGITS = {
    "dashes between groups": "4 1 1 1 - 1 1 1 1 - 1 1 1 1 - 1 1 1 1",
    "full-width": "\uff14 \uff11 \uff11 \uff11 \uff0d \uff11 \uff11 \uff11 \uff11 \uff0d \uff11 \uff11 \uff11 \uff11"
    " \uff0d \uff11 \uff11 \uff11 \uff11",
    "slashes between groups": "4 1 1 1 / 1 1 1 1 / 1 1 1 1 / 1 1 1 1",
    "dashes inside groups": "4-1-1-1 1-1-1-1 1-1-1-1 1-1-1-1",
}


@pytest.mark.parametrize("typed", SPACED_DIGITS.values(), ids=SPACED_DIGITS.keys())
def test_a_card_number_typed_digit_by_digit_with_marks_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"my card is {typed} thanks")


BLANKS = ["\u2800", "\u3164", "\u115f", "\u1160", "\uffa0", *map(chr, range(0x2000, 0x200B)), "\u205f"]


@pytest.mark.parametrize("blank", BLANKS, ids=[f"U+{ord(b):04X}" for b in BLANKS])
def test_a_card_number_separated_by_characters_that_look_blank_is_hidden(blank: str) -> None:
    assert_only_the_card_is_hidden(blank.join(["card", "4111", "1111", "1111", "1111", "ok"]))
    assert_only_the_card_is_hidden(f"card 4111{blank}11111111{blank}1111 ok")


PASTED_HTML = [
    "<b>4111</b> <b>1111</b> <b>1111</b> <b>1111</b>",
    "<span>4111 1111</span><span>1111 1111</span>",
    "4111<br>1111<br>1111<br>1111",
    "<td>4111</td><td>1111</td><td>1111</td><td>1111</td>",
    '<span class="num">4111</span>&nbsp;<span class="num">1111 1111 1111</span>',
]


@pytest.mark.parametrize("typed", PASTED_HTML)
def test_a_card_number_in_pasted_html_is_hidden_with_tags_between_its_groups(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


def test_single_digits_with_mixed_gaps_that_make_no_card_stay() -> None:
    for message in [
        "1 2 - 3 4 - 5 6 - 7 8 - 9 0 - 1 2 - 3 4 - 5",
        "4 1 1 1 - 1 1 1 1 / 1 1 1 1 . 1 1 1 1",
        "0-1-6-1 4-9-6 0-0-0-0 1-2",
    ]:
        assert redact_card_numbers(message).text == message


def test_html_tags_around_the_councils_numbers_change_nothing() -> None:
    for message in [
        "<b>07700 900123</b>",
        "<td>12</td><td>34</td><td>2026</td>",
        "<h1>CT12345678</h1>",
        "a <b>b</b> 5 < 6 and 7 > 4",
        "<p>call 01632 960123</p><p>ref PAY-20261234</p>",
    ]:
        assert redact_card_numbers(message).text == message


PUNCTUATED = ["4111(1111)1111(1111)", "[4111](1111) 1111 1111", "4111'1111'1111'1111", "4111#1111#1111#1111"]


@pytest.mark.parametrize("typed", PUNCTUATED)
def test_a_card_number_with_brackets_quotes_or_hashes_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


def test_an_expiry_date_typed_digit_by_digit_after_a_card_number_is_hidden() -> None:
    for typed in ["4111 1111 1111 1111 exp 1 2 / 2 7", "4111 1111 1111 1111 expiry 0 3 / 2 0 2 8"]:
        assert (
            redact_card_numbers(typed).text
            == "[card number removed, ending 1111] " + typed.split()[4] + " [expiry date removed]"
        )
    assert (
        redact_card_numbers("4111 1111 1111 1111 cvv 1 2 3").text
        == "[card number removed, ending 1111] cvv [security code removed]"
    )
    assert (
        redact_card_numbers("4111 1111 1111 1111 1 2 / 2 7").text
        == "[card number removed, ending 1111] [expiry date removed]"
    )
    assert redact_card_numbers("exp 1 2 / 2 7, see you at 1 2").text == "exp 1 2 / 2 7, see you at 1 2"


def test_a_card_number_with_an_x_between_its_groups_is_hidden() -> None:
    for typed in [
        "4111x1111x1111x1111",
        "4111X1111X1111X1111",
        "4111\u00d71111\u00d71111\u00d71111",
        "4111 x 1111 x 1111 x 1111",
    ]:
        assert_only_the_card_is_hidden(f"card {typed} ok")


def test_measurements_and_references_with_an_x_stay() -> None:
    for message in [
        "the bin is 1200x600x900 mm",
        "2x4 and 3x3",
        "box 4111x2222",
        "12345678x87654321",
        "ref AB12x3456789012345",
    ]:
        assert redact_card_numbers(message).text == message


SPLIT_LAST_GROUP = ["4111 1111 1111 111 1", "4111 1111 1111 1 111", "4111-1111-1111-11-11", "4111 1111 111 1 1111"]


@pytest.mark.parametrize("typed", SPLIT_LAST_GROUP)
def test_a_card_number_with_one_group_typed_in_two_pieces_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"it's {typed} thanks")


def test_numbers_with_a_short_number_after_them_stay() -> None:
    for message in [
        "0300 123 4567 2 1",
        "07700 900123 1 2",
        "call 0161 496 0000 1",
        "12 Rowan Close 4 5",
        "20-00-00 12345678 1",
        "+44 7602 643447\t2058;",
        "+44 7861 436031  6296-46,",
        "029 4531 5585\t71 57 08 0300 620 2123 -",
        "+44 7090 490435 51 07 88 97",
    ]:
        assert redact_card_numbers(message).text == message


# ----- a second hostile review: forms that were still stored in clear -----

LETTER_SEPARATED = [
    "4111a1111a1111a1111",
    "4111 o 1111 o 1111 o 1111",
    "4111-A-1111-A-1111-A-1111",
    "4111e1111e1111e1111",
]


@pytest.mark.parametrize("typed", LETTER_SEPARATED)
def test_a_card_number_with_one_letter_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"my card {typed} ok")


def test_numbers_with_different_letters_between_them_stay() -> None:
    # "4111 a 1111 b 1111 c 1111" stayed here until a hostile probe (session 8) stored "card 5555 x 5555 y 5555 z 4444"
    # and "4111 I 1111 LOVE 1111 BINS 1111" whole: groups of four passing the Luhn check with a card's prefix are a card
    # whatever short word is between them (tests/api/test_redaction_loose.py).
    for message in [
        "flat 4 a 12 b 1111 c 1111",
        "12 a 34 o 56",
        "bins 1 a 2 b 3, flats 11 c 12",
        "CT12345678 a 1234",
    ]:
        assert redact_card_numbers(message).text == message


KEYCAPS = {
    "keycap emoji": "".join(f"{d}\ufe0f\u20e3" for d in "4111111111111111"),
    "keycaps in groups": " ".join(
        "".join(f"{d}\ufe0f\u20e3" for d in group) for group in ["4111", "1111", "1111", "1111"]
    ),
    "keycaps without the variation selector": "".join(f"{d}\u20e3" for d in "4111111111111111"),
    "a variation selector inside a group": "4\ufe0f111 1111 1111 1111",
    "combining marks on digits": "4\u03031\u03031\u03031 1111 1111 1111",
}


@pytest.mark.parametrize("typed", KEYCAPS.values(), ids=KEYCAPS.keys())
def test_a_card_number_in_keycap_emoji_or_with_marks_on_its_digits_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"card {typed} ok")
    assert "\u20e3" not in MARKER.sub("", redact_card_numbers(f"card {typed} ok").text)


ALL_THREE = "[card number removed, ending 1111] [expiry date removed] [security code removed]"
DIGIT_BY_DIGIT_CODES = {
    "4111 1111 1111 1111 12/27 1 2 3": ALL_THREE,
    "4111 1111 1111 1111 1 2 3": "[card number removed, ending 1111] [security code removed]",
    "4111 1111 1111 1111 1 2 / 2 7 1 2 3": (
        "[card number removed, ending 1111] [expiry date removed] [security code removed]"
    ),
    "4111-1111-1111-1111 12/2027 1 2 3 4": (
        "[card number removed, ending 1111] [expiry date removed] [security code removed]"
    ),
}


@pytest.mark.parametrize("typed", DIGIT_BY_DIGIT_CODES)
def test_a_code_typed_digit_by_digit_after_a_card_and_its_expiry_date_with_no_word_is_hidden(typed: str) -> None:
    assert redact_card_numbers(typed).text == DIGIT_BY_DIGIT_CODES[typed]


def test_a_code_typed_digit_by_digit_a_message_after_the_card_is_hidden() -> None:
    card, expiry, code = redact_messages(["my card 4111 1111 1111 1111", "12/27", "1 2 3"])
    assert (card.text, expiry.text, code.text) == (
        "my card [card number removed, ending 1111]",
        "[expiry date removed]",
        "[security code removed]",
    )


def test_single_digits_after_a_card_that_make_no_code_stay() -> None:
    assert (
        redact_card_numbers("4111 1111 1111 1111 1 2 3 4 5 6").text == "[card number removed, ending 1111] 1 2 3 4 5 6"
    )
    assert redact_card_numbers("12/27 1 2 3").text == "12/27 1 2 3"


def test_a_code_after_a_short_card_number_is_not_shown_as_its_ending() -> None:
    # Read as a 16-digit number with its last group in two pieces, the code was shown as the "last four digits".
    assert (
        redact_card_numbers("pay 40 5900-7779-2334-9 123 please").text
        == "pay 40 [card number removed, ending 3349] [security code removed] please"
    )


BRAND_GROUPS_SPLIT = {
    "Amex, last group split after four": ("3782 822463 1000 5", "0005"),
    "Amex, last group split after one": ("3782 822463 1 0005", "0005"),
    "Amex, middle group split": ("3782 822 463 10005", "0005"),
    "Amex, middle group split unevenly": ("3782-8224-63-10005", "0005"),
    "Amex, last group split in the middle": ("3782 822463 10 005", "0005"),
    "Diners, last group split": ("3056 930902 590 4", "5904"),
    "Diners, middle group split": ("3056 93 0902 5904", "5904"),
}


@pytest.mark.parametrize("typed,ending", BRAND_GROUPS_SPLIT.values(), ids=BRAND_GROUPS_SPLIT.keys())
def test_an_amex_or_diners_number_with_one_group_typed_in_two_pieces_is_hidden(typed: str, ending: str) -> None:
    redacted = redact_card_numbers(f"card {typed} thanks")
    assert redacted.text == f"card [card number removed, ending {ending}] thanks"


LINE_BREAK_TAGS = [
    "4111 < br > 1111 < br > 1111 < br > 1111",
    "4111<br/>1111<br/>1111<br/>1111",
    "4111 <br /> 1111 <br /> 1111 <br /> 1111",
    "4111< BR >1111< BR >1111< BR >1111",
    "4111 &lt;br&gt; 1111 &lt;br&gt; 1111 &lt;br&gt; 1111",
    "4111&lt;br/&gt;1111&lt;br/&gt;1111&lt;br/&gt;1111",
    "4111 &lt; br / &gt; 1111 &lt; br / &gt; 1111 &lt; br / &gt; 1111",
    "&lt;td&gt;4111&lt;/td&gt;&lt;td&gt;1111 1111 1111&lt;/td&gt;",
    "4111< /td >< td >1111< /td >< td >1111< /td >< td >1111",
]


@pytest.mark.parametrize("typed", LINE_BREAK_TAGS)
def test_a_card_number_with_spaced_or_escaped_html_tags_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


ESCAPED_DIGITS = {
    "percent-escaped digits": "%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31",
    "percent-escaped digits and spaces": "%34%31%31%31%20%31%31%31%31%20%31%31%31%31%20%31%31%31%31",
    "some digits escaped": "41%311%20%31111+1111%201111",
    "%20 and + in a link": "https://pay.example/?card=4111%201111+1111%201111&go=1",
    "HTML decimal references": "&#52;&#49;&#49;&#49; &#49;&#49;&#49;&#49; &#49;&#49;&#49;&#49; &#49;&#49;&#49;&#49;",
    "HTML hex references": "&#x34;" + "&#x31;" * 15,
    "backslash escapes": "\\u0034\\u0031\\u0031\\u0031 1111 1111 \\x31\\x31\\x31\\x31",
}


@pytest.mark.parametrize("typed", ESCAPED_DIGITS.values(), ids=ESCAPED_DIGITS.keys())
def test_a_card_number_with_its_digits_escaped_is_hidden_leaving_no_escape_behind(typed: str) -> None:
    redacted = redact_card_numbers(f"pasted {typed} ok")
    assert redacted.card_numbers == 1, redacted.text
    assert "ending 1111]" in redacted.text
    left = MARKER.sub("", redacted.text)
    assert "%3" not in left and "&#" not in left and "\\u00" not in left and "\\x3" not in left, redacted.text


def test_escapes_and_comparisons_around_the_councils_numbers_change_nothing() -> None:
    for message in [
        "a 20% discount on 12/03/2026",
        "%41%42 and %31%32",
        "https://example.org/?ref=CT12345678&amp;page=2",
        "5 < 6 and 7 > 4",
        "bins &lt; 3 &gt; 1",
        "call 01632%20960123",
    ]:
        assert redact_card_numbers(message).text == message


MIXED_IRREGULAR = [
    "4111-11111111 1111",
    "41111111 1111-1111",
    "4111.11111111 1111",
    "411 1111-11111 1111",
    "4111-1111 1111.1111",
    "41 11 11 11 11 11 11 11",
]


@pytest.mark.parametrize("typed", MIXED_IRREGULAR)
def test_a_card_number_grouped_irregularly_with_two_kinds_of_separator_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"card {typed} ok")


def test_numbers_side_by_side_with_mixed_separators_stay() -> None:
    for message in [
        "3852-0800 136 3484",
        "594-07609 960148",
        "2271-4543 0106 476 5717",
        "40-11-22 12345678",
        "12.03.2026 0300 123 4567",
        "4111-1111, 1111 1111111",
        "6447-53 07268 859141 98",
    ]:
        assert redact_card_numbers(message).text == message


EUROPEAN_PHONES = [
    "+33 6 12 34 56 78",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "+49 30 12345678",
    "+34 612 34 56 78",
    "+353 87 123 4567",
    "+44 (0)20 7946 0958",
    "07700 900123",
    "+44 7700 900 123",
]


@pytest.mark.parametrize("phone", EUROPEAN_PHONES)
def test_european_and_uk_phone_numbers_in_pairs_or_side_by_side_stay(phone: str) -> None:
    for message in [
        f"call me on {phone}",
        f"{phone} or 07 98 76 54 32",
        f"{phone}, ref CT12345678, PAY-12345678, paid £1,234.56 on 12/03/2026",
        f"{phone} 06 12 34 56 78 / 0300 123 4567",
    ]:
        assert redact_card_numbers(message).text == message


GLUED_TO_A_WORD = ["card4111111111111111", "my card number4111 1111 1111 1111", "number4111-1111-1111-1111 thanks"]


@pytest.mark.parametrize("typed", GLUED_TO_A_WORD)
def test_a_card_number_typed_on_from_a_word_without_a_space_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(typed)


def test_references_glued_to_capitals_or_short_prefixes_stay() -> None:
    # "CT4111111111111111", "JD4111111111111111", "ref ab4111111111111111" and "0x4111111111111111" stayed here until a
    # hostile probe (session 8) stored "CT4539148803436467" and "Rita4111111111111111Richardson" whole: a block of 15 or
    # 16 digits passing the Luhn check with a card's prefix is hidden whatever letters it is glued to (a parcel
    # reference so shaped loses its digits in the chat, which the resident can be asked for; a card kept cannot be
    # taken back). The council's own references are too short to be one.
    for message in ["AB12x3456789012345", "CT26041538", "PAY-94901911x", "SR246414b", "JD014600003782910"]:
        assert redact_card_numbers(message).text == message


SPELT_OUT = {
    "in words": "four one one one one one one one one one one one one one one one",
    "in words, grouped": "four one one one, one one one one, one one one one, one one one one",
    "in words, capitals": "Four One One One One One One One One One One One One One One One",
    "double and triple, as said aloud": "four triple one, double one double one, one one one one, one one one one",
    "oh for zero": "five five oh oh, oh oh oh oh, oh oh oh oh, oh oh oh four",
    "words and digits mixed": "four one one one 1111 1111 1111",
    "with dashes": "four-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one",
}


@pytest.mark.parametrize("typed", SPELT_OUT.values(), ids=SPELT_OUT.keys())
def test_a_card_number_spelt_out_in_words_is_hidden(typed: str) -> None:
    redacted = redact_card_numbers(f"my card is {typed} thanks")
    assert redacted.card_numbers == 1, redacted.text
    assert redacted.text.startswith("my card is [card number removed, ending ") and redacted.text.endswith("] thanks")
    assert not re.search(r"\b(one|two|three|four|five|oh|double|triple)\b", MARKER.sub("", redacted.text), re.I)


def test_a_code_spelt_out_after_a_spelt_card_is_hidden_and_number_words_in_sentences_stay() -> None:
    assert (
        redact_card_numbers("four one one one one one one one one one one one one one one one, one two three").text
        == "[card number removed, ending 1111], [security code removed]"
    )
    for message in [
        "one or two bins, three bags, and four five six boxes",
        "call oh one six three two, nine six oh one two three",
        "one two three four five six seven eight nine ten eleven twelve",
        "I have one one one one one one one one one one one one one one one one reasons",
    ]:
        assert redact_card_numbers(message).text == message


OTHER_SCRIPTS_PUNCTUATION = {
    "Arabic comma, Arabic-Indic digits": "\u060c".join(["\u0664\u0661\u0661\u0661"] + ["\u0661" * 4] * 3),
    "Arabic comma": "4111\u060c1111\u060c1111\u060c1111",
    "ideographic comma": "4111\u30011111\u30011111\u30011111",
    "ideographic full stop": "4111\u30021111\u30021111\u30021111",
    "small comma": "4111\ufe501111\ufe501111\ufe501111",
}


@pytest.mark.parametrize("typed", OTHER_SCRIPTS_PUNCTUATION.values(), ids=OTHER_SCRIPTS_PUNCTUATION.keys())
def test_a_card_number_with_other_scripts_punctuation_between_its_groups_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"card {typed} ok")


def test_an_expiry_date_and_code_typed_right_after_their_word_without_a_space_are_hidden() -> None:
    assert (
        redact_card_numbers("pls use 4111111111111111 exp1227 cvv123").text
        == "pls use [card number removed, ending 1111] exp[expiry date removed] cvv[security code removed]"
    )
    assert (
        redact_card_numbers("4111 1111 1111 1111 expiry12/27 cvc1234").text
        == "[card number removed, ending 1111] expiry[expiry date removed] cvc[security code removed]"
    )


def test_a_number_grouped_like_a_card_that_starts_inside_a_phone_number_stays() -> None:
    # Each was hidden as a card starting in the middle of the phone number (found by scripts/redaction_probe.py).
    for message in [
        "02 90 35 12 43\t98 18 40 07",
        "92/+49 72 44079266\t+33 4 98 11 43 33  08 37 90 66 56-",
        "07542 757894\n060440  022 4623 5222  (07268) 634710",
        "023 2226 7001\n0101 105 4901 - 69-43-12",
        "+44 7427 821582  257040\t03.30.2058.",
        "0300 888 6452\n023 8585 9208  0300 659 5883.05 45 92 23;",
    ]:
        assert redact_card_numbers(message).text == message


def test_an_amount_before_a_card_number_with_mixed_separators_stays_and_the_card_is_hidden() -> None:
    assert redact_card_numbers("pay 40 4111-11111111 1111").text == "pay 40 [card number removed, ending 1111]"
    assert redact_card_numbers("pay 12 411 1111-11111 1111 exp 12/27").text == (
        "pay 12 [card number removed, ending 1111] exp [expiry date removed]"
    )


SAID_SEPARATORS = [
    "4111 dash 1111 dash 1111 dash 1111",
    "4111 space 1111 space 1111 space 1111",
    "4111 Dash 11111111 Dash 1111",
]


@pytest.mark.parametrize("typed", SAID_SEPARATORS)
def test_a_card_number_dictated_with_its_separators_said_as_words_is_hidden(typed: str) -> None:
    assert_only_the_card_is_hidden(f"card {typed} ok")


def test_numbers_with_words_for_separators_that_make_no_card_stay() -> None:
    # "4111 dash 1111 space 1111 dot 1111" stayed here until round seven (docs/privacy-redaction.md): groups of four
    # passing the Luhn check with a card's prefix are a card whatever word is between them.
    for message in ["version 4 dot 1 dot 12", "07700 dash 900123"]:
        assert redact_card_numbers(message).text == message


def test_a_code_after_a_card_number_and_expiry_date_hidden_before_is_hidden() -> None:
    """What the store reads back: earlier messages already redacted, then the code alone (hostile review #171)."""
    stored = ["[card number removed, ending 1111]", "[expiry date removed]", "123"]
    assert [r.text for r in redact_messages(stored)][-1] == "[security code removed]"
    same_message = ["[card number removed, ending 1111] [expiry date removed]", "123"]
    assert [r.text for r in redact_messages(same_message)][-1] == "[security code removed]"


YEARS_IN_A_ROW = [
    "I owe for 2023, 2024, 2025, 2026",
    "I was in arrears 2015, 2016, 2017, 2018",
    "2015 2016 2017 2018",
    "bills for 2010-2011-2012-2013 were wrong",
    "I paid in 2010 2011 2012 2013 and 2014",
    "2016 2017 2018 2019 2020",
    "my last 4 readings: 2015 2016 2017 2018",
    "born 1958 1961 1990 1995",
    "moved in 1985, 1987, 1990, 1992",
]


@pytest.mark.parametrize("message", YEARS_IN_A_ROW)
def test_four_years_in_a_row_are_not_a_card_number(message: str) -> None:
    """Years of arrears or bills listed in fours pass the Luhn check often enough to be hidden (hostile review)."""
    assert redact_card_numbers(message).text == message


def test_one_year_per_message_is_not_a_card_number() -> None:
    assert [r.text for r in redact_messages(["2015", "2016", "2017", "2018"])] == ["2015", "2016", "2017", "2018"]


def test_a_card_number_with_some_groups_like_years_is_still_hidden() -> None:
    """Only groups that are all years: a card with one or two year-like groups keeps being hidden."""
    assert redact_card_numbers("4000 2015 2016 2013").text == "[card number removed, ending 2013]"
    assert redact_card_numbers("2221 2000 2010 2013").text == "[card number removed, ending 2013]"


MISTYPED_AFTER_A_CARD_WORD = [
    "my card number is 4111 1111 1111 1112",
    "card no: 5500-0000-0000-0005",
    "Visa 4111.1111.1111.1121",
    "debit card 4111111111111112",
    "long number on my card 4111 1111 1111 1112",
]


@pytest.mark.parametrize("typed", MISTYPED_AFTER_A_CARD_WORD)
def test_a_mistyped_card_number_right_after_a_card_word_is_hidden(typed: str) -> None:
    """One digit wrong fails the Luhn check; grouped 4-4-4-4 as printed and called a card, it is hidden all the same."""
    redacted = redact_card_numbers(typed)
    assert redacted.card_numbers == 1, redacted.text
    assert len([c for c in MARKER.sub("", redacted.text) if c.isdigit()]) == 0, redacted.text


def test_sixteen_digits_in_fours_without_a_card_word_or_a_brands_start_stay() -> None:
    """Failing the Luhn check, without 'card' (or a brand) just before, or not starting as a brand's, it is no card."""
    for message in [
        "refs 2868 4349 2877 5385",
        "meter readings 4439 2537 8993 1465",
        "account number 5123 4567 8901 2345",
        "card reference 1234 5678 9012 3457",
        "card ending 1111, reference 1234 5678 9012 3456",
        # "my card is fine, the bill says 4111 1111 1111 1112 though" is hidden since round four (a number printed
        # as a card's, starting as a brand's): tests/api/test_redaction_round_four.py
    ]:
        assert redact_card_numbers(message).text == message


CODES_BEHIND_OTHER_WORDS = {
    "Card no: 5500 0000 0000 0004 Exp: 12/27 Sec: 123": "Sec: [security code removed]",
    "4111 1111 1111 1111 ex 12/27 cv 123": "cv [security code removed]",
    "5500 0000 0000 0004 three digits 123": "three digits [security code removed]",
    "long number 4111111111111111 short number 123": "short number [security code removed]",
    "4111 1111 1111 1111 pin 1234": "pin [security code removed]",
}


@pytest.mark.parametrize("typed", CODES_BEHIND_OTHER_WORDS)
def test_a_code_behind_another_word_after_a_card_number_is_hidden(typed: str) -> None:
    """Words residents use for the code (hostile review #134, #136-#139), only where a card number is in view."""
    redacted = redact_card_numbers(typed).text
    assert CODES_BEHIND_OTHER_WORDS[typed] in redacted, redacted
    assert not [c for c in MARKER.sub("", redacted) if c.isdigit()], redacted


def test_those_words_with_a_number_and_no_card_number_stay() -> None:
    for message in ["pin 1234 is my door code", "sec 123 of the form", "my cv 123 pages", "short number 123"]:
        assert redact_card_numbers(message).text == message


EXPIRY_DATES_WITHOUT_A_SLASH = {
    "4111 1111 1111 1111 expiry 12 27 cvv 1 2 3": "expiry [expiry date removed] cvv [security code removed]",
    "4111 1111 1111 1111 expiry December 2027": "expiry [expiry date removed]",
    "card 4111 1111 1111 1111 expires dec 27 cvv 123": "expires [expiry date removed] cvv [security code removed]",
}


@pytest.mark.parametrize("typed", EXPIRY_DATES_WITHOUT_A_SLASH)
def test_an_expiry_date_dictated_without_a_slash_after_its_word_is_hidden(typed: str) -> None:
    """As dictation writes it (hostile review #135, #58): month and year with a space, or the month's name."""
    redacted = redact_card_numbers(typed).text
    assert redacted.endswith(EXPIRY_DATES_WITHOUT_A_SLASH[typed]), redacted


def test_a_date_in_words_with_no_card_number_stays() -> None:
    for message in ["my tenancy expires December 2027", "permit expiry 12 27 days left"]:
        assert redact_card_numbers(message).text == message


def test_the_expiry_date_and_code_glued_to_the_card_number_and_their_words_are_hidden() -> None:
    """All typed on without a space (hostile review #34): the number was hidden, its details kept."""
    redacted = redact_card_numbers("4111111111111111exp1227cvv123").text
    assert redacted == "[card number removed, ending 1111]exp[expiry date removed]cvv[security code removed]"


@pytest.mark.parametrize(
    ("first", "ending"),
    [("card ending 0004", "0004"), ("my card ends in 1111", "1111"), ("the last four digits are 1111", "1111")],
)
def test_the_last_four_given_before_the_full_number_stay_and_the_number_keeps_its_own_ending(
    first: str, ending: str
) -> None:
    """A card's last four told first are no piece of the number sent next (hostile review #87, #147)."""
    card = {"0004": "5500 0000 0000 0004", "1111": "4111 1111 1111 1111"}[ending]
    redacted = [r.text for r in redact_messages([first, f"full number {card}"])]
    assert redacted == [first, f"full number [card number removed, ending {ending}]"]


def test_a_whole_card_number_after_ending_is_still_hidden() -> None:
    assert (
        redact_card_numbers("card ending 4111 1111 1111 1111").text == "card ending [card number removed, ending 1111]"
    )
    assert redact_card_numbers("last four 4111111111111111").text == "last four [card number removed, ending 1111]"
