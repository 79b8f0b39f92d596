"""Measure the card-number redactor's misses and false alarms (the figures in README "Card numbers").

How many irregularly grouped card numbers it still keeps, and how often it hides something in strings of
the council's own numbers side by side:

    .venv/app/bin/python scripts/redaction_probe.py [--cards 20000] [--others 100000] [--seed 1]

Cards: random Luhn-valid numbers of the main brands, 13 to 19 digits, cut at random into 2 to 5 blocks of 2 or
more digits, with a separator (then again with two of a space, a dash and a dot mixed at random), words or an
amount before and an expiry date or code after; a card is "kept" when five of its digits in a row survive.
Others: two to four of the test suite's phone numbers, council references, dates, amounts, sort codes and
account numbers (and short numbers), joined by separators.

Round four (docs/privacy-redaction.md): ``--forms`` typed forms of each family the third review left open ("and"
or emoji between the groups, O/l/I for 0/1, "for" for four, a number said in pairs, a letter glued in front, a code
in words after the expiry, a mistyped number with no card word), how many are kept; meter readings in fours with
something hidden; and, for each card_guard window in ``--windows`` (how many earlier messages are read with a new
one), cards sent a group or more a message with chat between that are kept, ordinary conversations (the
council's numbers, short numbers and chat, one a message) with something hidden, cards typed one, two or one to four
digits a message with a digit left (round six), and short answers of a few digits, one a message, with something
hidden.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.conversations.card_guard import (
    EARLIER_MESSAGES,
    HIDDEN_PIECE,
    MAX_EARLIER_WITH_CHAT,
    continued_pieces,
    redact_across_small_numbers,
    window_size,
)
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


# ----- round four: the forms still open after three reviews, and what a wider card_guard window costs -----

EMOJI = ["🔒", "👉", "✅", "💳", "➡️", "⭐", "👍🏽", "❤️"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
CHAT = ["hang on", "ok", "one sec", "sorry", "wait", "got it", "lol", "just getting my purse", "yes", "right"]


def fours(number: str, separator: str = " ") -> str:
    """Group a number in fours, as printed on a card."""
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def said_in_pairs(number: str) -> str:
    """Say a number two digits at a time, as some read a card aloud ("forty one eleven ...")."""
    words = []
    for i in range(0, len(number) - 1, 2):
        tens, unit = int(number[i]), int(number[i + 1])
        if tens == 0:
            words.append(f"oh {NUMBER_WORDS[unit]}")
        elif tens == 1:
            words.append(TEENS[unit])
        else:
            words.append(TENS[tens] + (f" {NUMBER_WORDS[unit]}" if unit else ""))
    return " ".join(words) + (f" {NUMBER_WORDS[int(number[-1])]}" if len(number) % 2 else "")


def lookalike(rng: random.Random, number: str) -> str:
    """Type some 0s as O and 1s as l or I (a card read off with letters for digits)."""
    swaps = {"0": "O", "1": rng.choice("lI")}
    while True:
        typed = "".join(swaps[c] if c in swaps and rng.random() < 0.5 else c for c in number)
        if typed != number or not set(number) & set(swaps):
            return fours(typed)


def spelt_code(code: str) -> str:
    """Say a code digit by digit in words."""
    return " ".join(NUMBER_WORDS[int(c)] for c in code)


def mistyped(rng: random.Random) -> str:
    """Return a 16-digit number of a main brand with one digit typed wrong (so failing the Luhn check)."""
    while True:
        number = card16(rng)
        i = rng.randrange(1, 16)
        wrong = number[:i] + str((int(number[i]) + rng.randint(1, 9)) % 10) + number[i + 1 :]
        if not luhn_valid(wrong):
            return wrong


def card16(rng: random.Random, prefix: str = "") -> str:
    """Return a random Luhn-valid 16-digit number of a main brand (Visa and Mastercard, most cards in the UK)."""
    while True:
        number = card(rng)
        if len(number) == 16 and number.startswith(prefix):
            return number


def form(rng: random.Random, family: str) -> tuple[str, str]:
    """Return one typed form of ``family`` and the digits that must not survive (a card's, or a code's).

    Forms said aloud or read off a card use 16-digit numbers: a 13- or 17-digit number said in pairs ends in an
    ambiguous pair ("thirty" then "one" is also "thirty one").
    """
    typed_off = family in ("and between groups", "emoji between groups", "letter glued in front")
    number = card(rng) if typed_off else card16(rng)
    if family == "and between groups":
        return rng.choice(["my card is ", "", "it's "]) + fours(number, rng.choice([" and ", " & ", " AND "])), number
    if family == "emoji between groups":
        return fours(number, f" {rng.choice(EMOJI)} "), number
    if family == "O, l or I for 0 or 1":
        return "card " * rng.randint(0, 1) + lookalike(rng, number), number
    if family == "'for' for four":
        visa = card16(rng, "4")
        words = " ".join("for" if c == "4" and rng.random() < 0.7 else NUMBER_WORDS[int(c)] for c in visa)
        return rng.choice([f"for {fours(visa)[1:]}", words]), visa
    if family == "said in pairs":
        return said_in_pairs(number), number
    if family == "letter glued in front":
        return rng.choice(["x", "a", "Z", "AA1-", "AB3-", "ref:x"]) + number, number
    if family == "code in words after the expiry":
        code = f"{rng.randrange(1000):03d}"
        word = rng.choice(["", "code ", "cvv ", "security code ", "and "])
        return f"{fours(number)} exp 12/27 {word}{spelt_code(code)}", code
    number = mistyped(rng)
    return rng.choice(["", "it's ", "the number is ", "here "]) + fours(number, rng.choice(" -")), number


FAMILIES = [
    "and between groups",
    "emoji between groups",
    "O, l or I for 0 or 1",
    "'for' for four",
    "said in pairs",
    "letter glued in front",
    "code in words after the expiry",
    "mistyped, no card word",
]


def code_kept(redacted: str, code: str) -> bool:
    """Say whether a code survives, in words or digits."""
    return spelt_code(code) in redacted or code in re.sub(r"ending \d{4}", "", redacted)


def guard(stored: list[str], text: str, window: int) -> None:
    """Store ``text`` as card_guard does: read with earlier messages, which are rewritten in place.

    Back to the ``window``-th holding a digit (a run of messages of a few digits alone counting once), at most
    MAX_EARLIER_WITH_CHAT of them (card_guard.window_size); digits alone right after a card hidden in such pieces go
    on with it (card_guard.continued_pieces).
    """
    recent = stored[-MAX_EARLIER_WITH_CHAT:]
    if window and (continued := continued_pieces(recent, text)):
        stored[len(stored) - continued :] = [HIDDEN_PIECE] * continued
        stored.append(HIDDEN_PIECE)
        return
    earlier = recent[len(recent) - window_size(recent, window) :] if window else []
    *before, latest = redact_across_small_numbers(earlier, text)
    stored[len(stored) - len(earlier) :] = [r.text for r in before]
    stored.append(latest.text)


def digits_conversation(rng: random.Random) -> tuple[list[str], str]:
    """Return a card typed a digit, two digits or one to four digits a message, perhaps after its words."""
    number = card(rng)
    size = rng.choice([1, 2, 0])
    messages, start = [], 0
    while start < len(number):
        end = start + (size or rng.randint(1, 4))
        messages.append(number[start:end])
        start = end
    return (["my card number is"] if rng.random() < 0.5 else []) + messages, number


SHORT_ANSWERS = ["#", "#", "##", "##", "###", "0#", "1#", "20##", "19##", "####", "#/#", "##/##", "0###", "0##"]


def short_answers(rng: random.Random) -> list[str]:
    """Return 4 to 16 answers of a few digits alone, one a message, with now and then a word or two between.

    How many bins, a house number, a date or phone number in pieces, menu choices, a year, an amount.
    """
    answers = []
    for _ in range(rng.randint(4, 16)):
        answers.append(fill(rng, rng.choice(SHORT_ANSWERS)))
        if rng.random() < 0.1:
            answers.append(rng.choice(CHAT))
    return answers


def pieces_conversation(rng: random.Random) -> tuple[list[str], str]:
    """Return a 16-digit card sent a group or more a message (a group perhaps in two), up to 3 chats between."""
    number = next(n for n in iter(lambda: card(rng), None) if len(n) == 16)
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    cuts = sorted(rng.sample(range(1, 4), rng.randint(1, 3)))
    parts = [" ".join(groups[a:b]) for a, b in zip([0, *cuts], [*cuts, 4], strict=True)]
    if rng.random() < 0.5:  # a slip of the send key inside the last group: five or more pieces
        cut = rng.randint(1, 3)
        parts[-1:] = [parts[-1][:-4] + parts[-1][-4:][:cut], parts[-1][-4:][cut:]]
    messages = [parts[0].strip()]
    for part in parts[1:]:
        messages += [rng.choice(CHAT) for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3]))]
        messages.append(part.strip())
    return messages, number


CONVERSATION_LINES = [
    *OTHERS,
    *CHAT,
    "flat #",
    "it's ## Rowan Close",
    "I paid £###",
    "the reading is #####",
    "reading ####",
    "it was ####",
    "number ####",
    "the last four are ####",
    "20##",
    "my pin is ####",
    "## bins",
    "####",
    "#### ####",
    "ref ########",
    "CT########",
    "born ##/##/19##",
]


def ordinary_conversation(rng: random.Random) -> list[str]:
    """Return 4 to 10 resident messages of the council's numbers, short numbers and chat, none a card."""
    return [fill(rng, rng.choice(CONVERSATION_LINES)) for _ in range(rng.randint(4, 10))]


def readings_in_fours(rng: random.Random) -> str:
    """Four meter readings of four digits, rising, as a resident lists them."""
    start = rng.randint(1000, 9000)
    values = [start]
    for _ in range(3):
        values.append(values[-1] + rng.randint(20, 300))
    return rng.choice(["readings ", "meter ", "", "my readings were "]) + rng.choice([" ", ", ", " - "]).join(
        f"{v % 10000:04d}" for v in values
    )


def round_four(args: argparse.Namespace) -> None:
    """Print the leaks of each still-open form, and false alarms in conversations and meter readings."""
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
    for family in FAMILIES:
        kept_count = 0
        for _ in range(args.forms):
            typed, secret = form(rng, family)
            redacted = redact_card_numbers(typed)
            if family.startswith("code"):
                leak = code_kept(redacted.text, secret)
            else:  # digits left, or a card in words not hidden at all
                leak = kept(redacted.text, secret) or not redacted.card_numbers
            kept_count += leak
        print(f"{family}: kept {kept_count} of {args.forms} ({100_000 * kept_count // args.forms} per 100k)")
    hidden = sum(redact_card_numbers(t := readings_in_fours(rng)).text != t for _ in range(args.others // 10))
    print(f"meter readings in fours with something hidden: {hidden} of {args.others // 10}")
    for window in args.windows:
        rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
        leaks = 0
        for _ in range(args.conversations):
            messages, number = pieces_conversation(rng)
            stored: list[str] = []
            for message in messages:
                guard(stored, message, window)
            leaks += kept("\n".join(stored), number)
        alarms = 0
        for _ in range(args.conversations):
            messages, stored = ordinary_conversation(rng), []
            for message in messages:
                guard(stored, message, window)
            alarms += stored != messages
        digit_leaks = 0
        for _ in range(args.conversations):
            messages, number = digits_conversation(rng)
            stored = []
            for message in messages:
                guard(stored, message, window)
            left = re.sub(r"ending \d{4}", "", "\n".join(stored))
            digit_leaks += any(ascii_digit(c) is not None for c in left) or any(
                ending != number[-4:] for ending in re.findall(r"ending (\d{4})", "\n".join(stored))
            )
        short_alarms = 0
        for _ in range(args.conversations):
            messages, stored = short_answers(rng), []
            for message in messages:
                guard(stored, message, window)
            short_alarms += stored != messages
        print(
            f"card_guard window {window}: a card in pieces kept {leaks} of {args.conversations}, "
            f"ordinary conversations with something hidden {alarms} of {args.conversations}; "
            f"a card a few digits a message with a digit left (or another ending shown) {digit_leaks}, "
            f"short answers a message each with something hidden {short_alarms} of {args.conversations}"
        )


def main() -> None:
    """Print both measures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20000)
    parser.add_argument("--others", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--forms", type=int, default=2000, help="typed forms of each family still open in round three")
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--windows", type=int, nargs="*", default=[EARLIER_MESSAGES], help="card_guard windows to try")
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
    round_four(args)


if __name__ == "__main__":
    main()
