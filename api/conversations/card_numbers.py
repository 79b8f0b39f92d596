"""Find payment card numbers in text, with the expiry date and security code typed beside them.

Residents type card numbers every way a keyboard allows: grouped by spaces, dashes, dots, slashes or
commas, broken over lines, with no-break or zero-width spaces pasted from a banking app, in full-width
or other scripts' digits, with an amount in front and the expiry and security code after. So the text
is read as *chains*: runs of digit groups joined by short runs of separators. A card number is a run of
whole groups in a chain holding 13 to 19 digits that passes the Luhn check and is grouped as people
group card numbers (one block, equal blocks with a shorter last one, or Amex's 4-6-5 and Diners' 4-6-4).

The grouping rule is what keeps the council's own numbers safe when they sit next to each other: two
phone numbers (5-6 5-6), a sort code and an account number (2-2-2 8), two account numbers (8 8), a
UPRN and a house number (12 2) or two dates (2-2-4 2-2-4) are never grouped like a card, whatever their
checksum. The council's
references (CT12345678, PAY-12345678, SR-123456, AA1-0042) are too short to be one, and digits glued to
a letter before them (a parcel or bank reference) never start one.

Messages a resident sends one after another are read as one text (see ``soft`` below), so a number
split over two messages is found, and the earlier message can be rewritten too.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import string
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from api.conversations.escaped_separators import escape_end, unescape_separators
from api.conversations.spelt_numbers import find_spelt_cards

MIN_DIGITS, MAX_DIGITS = 13, 19
# When several lengths starting at one group pass the Luhn check, the commonest card length wins, so a
# security code typed after a 16-digit number is not taken as the end of a 19-digit one.
PREFERRED_LENGTHS = (16, 15, 19, 14, 18, 17, 13)
AMEX_PREFIXES = ("34", "37")
# Groupings printed on one brand's cards only: American Express 4-6-5, Diners Club 4-6-4.
BRAND_GROUPINGS: dict[tuple[int, ...], tuple[str, ...]] = {
    (4, 6, 5): AMEX_PREFIXES,
    (4, 6, 4): ("30", "36", "38", "39"),
}
# Separators a resident may put between digit groups (besides any space, dash or invisible format character).
# Any ASCII punctuation but the dollar sign (an amount's), and a few from other scripts.
SEPARATOR_CHARS = frozenset(set(string.punctuation) - {"$"}) | frozenset("·•・\u2212\u2044\u2215")
# Invisible format characters, spaces, and punctuation of every script (the Arabic comma, the ideographic comma and
# full stop, brackets and quotes); never a currency sign, which starts an amount.
SEPARATOR_CATEGORIES = frozenset({"Cf", "Zs", "Pd", "Po", "Ps", "Pe", "Pi", "Pf", "Pc"})
# Characters that show as blank space but are letters or symbols to Unicode: the braille blank, the Hangul
# fillers, the Khmer inherent vowels and the combining grapheme joiner. Read as spaces, never as letters.
# One letter (or a times sign) between digit groups, as in 4111x1111x1111x1111, 4111a1111a1111a1111 or
# "4111 o 1111 o 1111 o 1111", joins them like a separator; a card never starts right after one (0x4111...), only one
# letter may be used between a number's groups, and a letter glued to digits keeps an irregular grouping from being a
# card unless it joins them to the next group.
TIMES_MARKS = frozenset("xX\u00d7")
MAX_LETTER_GAP = 3
# A separator said as a word, as dictation writes it ("4111 dash 1111 dash ..."), or "and" read between the groups
# ("4111 and 1111 and 1111 and 1111"); only one such word per number, and then between all of its groups.
# "then" too: "near 4111 then 1111 then 1111 then 1111" was lodged whole (an attack).
SAID_SEPARATOR = re.compile(r"[^\S\n]+(?:dash|hyphen|space|slash|dot|stroke|and|then)[^\S\n]+", re.IGNORECASE)
SAID_STYLES = frozenset({"dash", "hyphen", "space", "slash", "dot", "stroke", "and", "then"})
# Emoji and other symbols between the groups ("4111 🔒 1111 🔒 ..."), with what draws them: the variation selectors
# and skin-tone modifiers (a zero-width joiner is a format character already). Never a currency sign.
SYMBOL_CATEGORIES = frozenset({"So", "Sk"})
EMOJI_MODIFIERS = frozenset("\ufe0e\ufe0f")
BLANK_CHARS = frozenset("\u2800\u3164\u115f\u1160\uffa0\u17b4\u17b5\u034f")
MAX_SEPARATOR_RUN = 5
# Digit groups right after a card number in its chain are its expiry date and code when shaped like them.
MAX_DETAIL_GROUPS = 3
# A date or code may be typed digit by digit ("12/27 1 2 3"): up to four single digits then read as one group.
MAX_SPELT_DIGITS = 4
# What may follow a card number in its chain: nothing, a code, an expiry date (MM YY, MM YYYY or MMYY), or both.
DETAIL_SHAPES = frozenset({(), (3,), (4,), (2, 2), (2, 4), (2, 2, 3), (2, 2, 4), (2, 4, 3), (2, 4, 4), (4, 3), (4, 4)})
# A block of digits this long that is not a card number as a whole is searched for one at its start.
MIN_GLUED_BLOCK = 17
# Words a resident may put between the pieces of a number sent over two messages ("next bit 1111 1111").
MAX_WORDED_GAP = 60
# Whole messages of chat between the pieces ("hang on", "getting my purse", ...) may run longer (see _Group.after_chat).
MAX_CHAT_GAP = 1000
# A card number grouped irregularly ("4111 11111111 1111") has blocks of at least two digits, and may follow
# at most a short amount in its run ("pay 40 4111 11111111 1111").
MIN_IRREGULAR_BLOCK = 2
MAX_LEAD_GROUPS, MAX_LEAD_DIGITS = 2, 3
# Separators one irregularly grouped number may mix ("4111-11111111 1111"): single spaces, dashes and dots, between
# blocks of two or more digits (after at most a short amount, as any irregular grouping). Lists mix commas, slashes
# and semicolons.
MAX_IRREGULAR_STYLES = 2
MIXABLE_STYLES = frozenset(" -.")
# Thousands separators: a card copied from a spreadsheet cell formatted as a number ("4,111,111,111,111,111").
THOUSANDS_MARKS = frozenset(",.")
MIN_MIXED_BLOCK = 2
# A group in pieces with chat between is mended only into a card grouped in this many blocks or more (see _Group).
MIN_GROUPS_ACROSS_CHAT = 3
# A number read across this many message breaks or more must start as a card brand's does (``_across_many_messages``).
MIN_BREAKS_FOR_A_BRAND = 2
# A word typed on into a card number without a space ("card4111...") has at least this many small letters.
MIN_GLUED_WORD = 3
# Card words glued to a number in any case ("CARD4111...", "Card4111..."): a card's, never a reference's letters.
GLUED_CARD_WORDS = frozenset(
    {"card", "cardno", "cardnumber", "cardnum", "visa", "mastercard", "amex", "maestro", "debit", "credit", "pan"}
)
# Letters glued after digits that make them a quantity, not part of a card: 13p, 3rd, 10am, 5kg.
MAX_UNIT_LETTERS = 2
# How the council's and banks' own numbers are grouped, with the digits each may hold. A run that reads as a
# sequence of these ("12345678 87654321", "401122 45678901", "100023336956 20 00 00") is never taken for an
# irregularly grouped card number. Phone numbers start with 0 (or 44, the UK's code) and dates hold a year.
ANY, PHONE, YEAR = r"\d+", r"(?:0|44)\d+", r"(?:19|20)\d\d"
PHONE_SHAPES: dict[tuple[int, ...], str] = {
    (11,): PHONE,
    (5, 6): PHONE,
    (5, 3, 3): PHONE,
    (4, 3, 4): PHONE,
    (3, 4, 4): PHONE,
    (2, 4, 6): PHONE,
    (2, 2, 4, 4): PHONE,
    # French numbers in pairs (06 12 34 56 78, +33 6 12 34 56 78, 0033 6..., +33 (0)6...) and Spanish ones.
    (2, 2, 2, 2, 2): r"0\d{9}",
    (2, 1, 2, 2, 2, 2): r"33\d{9}",
    (2, 1, 1, 2, 2, 2, 2): r"330\d{9}",
    (4, 1, 2, 2, 2, 2): r"0033\d{9}",
    (2, 3, 2, 2, 2): r"34\d{9}",
}
OTHER_NUMBER_SHAPES: dict[tuple[int, ...], str] = {
    **PHONE_SHAPES,
    (6,): ANY,
    (2, 2, 2): ANY,
    (8,): ANY,  # a sort code, an account number (and a date as 03 12 26)
    (2, 2, 4): rf"\d{{4}}{YEAR}",
    (4, 2, 2): rf"{YEAR}\d{{4}}",
    (2, 2): ANY,
    (4, 2): ANY,  # a date, a time, 2025-26
    (12,): ANY,  # a UPRN (or a phone number as 447700900123)
    (3, 3, 4): ANY,  # an NHS number
}
YEAR_GROUP = re.compile(YEAR)
ShapeKind = Literal["phone", "other"]
SHAPES: dict[ShapeKind, dict[tuple[int, ...], re.Pattern[str]]] = {
    "phone": {size: re.compile(digits) for size, digits in PHONE_SHAPES.items()},
    "other": {size: re.compile(digits) for size, digits in OTHER_NUMBER_SHAPES.items()},
}
MAX_OTHER_SHAPE = max(len(shape) for shape in OTHER_NUMBER_SHAPES)

# What the redactor itself writes; finding these again keeps redaction idempotent, and a card number
# already hidden still makes an expiry date or code typed after it (even a message later) a card detail.
MARKER = re.compile(r"\[(?:card number removed(?:, ending \d{4})?|expiry date removed|security code removed)\]")
# An expiry date or code may be typed digit by digit ("exp 1 2 / 2 7", "cvv 1 2 3"), tried after the usual forms.
# After its word only, an expiry date dictated without a slash: "expiry 12 27", "expires December 2027", "exp dec 27".
MONTH_NAMES = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
EXPIRY = (
    r"(?:0?[1-9]|1[0-2]) ?[/.\-] ?(?:20)?\d\d|(?:0[1-9]|1[0-2])\d\d"
    rf"|(?:0[1-9]|1[0-2]) (?:20)?\d\d(?! \d\d)|{MONTH_NAMES},? (?:20)?\d\d"
    r"|(?:(?:0 )?[1-9]|1 [0-2]) ?[/.\-] ?(?:2 0 )?\d \d|(?:0 [1-9]|1 [0-2]) \d \d"
)
EXPIRY_WORDS = r"exp(?:iry|ires|iration|\.)?(?: date)?|valid (?:thru|through|until|to)|end date"
CODE_WORDS = (
    r"cvv2?|cvc2?|cv2|csc|security (?:code|number|digits)|(?:3|three)[ -]digit (?:code|number)"
    r"|code on the back|digits on the back"
    # Shorter words residents use once a card number is in view (the patterns run only then): "Sec: 123",
    # "cv 123", "three digits 123", "short number 123", and a PIN volunteered.
    r"|sec|cv|(?:3|three) digits|short number|pin(?: number)?|code"
)
BETWEEN = r"[^\d\n]{0,20}?"
# The word may be typed on into the value without a space ("exp1227", "cvv123"), or on from the digits before it
# ("4111111111111111exp1227cvv123").
WORD_END = r"(?:\b|(?=\d))"
WORD_START = r"(?:\b|(?<=\d))"
EXPIRY_BY_WORD = re.compile(
    rf"{WORD_START}(?:{EXPIRY_WORDS}){WORD_END}{BETWEEN}(?<!\d)(?P<value>{EXPIRY})(?![\d/])", re.IGNORECASE
)
CODE_BY_WORD = re.compile(
    rf"{WORD_START}(?:{CODE_WORDS}){WORD_END}{BETWEEN}(?<!\d)(?P<value>\d{{3,4}}|\d(?: \d){{2,3}})(?!\d)",
    re.IGNORECASE,
)
# A code said in words, as dictation writes it ("cvv one two three", "12/27 one two three"): after a code word, or
# right after the card number or its expiry date. Only with a card number in view, as every pattern here.
CODE_DIGIT_WORD = r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine)"
SPELT_CODE = rf"{CODE_DIGIT_WORD}(?:[ ,\-]+{CODE_DIGIT_WORD}){{2,3}}\b(?![ ,\-]*{CODE_DIGIT_WORD}\b)"
CODE_SPELT_BY_WORD = re.compile(
    rf"\b(?:{CODE_WORDS})\b(?:(?!\b{CODE_DIGIT_WORD}\b)[^\d\n]){{0,20}}?\b(?P<value>{SPELT_CODE})", re.IGNORECASE
)
SPELT_CODE_AFTER = re.compile(rf"[^\S\n]*[,;:.\-]?\s*(?:and\s+)?(?P<value>{SPELT_CODE})", re.IGNORECASE)
# Letters a resident may type for digits in a card number: O (or o) for 0, l or I for 1 ("4lll 1111", "5500 OOOO").
LOOKALIKE_DIGITS = str.maketrans("OoIl", "0011")
LOOKALIKE_WORD = re.compile(r"(?<![^\W\d_])[0-9OoIl]+(?![^\W\d_])")
LOOKALIKE_GROUP = 4
# A number called a card right before it: the words, then at most a few (not "card ending", which gives the last four).
CARD_WORDS = r"(?:card|visa|mastercard|master card|amex|maestro)"
MISTYPED_CARD = re.compile(
    rf"\b{CARD_WORDS}\b(?! ending)[^\d\n]{{0,20}}?(?<![\d/.\-])"
    r"(?P<number>\d{4}(?P<sep>[ .\-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{4})(?![\d/.\-]?\d)",
    re.IGNORECASE,
)
# Sixteen digits printed as a card's, four blocks of four with one space or dash between, standing alone (no digits,
# letters or marks of another number glued on either side): a card even if a digit is typed wrong (see below).
MISTYPED_AS_PRINTED = re.compile(
    r"(?<![\w/.\-\u2010-\u2015,:+£$€#])(?<![\d,.] )"
    r"(?P<number>\d{4}(?P<sep>[^\S\n]|[\-\u2010-\u2015])\d{4}(?P=sep)\d{4}(?P=sep)\d{4})"
    r"(?![\w/.\-\u2010-\u2015,:%]?\d)(?![\w£$€%])"
)
# ... unless a word before says what else it is: a reference, an account, a meter reading, an order or a parcel.
NOT_A_CARD_BEFORE = re.compile(
    r"\b(?:refs?|reference|references|account|acc|a/c|meter|readings?|order|tracking|parcel|policy|invoice|claim"
    r"|customer|serial|imei|mpan|mprn|uprn)\b[^\d\n]{0,20}\Z",
    re.IGNORECASE,
)
MAX_NOT_A_CARD_BEFORE = 40
# Meter readings listed in fours, rising or falling, after "meter" or "reading": not a card even passing the Luhn check.
READINGS_BEFORE = re.compile(r"\b(?:meter|readings?)\b[^\d\n]{0,20}\Z", re.IGNORECASE)
READINGS_IN_FOURS = re.compile(r"\d{4}(?P<sep>[^\S\n][,;/\-]?[^\S\n]?|[,;/\-][^\S\n]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{4}")
# Words before a card's last four digits, told on purpose ("card ending 1111", "ends in 1111", "last 4 digits: 1111").
LAST_FOUR_WORDS = re.compile(
    r"(?:\bending|\bends(?: with| in)?|\blast (?:4|four)(?: digits)?(?: are| is)?)[^\S\n]*:?[^\S\n]*\Z", re.IGNORECASE
)
MAX_LAST_FOUR_WORDS = 30
LAST_FOUR = 4
# A month/year with no word before it is an expiry date only in a message that holds a card number.
BARE_EXPIRY = re.compile(
    r"(?<![\d/.\-])(?P<value>(?:0[1-9]|1[0-2]) ?/ ?(?:20)?\d\d"
    r"|(?:0 [1-9]|1 [0-2]) ?/ ?(?:2 0 )?\d \d)(?![\d/])"
)

Kind = Literal["card", "expiry", "code"]
# How a digit group joins the previous one: not at all (a new chain), by separators, "soft": by separators
# across messages (which may split a group as the resident typed it), or "worded": across messages with words
# between the pieces.
Join = Literal["none", "separator", "soft", "worded"]


@dataclass(frozen=True)
class Found:
    """Something to hide: text[start:end] is a card number (``ending`` its last four digits) or a card detail."""

    start: int
    end: int
    kind: Kind
    ending: str = ""  # empty for a piece of a card number whose end is in a later message


@dataclass
class _Group:
    start: int
    end: int
    digits: str
    # How this group joins the previous one (see ``Join``). Invisible characters between digits, such as a
    # zero-width space, do not end a group at all.
    join: Join = "none"
    gap: str = ""  # the separators between this group and the previous one
    positions: list[int] = field(default_factory=list)  # where each digit is in the text

    @property
    def style(self) -> str:
        return _style(self.gap)

    # Glued to a letter before it, as in CT12345678 or a parcel's JD0146...: a reference, never a card's start,
    # unless the letters are a word in small letters typed on without a space ("card4111...").
    after_letter: bool = False
    after_word: bool = False
    # Right after "ending", "ends in" or "last four": a card's last four digits, told on purpose, never its start.
    after_ending: bool = False
    # Sent in a message of its own after other messages without digits, the previous group ending its own message
    # ("4111 1111 1111 11", "hang on", "11"): the chat between is skipped, so a group split by it may be mended.
    after_chat: bool = False


@dataclass(frozen=True)
class _Card:
    start: int
    end: int
    last_group: int  # index of the chain's last group taken by the card (details may follow it)
    first_group: int  # index of its first group


def luhn_valid(digits: str) -> bool:
    """Say whether a string of ASCII digits passes the Luhn checksum used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def ascii_digit(char: str) -> str | None:
    """Return the ASCII digit a character stands for (full-width, Arabic-Indic, superscript...), or None."""
    if "0" <= char <= "9":
        return char
    if char.isascii():
        return None
    value = unicodedata.digit(char, None)
    return None if value is None else str(value)


def is_separator(char: str) -> bool:
    """Say whether a character may stand between the digit groups of one number."""
    if char.isspace() or char in BLANK_CHARS or char in EMOJI_MODIFIERS:
        return True
    if unicodedata.category(char) in SEPARATOR_CATEGORIES | SYMBOL_CATEGORIES:
        return True
    return char in SEPARATOR_CHARS or unicodedata.normalize("NFKC", char) in SEPARATOR_CHARS


def normalised(text: str) -> str:
    """Return ``text`` with the same length, every digit ASCII and every separator a space, '/', '.' or '-'.

    The keyword patterns run on this, so their offsets are the original text's.
    """
    out = []
    for char in text:
        digit = ascii_digit(char)
        if digit is not None:
            out.append(digit)
        elif is_separator(char):
            folded = unicodedata.normalize("NFKC", char)
            out.append(
                folded if folded in "/.-" and len(folded) == 1 else "-" if unicodedata.category(char) == "Pd" else " "
            )
        else:
            out.append(char)
    return "".join(out)


def find(text: str, *, soft: Collection[int] = ()) -> list[Found]:
    """Find the card numbers in ``text`` and the expiry dates and security codes typed with them.

    ``soft`` holds the offsets of the characters that join consecutive messages: a number may run on
    across one whether or not the resident broke it at a group boundary.
    """
    typed, text = text, unescape_separators(text, is_separator)
    found = _find(text, soft)
    looked = _lookalikes_as_digits(text)
    if looked != text:
        found = _with_lookalike_cards(text, looked, soft, found)
    # A digit read from an escape (%31) stands where the escape starts: cut out the whole escape with it.
    found = [dataclasses.replace(f, end=escape_end(typed, text, f.end)) for f in found]
    return sorted(found, key=lambda f: f.start)


def _find(text: str, soft: Collection[int]) -> list[Found]:
    markers = [(m.start(), m.end()) for m in MARKER.finditer(text)]
    found: list[Found] = []
    for chain in _chains(text, markers, soft):
        found += _ChainReader(text, chain).found()
    found = [f for f in found if not _meter_readings(text, f, found)]
    found += _spelt_out(text, taken=found)
    found += _mistyped_after_card_word(text, taken=found)
    found = _loosely_grouped(text, found)
    hidden_cards = any(f.kind == "card" for f in found) or any(text.startswith("[card", start) for start, _ in markers)
    if hidden_cards:
        found += _details_by_pattern(text, taken=[(f.start, f.end) for f in found] + markers)
        found += _spelt_codes_after(text, found, markers)
    return found


# Cards typed to slip past the chains (attacks): a different word between each group ("card 4539 apple 1488 pear 0343
# plum 6467", "4111 I 1111 LOVE 1111 BINS 1111", "5555 x 5555 y 5555 z 4444"), digits and digit words mixed one by one
# ("4 1 one 1 1 one ..."), or the number glued to words on both sides ("Rita4111111111111111Richardson",
# "ab4539148803436467"). Read loosely here: numbers with at most one short word between each, as groups of four (the
# last may be shorter), Amex's 4-6-5, single digits, or one block; whole, it must pass the Luhn check and start as a
# card brand's number does.
LOOSE_TOKEN = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)
LOOSE_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
MAX_LOOSE_WORD = 12
MAX_SPELT_GROUPS = 5  # a number in at most this many groups, one of them digits and digit words typed together
LOOSE_GAP = re.compile(r"[^\S\n]{0,3}")  # spaces or tabs only around a word between groups (punctuation is a chain's)


@dataclass(frozen=True)
class _Loose:
    """A number in a loose reading: where it is, its digits, and what comes between it and the number before."""

    start: int
    end: int
    digits: str
    worded: bool = False  # a word between it and the number before
    spelt: bool = False  # a digit word ("one"), not figures
    glued: bool = False  # letters typed on against it, before or after


def _loosely_grouped(text: str, found: list[Found]) -> list[Found]:
    """Add the card numbers only a loose reading finds (see LOOSE_TOKEN); a card found wins over details it covers."""
    plain = normalised(text)
    runs: list[list[_Loose]] = [[]]
    word: str | None = None
    last_end = 0
    for token in LOOSE_TOKEN.finditer(plain):
        gap = plain[last_end : token.start()]
        value = token.group()
        digits = value if value.isdigit() else LOOSE_DIGIT_WORDS.get(value.lower())
        glued = bool(gap == "" and last_end)
        if not LOOSE_GAP.fullmatch(gap) or (digits is None and (word is not None or len(value) > MAX_LOOSE_WORD)):
            runs.append([])  # punctuation, a line break, two words or a long one: no loose card runs across
            word = None
        if digits is not None and glued and runs[-1] and runs[-1][-1].end == token.start() and word is None:
            # Digits and digit words typed together ("4one11 11one1 ..."): one number, spelt in part.
            before = runs[-1][-1]
            spelt = before.spelt or not value.isdigit()
            runs[-1][-1] = dataclasses.replace(before, end=token.end(), digits=before.digits + digits, spelt=spelt)
        elif digits is None:
            word = value
            if glued and runs[-1] and value.isalpha():
                runs[-1][-1] = dataclasses.replace(runs[-1][-1], glued=True)
        else:
            runs[-1].append(
                _Loose(token.start(), token.end(), digits, word is not None, not value.isdigit(), glued=glued)
            )
            word = None
        last_end = token.end()
    cards = [card for run in runs for card in _loose_cards(run)]
    cards = [c for c in cards if not any(f.kind == "card" and f.start < c.end and c.start < f.end for f in found)]
    cards = [c for c in cards if not _meter_readings(text, c, found + cards)]
    if not cards:
        return found
    kept = [f for f in found if f.kind == "card" or not any(c.start < f.end and f.start < c.end for c in cards)]
    return kept + cards


def _loose_cards(run: list[_Loose]) -> list[Found]:
    """Return the loosely grouped cards in one run of numbers (at most one short word between each)."""
    cards: list[Found] = []
    first = 0
    while first < len(run):
        card = _loose_card_at(run, first)
        if card is None:
            first += 1
            continue
        cards.append(card)
        first = next(i for i, n in enumerate(run) if n.end == card.end) + 1
    return cards


def _loose_card_at(run: list[_Loose], first: int) -> Found | None:
    """Return the card a loose reading finds starting at ``run[first]``, or None.

    Only what the chains cannot read: groups with a word between them, digits one by one with a digit word among
    them, or one block of 15 or 16 digits with letters typed against it.
    """
    digits = ""
    for last in range(first, len(run)):
        taken = run[first : last + 1]
        digits += taken[-1].digits
        if len(digits) > MAX_DIGITS:
            return None
        if len(digits) < MIN_DIGITS or not (luhn_valid(digits) and _issued_prefix(digits)):
            continue
        sizes = [len(n.digits) for n in taken]
        worded = any(n.worded for n in taken[1:])
        if (
            (worded and _loose_shape(sizes))
            or (all(size == 1 for size in sizes) and any(n.spelt for n in taken))
            or (any(n.spelt and len(n.digits) > 1 for n in taken) and len(taken) <= MAX_SPELT_GROUPS)
            or (len(taken) == 1 and len(digits) in (15, 16) and taken[0].glued)
        ):
            return Found(taken[0].start, taken[-1].end, "card", digits[-4:])
    return None


def _loose_shape(sizes: list[int]) -> bool:
    """Say whether numbers of these sizes are grouped as a card is: 4-4-4-4 (the last shorter), 4-6-5, or 4-6-4."""
    if sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return len(sizes) >= 4 and all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _lookalikes_as_digits(text: str) -> str:
    """Return ``text`` with letters typed for digits read as those digits: O or o for 0, l or I for 1.

    Only in words made of digits and those letters holding a digit ("4lll", "OOO4"), or of up to four of one of those
    letters alone ("OOOO", a card's group; not "I" alone), or of four of them mixed ("OOOI", "lOIO": a card's group
    too): never in shorter ordinary words ("lol", "Io", "Ill"). A card is taken only if the digits pass its checks, so
    "loll" beside digits is read but kept. The length stays the same.
    """

    def digits(match: re.Match[str]) -> str:
        word = match.group()
        alone = len(set(word.lower())) == 1 and (1 < len(word) <= LOOKALIKE_GROUP or word in "Ool")
        if any(c.isdigit() for c in word) or alone or len(word) == LOOKALIKE_GROUP:
            return word.translate(LOOKALIKE_DIGITS)
        return word

    return LOOKALIKE_WORD.sub(digits, text)


def _with_lookalike_cards(text: str, looked: str, soft: Collection[int], found: list[Found]) -> list[Found]:
    """Add the card numbers found only once letters are read as digits, with their expiry dates and codes.

    ("4lll 1111 ...", "5500 OOOO ..."): each card holds at least one such letter. It replaces what was found inside
    it (a shorter number passing the Luhn check by chance, "...6389" of "...389I"), and overlaps nothing else found.
    """
    changed = [i for i, (a, b) in enumerate(zip(text, looked, strict=True)) if a != b]
    extra = _find(looked, soft)
    cards = [f for f in extra if f.kind == "card" and any(f.start <= i < f.end for i in changed)]
    kept = [f for f in found if not any(c.start <= f.start and f.end <= c.end for c in cards)]
    extra = [f for f in extra if not any(f.start < t.end and t.start < f.end for t in kept)]
    cards = [f for f in extra if f in cards]
    return kept + [f for f in extra if f.kind != "card" or f in cards] if cards else found


def _mistyped_after_card_word(text: str, *, taken: list[Found]) -> list[Found]:
    """Return the numbers failing the Luhn check that the resident calls a card ("my card number is 4111 ... 1112").

    A digit typed wrong is still fifteen digits of the real number. Only sixteen digits in four blocks of four (or
    one block), as printed on a card, starting as a brand's number does, and right after "card" or a brand's name:
    sixteen digits in fours elsewhere (meter readings, references) fail the check nine times in ten and stay.
    """
    found: list[Found] = []
    digits_ascii = "".join(d if (d := ascii_digit(c)) is not None else c for c in text)
    for match in [*MISTYPED_CARD.finditer(normalised(text)), *MISTYPED_AS_PRINTED.finditer(digits_ascii)]:
        start, end = match.span("number")
        digits = re.sub(r"\D", "", match["number"])
        if (
            _issued_prefix(digits)
            and not any(start < t.end and t.start < end for t in [*taken, *found])
            and (match.re is MISTYPED_CARD or _no_other_number(text, start, digits))
        ):
            found.append(Found(start, end, "card", digits[-4:]))
    return found


def _meter_readings(text: str, card: Found, found: list[Found]) -> bool:
    """Say whether a card number found is four meter readings named as such, in order, with no details after them.

    ("meter readings 4523 4610 4702 4811"): the one false alarm rows 129 and 130 of the third review left that can be
    told apart; random fours after "reading" may still be a card, and stay hidden.
    """
    typed = "".join(d if (d := ascii_digit(c)) is not None else c for c in text[card.start : card.end])
    if card.kind != "card" or not READINGS_IN_FOURS.fullmatch(typed):
        return False
    if any(f.kind != "card" and 0 <= f.start - card.end <= MAX_SEPARATOR_RUN for f in found):
        return False
    values = [int(v) for v in re.findall(r"\d{4}", typed)]
    in_order = values == sorted(values) or values == sorted(values, reverse=True)
    return in_order and READINGS_BEFORE.search(text, max(0, card.start - MAX_NOT_A_CARD_BEFORE), card.start) is not None


def _no_other_number(text: str, start: int, digits: str) -> bool:
    """Say whether sixteen digits as printed on a card (failing the Luhn check) are no other number named or listed.

    Not after a word naming another number ("ref", "account", "meter reading"...), and not four groups in order
    (readings or years in a row): a card's groups are in order by chance one time in twelve.
    """
    values = [int(digits[i : i + 4]) for i in range(0, 16, 4)]
    in_order = values == sorted(values) or values == sorted(values, reverse=True)
    return not in_order and not NOT_A_CARD_BEFORE.search(text, max(0, start - MAX_NOT_A_CARD_BEFORE), start)


def _spelt_out(text: str, *, taken: list[Found]) -> list[Found]:
    """Return the card numbers spelt out in words ("four one one one ..."), with a code after them (spelt_numbers)."""
    found = []
    for card in find_spelt_cards(text, lambda digits: luhn_valid(digits) and _issued_prefix(digits)):
        if not any(card.start < t.end and t.start < card.end for t in taken):
            found.append(Found(card.start, card.end, "card", card.ending))
            found += [Found(*card.code, "code")] if card.code else []
    return found


def _chains(text: str, markers: list[tuple[int, int]], soft: Collection[int]) -> list[list[_Group]]:
    """Split the text into chains of digit groups; a card marker starts a chain of its own (as a group)."""
    chains: list[list[_Group]] = []
    groups: list[_Group] = []
    gap_start, index = 0, 0
    marker_at = dict(markers)
    while index < len(text):
        if index in marker_at:
            end = marker_at[index]
            # A hidden card number is a digitless group: details after it join it, digits before it do not. A hidden
            # expiry date or code joins the hidden card number (or detail) before it, so a code sent after both, in a
            # message of its own, is read as that card's too ("[card ...]", "[expiry date removed]", "123").
            join = _join(text, gap_start, index, soft, first=not groups)
            joined = join in ("separator", "soft") and not groups[-1].digits and not text.startswith("[card", index)
            groups.append(_Group(index, end, "", join if joined else "none"))
            gap_start = index = end
            continue
        digit = ascii_digit(text[index])
        if digit is None:
            index += 1
            continue
        end, digits, positions = index, [], []
        while end < len(text):
            if (d := ascii_digit(text[end])) is not None:
                digits.append(d)
                positions.append(end)
            elif not _marks_a_digit(text, end):
                # A run of invisible characters is looked at once, so a long one costs linear time, not quadratic.
                after = _invisible_run_end(text, end)
                if after == end or after == len(text) or ascii_digit(text[after]) is None:
                    break
                end = after
                continue
            end += 1
        groups.append(
            _Group(
                index,
                end,
                "".join(digits),
                _join(text, gap_start, index, soft, first=not groups),
                gap=text[gap_start:index],
                after_letter=index > 0 and _is_letter(text[index - 1]),
                after_word=_after_word(text, index),
                after_ending=LAST_FOUR_WORDS.search(text, max(0, index - MAX_LAST_FOUR_WORDS), index) is not None,
                after_chat=bool(groups) and _chat_between(text, gap_start, index, soft),
                positions=positions,
            )
        )
        gap_start = index = end
    for group in groups:
        if group.join == "none" or not chains:
            chains.append([group])
        else:
            chains[-1].append(group)
    return chains


def _chat_between(text: str, gap_start: int, gap_end: int, soft: Collection[int]) -> bool:
    """Say whether the gap is whole messages and nothing else: the digits either side end and start a message."""
    breaks = sorted(s for s in soft if gap_start <= s < gap_end)
    return len(breaks) >= 2 and not text[gap_start : breaks[0]].strip() and not text[breaks[-1] + 1 : gap_end].strip()


def _after_word(text: str, index: int) -> bool:
    """Say whether a word of three or more small letters, or one letter alone, ends right before ``index``.

    ("card4111...", "is4111...", "x4111..."). A reference's letters are capitals (CT12345678, JD0146...) or two
    letters ("ab123..."); a word typed on into a card number without a space is neither.
    """
    start = index
    while start > 0 and _is_letter(text[start - 1]):
        start -= 1
    word = text[start:index]
    # One letter alone glued on ("x4111...", "ref:a4111..."): a slip of the finger, as no reference has one letter.
    alone = len(word) == 1 and (start == 0 or not text[start - 1].isalnum())
    # A card word however written ("CARD4111...", "Visa4111...", "CARDNO4111..."): what the number is, not a reference.
    return (len(word) >= MIN_GLUED_WORD and word.islower()) or alone or word.lower() in GLUED_CARD_WORDS


def _is_letter(char: str) -> bool:
    """Say whether a character is a letter a person sees (a Hangul filler is a letter to Unicode but blank)."""
    return char.isalpha() and char not in BLANK_CHARS


def _marks_a_digit(text: str, index: int) -> bool:
    """Say whether text[index] is a mark drawn on the digit before it: a keycap (4\ufe0f\u20e3) or a tilde.

    It belongs to that digit as a reader sees it, so it neither ends the group nor is left behind when the
    card number is cut out.
    """
    return unicodedata.category(text[index]) in ("Mn", "Me")


def _invisible_run_end(text: str, index: int) -> int:
    """Return where the run of characters nobody sees (zero-width spaces) starting at ``index`` ends.

    Such a run with a digit after it is inside a group of digits: it neither ends the group nor splits it.
    """
    end = index
    while end < len(text) and unicodedata.category(text[end]) == "Cf":
        end += 1
    return end


def _join(text: str, gap_start: int, gap_end: int, soft: Collection[int], *, first: bool) -> Join:
    gap = text[gap_start:gap_end]
    if first:
        return "none"
    across = any(gap_start <= s < gap_end for s in soft)
    if (
        (all(is_separator(c) for c in gap) or _letter_gap(gap)) and _visible_length(gap) <= MAX_SEPARATOR_RUN
    ) or SAID_SEPARATOR.fullmatch(gap):
        # A message break may fall inside a group as the resident typed it.
        return "soft" if across else "separator"
    # "first bit 4111 1111", then "next bit 1111 1111": words at a message break do not end the number, but
    # digits glued to a letter (a reference) never continue one.
    chat = len(gap) <= MAX_CHAT_GAP and _chat_between(text, gap_start, gap_end, soft)
    if across and not text[gap_end - 1].isalpha() and (len(gap) <= MAX_WORDED_GAP or chat):
        return "worded"
    return "none"


def _letter_gap(gap: str) -> bool:
    """Say whether a gap is one letter or times sign with at most a separator either side ("4111a1111", "4111 o 1111").

    Residents type a letter where the space bar was meant, or copy a number written with one; a word (two or
    more letters) between numbers always ends them, and so does a letter with different separators either side.
    """
    marks = [c for c in gap if not is_separator(c)]
    if len(marks) != 1 or not (marks[0] in TIMES_MARKS or _is_letter(marks[0])):
        return False
    # The same on both sides ("4111-A-1111"): a unit glued to a number before a separator ("51p/0741...") is no join.
    before, _, after = gap.partition(marks[0])
    return (before == after or marks[0] in TIMES_MARKS) and _visible_length(gap) <= MAX_LETTER_GAP


def _visible_length(gap: str) -> int:
    """Count a gap's characters that show: padding in place of an escape (``%20``) or a zero-width space is not."""
    return sum(unicodedata.category(c) != "Cf" for c in gap)


class _ChainReader:
    """Find the card numbers in one chain of digit groups, with the expiry dates and codes typed after them.

    Each group's card (if one starts there) is worked out once, however often it is asked for.
    """

    def __init__(self, text: str, chain: list[_Group]) -> None:
        self.text, self.chain = text, chain
        # The first group not taken by an earlier card or its details: groups before it are not a lead.
        self.floor = 0
        self._cards: dict[tuple[int, int], _Card | None] = {}
        self._regular: dict[int, dict[int, _Card]] = {}
        self._irregular: dict[tuple[int, int], dict[int, _Card]] = {}
        # Each group's run (groups typed on from one another, not across words), and whether the groups from
        # it to its run's end read as phone numbers, or as other numbers: worked out once, in linear time.
        self._run_bounds: list[tuple[int, int]] = []
        self._reads: dict[ShapeKind, list[bool]] = {"phone": [], "other": []}
        start = 0
        for end in range(1, len(chain) + 1):
            if end == len(chain) or chain[end].join not in ("separator", "soft"):
                self._run_bounds += [(start, end)] * (end - start)
                for kind in self._reads:
                    self._reads[kind] += _readable(kind, [g.digits for g in chain[start:end]])
                start = end

    def found(self) -> list[Found]:
        """Return every card number in the chain, and the expiry dates and codes after them."""
        chain, found = self.chain, []
        index = 0
        while index < len(chain):
            group = chain[index]
            if group.digits:
                card = self.card_at(index)
                if card is None:
                    index += 1
                    continue
                if not self.ends_cleanly(card):
                    # A date or amount in front may make a card-like run that leaves the real end dangling
                    # ("12/03/2026 0013 3456 8999 9"): a card starting later that ends cleanly wins.
                    card = next(
                        (
                            later
                            for start in range(index + 1, card.last_group + 1)
                            if (later := self.card_at(start)) is not None and self.ends_cleanly(later)
                        ),
                        card,
                    )
                found += self._pieces(card)
                if card.end < chain[card.last_group].end:  # digits glued to the card's end: its code, most likely
                    found.append(Found(card.end, chain[card.last_group].end, "code"))
                last = card.last_group
            elif self.text.startswith("[card", group.start):  # a card number hidden before
                last = self._hidden_details_after(index)
            else:
                index += 1
                continue
            details, used = self.details_after(last)
            found += details
            index = self.floor = last + 1 + used
        return found

    def _hidden_details_after(self, index: int) -> int:
        """Return the last of the hidden expiry date and code right after the hidden card number at group ``index``.

        Digits after them are read as the rest of that card's details, as they would be after the card's digits.
        """
        while index + 1 < len(self.chain) and self.chain[index + 1].join != "none" and not self.chain[index + 1].digits:
            index += 1
        return index

    def _pieces(self, card: _Card) -> list[Found]:
        """Return the card as found, one piece per message where words came between ("next bit 1111 1111").

        Only the last piece carries the ending; the words between the pieces stay as typed.
        """
        breaks = [i for i in range(card.first_group + 1, card.last_group + 1) if self.chain[i].join == "worded"]
        starts = [card.start] + [self.chain[i].start for i in breaks]
        ends = [self.chain[i - 1].end for i in breaks] + [card.end]
        ending = _digits_between(self.text, card.start, card.end)[-4:]
        return [
            Found(start, end, "card", ending if end == card.end else "")
            for start, end in zip(starts, ends, strict=True)
        ]

    def card_at(self, first: int) -> _Card | None:
        """Return the card number starting at group ``first``, if the groups from there make one."""
        key = (first, self.floor)
        if key not in self._cards:
            self._cards[key] = self._card_at(first)
        return self._cards[key]

    def _card_at(self, first: int) -> _Card | None:
        candidates = self.regular_at(first) or self.irregular_at(first)
        if not candidates:
            return None
        lead = "".join(g.digits for g in self.chain[first : first + 2])
        order = (15, *PREFERRED_LENGTHS) if lead.startswith(AMEX_PREFIXES) else PREFERRED_LENGTHS
        ranked = [candidates[n] for n in order if n in candidates]
        # A length after which the chain ends, or goes on with what reads as an expiry date and code (or another
        # card), is the one the resident typed ("... 6679 5" is a 17-digit number, not 16 digits and a stray one).
        # A group mended from two pieces only when nothing else ends cleanly: "5900 7779 2334 9 123" is a 13-digit
        # number and its code, not 16 digits ending in the code.
        clean = [card for card in ranked if self.ends_cleanly(card)]
        return next((card for card in clean if not self._mended(card)), clean[0] if clean else ranked[0])

    def _mended(self, card: _Card) -> bool:
        """Say whether the card is grouped like one only once a group typed in two pieces is mended."""
        groups = self.chain[card.first_group : card.last_group + 1]
        digits = "".join(g.digits for g in groups)
        return (
            not any(g.join == "soft" for g in groups[1:])
            and not _card_grouping([len(g.digits) for g in groups], digits, {g.style for g in groups[1:]})
            and _one_group_in_two_pieces(groups, digits)
        )

    def regular_at(self, first: int) -> dict[int, _Card]:
        """Return the card numbers grouped as people group them that start at group ``first``, by length.

        Not inside a run that reads as phone numbers side by side ("022 5761 2734 0148 795 4842" is two
        phone numbers, though "5761 2734 0148 795" is grouped like a card and passes the Luhn check), nor
        starting inside a phone number ("02 90 35 12 43 98 18 40 07": a French number and more pairs).
        """
        if first not in self._regular:
            cards = _regular_cards(self.chain, first)
            run_start, _ = self._run_bounds[first]
            if cards and (self._reads["phone"][run_start] or self._inside_a_phone_number(run_start, first)):
                cards = {}
            self._regular[first] = cards
        return self._regular[first]

    def _inside_a_phone_number(self, run_start: int, first: int) -> bool:
        """Say whether groups before ``first`` in its run start a phone number that takes group ``first`` too."""
        blocks = [g.digits for g in self.chain[max(run_start, first - MAX_OTHER_SHAPE + 1) : first + MAX_OTHER_SHAPE]]
        offset = first - max(run_start, first - MAX_OTHER_SHAPE + 1)
        shapes = SHAPES["phone"]
        return any(
            (digits := shapes.get(tuple(len(b) for b in blocks[start:end]))) is not None
            and digits.fullmatch("".join(blocks[start:end])) is not None
            for start in range(offset)
            for end in range(offset + 1, min(len(blocks), start + MAX_OTHER_SHAPE) + 1)
        )

    def irregular_at(self, first: int) -> dict[int, _Card]:
        """Return the card numbers grouped any other way that start at group ``first`` and end cleanly."""
        return {n: card for n, card in self._irregular_windows(first, self.floor).items() if self.ends_cleanly(card)}

    def follows_card(self, index: int) -> bool:
        """Say whether a card number (grouped either way) starts at group ``index``, right after another."""
        return bool(index < len(self.chain) and (self.regular_at(index) or self._irregular_windows(index, index)))

    def _irregular_windows(self, first: int, floor: int) -> dict[int, _Card]:
        """Return the card numbers grouped any other way that start at group ``first``, by length.

        Any grouping of blocks of two or more digits ("4111 11111111 1111", "4111111 111111111"), but only
        where nothing else can be meant: the number starts as card brands' numbers do (2 to 6, never a
        phone's 0), it is its whole run of digit groups (after at most a short amount, before at most an
        expiry date, a code or another card), its separators are all alike, and neither it nor its run
        reads as the council's and banks' own numbers side by side (two account numbers, a sort code and
        an account, a UPRN and a date, phone numbers ...: ``OTHER_NUMBER_SHAPES``). A plus sign starts a
        phone number, a currency sign an amount, a letter glued to digits a reference ("78p", "AA1-0042").
        """
        if (first, floor) in self._irregular:
            return self._irregular[(first, floor)]
        chain, text = self.chain, self.text
        run_start, run_end = self._run_bounds[first]
        run_start = max(run_start, min(floor, first))
        lead = chain[run_start:first]
        if self._never_starts_irregular(first, lead):
            self._irregular[(first, floor)] = {}
            return {}
        candidates: dict[int, _Card] = {}
        digits, styles = "", set()
        for last in range(first, run_end):
            group = chain[last]
            if (
                len(group.digits) < MIN_IRREGULAR_BLOCK
                or (_before_letter(text, group.end) and not self._joined_by_letter(last))
                or (last > first and _starts_after_plus(group))
                or (last > first and group.style.lower() == "and")  # "and" joins only a card grouped as printed
            ):
                break
            digits += group.digits
            styles.update([group.style] if last > first and group.join == "separator" else [])
            if len(digits) > MAX_DIGITS or len(styles) > MAX_IRREGULAR_STYLES:
                break
            if len(digits) < MIN_DIGITS or not luhn_valid(digits) or not _issued_prefix(digits):
                continue
            if len(styles) > 1 and not self._may_mix(first, last):
                continue
            card = _Card(chain[first].start, group.end, last, first)
            # Not the pence of an amount or the year of a date ("1,234.56 0011 1223 4555 003"), nor a part of
            # other numbers, and not where a card grouped as usual starts inside it ("40 4111 1111 1111 1111").
            if (
                _not_the_tail_of_another_number(chain, first, last)
                and not _readable("other", [g.digits for g in chain[first : last + 1]])[0]
                and not any(self.regular_at(inner) for inner in range(first + 1, last + 1))
            ):
                candidates.setdefault(len(digits), card)
        self._irregular[(first, floor)] = candidates
        return candidates

    def _may_mix(self, first: int, last: int) -> bool:
        """Say whether an irregular window may mix two kinds of separator (see ``MIXABLE_STYLES``).

        Not where the run reads as other numbers from any of its groups on, or holds a phone number after its first
        group: "3852-0800 136 3484" and "6447-53 07268 859141" are numbers and a phone number.
        """
        groups = self.chain[first : last + 1]
        return (
            not any(self._reads["other"][i] for i in range(first + 1, last + 1))
            and not _holds_a_phone_number([g.digits for g in groups[1:]])
            and all(len(g.digits) >= MIN_MIXED_BLOCK for g in groups)
            and all(g.style in MIXABLE_STYLES and _visible_length(g.gap) == 1 for g in groups[1:])
        )

    def _joined_by_letter(self, index: int) -> bool:
        """Say whether the letter after group ``index`` joins it to the next group ("4111a11111111a1111")."""
        after = index + 1
        return after < len(self.chain) and self.chain[after].join != "none" and _letter_gap(self.chain[after].gap)

    def _never_starts_irregular(self, first: int, lead: list[_Group]) -> bool:
        """Say whether an irregularly grouped card number cannot start at group ``first``.

        It cannot after a reference, a country code or a currency sign, after more than a short amount in
        its run, or where the run from it or from the amount reads as other numbers, or as phone numbers after
        a short number.
        """
        chain, text = self.chain, self.text
        run_start = first - len(lead)
        if chain[first].after_letter or _told_last_four(chain, first) or _after_sign(text, chain[first].start):
            return True
        if _after_reference(text, chain[run_start].start) or len(lead) > MAX_LEAD_GROUPS:
            return True
        if any(len(g.digits) > MAX_LEAD_DIGITS or g.after_letter for g in lead):
            return True
        if any(self._reads["other"][start] for start in range(run_start, first + 1)):
            return True
        # A short number before a phone number ("35 07023587182", "flat 4 07700 900123") is not a card's start.
        shorts = itertools.takewhile(
            lambda i: len(chain[i].digits) <= MAX_LEAD_DIGITS,
            range(first, min(first + MAX_LEAD_GROUPS, len(chain) - 1)),
        )
        return any(self._reads["phone"][i + 1] and self._run_bounds[i + 1][0] == run_start for i in shorts)

    def ends_cleanly(self, card: _Card) -> bool:
        """Say whether the card ends where its run ends, or goes on only with an expiry date, a code or a card."""
        if card.end < self.chain[card.last_group].end:
            return False
        run = self._run_after(card.last_group)
        return any(
            (len(units) == MAX_DETAIL_GROUPS and not _spelt(units))
            or taken == len(run)
            or self.follows_card(run[taken])
            for units, taken in self._detail_readings(run)
        )

    def details_after(self, last: int) -> tuple[list[Found], int]:
        """Return the groups after a card number that read as its expiry date and code, and how many they take.

        Never the start of a card number after it: "4111 1111 1111 1111 5500 0000 0000 0004" is two cards,
        not one card, an expiry date of 5500, a code of 0000 and eight stray digits.
        """
        run = self._run_after(last)
        readings = self._detail_readings(run)
        ending = [r for r in readings if r[1] == len(run) or self.follows_card(run[r[1]])]
        # Digits typed one by one are a date or code only where nothing follows them ("... 1 2 3 4 5 6" is not).
        unspelt = [r for r in readings if not _spelt(r[0])]
        units, used = max(ending or unspelt, key=lambda reading: reading[1])
        spans = [(self.chain[unit[0]].start, self.chain[unit[-1]].end) for unit in units]
        sizes = self._unit_sizes(units)
        if len(spans) >= 2 and sizes[0] == 2:
            # "12/27 123": the month and the year are two groups and one expiry date.
            return [Found(spans[0][0], spans[1][1], "expiry"), *(Found(*span, "code") for span in spans[2:])], used
        if len(spans) == 2:  # "0127 123": month and year run together, then the code
            return [Found(*spans[0], "expiry"), Found(*spans[1], "code")], used
        return [Found(*span, "code") for span in spans], used

    def _detail_readings(self, run: list[int]) -> list[tuple[list[list[int]], int]]:
        """Return each way the start of ``run`` reads as an expiry date and code: the units, and the groups taken.

        A unit is one group, or two to four single digits typed with spaces between them ("1 2 / 2 7 1 2 3"):
        a date or code typed digit by digit. The empty reading (nothing taken) is always one of them. Worked out
        once for each shape of run (its groups' digits and separators), however many card lengths and runs ask.
        """
        shape = tuple((self.chain[i].digits, self.chain[i].style) for i in run)
        return [([[run[i] for i in unit] for unit in units], taken) for units, taken in _read_details(shape)]

    def _unit_sizes(self, units: list[list[int]]) -> tuple[int, ...]:
        return tuple(sum(len(self.chain[i].digits) for i in unit) for unit in units)

    def _run_after(self, last: int) -> list[int]:
        """Return the indexes of the next few groups typed on after group ``last`` (not across words)."""
        run = []
        for index in range(last + 1, min(len(self.chain), last + 2 + MAX_DETAIL_GROUPS * MAX_SPELT_DIGITS)):
            if self.chain[index].join == "worded":
                break
            run.append(index)
        return run


@functools.lru_cache(maxsize=1024)
def _read_details(run: tuple[tuple[str, str], ...]) -> tuple[tuple[tuple[tuple[int, ...], ...], int], ...]:
    """Read the start of a run of groups (each its digits and the style of the gap before it) as a card's details.

    Return each reading: its units (positions in the run) and how many groups it takes (see ``_detail_readings``).
    """
    readings: list[tuple[tuple[tuple[int, ...], ...], int]] = []

    def sizes(units: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
        return tuple(sum(len(run[i][0]) for i in unit) for unit in units)

    def dated(units: tuple[tuple[int, ...], ...]) -> bool:
        blocks = ["".join(run[i][0] for i in unit) for unit in units]
        if len(blocks) >= 2 and len(blocks[0]) == 2:
            month, year = blocks[0], blocks[1]
        elif len(blocks) == 2:
            month, year = blocks[0][:2], blocks[0][2:]
        else:
            return True
        return "01" <= month <= "12" and (len(year) == 2 or year.startswith("20"))

    def spelt_digit(first: int, index: int) -> bool:
        digits, style = run[index]
        return len(digits) == 1 and (index == first or style == " ")

    def extend(units: tuple[tuple[int, ...], ...], taken: int) -> None:
        if sizes(units) in DETAIL_SHAPES and (not _spelt(units) or dated(units)):
            readings.append((units, taken))
        if len(units) == MAX_DETAIL_GROUPS or taken == len(run):
            return
        extend((*units, (taken,)), taken + 1)
        end = taken
        while end < len(run) and end - taken < MAX_SPELT_DIGITS and spelt_digit(taken, end):
            end += 1
            if end - taken >= 2:
                extend((*units, tuple(range(taken, end))), end)

    extend((), 0)
    return tuple(readings)


def _spelt(units: Sequence[Sequence[int]]) -> bool:
    """Say whether a reading of a card's details holds a date or code typed digit by digit."""
    return any(len(unit) > 1 for unit in units)


def _sizes(chain: list[_Group], indexes: Iterable[int]) -> tuple[int, ...]:
    return tuple(len(chain[i].digits) for i in indexes)


def _regular_cards(chain: list[_Group], first: int) -> dict[int, _Card]:
    """Return the card numbers grouped as people group them that start at group ``first``, by length."""
    if (chain[first].after_letter and not chain[first].after_word) or _told_last_four(chain, first):
        return {}
    candidates: dict[int, _Card] = {}
    digits = ""
    for last in range(first, len(chain)):
        if not chain[last].digits or (last > first and chain[last].join == "none"):
            break
        digits += chain[last].digits
        if len(digits) > MAX_DIGITS:
            break
        # The checksum first: it is the cheapest test and rules out nine windows in ten.
        if (
            len(digits) >= MIN_DIGITS
            and luhn_valid(digits)
            and (_issued_prefix(digits) or not _across_many_messages(chain[first + 1 : last + 1]))
            and _grouped_like_a_card(chain[first : last + 1])
            and not _years_in_a_row(chain[first : last + 1])
            and not _an_amount(chain, first, last)
            and _not_the_tail_of_another_number(chain, first, last)
        ):
            candidates.setdefault(len(digits), _Card(chain[first].start, chain[last].end, last, first))
    group = chain[first]
    if not candidates and len(group.digits) >= MIN_GLUED_BLOCK:
        # One long block: a card number with its code or expiry date glued to its end.
        for length in range(MIN_DIGITS, min(MAX_DIGITS, len(group.digits) - 1) + 1):
            if luhn_valid(group.digits[:length]):
                candidates.setdefault(length, _Card(group.start, group.positions[length - 1] + 1, first, first))
    return candidates


def _across_many_messages(groups: list[_Group]) -> bool:
    """Say whether the groups were sent in three messages or more (two breaks between the groups).

    A number read across so many messages starts as a card brand's does: answers sent one a message ("2", "14", "19",
    "12", "03", "2026": how many bins, a house number, a date) pass the Luhn check one time in ten when read together.
    """
    return sum(g.join == "soft" or (g.join == "worded" and g.after_chat) for g in groups) >= MIN_BREAKS_FOR_A_BRAND


def _years_in_a_row(groups: list[_Group]) -> bool:
    """Say whether every group is a year of four digits ("I owe for 2023, 2024, 2025, 2026"): a list, not a card.

    Such a run passes the Luhn check one time in ten, and residents list years of arrears or bills in fours, also one
    a message. No card brand's number starts 19 or 20 (Mastercard's 2-series starts at 2221, Mir's at 2200).
    """
    return len(groups) > 1 and all(YEAR_GROUP.fullmatch(g.digits) for g in groups)


def _told_last_four(chain: list[_Group], first: int) -> bool:
    """Say whether group ``first`` is a card's last four told on purpose ("card ending 1111"), so no card's start.

    Only four digits standing alone in their message: "ending 4111 1111 1111 1111" is still a whole number.
    """
    alone = first + 1 == len(chain) or chain[first + 1].join != "separator"
    return chain[first].after_ending and alone and len(chain[first].digits) == LAST_FOUR


def _after_reference(text: str, start: int) -> bool:
    """Say whether the digits at ``start`` follow a plus sign or a letter and a dash.

    That is a phone number's country code (+44 7700 900123) or a reference (CT-12345678, PAY-12345678).
    """
    before = unicodedata.normalize("NFKC", text[max(0, start - 2) : start])
    dash_after_letter = len(before) == 2 and _is_letter(before[0]) and unicodedata.category(before[1]) == "Pd"
    return before.endswith("+") or dash_after_letter


def _after_sign(text: str, start: int) -> bool:
    """Say whether the digits at ``start`` follow a currency sign: an amount's, as in £40."""
    return start > 0 and unicodedata.category(text[start - 1]) == "Sc"


def _before_letter(text: str, end: int) -> bool:
    """Say whether a unit is glued to the digits ending at ``end`` (78p, 3rd, 10am, 5kg): not part of a card.

    One or two letters only: a word typed on without a space ("...1111thanks") does not save a card number.
    """
    letters = 0
    while end + letters < len(text) and _is_letter(text[end + letters]):
        letters += 1
    return 0 < letters <= MAX_UNIT_LETTERS


def _starts_after_plus(group: _Group) -> bool:
    """Say whether a plus sign after other separators starts this group ("...; +44"): a phone number's start."""
    visible = [c for c in group.gap if unicodedata.category(c) != "Cf"]
    return len(visible) > 1 and unicodedata.normalize("NFKC", visible[-1]) == "+"


def _sixteen_digit_brand(digits: str) -> bool:
    """Say whether digits start as Visa's (4) or Mastercard's (51-55, 2221-2720) 16-digit numbers do."""
    return digits[0] == "4" or "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720"


def _issued_prefix(digits: str) -> bool:
    """Say whether digits start as card brands' numbers do (never 0, as every UK phone number does).

    Visa 4, Mastercard 5 and 2221-2720, Mir 2200-2204, American Express, Diners and JCB 3, Discover, Maestro
    and UnionPay 6; not 1, as most UPRNs do.
    """
    return digits[0] in "3456" or "2200" <= digits[:4] <= "2204" or "2221" <= digits[:4] <= "2720"


def _readable(kind: ShapeKind, blocks: list[str]) -> list[bool]:
    """Say, for each block, whether the blocks from it to the end read, in order, as numbers of ``SHAPES[kind]``.

    Worked out from the end (each block looks only a few blocks ahead), so a long run costs linear time.
    """
    shapes = SHAPES[kind]
    readable = [False] * (len(blocks) + 1)
    readable[len(blocks)] = True
    for start in range(len(blocks) - 1, -1, -1):
        for end in range(start + 1, min(len(blocks), start + MAX_OTHER_SHAPE) + 1):
            digits = shapes.get(tuple(len(b) for b in blocks[start:end]))
            if readable[end] and digits and digits.fullmatch("".join(blocks[start:end])):
                readable[start] = True
                break
    return readable[:-1] or [False]


def _holds_a_phone_number(blocks: list[str]) -> bool:
    """Say whether some blocks in a row read as a phone number ("07268 859141", "0800 136 3484")."""
    shapes = SHAPES["phone"]
    return any(
        (digits := shapes.get(tuple(len(b) for b in blocks[start:end]))) is not None
        and digits.fullmatch("".join(blocks[start:end])) is not None
        for start in range(len(blocks))
        for end in range(start + 1, min(len(blocks), start + MAX_OTHER_SHAPE) + 1)
    )


def _not_the_tail_of_another_number(chain: list[_Group], first: int, last: int) -> bool:
    """Say whether the window does not start with the year of a date or the pence of an amount.

    A group tied to the one before by a mark (12/03/2026, 1,234.56) continues that number, unless the
    window is split by the same mark throughout (4111/1111/1111/1111 after a date may still be a card).
    """
    if chain[first].join != "separator" or chain[first].style == " ":
        return True
    sizes = [len(g.digits) for g in chain[first : last + 1]]
    if chain[first].style.lower() in SAID_STYLES or (
        chain[first - 1].after_letter and (first == last or sizes == [4, 4, 4, 4])
    ):
        # A reference before the mark is no amount or date: a card number in one block or as printed after it is
        # not its tail ("AA1-4111111111111111", "AB3-4111 1111 1111 1111"); nor is one after "and".
        return True
    return {g.style for g in chain[first + 1 : last + 1]} == {chain[first].style}


def _grouped_like_a_card(groups: list[_Group]) -> bool:
    """Say whether the groups' sizes are how people write card numbers (a message break may split a group).

    Words between two messages' pieces are no separator the resident chose, so they never mix the styles.
    """
    digits = "".join(g.digits for g in groups)
    softs = [i for i, g in enumerate(groups) if i and (g.join == "soft" or (g.join == "worded" and g.after_chat))]
    if not softs:
        return (
            _card_grouping([len(g.digits) for g in groups], digits, {g.style for g in groups[1:] if g.join != "worded"})
            or _grouped_digit_by_digit(groups, digits)
            or _one_group_in_two_pieces(groups, digits)
        )
    # Each message break may or may not split a group. Not every way is weighed (twice the ways for each break: a
    # card typed a digit a message has eighteen), only the groupings a card is written in, each of which says where
    # its blocks start: every break elsewhere is mended, and a separator there (never mended) rules it out.
    mendable = set(softs)
    starts = list(itertools.accumulate(len(g.digits) for g in groups[:-1]))  # where groups[1:] start, in digits
    for sizes in _card_shapes(len(digits)):
        blocks = set(itertools.accumulate(sizes[:-1]))
        gaps = set()
        merged: list[int] = []
        for i, start in enumerate(starts, start=1):
            if start in blocks:
                gaps.update([groups[i].style] if groups[i].join != "worded" else [])
            elif i in mendable:
                merged.append(i)
            else:
                break
        else:
            if len(blocks) != len(starts) - len(merged):
                continue  # a block would start inside a group
            # Pieces mended across chat make a card's groups as printed, never one block: "8002", "hang on",
            # "07538661243" are two numbers.
            across_chat = any(groups[i].join == "worded" for i in merged)
            if _card_grouping(list(sizes), digits, gaps) and not (across_chat and len(sizes) < MIN_GROUPS_ACROSS_CHAT):
                return True
    return False


@functools.cache
def _card_shapes(length: int) -> tuple[tuple[int, ...], ...]:
    """Return every grouping of ``length`` digits that ``_card_grouping`` may take for a card's.

    One block; equal blocks with a shorter or equal last one (so four of four, and two halves of eight); thousands
    (one to three digits, then threes); American Express's and Diners Club's own.
    """
    shapes = {(length,), *(shape for shape in BRAND_GROUPINGS if sum(shape) == length)}
    for first in range(1, 4):
        if (length - first) % 3 == 0 and length - first >= 6:
            shapes.add((first, *[3] * ((length - first) // 3)))
    for size in range(1, length):
        count = -(-length // size)
        shapes.add((*[size] * (count - 1), length - size * (count - 1)))
    return tuple(sorted(shapes))


def _grouped_digit_by_digit(groups: list[_Group], digits: str) -> bool:
    """Say whether single digits typed with one kind of gap make blocks that another kind joins as a card's groups.

    "4 1 1 1 - 1 1 1 1 - 1 1 1 1 - 1 1 1 1" (spaces inside the blocks, dashes between them) or "4-1-1-1 1-1-1-1
    ..." (the other way round): the number is read as its blocks; where two kinds of gap mix any other way, or
    a third comes in, nothing changes.
    """
    if any(len(g.digits) != 1 or g.join == "worded" for g in groups):
        return False
    styles = [g.style for g in groups[1:]]
    if len(set(styles)) != 2:
        return False
    for inner in set(styles):
        sizes = [1]
        for style in styles:
            if style == inner:
                sizes[-1] += 1
            else:
                sizes.append(1)
        if min(sizes) > 1 and _card_grouping(sizes, digits, set(styles) - {inner}):
            return True
    return False


def _one_group_in_two_pieces(groups: list[_Group], digits: str) -> bool:
    """Say whether the groups are grouped as printed once one group typed in two pieces is mended.

    "4111 1111 1111 111 1": a slip of the space bar inside a group. Into four-digit groups only when one piece is a
    single digit after the first group, and only for numbers that start as card brands' do (never a phone number's
    0): numbers side by side ("+44 7602 643447 2058", "5585 71 57 08") are never mended into a card. Into a brand's
    own grouping (American Express 4-6-5 as "3782 822463 1000 5", Diners 4-6-4) any split is mended, since only
    that brand's numbers may be read that way.
    """
    if len(groups) < 4 or not _issued_prefix(digits) or any(g.join == "worded" for g in groups):
        return False
    sizes = [len(g.digits) for g in groups]
    styles = {g.style for g in groups[1:]}
    for cut in range(1, len(sizes)):
        mended = [*sizes[: cut - 1], sizes[cut - 1] + sizes[cut], *sizes[cut + 1 :]]
        if tuple(mended) in BRAND_GROUPINGS:
            if digits.startswith(BRAND_GROUPINGS[tuple(mended)]) and len(styles) == 1:
                return True
            continue
        if cut < 2 or min(sizes[cut - 1], sizes[cut]) != 1:
            continue
        # The stray last digit may come after "and" ("4111 1111 1111 111 and 1", found by a hostile pass: stored as
        # typed, and read by the bot as a reference): the mended groups are judged by their own separators.
        gaps = styles
        if cut == len(sizes) - 1 and sizes[cut] == 1 and groups[cut].style.lower() == "and":
            gaps = {g.style for g in groups[1:cut]}
        if all(size == 4 for size in mended[:-1]) and mended[-1] <= 4 and _card_grouping(mended, digits, gaps):
            return True
    return False


def _card_grouping(sizes: list[int], digits: str, gaps: set[str]) -> bool:
    if len(sizes) == 1:
        return True
    if sum(any(c.isalpha() for c in gap) for gap in gaps) > 1:
        # "4111 a 1111 b 1111 c 1111" is a list, not a number typed with a slip of the finger.
        return False
    if {gap.lower() for gap in gaps} & SAID_STYLES and len(gaps) > 1:
        # "1200, 1350, 1400 and 1500" is a list; a number read out says its word between every group.
        return False
    if tuple(sizes) in BRAND_GROUPINGS:
        # Only those brands' numbers: a mobile number as +44 7700 900123 is grouped 4-6 too.
        return digits.startswith(BRAND_GROUPINGS[tuple(sizes)])
    if len(sizes) == 2:
        # Two account numbers or a UPRN and a house number ("12345678, 87654321", "100012345678 12") are written
        # that way; a message break is merged above. But a Visa or Mastercard number is copied in two halves of
        # eight ("41111111 11111111", found by a probe): those stay cards when a space or dash is between.
        return sizes == [8, 8] and gaps <= {" ", "-"} and _sixteen_digit_brand(digits)
    if _thousands(sizes, gaps):
        # "4,111,111,111,111,111": a card copied from a spreadsheet or typed as a big number; an amount's sign or
        # pence before or after it is checked in _regular_cards.
        return _issued_prefix(digits)
    uniform = all(size == sizes[0] for size in sizes[:-1]) and sizes[-1] <= sizes[0]
    # A number is split the same way throughout ("4 1 1 1 ...", "4111.1111..."), where numbers side by side
    # mix their separators ("020 7946 0123, 2024-05-01", "20-00-00, 40-11-22"). Only four blocks of four, as
    # printed on a card, may mix them.
    return uniform and (len(gaps) == 1 or sizes == [4, 4, 4, 4])


def _thousands(sizes: Sequence[int], gaps: Collection[str]) -> bool:
    """Say whether groups are written with thousands separators: one to three digits, then threes, one comma or dot."""
    return (
        len(sizes) > 2
        and 1 <= sizes[0] <= 3
        and all(s == 3 for s in sizes[1:])
        and len(gaps) == 1
        and (set(gaps) <= THOUSANDS_MARKS)
    )


def _an_amount(chain: list[_Group], first: int, last: int) -> bool:
    """Say whether a number written with thousands separators is an amount, or runs on, so is no card.

    A currency sign before it ("£4,111,111,111,111,111"), pence after it ("....111.50", "....111,50"), or more
    groups of three after it: the card must be the whole number.
    """
    sizes = [len(g.digits) for g in chain[first : last + 1]]
    styles = {g.style for g in chain[first + 1 : last + 1]}
    if not _thousands(sizes, styles):
        return False
    before = chain[first].gap.rstrip()
    if (before and unicodedata.category(before[-1]) == "Sc") or (
        first > 0 and chain[first].join != "none" and chain[first].style in THOUSANDS_MARKS
    ):
        return True
    after = chain[last + 1] if last + 1 < len(chain) and chain[last + 1].join == "separator" else None
    return after is not None and after.style in THOUSANDS_MARKS and len(after.gap) == 1


@functools.lru_cache(maxsize=256)
def _style(gap: str) -> str:
    """Say how a gap separates: any mix of spaces, tabs and line breaks is one style; otherwise its marks."""
    marks = "".join(c for c in gap if not c.isspace() and c not in BLANK_CHARS and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", marks) or " "


def _details_by_pattern(text: str, *, taken: list[tuple[int, int]]) -> list[Found]:
    """Find expiry dates and codes announced by words ("exp 12/27", "cvv 123") or written as month/year."""
    plain = normalised(text)
    found: list[Found] = []
    patterns: tuple[tuple[re.Pattern[str], Kind], ...] = (
        (EXPIRY_BY_WORD, "expiry"),
        (CODE_BY_WORD, "code"),
        (CODE_SPELT_BY_WORD, "code"),
        (BARE_EXPIRY, "expiry"),
    )
    for pattern, kind in patterns:
        for match in pattern.finditer(plain):
            start, end = match.span("value")
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                found.append(Found(start, end, kind))
                taken.append((start, end))
    return found


def _spelt_codes_after(text: str, found: list[Found], markers: list[tuple[int, int]]) -> list[Found]:
    """Find codes said in words right after a card number or its expiry date, hidden now or before ("one two three")."""
    plain, taken = normalised(text), [(f.start, f.end) for f in found] + markers
    ends = [f.end for f in found if f.kind != "code"] + [end for start, end in markers if "code" not in text[start:end]]
    codes: list[Found] = []
    for end in sorted(set(ends)):
        match = SPELT_CODE_AFTER.match(plain, end)
        if match:
            start, stop = match.span("value")
            if not any(start < t_end and t_start < stop for t_start, t_end in taken):
                codes.append(Found(start, stop, "code"))
                taken.append((start, stop))
    return codes


def _digits_between(text: str, start: int, end: int) -> str:
    return "".join(d for c in text[start:end] if (d := ascii_digit(c)) is not None)
