"""What an officer's transcript shows: a resident's date of birth only to officers whose work needs it.

The hub keeps what a resident typed, because the officer who takes the conversation reads it. That includes
the answers to the identity check. A date of birth is part of an elector's identity: Electoral Services (who
check an elector by hand when the bot could not) and supervisors see it while the conversation is open to
them, exactly as they see the verified elector (``service.DETAILS_OF_ROLE``). Customer Focus's work never
needs it, and a closed conversation shows it to nobody. What is stored does not change (the resident's
subject access export holds it), only what the console shows.

A date of birth is found two ways: the resident's answer to a question about it (the bot's "What is your
date of birth?", its re-ask, or an officer's), and a date written after words about birth ("born on ...",
"my DOB is ...") by the resident, an officer replying or an officer's note. Other dates (a missed bin, a
payment) stay: Customer Focus needs those.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from api.conversations.models import Message
from api.knowledge_gaps.service import MONTHS

HIDDEN_BIRTH_DATE = "[date of birth hidden]"
# The bot's question and re-ask (domain/electoral.yml, bot/actions/task_form.py) both say "date of birth".
BIRTH_DATE_QUESTION = re.compile(r"\b(?:date of birth|birth ?date|dob)\b", re.IGNORECASE)
# An answer holds a date when it has a digit or a month's name; "why do you need that?" is kept.
HOLDS_A_DATE = re.compile(rf"\d|\b(?:{MONTHS})\b", re.IGNORECASE)
DATE_PART = rf"(?:\d{{1,4}}(?:st|nd|rd|th)?\b|\b(?:{MONTHS})\b\.?)"
BIRTH_DATE = re.compile(
    rf"\b(?:born|birth|birthday|dob|d\.o\.b)\b[^\d\n]{{0,25}}?"
    rf"(?P<date>{DATE_PART}(?:[\s/.,\-]+(?:of\s+)?{DATE_PART}){{0,3}})",
    re.IGNORECASE,
)


def hidden_birth_dates(messages: Sequence[Message]) -> dict[int, str]:
    """Return, by message id, the text to show instead for the resident's messages that hold a date of birth."""
    shown: dict[int, str] = {}
    asked = False
    for message in messages:
        answer = message.sender == "resident" and asked and HOLDS_A_DATE.search(message.text)
        text = HIDDEN_BIRTH_DATE if answer else hide_birth_dates_in(message.text)
        if message.sender in ("bot", "officer"):
            asked = bool(BIRTH_DATE_QUESTION.search(message.text))
        if text != message.text:
            shown[message.id] = text
    return shown


def hide_birth_dates_in(text: str) -> str:
    """Return ``text`` with every date written after words about birth ("born on 3 May 1990") hidden."""
    return BIRTH_DATE.sub(_hide_date, text)


def _hide_date(match: re.Match[str]) -> str:
    start, end = match.span("date")
    return match.string[match.start() : start] + HIDDEN_BIRTH_DATE + match.string[end : match.end()]
