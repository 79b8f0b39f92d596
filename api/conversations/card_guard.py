"""Hide card numbers in a resident's message as it is stored, also one split over consecutive messages.

A resident may send a card number in pieces ("4111 1111", then "1111 1111"). Neither piece is a card
number alone, so the resident's last few messages from the past minutes are read with the new one as a
single text; when the new message completes a number, the earlier messages holding its first digits are
rewritten in place (with any reply that repeated them, any knowledge gap's question that kept them, and any
handoff or service request the bot lodged quoting them), and
``rewritten_at`` tells the channels to replace (web, console) or delete (Telegram) what they showed.

A card typed a digit, or a few digits, a message ("4", "1", "1", ...) is read the same way: a run of messages of one
to four digits alone counts as one message when reading back, and a card found in it takes the run's earlier pieces.
Its first digits may make a card number before the rest is typed; the digits sent right after go on with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.conversations.card_numbers import MARKER, MAX_DIGITS, MIN_DIGITS, ascii_digit, is_separator
from api.conversations.models import Handoff, Message
from api.conversations.redaction import Redacted, redact_messages
from api.db import utcnow
from api.knowledge_gaps.models import KnowledgeGap
from api.service_requests.models import ServiceRequest

# How far back a number's first part may have been sent, and in how many messages. Eight earlier messages: a card
# read out a group a message, one group in two pieces, with "hang on" or "sorry" between (scripts/redaction_probe.py,
# seed 1: such cards kept 3,404 of 5,000 reading 3 earlier messages, 489 reading 8; ordinary conversations of the
# council's numbers and chat with something hidden 241 and 234 of 5,000: a wider window costs no false alarm).
SPLIT_WINDOW = timedelta(minutes=5)
EARLIER_MESSAGES = 8
# Messages with no digit in them ("hang on", "getting my purse") do not count towards the eight: a card's halves with
# nine chat messages between were read apart (round five). At most this many messages are read back all told.
MAX_EARLIER_WITH_CHAT = 20
# A message of at most this many digits and nothing else is a piece of a run read as one (``window_size``).
MAX_RUN_PIECE_DIGITS = 4
# A card number typed in such pieces was hidden in at least this many of them (13 digits, at most 4 a message).
MIN_HIDDEN_PIECES = -(-MIN_DIGITS // MAX_RUN_PIECE_DIGITS)
# A message that is a hidden card number, or a piece of one, and nothing else.
HIDDEN_CARD_PIECE = re.compile(r"\[card number removed(?:, ending \d{4})?\]")
HIDDEN_PIECE = "[card number removed]"
MIN_PIECE_DIGITS = 4
CARD_MARKER_START = "[card number removed"
ANCHOR_TAIL = "later"


@dataclass(frozen=True)
class Guarded:
    """The text to store for the new message, whether anything was hidden in it, and earlier messages rewritten.

    ``continued``: the message went on with a card number hidden in the messages just before it, whose resident was
    warned then (no second warning).
    """

    text: str
    hidden: bool
    rewritten: list[Message] = field(default_factory=list)
    continued: bool = False


def hide_card_numbers(session: Session, *, conversation_id: str, text: str) -> Guarded:
    """Return ``text`` with card details hidden, rewriting the resident's earlier messages that held part of one."""
    now = utcnow()
    recent = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "resident",
            Message.created_at >= now - SPLIT_WINDOW,
        )
        .order_by(Message.id.desc())
        .limit(MAX_EARLIER_WITH_CHAT)
    ).all()
    texts = [m.text for m in reversed(recent)]
    if continued := continued_pieces(texts, text):
        return _continue_hidden_card(session, conversation_id=conversation_id, pieces=recent[:continued], now=now)
    earlier = list(reversed(recent[: window_size(texts)]))
    anchor = _hidden_card_before(session, conversation_id=conversation_id, since=now - SPLIT_WINDOW, earlier=earlier)
    *before, latest = redact_across_small_numbers([message.text for message in earlier], text, anchor=anchor)
    rewritten = []
    for message, redacted in zip(earlier, before, strict=True):
        if redacted.text != message.text:
            message.text, message.rewritten_at = redacted.text, now
            rewritten.append(message)
    if rewritten:
        pieces = [piece for redacted in before for piece in redacted.removed]
        rewritten += _hide_copies(session, conversation_id=conversation_id, after=rewritten[0].id, pieces=pieces)
        _hide_in_gaps(session, conversation_id=conversation_id, after=rewritten[0].id, pieces=pieces)
        _hide_in_records(session, conversation_id=conversation_id, since=rewritten[0].created_at, pieces=pieces)
        rewritten += _hide_short_pieces(session, conversation_id=conversation_id, earlier=earlier, before=before)
    return Guarded(text=latest.text, hidden=latest.hidden, rewritten=list(dict.fromkeys(rewritten)))


# A number of one or two digits in a message between a card's pieces: "it has been there 2 weeks", "about 30 cm".
SMALL_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
SMALL_NUMBER_WORD = "some"


def redact_across_small_numbers(texts: list[str], text: str, *, anchor: Sequence[str] = ()) -> list[Redacted]:
    """Redact as ``redact_window`` does; when that finds nothing, read small numbers between the pieces as words.

    "big hole next to house 4111 1111", "it has been there 2 weeks", "1111 1111": the "2" between broke the number
    read across the messages, and the whole card was lodged and stored (an attack). A message whose every number is
    of one or two digits (not a piece typed alone) is read with its numbers as words, and is never rewritten.
    """
    found = redact_window(texts, text, anchor=anchor)
    if any(redacted.card_numbers for redacted in found):
        return found
    softened = [_small_numbers_as_words(earlier) for earlier in texts]
    if softened == texts:
        return found
    again = redact_window(softened, text, anchor=anchor)
    if not any(redacted.card_numbers for redacted in again):
        return found
    # A softened message held no piece (its numbers are too short): it stays as it was typed.
    kept = [found[i] if softened[i] != texts[i] else again[i] for i in range(len(texts))]
    return [*kept, again[-1]]


def _small_numbers_as_words(text: str) -> str:
    numbers = SMALL_NUMBER.findall(text)
    if not numbers or digits_alone(text) or any(_digit_count(run) > 2 for run in re.findall(r"\d+", text)):
        return text
    return SMALL_NUMBER.sub(SMALL_NUMBER_WORD, text)


def redact_window(texts: list[str], text: str, *, anchor: Sequence[str] = ()) -> list[Redacted]:
    """Redact the earlier ``texts`` (oldest first) and the new ``text`` read as one, as ``redact_messages`` does.

    ``anchor``: a message before them with a hidden card number, read as context only. A card number found in a
    run of messages of a few digits alone takes the run's pieces before it too, up to a card's most digits: typed a
    digit a message, "5", "1", "8", ... may make a card from the second digit before the last is typed.
    """
    *before, latest = redact_messages([*anchor, *texts, text])[len(anchor) :]
    if not latest.card_numbers or not digits_alone(text):
        return [*before, latest]
    start = len(texts)
    while start > 0 and digits_alone(texts[start - 1]):
        start -= 1
    first = next((i for i in range(start, len(texts)) if before[i].card_numbers), None)
    if first is not None:
        total = sum(map(_digit_count, [*texts[first:], text]))
        for index in range(first - 1, start - 1, -1):
            total += _digit_count(texts[index])
            if total > MAX_DIGITS:
                break
            before[index] = Redacted(text=HIDDEN_PIECE, card_numbers=1, removed=(texts[index],))
    return [*before, latest]


def continued_pieces(texts: list[str], text: str) -> int:
    """Return how many of the latest ``texts`` are the hidden pieces of a card number that ``text`` goes on with.

    A card typed a few digits a message may be a card number before it is all typed ("5555 5555 5555 4" passes the
    Luhn check, and "444" follows): digits alone right after four or more pieces hidden whole, each a message of its
    own, are the rest of it (up to nineteen pieces, a card's most digits). 0 when ``text`` goes on with none.
    """
    if not digits_alone(text):
        return 0
    pieces = 0
    for earlier in reversed(texts):
        if HIDDEN_CARD_PIECE.fullmatch(earlier) is None:
            break
        pieces += 1
    return pieces if MIN_HIDDEN_PIECES <= pieces < MAX_DIGITS else 0


def _continue_hidden_card(
    session: Session, *, conversation_id: str, pieces: Sequence[Message], now: datetime
) -> Guarded:
    """Hide the new message as the rest of the card hidden in ``pieces`` (newest first), and drop its ending.

    Where the number ends cannot be known: the ending shown named digits before the last four. It goes from the
    piece, and from the bot's replies, knowledge gaps and records that repeated the piece.
    """
    ended = [message for message in reversed(pieces) if message.text != HIDDEN_PIECE]
    endings = [message.text for message in ended]
    for message in ended:
        message.text, message.rewritten_at = HIDDEN_PIECE, now
    rewritten = list(ended)
    if ended:
        rewritten += _hide_copies(session, conversation_id=conversation_id, after=ended[0].id, pieces=endings)
        _hide_in_gaps(session, conversation_id=conversation_id, after=ended[0].id, pieces=endings)
        _hide_in_records(session, conversation_id=conversation_id, since=ended[0].created_at, pieces=endings)
    return Guarded(text=HIDDEN_PIECE, hidden=True, rewritten=rewritten, continued=True)


def _hide_short_pieces(
    session: Session, *, conversation_id: str, earlier: list[Message], before: list[Redacted]
) -> list[Message]:
    """Hide the card's pieces of fewer than four digits ("4", "11") in what answered the message that held each.

    A card typed a digit a message: the bot may have repeated each digit ("You said: 4"), and its replies read
    together hold the number. A digit that short is looked for only in the bot's replies to a message that was that
    piece and nothing else (never in the hub's warning, whose phone number holds "123").
    """
    rewritten = []
    for index, (message, redacted) in enumerate(zip(earlier, before, strict=True)):
        short = [piece for piece in redacted.removed if _digit_count(piece) < MIN_PIECE_DIGITS]
        if not short or HIDDEN_CARD_PIECE.fullmatch(redacted.text) is None:
            continue
        following = earlier[index + 1] if index + 1 < len(earlier) else None
        until = None if following is None else following.id
        rewritten += _hide_copies(
            session,
            conversation_id=conversation_id,
            after=message.id,
            before=until,
            pieces=short,
            min_digits=1,
            senders=("bot",),
        )
        _hide_in_gaps(
            session, conversation_id=conversation_id, after=message.id, before=until, pieces=short, min_digits=1
        )
        _hide_in_records(
            session,
            conversation_id=conversation_id,
            since=message.created_at,
            until=None if following is None else following.created_at,
            pieces=short,
            min_digits=1,
        )
    return rewritten


def _digit_count(text: str) -> int:
    return sum(ascii_digit(c) is not None for c in text)


def window_size(texts: list[str], numbered: int = EARLIER_MESSAGES) -> int:
    """Return how many of the latest ``texts`` (oldest first) to read with a new message.

    Back to the ``numbered``-th holding a digit or a hidden card detail; the chat between is read too, so a card's
    pieces still join across it. Consecutive messages of a few digits alone ("4", "1", "11", "1111") are one piece:
    a card typed a digit or a group a message is read whole, its sixteen messages counting as one of the eight.
    """
    seen, in_run = 0, False
    for size, text in enumerate(reversed(texts), start=1):
        short = digits_alone(text)
        if not (in_run and short):
            if seen == numbered:
                return size - 1
            seen += any(ascii_digit(c) is not None for c in text) or (
                "removed" in text and MARKER.search(text) is not None
            )
        in_run = short
    return len(texts)


def digits_alone(text: str) -> bool:
    """Say whether ``text`` is one to four digits with nothing but separators: one piece of a number typed in pieces."""
    digits = 0
    for char in text:
        if ascii_digit(char) is not None:
            digits += 1
            if digits > MAX_RUN_PIECE_DIGITS:
                return False
        elif not is_separator(char):
            return False
    return digits > 0


def _hidden_card_before(
    session: Session, *, conversation_id: str, since: datetime, earlier: list[Message]
) -> list[str]:
    """Return the latest message of the past minutes with a hidden card number, if it is older than ``earlier``.

    Read as context only, never rewritten: a resident reading a card aloud field by field ("exp", "12/27", "cvv",
    "123") pushes the number out of the last few messages before the code comes, and "cvv 123" is a card's code
    only with a card in view. A word goes after it: messages came between, so a bare number in the first of
    ``earlier`` is not read as the card's code. Empty when there is none.
    """
    if not earlier:
        return []
    found = session.scalars(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "resident",
            Message.created_at >= since,
            Message.id < earlier[0].id,
            Message.text.contains(CARD_MARKER_START),
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    return [f"{found} {ANCHOR_TAIL}"] if found else []


def _piece_patterns(pieces: list[str], min_digits: int = MIN_PIECE_DIGITS) -> list[re.Pattern[str]]:
    """Return patterns for the pieces of a card number, matching them also with their spaces collapsed.

    Only pieces of a card number itself (a code alone, "123", is also part of the council's phone number).
    A knowledge gap keeps a question with its runs of spaces, tabs and line breaks made one space.
    """
    return [
        re.compile(r"(?<!\d)" + r"\s+".join(map(re.escape, piece.split())) + r"(?!\d)")
        for piece in pieces
        if _digit_count(piece) >= min_digits
    ]


def _hide_in_gaps(
    session: Session,
    *,
    conversation_id: str,
    after: int,
    pieces: list[str],
    before: int | None = None,
    min_digits: int = MIN_PIECE_DIGITS,
) -> None:
    """Hide the pieces in the questions of knowledge gaps the bot's replies since the first of them left.

    The bot may not have understood the first piece ("my card is 4111.1111"); the hub then kept it as a question
    for the knowledge team, which must not keep part of a card number either.
    """
    patterns = _piece_patterns(pieces, min_digits)
    if not patterns:
        return
    query = select(KnowledgeGap).where(KnowledgeGap.conversation_id == conversation_id, KnowledgeGap.message_id > after)
    if before is not None:
        query = query.where(KnowledgeGap.message_id < before)
    for gap in session.scalars(query):
        for pattern in patterns:
            gap.question = pattern.sub(HIDDEN_PIECE, gap.question)


def _hide_in_records(
    session: Session,
    *,
    conversation_id: str,
    since: datetime,
    pieces: list[str],
    until: datetime | None = None,
    min_digits: int = MIN_PIECE_DIGITS,
) -> None:
    """Hide the pieces in what the bot lodged from this chat since the first of them.

    A handoff's summary and packet, a service request's description, place and cancel reason: the bot quotes what
    the resident typed, which held only a piece of the number when it was lodged.
    """
    patterns = _piece_patterns(pieces, min_digits)
    if not patterns:
        return

    def hidden(value: Any) -> Any:
        if isinstance(value, str):
            for pattern in patterns:
                value = pattern.sub(HIDDEN_PIECE, value)
            return value
        if isinstance(value, dict):
            return {key: hidden(item) for key, item in value.items()}
        if isinstance(value, list):
            return [hidden(item) for item in value]
        return value

    handoffs = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.requested_at >= since)
    if until is not None:
        handoffs = handoffs.where(Handoff.requested_at < until)
    for handoff in session.scalars(handoffs):
        handoff.summary, handoff.packet = hidden(handoff.summary), hidden(handoff.packet)
    lodged = ServiceRequest.created_at >= since
    cancelled = ServiceRequest.cancelled_at >= since
    if until is not None:
        lodged = and_(lodged, ServiceRequest.created_at < until)
        cancelled = and_(cancelled, ServiceRequest.cancelled_at < until)
    for request in session.scalars(
        select(ServiceRequest).where(
            or_(
                ServiceRequest.conversation_id == conversation_id,
                ServiceRequest.cancelled_in_conversation == conversation_id,
            ),
            or_(lodged, cancelled),
        )
    ):
        request.description, request.location_text = hidden(request.description), hidden(request.location_text)
        request.cancel_reason = hidden(request.cancel_reason)


def _hide_copies(
    session: Session,
    *,
    conversation_id: str,
    after: int,
    pieces: list[str],
    before: int | None = None,
    min_digits: int = MIN_PIECE_DIGITS,
    senders: tuple[str, ...] = (),
) -> list[Message]:
    """Hide the pieces in the bot's messages since the first of them: a reply may have repeated what was typed.

    ``before`` and ``senders``: only messages before that id, or from those senders (all but the resident's).
    """
    patterns = _piece_patterns(pieces, min_digits)
    if not patterns:
        return []
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.sender != "resident", Message.id > after
    )
    if before is not None:
        query = query.where(Message.id < before)
    if senders:
        query = query.where(Message.sender.in_(senders))
    rewritten = []
    for message in session.scalars(query):
        text = message.text
        for pattern in patterns:
            text = pattern.sub(HIDDEN_PIECE, text)
        if text != message.text:
            message.text, message.rewritten_at = text, utcnow()
            rewritten.append(message)
    return rewritten
