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

import functools
import itertools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

MIN_DIGITS, MAX_DIGITS = 13, 19
# When several lengths starting at one group pass the Luhn check, the commonest card length wins, so a
# security code typed after a 16-digit number is not taken as the end of a 19-digit one.
PREFERRED_LENGTHS = (16, 15, 19, 14, 18, 17, 13)
AMEX_PREFIXES = ("34", "37")
# Groupings printed on one brand's cards only: American Express 4-6-5, Diners Club 4-6-4.
BRAND_GROUPINGS: dict[tuple[int, ...], tuple[str, ...]] = {(4, 6, 5): AMEX_PREFIXES,
                                                            (4, 6, 4): ("30", "36", "38", "39")}
# Separators a resident may put between digit groups (besides any space, dash or invisible format character).
SEPARATOR_CHARS = frozenset(".,/\\_|:;+*~·•・\u2212\u2044\u2215")
MAX_SEPARATOR_RUN = 5
# Digit groups right after a card number in its chain are its expiry date and code when shaped like them.
MAX_DETAIL_GROUPS = 3
# What may follow a card number in its chain: nothing, a code, an expiry date (MM YY, MM YYYY or MMYY), or both.
DETAIL_SHAPES = frozenset({(), (3,), (4,), (2, 2), (2, 4), (2, 2, 3), (2, 2, 4), (2, 4, 3), (2, 4, 4), (4, 3),
                           (4, 4)})
# A block of digits this long that is not a card number as a whole is searched for one at its start.
MIN_GLUED_BLOCK = 17

# What the redactor itself writes; finding these again keeps redaction idempotent, and a card number
# already hidden still makes an expiry date or code typed after it (even a message later) a card detail.
MARKER = re.compile(r"\[(?:card number removed(?:, ending \d{4})?|expiry date removed|security code removed)\]")
EXPIRY = r"(?:0?[1-9]|1[0-2]) ?[/.\-] ?(?:20)?\d\d|(?:0[1-9]|1[0-2])\d\d"
EXPIRY_WORDS = r"exp(?:iry|ires|iration|\.)?(?: date)?|valid (?:thru|through|until|to)|end date"
CODE_WORDS = (r"cvv2?|cvc2?|cv2|csc|security (?:code|number|digits)|(?:3|three)[ -]digit (?:code|number)"
              r"|code on the back|digits on the back")
BETWEEN = r"[^\d\n]{0,20}?"
EXPIRY_BY_WORD = re.compile(rf"\b(?:{EXPIRY_WORDS})\b{BETWEEN}(?<!\d)(?P<value>{EXPIRY})(?![\d/])", re.IGNORECASE)
CODE_BY_WORD = re.compile(rf"\b(?:{CODE_WORDS})\b{BETWEEN}(?<!\d)(?P<value>\d{{3,4}})(?!\d)", re.IGNORECASE)
# A month/year with no word before it is an expiry date only in a message that holds a card number.
BARE_EXPIRY = re.compile(r"(?<![\d/.\-])(?P<value>(?:0[1-9]|1[0-2]) ?/ ?(?:20)?\d\d)(?![\d/])")

Kind = Literal["card", "expiry", "code"]


@dataclass(frozen=True)
class Found:
    """Something to hide: text[start:end] is a card number (``ending`` its last four digits) or a card detail."""

    start: int
    end: int
    kind: Kind
    ending: str = ""


@dataclass
class _Group:
    start: int
    end: int
    digits: str
    # How this group joins the previous one: not at all (a new chain), by separators, or "soft": across
    # messages, which may split a group as the resident typed it. (Invisible characters between digits,
    # such as a zero-width space, do not end a group at all.)
    join: Literal["none", "separator", "soft"] = "none"
    gap: str = ""  # the separators between this group and the previous one
    positions: list[int] = field(default_factory=list)  # where each digit is in the text

    @property
    def style(self) -> str:
        return _style(self.gap)
    # Glued to a letter before it, as in CT12345678 or a parcel's JD0146...: a reference, never a card's start.
    after_letter: bool = False


@dataclass(frozen=True)
class _Card:
    start: int
    end: int
    last_group: int  # index of the chain's last group taken by the card (details may follow it)


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
    if char.isspace() or unicodedata.category(char) in ("Cf", "Pd", "Zs"):
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
            out.append(folded if folded in "/.-" and len(folded) == 1 else
                       "-" if unicodedata.category(char) == "Pd" else " ")
        else:
            out.append(char)
    return "".join(out)


def find(text: str, *, soft: Collection[int] = ()) -> list[Found]:
    """Find the card numbers in ``text`` and the expiry dates and security codes typed with them.

    ``soft`` holds the offsets of the characters that join consecutive messages: a number may run on
    across one whether or not the resident broke it at a group boundary.
    """
    markers = [(m.start(), m.end()) for m in MARKER.finditer(text)]
    found: list[Found] = []
    for chain in _chains(text, markers, soft):
        found += _cards_and_details(text, chain)
    hidden_cards = any(f.kind == "card" for f in found) or any(
        text.startswith("[card", start) for start, _ in markers)
    if hidden_cards:
        found += _details_by_pattern(text, taken=[(f.start, f.end) for f in found] + markers)
    return sorted(found, key=lambda f: f.start)


def _chains(text: str, markers: list[tuple[int, int]], soft: Collection[int]) -> list[list[_Group]]:
    """Split the text into chains of digit groups; a card marker starts a chain of its own (as a group)."""
    chains: list[list[_Group]] = []
    groups: list[_Group] = []
    gap_start, index = 0, 0
    marker_at = dict(markers)
    while index < len(text):
        if index in marker_at:
            end = marker_at[index]
            # A hidden card number is a digitless group: details after it join it, digits before it do not.
            groups.append(_Group(index, end, "", "none"))
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
            elif not _invisible_inside_digits(text, end):
                break
            end += 1
        groups.append(_Group(index, end, "".join(digits), _join(text, gap_start, index, soft, first=not groups),
                             gap=text[gap_start:index], after_letter=index > 0 and text[index - 1].isalpha(),
                             positions=positions))
        gap_start = index = end
    for group in groups:
        if group.join == "none" or not chains:
            chains.append([group])
        else:
            chains[-1].append(group)
    return chains


def _invisible_inside_digits(text: str, index: int) -> bool:
    """Say whether text[index] is a character nobody sees (a zero-width space) with a digit after the run."""
    end = index
    while end < len(text) and unicodedata.category(text[end]) == "Cf":
        end += 1
    return end > index and end < len(text) and ascii_digit(text[end]) is not None


def _join(text: str, gap_start: int, gap_end: int, soft: Collection[int], *, first: bool) -> Literal[
        "none", "separator", "soft"]:
    gap = text[gap_start:gap_end]
    if first or len(gap) > MAX_SEPARATOR_RUN or not all(is_separator(c) for c in gap):
        return "none"
    # A message break may fall inside a group as the resident typed it.
    return "soft" if any(gap_start <= s < gap_end for s in soft) else "separator"


def _cards_and_details(text: str, chain: list[_Group]) -> list[Found]:
    found: list[Found] = []
    cards: dict[int, _Card | None] = {}  # by first group: each is worked out once, however often it is asked

    def card_at(first: int) -> _Card | None:
        if first not in cards:
            cards[first] = _card_at(chain, first)
        return cards[first]

    index = 0
    while index < len(chain):
        group = chain[index]
        if group.digits:
            card = card_at(index)
            if card is None:
                index += 1
                continue
            if not _reads_as_details(chain, card):
                # A date or amount in front may make a card-like run that leaves the real end dangling
                # ("12/03/2026 0013 3456 8999 9"): a card starting later that ends the chain cleanly wins.
                card = next((later for start in range(index + 1, card.last_group + 1)
                             if (later := card_at(start)) is not None and _reads_as_details(chain, later)), card)
            found.append(Found(card.start, card.end, "card", _digits_between(text, card.start, card.end)[-4:]))
            if card.end < chain[card.last_group].end:  # digits glued to the card's end: its code, most likely
                found.append(Found(card.end, chain[card.last_group].end, "code"))
            last = card.last_group
        elif text.startswith("[card", group.start):  # a card number hidden before
            last = index
        else:
            index += 1
            continue
        details, used = _details_after(chain, last)
        found += details
        index = last + 1 + used
    return found


def _card_at(chain: list[_Group], first: int) -> _Card | None:
    """Return the card number starting at group ``first``, if the groups from there make one."""
    if chain[first].after_letter:
        return None
    candidates: dict[int, _Card] = {}
    digits = ""
    for last in range(first, len(chain)):
        if not chain[last].digits or (last > first and chain[last].join == "none"):
            break
        digits += chain[last].digits
        if len(digits) > MAX_DIGITS:
            break
        # The checksum first: it is the cheapest test and rules out nine windows in ten.
        if (len(digits) >= MIN_DIGITS and luhn_valid(digits) and _grouped_like_a_card(chain[first:last + 1])
                and _not_the_tail_of_another_number(chain, first, last)):
            candidates.setdefault(len(digits), _Card(chain[first].start, chain[last].end, last))
    group = chain[first]
    if not candidates and len(group.digits) >= MIN_GLUED_BLOCK:
        # One long block: a card number with its code or expiry date glued to its end.
        for length in range(MIN_DIGITS, min(MAX_DIGITS, len(group.digits) - 1) + 1):
            if luhn_valid(group.digits[:length]):
                candidates.setdefault(length, _Card(group.start, group.positions[length - 1] + 1, first))
    if not candidates:
        return None
    lead = "".join(g.digits for g in chain[first:first + 2])
    order = (15, *PREFERRED_LENGTHS) if lead.startswith(AMEX_PREFIXES) else PREFERRED_LENGTHS
    ranked = [candidates[n] for n in order if n in candidates]
    # A length after which the chain ends, or goes on with what reads as an expiry date and code, is the
    # one the resident typed ("... 6679 5" is a 17-digit number, not a 16-digit one and a stray digit).
    return next((card for card in ranked if _reads_as_details(chain, card)), ranked[0])


def _not_the_tail_of_another_number(chain: list[_Group], first: int, last: int) -> bool:
    """Say whether the window does not start with the year of a date or the pence of an amount.

    A group tied to the one before by a mark (12/03/2026, 1,234.56) continues that number, unless the
    window is split by the same mark throughout (4111/1111/1111/1111 after a date may still be a card).
    """
    if chain[first].join != "separator" or chain[first].style == " ":
        return True
    return {g.style for g in chain[first + 1:last + 1]} == {chain[first].style}


def _reads_as_details(chain: list[_Group], card: _Card) -> bool:
    if card.end < chain[card.last_group].end:
        return False
    sizes = tuple(len(g.digits) for g in chain[card.last_group + 1:card.last_group + 1 + MAX_DETAIL_GROUPS])
    return sizes in DETAIL_SHAPES


def _grouped_like_a_card(groups: list[_Group]) -> bool:
    """Say whether the groups' sizes are how people write card numbers (a message break may split a group)."""
    digits = "".join(g.digits for g in groups)
    softs = [i for i, g in enumerate(groups) if i and g.join == "soft"]
    if not softs:
        return _card_grouping([len(g.digits) for g in groups], digits, {g.style for g in groups[1:]})
    for merges in itertools.product((False, True), repeat=len(softs)):
        merged = set(itertools.compress(softs, merges))
        sizes: list[int] = []
        gaps = set()
        for i, group in enumerate(groups):
            if i in merged:
                sizes[-1] += len(group.digits)
            else:
                sizes.append(len(group.digits))
                gaps.update([group.style] if i else [])
        if _card_grouping(sizes, digits, gaps):
            return True
    return False


def _card_grouping(sizes: list[int], digits: str, gaps: set[str]) -> bool:
    if len(sizes) == 1:
        return True
    if tuple(sizes) in BRAND_GROUPINGS:
        # Only those brands' numbers: a mobile number as +44 7700 900123 is grouped 4-6 too.
        return digits.startswith(BRAND_GROUPINGS[tuple(sizes)])
    if len(sizes) == 2:
        # Nobody copies a card number in two halves; two account numbers or a UPRN and a house number
        # ("12345678, 87654321", "100012345678 12") are written that way. A message break is merged above.
        return False
    uniform = all(size == sizes[0] for size in sizes[:-1]) and sizes[-1] <= sizes[0]
    # A number is split the same way throughout ("4 1 1 1 ...", "4111.1111..."), where numbers side by side
    # mix their separators ("020 7946 0123, 2024-05-01", "20-00-00, 40-11-22"). Only four blocks of four, as
    # printed on a card, may mix them.
    return uniform and (len(gaps) == 1 or sizes == [4, 4, 4, 4])


@functools.lru_cache(maxsize=256)
def _style(gap: str) -> str:
    """Say how a gap separates: any mix of spaces, tabs and line breaks is one style; otherwise its marks."""
    marks = "".join(c for c in gap if not c.isspace() and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", marks) or " "


def _details_after(chain: list[_Group], last: int) -> tuple[list[Found], int]:
    """Return the groups after a card number that read as its expiry date and code, and how many they take."""
    groups = list(chain[last + 1:last + 1 + MAX_DETAIL_GROUPS])
    while tuple(len(g.digits) for g in groups) not in DETAIL_SHAPES:
        groups.pop()
    if len(groups) >= 2 and len(groups[0].digits) == 2:
        # "12/27 123": the month and the year are two groups and one expiry date.
        return [Found(groups[0].start, groups[1].end, "expiry"),
                *(Found(g.start, g.end, "code") for g in groups[2:])], len(groups)
    if len(groups) == 2:  # "0127 123": month and year run together, then the code
        return [Found(groups[0].start, groups[0].end, "expiry"), Found(groups[1].start, groups[1].end, "code")], 2
    return [Found(g.start, g.end, "code") for g in groups], len(groups)


def _details_by_pattern(text: str, *, taken: list[tuple[int, int]]) -> list[Found]:
    """Find expiry dates and codes announced by words ("exp 12/27", "cvv 123") or written as month/year."""
    plain = normalised(text)
    found: list[Found] = []
    patterns: tuple[tuple[re.Pattern[str], Kind], ...] = (
        (EXPIRY_BY_WORD, "expiry"), (CODE_BY_WORD, "code"), (BARE_EXPIRY, "expiry"))
    for pattern, kind in patterns:
        for match in pattern.finditer(plain):
            start, end = match.span("value")
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                found.append(Found(start, end, kind))
                taken.append((start, end))
    return found


def _digits_between(text: str, start: int, end: int) -> str:
    return "".join(d for c in text[start:end] if (d := ascii_digit(c)) is not None)
