"""The redactor's worst case: a hostile message costs about what an ordinary one of the same length does.

Every message a resident sends is read with the eight before it, so a message built to make the redactor slow
(long runs of digits and separators, zero-width characters between digits, digits of many scripts) would hold up
the hub for every resident. Found by timing such messages: 2,000 zero-width spaces between two digits took 0.3 s
(4,000 took 1.4 s: each invisible character re-read the whole run after it). No absolute timings here, only CPU
relative to an ordinary message full of the council's numbers, measured the same way, with a generous bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pytest

from api.conversations.card_guard import EARLIER_MESSAGES
from api.conversations.redaction import redact_card_numbers, redact_messages

LENGTH = 2000  # the longest message the hub takes
ORDINARY = (
    "Hi, my bin was missed on 12/03/2026 at 14 Oak Road TN41 6PA; call me on 07700 900123 or pay ref CT12345678, "
    "£45.50. "
)
# An ordinary message of this length costs about a hundredth of a second of CPU; the hostile ones below take up to
# fifteen times that (many card-like windows to weigh), a quadratic redactor 30-40 times at this length and ever more
# beyond it. So the bound on the ratio is generous, and the growth from half the length to the whole tells linear
# (twice the CPU) from quadratic (four times).
MAX_RATIO = 40
MAX_GROWTH = 3


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
def test_twice_as_long_a_hostile_message_costs_about_twice_as_much(text: str) -> None:
    """Half the message against the whole (the zero-width run stays between two digits): linear, not quadratic."""
    half = text[: LENGTH // 2 - 1] + text[-1]
    growth = cpu_seconds(lambda: redact_card_numbers(text)) / cpu_seconds(lambda: redact_card_numbers(half))
    assert growth < MAX_GROWTH, f"twice the length cost {growth:.1f} times the CPU"


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
