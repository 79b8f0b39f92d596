"""The redactor's worst case: a hostile message costs about what an ordinary one of the same length does.

Every message a resident sends is read with the eight before it, so a message built to make the redactor slow
(long runs of digits and separators, zero-width characters between digits, digits of many scripts) would hold up
the hub for every resident. Found by timing such messages: 2,000 zero-width spaces between two digits took 0.3 s
(4,000 took 1.4 s: each invisible character re-read the whole run after it). No absolute timings here, only CPU
relative to an ordinary message full of the council's numbers, measured the same way, with a generous bound.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.conversations.card_guard import EARLIER_MESSAGES, MAX_EARLIER_WITH_CHAT
from api.conversations.card_numbers import MIN_GROUPS_ACROSS_CHAT, _card_grouping, _Group, _grouped_like_a_card
from api.conversations.redaction import redact_card_numbers, redact_messages

LENGTH = 2000  # the longest message the hub takes
ORDINARY = (
    "Hi, my bin was missed on 12/03/2026 at 14 Oak Road TN41 6PA; call me on 07700 900123 or pay ref CT12345678, "
    "£45.50. "
)
# An ordinary message of this length costs about a hundredth of a second of CPU; the hostile ones below take up to
# fifteen times that (many card-like windows to weigh), a quadratic redactor 30-40 times at this length and ever more
# beyond it. So the bound on the ratio is generous, and the growth from a quarter of the length to the whole tells
# linear (four times the CPU) from quadratic (sixteen times). (Half against the whole, bound 3, once measured 3.03 on
# a busy machine for a linear redactor: too close to tell.)
MAX_RATIO = 40
MAX_GROWTH = 3
MAX_GROWTH_FOUR_TIMES_LONGER = 8


def hostile(unit: str, length: int = LENGTH) -> str:
    return (unit * length)[:length]


HOSTILE = {
    "zero-width spaces between two digits": "1" + "\u200b" * (LENGTH - 2) + "1",
    "digits and zero-width spaces": hostile("1\u200b"),
    "digits and spaces": hostile("1 "),
    "digits and dashes": hostile("1-"),
    "zeros and spaces (every length passes the Luhn check)": hostile("0 "),
    "letter O for zero and spaces": hostile("O "),
    "digits of several scripts, mixed separators": hostile("1 \u0661-\u06f1.\u0967 \u0e51-\uff11."),
    "combining marks on digits": hostile("1\u0303"),
    "groups of four": hostile("4111 "),
}


def cpu_seconds(redact: Callable[[], object]) -> float:
    """CPU time of one call: the least of five measures, each of enough calls to take some 30 ms.

    (Others' noise on a shared machine only adds, and one short call is too coarse to compare.)
    """
    start = time.process_time()
    redact()
    calls = max(1, math.ceil(0.03 / max(time.process_time() - start, 1e-4)))
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls):
            redact()
        best = min(best, (time.process_time() - start) / calls)
    return best


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_message_costs_about_what_an_ordinary_one_does(text: str) -> None:
    assert len(text) == LENGTH
    ordinary = hostile(ORDINARY)
    ratio = cpu_seconds(lambda: redact_card_numbers(text)) / cpu_seconds(lambda: redact_card_numbers(ordinary))
    assert ratio < MAX_RATIO, f"{ratio:.0f} times an ordinary message's CPU"


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_four_times_as_long_a_hostile_message_costs_about_four_times_as_much(text: str) -> None:
    """A quarter of the message against the whole (a zero-width run stays between two digits): linear, not squared."""
    quarter = text[: LENGTH // 4 - 1] + text[-1]
    growth = cpu_seconds(lambda: redact_card_numbers(text)) / cpu_seconds(lambda: redact_card_numbers(quarter))
    assert growth < MAX_GROWTH_FOUR_TIMES_LONGER, f"four times the length cost {growth:.1f} times the CPU"


def test_a_window_of_hostile_messages_costs_about_what_ordinary_ones_do() -> None:
    """card_guard reads the new message with the eight before it: nine hostile messages, still in proportion."""
    window = EARLIER_MESSAGES + 1
    ordinary = [hostile(ORDINARY)] * window
    for name in ("zero-width spaces between two digits", "zeros and spaces (every length passes the Luhn check)"):
        texts = [HOSTILE[name]] * window
        ratio = cpu_seconds(lambda: redact_messages(texts)) / cpu_seconds(lambda: redact_messages(ordinary))  # noqa: B023
        assert ratio < MAX_RATIO, f"{name}: {ratio:.0f} times ordinary messages' CPU"


def test_a_hostile_message_is_still_redacted() -> None:
    """Speed is not bought by giving up: a card among the hostile characters is still hidden."""
    text = hostile("1\u200b")[: LENGTH - 40] + " my card 4111 1111 1111 1111 thanks"
    redacted = redact_card_numbers(text)
    assert "[card number removed, ending 1111]" in redacted.text
    assert "4111 1111" not in redacted.text


# A card typed a digit a message: card_guard reads a run of such messages as one piece, up to twenty of them, and each
# message break may or may not split a group. Zeros pass the Luhn check at every length; weighing every way of
# splitting took twice as long for each message more (19 messages of "0-0": half a second, ten 1 ms).
SHORT_PIECES = {
    "zeros with a dash": ["0-0"],
    "zeros with a dot and a space": ["0.0 0"],
    "a zero, then two": ["0", "00"],
    "two zeros, then one": ["00", "0"],
    "a card's start, then zeros with a dash": ["4", "0-0"],
}


def pieces_window(units: list[str], count: int) -> list[str]:
    return [units[i % len(units)] for i in range(count)]


@pytest.mark.parametrize("units", SHORT_PIECES.values(), ids=SHORT_PIECES.keys())
def test_a_run_of_short_messages_costs_in_proportion_to_its_length(units: list[str]) -> None:
    """Twenty messages against ten: about twice the CPU (the windows to weigh grow with the run), not a thousand."""
    long, short = pieces_window(units, MAX_EARLIER_WITH_CHAT), pieces_window(units, MAX_EARLIER_WITH_CHAT // 2)
    growth = cpu_seconds(lambda: redact_messages(long)) / cpu_seconds(lambda: redact_messages(short))
    assert growth < 2 * MAX_GROWTH, f"twice the messages cost {growth:.1f} times the CPU"
    ratio = cpu_seconds(lambda: redact_messages(long)) / cpu_seconds(lambda: redact_card_numbers(hostile(ORDINARY)))
    assert ratio < MAX_RATIO, f"{ratio:.0f} times an ordinary message's CPU"


def grouped_like_a_card_weighing_every_way(groups: list[_Group]) -> bool:
    """The reading before it was made quick: every way of mending the message breaks, one by one."""
    digits = "".join(g.digits for g in groups)
    softs = [i for i, g in enumerate(groups) if i and (g.join == "soft" or (g.join == "worded" and g.after_chat))]
    for merges in itertools.product((False, True), repeat=len(softs)):
        merged = set(itertools.compress(softs, merges))
        sizes: list[int] = []
        gaps = set()
        for i, group in enumerate(groups):
            if i in merged:
                sizes[-1] += len(group.digits)
            else:
                sizes.append(len(group.digits))
                gaps.update([group.style] if i and group.join != "worded" else [])
        across_chat = any(groups[i].join == "worded" for i in merged)
        if _card_grouping(sizes, digits, gaps) and not (across_chat and len(sizes) < MIN_GROUPS_ACROSS_CHAT):
            return True
    return False


JOINS = [("separator", " ", False), ("separator", "-", False), ("separator", ".", False), ("separator", ",", False)]
JOINS += [("soft", "\n", False), ("soft", " \n", False), ("worded", " and ", False), ("worded", "\nok\n", True)]


# Pieces of one digit, of a few (as typed a message each) or of up to eight; runs of them sent alike are the likely
# cards, so a join is as often the one before it.
PIECES = st.one_of(*(st.text(alphabet="0345", min_size=1, max_size=most) for most in (1, 4, 8)))


@settings(max_examples=300)
@example([("4", JOINS[3]), ("111", JOINS[3]), ("111", JOINS[3]), ("1", JOINS[3]), ("11", JOINS[4]), ("111", JOINS[3])])
@given(st.lists(st.tuples(PIECES, st.sampled_from(JOINS[4:6]) | st.sampled_from(JOINS)), min_size=2, max_size=9))
def test_the_quick_reading_of_message_breaks_finds_what_weighing_every_way_did(pieces) -> None:
    groups = [
        _Group(0, 0, digits, join="none" if i == 0 else join, gap="" if i == 0 else gap, after_chat=chat and i > 0)
        for i, (digits, (join, gap, chat)) in enumerate(pieces)
    ]
    if not any(g.join == "soft" or (g.join == "worded" and g.after_chat) for g in groups[1:]):
        return  # without a message break the reading is the one it was
    assert _grouped_like_a_card(groups) == grouped_like_a_card_weighing_every_way(groups)
