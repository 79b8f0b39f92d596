"""Hide payment card numbers, and the expiry dates and security codes typed with them, wherever text comes in.

This is the one redactor: residents' messages on every channel (the hub stores them through one function),
officers' replies and internal notes, what the bot sends the back office, and the API's own log records.
A card number keeps only its last four digits. How numbers are found is in ``card_numbers``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

from api.conversations import card_numbers
from api.conversations.card_numbers import MAX_DIGITS, MIN_DIGITS, ascii_digit, is_separator, luhn_valid

__all__ = [
    "CardSafeText",
    "HideCardNumbers",
    "Redacted",
    "install_log_redaction",
    "is_card_number",
    "luhn_valid",
    "redact_card_numbers",
    "redact_messages",
]

# What joins consecutive messages when they are read as one text (a separator, so a number runs on across it).
MESSAGE_JOIN = "\n"
HIDDEN_DETAIL = {"expiry": "[expiry date removed]", "code": "[security code removed]"}


@dataclass(frozen=True)
class Redacted:
    """A text with card numbers and their details hidden, and how many of each were hidden."""

    text: str
    card_numbers: int = 0
    details: int = 0
    # The pieces of the original text that were hidden, so copies of them elsewhere can be hidden too.
    removed: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        """Say whether anything was hidden (a card number, or an expiry date or code typed with one)."""
        return bool(self.card_numbers or self.details)


def redact_card_numbers(text: str) -> Redacted:
    """Replace each card number in ``text`` with a marker showing at most its last four digits."""
    return redact_messages([text])[0]


def redact_messages(texts: Sequence[str]) -> list[Redacted]:
    """Redact consecutive messages of one conversation as one text, and return each message redacted.

    A card number split over messages is hidden in each of them: the part in the message where the number
    ends shows the last four digits, the others say only that part of a card number was removed.
    """
    joined = MESSAGE_JOIN.join(texts)
    bounds, start = [], 0
    for text in texts:
        bounds.append((start, start + len(text)))
        start += len(text) + len(MESSAGE_JOIN)
    found = card_numbers.find(joined, soft=[end for _, end in bounds[:-1]])
    return [_redact_segment(joined, start, end, found) for start, end in bounds]


def _redact_segment(joined: str, start: int, end: int, found: list[card_numbers.Found]) -> Redacted:
    parts, removed, position, cards, details = [], [], start, 0, 0
    for item in found:
        left, right = max(item.start, start), min(item.end, end)
        if left >= right:
            continue
        parts += [joined[position:left], _marker(item, ends_here=item.end <= end)]
        removed.append(joined[left:right])
        position = right
        cards += item.kind == "card"
        details += item.kind != "card"
    parts.append(joined[position:end])
    return Redacted(text="".join(parts), card_numbers=cards, details=details, removed=tuple(removed))


def _marker(item: card_numbers.Found, *, ends_here: bool) -> str:
    if item.kind != "card":
        return HIDDEN_DETAIL[item.kind]
    return f"[card number removed, ending {item.ending}]" if ends_here and item.ending else "[card number removed]"


def is_card_number(text: str) -> bool:
    """Say whether ``text`` (digits and separators only) is a plausible card number."""
    digits = "".join(d for c in text if (d := ascii_digit(c)) is not None)
    return (
        all(ascii_digit(c) is not None or is_separator(c) for c in text)
        and MIN_DIGITS <= len(digits) <= MAX_DIGITS
        and luhn_valid(digits)
    )


def _hide_in_text(value: str) -> str:
    return redact_card_numbers(value).text


# Free text the back office takes from the bot: stored with card numbers already hidden. A field's length
# limits go before it (Annotated[str, Field(max_length=...), HideCardNumbers]) so they judge what was sent.
HideCardNumbers = AfterValidator(_hide_in_text)
CardSafeText = Annotated[str, HideCardNumbers]


class CardNumberLogFilter(logging.Filter):
    """Hide card numbers in a log record's message before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_card_numbers(message)
        if redacted.hidden:
            record.msg, record.args = redacted.text, None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put the card number filter on every handler of ``logger`` (the root logger by default), once.

    Handlers, not loggers, carry it: a logger's filters do not see records its children pass up.
    """
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, CardNumberLogFilter) for f in handler.filters):
            handler.addFilter(CardNumberLogFilter())
