"""Measure the card-number redactor's misses and false alarms (the figures in README "Card numbers").

How many irregularly grouped card numbers it still keeps, and how often it hides something in strings of
the council's own numbers side by side:

    .venv/app/bin/python scripts/redaction_probe.py [--cards 20000] [--others 100000] [--seed 1]

Cards: random Luhn-valid numbers of the main brands, 13 to 19 digits, cut at random into 2 to 5 blocks of 2 or
more digits, with a separator (then again with two of a space, a dash and a dot mixed at random), words or an
amount before and an expiry date or code after; a card is "kept" when five of its digits in a row survive.
Others: two to four of the test suite's phone numbers, council references, dates, amounts, sort codes and
account numbers (and short numbers), joined by separators.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.conversations.card_numbers import ascii_digit
from api.conversations.redaction import luhn_valid, redact_card_numbers
from tests.support.number_shapes import COUNCIL_NUMBERS, PHONES

PREFIXES = ["4", "51", "55", "2221", "2720", "34", "37", "6011", "65", "36", "35"]
SEPARATORS = [" ", "-", ".", "/", "  ", "\t", "\u00a0", "%20", "&nbsp;", " - ", ",", "\n", "\u2009", "\u200b "]
LEADS = ["my card is ", "pay 40 ", "card: ", "pay £12.50 with ", "", "number "]
TAILS = ["", " thanks", " 123", " 12/27 123", " exp 12/27"]
OTHERS = [*PHONES, *COUNCIL_NUMBERS, "####", "###", "##", "#", "£##.##", "20##", "## ## ## ##"]
# Separators a resident may mix inside one number ("4111-11111111 1111").
MIXED = [" ", "-", "."]
JOINS = [", ", " / ", "; ", " ", "\n", " - ", "-", "/", ".", "  ", "\t"]


def card(rng: random.Random) -> str:
    """Return a random Luhn-valid number of one of the main brands, 13 to 19 digits."""
    prefix = rng.choice(PREFIXES)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(rng.randint(13, 19) - len(prefix) - 1))
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


def blocks(rng: random.Random, digits: str) -> list[str]:
    """Cut ``digits`` at random into 2 to 5 blocks of at least two digits."""
    count = rng.randint(2, 5)
    while True:
        cuts = sorted(rng.sample(range(2, len(digits) - 1), count - 1))
        parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
        if all(len(part) >= 2 for part in parts):
            return parts


def kept(redacted: str, number: str) -> bool:
    """Say whether five digits of ``number`` in a row survive in ``redacted`` (its shown ending aside)."""
    left = "".join(d for c in re.sub(r"ending \d{4}", "", redacted) if (d := ascii_digit(c)) is not None)
    return any(number[i : i + 5] in left for i in range(len(number) - 4))


def fill(rng: random.Random, template: str) -> str:
    """Fill every '#' of ``template`` with a random digit."""
    return "".join(str(rng.randrange(10)) if c == "#" else c for c in template)


def main() -> None:
    """Print both measures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20000)
    parser.add_argument("--others", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
    missed = 0
    for _ in range(args.cards):
        number = card(rng)
        typed = rng.choice(LEADS) + rng.choice(SEPARATORS).join(blocks(rng, number)) + rng.choice(TAILS)
        missed += kept(redact_card_numbers(typed).text, number)
    print(f"irregularly grouped card numbers kept: {missed} of {args.cards} ({100 * missed / args.cards:.1f} %)")
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
    missed = 0
    for _ in range(args.cards):
        number = card(rng)
        pair = rng.sample(MIXED, 2)
        parts = blocks(rng, number)
        typed = parts[0] + "".join(rng.choice(pair) + part for part in parts[1:])
        missed += kept(redact_card_numbers(rng.choice(LEADS) + typed + rng.choice(TAILS)).text, number)
    print(f"... with two kinds of separator mixed: {missed} of {args.cards} ({100 * missed / args.cards:.1f} %)")
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
    hidden = 0
    for _ in range(args.others):
        text = "".join(fill(rng, rng.choice(OTHERS)) + rng.choice(JOINS) for _ in range(rng.randint(2, 4))).rstrip()
        hidden += redact_card_numbers(text).text != text
    print(f"strings of the council's numbers with something hidden: {hidden} of {args.others}")


if __name__ == "__main__":
    main()
