"""The hub's logic: conversations, their messages, routing to the bot, and handoffs to officers.

Routing a resident's message spans three short transactions rather than one: the message is stored
first so it survives whatever happens next, no transaction is held open while Rasa thinks (SQLite
would be locked for everyone meanwhile), and the replies are stored when they arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from api.conversations import crisis, payloads
from api.conversations.backlog import RasaBusy
from api.conversations.card_guard import hide_card_numbers
from api.conversations.models import Conversation, Handoff, Message, Mode
from api.conversations.office_hours import OfficeHours
from api.conversations.rasa_client import BotReply, RasaClient, RasaUnavailable
from api.conversations.schemas import HandoffCreate, HandoffRead
from api.db import Database, utcnow
from api.errors import DomainError
from api.knowledge_gaps import service as knowledge_gaps

log = logging.getLogger(__name__)

OPEN_HANDOFF_STATES = ("waiting", "callback", "claimed")
# The bot's answer to card_payment_attempt (domain/payments.yml), not repeated after the hub's own card warning.
CARD_DETAILS_RESPONSE = "utter_card_details"
# The answer buttons of the satisfaction question; the hub records them instead of passing them to the bot.
RATING_CHOICES = ((5, "Very good"), (4, "Good"), (3, "OK"), (2, "Poor"), (1, "Very poor"))
RATING_PAYLOAD = re.compile(r"^/rate ([1-5])$")
UNASKED_RATING_TEXT = (
    "Thank you. You'll be asked to rate the conversation when it ends; until then, just tell me what you need."
)
BOT_RATING_QUESTION = "Before you go: how was your experience with the assistant today?"
# Minutes an officer typically spends on a chat; the expected wait is this times the queue position.
MINUTES_PER_QUEUED_CHAT = 4


class ConversationNotFound(DomainError):
    """No conversation has this id, or the token does not match it."""

    status_code = 404
    detail = "No such conversation."


class HubBusy(Exception):
    """The conversation's Rasa server is too far behind to take the message; it is stored, not answered.

    The web chat gets 503 with ``Retry-After`` and a sentence with the council's number and the officer offer
    (api/overload.py); Telegram gets the sentence in its chat (api/telegram/router.py). A request for an
    officer is still taken, by the hub itself. ``routed`` is the stored message, with no replies.
    """

    def __init__(self, routed: Routed | None = None) -> None:
        super().__init__("the bot is busy")
        self.routed = routed


# While a resident waits for an officer the bot still answers their questions (the handoff message says they may
# keep asking), but these answers of its own would only confuse: a greeting or "how can I help" as if the chat had
# begun again, or small talk. The hub says instead that the officer is on the way and the message is kept.
SMALL_TALK_RESPONSES = frozenset(
    {"utter_greet", "utter_how_can_i_help", "utter_goodbye", "utter_you_are_welcome", "utter_no_problem"}
)
# While the bot is busy the hub reads a request for a person itself (the busy answer tells residents to ask so).
ASKS_FOR_OFFICER = re.compile(r"\b(officers?|human|real person|a person|advis[eo]r|agent)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Credentials:
    """A new conversation's id and the token that proves ownership (only its hash is stored)."""

    conversation_id: str
    token: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_conversation(session: Session, *, channel: str, client_source: str | None = None) -> Credentials:
    """Open a conversation and return its unguessable id and secret token.

    ``client_source`` is the pseudonymous source of the web client starting it, which identity checks in
    the conversation are charged to.
    """
    credentials = Credentials(conversation_id=secrets.token_urlsafe(18), token=secrets.token_urlsafe(32))
    session.add(
        Conversation(
            id=credentials.conversation_id,
            token_hash=_hash_token(credentials.token),
            channel=channel,
            client_source=client_source,
        )
    )
    session.flush()
    return credentials


def authenticate(session: Session, *, conversation_id: str, token: str) -> Conversation:
    """Return the conversation if ``token`` is its token; otherwise raise ConversationNotFound."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not hmac.compare_digest(conversation.token_hash, _hash_token(token)):
        raise ConversationNotFound
    return conversation


def add_message(
    session: Session,
    *,
    conversation_id: str,
    sender: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    author: str | None = None,
    article: str | None = None,
) -> Message:
    """Store a message in a conversation (``article``: the knowledge article a bot message quotes)."""
    message = Message(
        conversation_id=conversation_id, sender=sender, text=text, buttons=buttons, author=author, article=article
    )
    session.add(message)
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.updated_at = utcnow()
    session.flush()
    return message


def list_messages(session: Session, *, conversation_id: str, after: int = 0) -> list[Message]:
    """Return the conversation's messages with an id above ``after``, oldest first."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.id > after).order_by(Message.id)
    return list(session.scalars(query))


REQUEST_OFFICER_PAYLOAD = "/request_officer"
# The answer to a message of nothing but slashes, which leaves the bot nothing to read.
NOTHING_TO_READ = "Sorry, I didn't catch that. Please tell me in words how I can help."


@dataclass(frozen=True)
class Routed:
    """A resident's message as stored, the replies to it, and earlier messages rewritten to hide a card number."""

    message: Message
    hidden: bool
    rewritten: list[Message]
    replies: list[Message]


@dataclass(frozen=True)
class Accepted:
    """A resident's message as stored, and what is left to do: ``for_bot`` is None when nothing goes to the bot."""

    message: Message
    hidden: bool
    rewritten: list[Message]
    # Replies the hub gave itself: a card warning, and the whole answer when ``for_bot`` is None.
    replies: list[Message]
    for_bot: str | None
    channel: str
    # The resident is waiting for an officer: an answer the bot has nothing to add with is replaced (see
    # ``nothing_for_a_waiting_resident``).
    waiting: bool = False
    # A safeguarding concern waits for an officer: whatever else is answered, 999 comes first.
    at_risk: bool = False


async def handle_resident_message(
    database: Database,
    rasa: RasaClient,
    *,
    run: Callable[[Callable[[], Any]], Awaitable[Any]],
    conversation_id: str,
    text: str,
    unavailable_text: str,
    hours: OfficeHours,
    card_warning: str,
    grant: Callable[[], str],
    now: datetime,
    hub_payload: bool = False,
) -> Routed:
    """Store the resident's message, let the bot answer when it is the bot's turn, and return the replies.

    The database work runs in threads through ``run``; waiting for Rasa (its turn in the server's line, then
    its answer) holds no thread and no database connection.
    When Rasa is down the resident gets ``unavailable_text`` with an officer offer; taking the offer
    records the handoff here in the hub, since the bot that would normally do it is the part that failed.
    A card number is hidden before the message is stored or forwarded (with the resident's earlier
    messages holding part of it), and the resident is warned.
    Typed payload syntax reaches the bot as words (see ``payloads``); ``hub_payload`` marks a payload the
    hub chose itself, such as Telegram's /start. ``grant`` goes to the bot with the message, for its actions
    to show the back office (api.service_access.grants); it is issued when the message's turn with Rasa comes.
    ``now`` is when the message came in, by the council's clock: a handoff it leads to is in or out of
    officers' hours by that moment.
    """
    accepted: Accepted = await run(
        lambda: accept_resident_message(
            database,
            conversation_id=conversation_id,
            text=text,
            card_warning=card_warning,
            hub_payload=hub_payload,
            hours=hours,
            now=now,
        )
    )
    routed = Routed(message=accepted.message, hidden=accepted.hidden, rewritten=accepted.rewritten, replies=[])
    if accepted.for_bot is None:
        return replace(routed, replies=accepted.replies)
    for_bot = accepted.for_bot
    try:
        replies = await rasa.send(
            conversation_id=conversation_id,
            text=for_bot,
            metadata=lambda: {"channel": accepted.channel, "grant": grant()},
        )
    except RasaBusy:
        if for_bot != REQUEST_OFFICER_PAYLOAD and not ASKS_FOR_OFFICER.search(for_bot):
            raise HubBusy(routed) from None
        answer = lambda: _hand_off_without_bot(database, conversation_id, hours=hours, now=now)  # noqa: E731
    except RasaUnavailable:
        answer = lambda: _bot_unavailable(  # noqa: E731
            database, conversation_id, for_bot=for_bot, unavailable_text=unavailable_text, hours=hours, now=now
        )
    else:
        if accepted.hidden or accepted.rewritten:
            # The hub has warned already (with the payment line); the bot's own warning would say it twice.
            replies = [reply for reply in replies if reply.response != CARD_DETAILS_RESPONSE]
        if accepted.waiting and nothing_for_a_waiting_resident(replies):
            answer = lambda: _still_waiting_reply(database, conversation_id, hours, said_999=accepted.at_risk)  # noqa: E731
        else:
            answer = lambda: _store_replies(  # noqa: E731
                database, conversation_id, replies, question=accepted.message.text
            )
    return replace(routed, replies=[*accepted.replies, *await run(answer)])


def accept_resident_message(
    database: Database,
    *,
    conversation_id: str,
    text: str,
    card_warning: str,
    hub_payload: bool = False,
    hours: OfficeHours | None = None,
    now: datetime | None = None,
) -> Accepted:
    """Store the message (card numbers hidden) and decide whether the bot is to read it; answer it if not.

    While the resident waits for an officer (``hours`` given), a question still goes to the bot, but asking for a
    person again is answered by the hub: the officer is on the way, and the message is kept for them.
    """
    with database.sessions.begin() as session:
        guarded = hide_card_numbers(session, conversation_id=conversation_id, text=text)
        for_bot = payloads.text_for_bot(
            session, conversation_id=conversation_id, text=guarded.text, hub_payload=hub_payload
        )
        message = add_message(session, conversation_id=conversation_id, sender="resident", text=guarded.text)
    accepted = Accepted(
        message=message, hidden=guarded.hidden, rewritten=guarded.rewritten, replies=[], for_bot=None, channel=""
    )
    with database.sessions.begin() as session:
        warnings = []
        if (guarded.hidden or guarded.rewritten) and not guarded.continued:  # warned when the card was hidden
            warnings.append(add_message(session, conversation_id=conversation_id, sender="system", text=card_warning))
        conversation = session.get_one(Conversation, conversation_id)
        mode, channel = conversation.mode, conversation.channel
        rating = RATING_PAYLOAD.match(guarded.text)
        if rating and conversation.rating_requested_at is not None:
            return replace(accepted, replies=[*warnings, record_rating(session, conversation, int(rating.group(1)))])
        if rating:  # a rating nobody asked for is not counted, and is no message for the bot either
            unasked = add_message(session, conversation_id=conversation_id, sender="system", text=UNASKED_RATING_TEXT)
            return replace(accepted, replies=[*warnings, unasked])
        waiting = _waiting_handoff(session, conversation_id) if mode == Mode.QUEUED and hours is not None else None
        if (
            waiting is not None
            and for_bot
            and waiting.summary.startswith(crisis.SAFEGUARDING)
            and DECLINES_A_PERSON.match(for_bot)
        ):
            # "no i dont want to talk to anyone" after the crisis support got 999 and the handover said again, word for
            # word (a probe): the wish is heard; an officer still reads the chat, to check the resident is safe.
            heard = add_message(session, conversation_id=conversation_id, sender="system", text=crisis.DECLINED)
            return replace(accepted, replies=[*warnings, heard])
        withdrawn = (WITHDRAWS_REQUEST.match(for_bot) or DECLINES_A_PERSON.match(for_bot)) if for_bot else None
        if waiting is not None and withdrawn:
            # "Actually never mind, how do I pay my council tax": the request leaves the officers' queue (a probe's
            # stayed there), the bot answers again, and whatever follows the words is its to answer.
            waiting.status, waiting.closed_at = "withdrawn", utcnow()
            conversation.mode = mode = Mode.BOT.value
            text_withdrawn = WITHDRAWN_TEXT.format(reference=waiting.reference)
            warnings.append(add_message(session, conversation_id=conversation_id, sender="system", text=text_withdrawn))
            waiting, for_bot = None, for_bot[withdrawn.end() :].strip(" ,.;:-!")
            if len(for_bot.split()) < MIN_WORDS_AFTER_WITHDRAWING:
                return replace(accepted, replies=warnings)
        concern = crisis.concern_in(for_bot) if for_bot and mode != Mode.OFFICER else None
        if concern is not None and hours is not None and now is not None:
            support = _support_in_crisis(session, conversation_id, concern, hours=hours, now=now)
            return replace(accepted, replies=[*warnings, *support])
        if waiting is not None and hours is not None and (not for_bot or asks_for_a_person(for_bot)):
            ticket = _describe_handoff(session, waiting, hours)
            kept = add_message(
                session, conversation_id=conversation_id, sender="system", text=waiting_text(waiting, ticket)
            )
            return replace(accepted, replies=[*warnings, kept])
        if not for_bot and mode != Mode.OFFICER:
            nothing = add_message(session, conversation_id=conversation_id, sender="system", text=NOTHING_TO_READ)
            return replace(accepted, replies=[*warnings, nothing])
        if waiting is None and mode == Mode.BOT and hours is not None and ASKS_IF_SOMEONE_IS_COMING.search(for_bot):
            # "do i still have someone coming to talk to me?" just after withdrawing made a new request (a probe).
            none = add_message(session, conversation_id=conversation_id, sender="system", text=NOBODY_COMING)
            return replace(accepted, replies=[*warnings, none])
        at_risk = mode != Mode.OFFICER and waiting is not None and waiting.summary.startswith(crisis.SAFEGUARDING)
        if at_risk:
            warnings.append(
                add_message(session, conversation_id=conversation_id, sender="system", text=crisis.DANGER_NOW)
            )
    if mode == Mode.OFFICER:
        return replace(accepted, replies=warnings)
    return replace(
        accepted, replies=warnings, for_bot=for_bot, channel=channel, waiting=waiting is not None, at_risk=at_risk
    )


def _support_in_crisis(
    session: Session, conversation_id: str, concern: crisis.Concern, *, hours: OfficeHours, now: datetime
) -> list[Message]:
    """Give the numbers for the concern, and ask an officer to look at the chat first (an open request made urgent)."""
    support = add_message(session, conversation_id=conversation_id, sender="system", text=concern.text)
    ticket = request_handoff(
        session,
        conversation_id=conversation_id,
        hours=hours,
        now=now,
        request=HandoffCreate(reason="emergency", priority="urgent", summary=concern.summary, wanted=concern.about),
    )
    handoff = session.scalar(select(Handoff).where(Handoff.reference == ticket.reference))
    if handoff is not None and handoff.priority != "urgent":
        handoff.priority, handoff.summary = "urgent", concern.summary
        handoff.packet = {**(handoff.packet or {}), "wanted": concern.about}
        log.info("handoff %s raised to urgent", handoff.reference)
    officer = add_message(session, conversation_id=conversation_id, sender="system", text=describe_for_resident(ticket))
    return [support, officer]


# A question whether an officer is still on the way, and the answer when no request is open.
ASKS_IF_SOMEONE_IS_COMING = re.compile(
    r"\b(?:is|are) (?:someone|somebody|anyone|anybody|an officer|a person|they) (?:still )?(?:coming|on (?:their|the) "
    r"way|going to (?:talk|speak|reply))\b|\b(?:do|have) i (?:still )?(?:got|have)? ?(?:someone|somebody|an officer|a "
    r"person) (?:still )?coming\b|\bam i (?:still )?in (?:the|a) queue\b",
    re.IGNORECASE,
)
NOBODY_COMING = (
    "There's no request for an officer open in this chat right now, so nobody is on the way. If you'd like a "
    "person to join, just ask for one."
)
# A resident in the queue who no longer needs the officer ("never mind", "I don't need a person any more").
# "no i dont want to talk to anyone", "leave me alone": a person is not wanted (withdraws a request, except a
# safeguarding one, which an officer still reads).
DECLINES_A_PERSON = re.compile(
    r"^\W*(?:(?:no+|nah|nope|please|pls)[\s,.!]+)*(?:i )?(?:don'?t|dont|do not) (?:want|need|wanna) (?:to )?"
    r"(?:talk|speak|chat) (?:to|with) (?:anyone|anybody|someone|a person|an officer|a human|you)\b|"
    r"^\W*(?:(?:no+|nah|nope|please|pls|just)[\s,.!]+)*leave me alone\b",
    re.IGNORECASE,
)
WITHDRAWS_REQUEST = re.compile(
    r"^\W*(?:(?:actually|oh|ok|okay|sorry|no|nah|nope|na|erm|um|hmm|wait|ah)[\s,.!]+)*(?:never ?mind|nvm|"
    r"forget (?:it|that)|no need|"
    r"(?:it'?s|its) (?:ok|okay|fine|sorted)(?: now)?(?:[\s,]+cancel (?:that|it|the|my)(?: request)?)?|"
    r"(?:i'?ve|i have) sorted it|cancel (?:that|it|the|my) (?:request|officer|call ?back)|"
    r"(?:i )?(?:don'?t|do not|no longer) need (?:a person|an officer|anyone|someone|the officer|a call ?back|"
    r"to (?:speak|talk) to (?:anyone|someone|a person|an officer))(?: any ?more)?)\b",
    re.IGNORECASE,
)
WITHDRAWN_TEXT = (
    "OK, I've cancelled your request for an officer ({reference}). I'm still here if you need anything, and you "
    "can ask for a person again at any time."
)
MIN_WORDS_AFTER_WITHDRAWING = 2  # "never mind, what do I do with old batteries": the rest goes to the bot


def asks_for_a_person(text: str) -> bool:
    """Whether a message asks for an officer: the offer's button, or words such as "a real person"."""
    return bool(ASKS_FOR_OFFICER.search(text.replace("_", " ")))  # "/request_officer" as tapped or typed


def nothing_for_a_waiting_resident(replies: list[BotReply]) -> bool:
    """Whether the bot's answer gives a resident waiting for an officer nothing: a greeting, small talk, a miss."""
    return all(reply.response in SMALL_TALK_RESPONSES or reply.gap == knowledge_gaps.UNANSWERED for reply in replies)


def _still_waiting_reply(
    database: Database, conversation_id: str, hours: OfficeHours, *, said_999: bool = False
) -> list[Message]:
    """Tell a resident still in the queue that the officer is on the way (nothing once an officer has it)."""
    with database.sessions.begin() as session:
        waiting = _waiting_handoff(session, conversation_id)
        if waiting is None:
            return []
        ticket = _describe_handoff(session, waiting, hours)
        text = still_waiting(ticket) if said_999 else waiting_text(waiting, ticket)
        return [add_message(session, conversation_id=conversation_id, sender="system", text=text)]


def _waiting_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """Return the conversation's handoff still waiting for an officer (in the queue or for a callback), if any."""
    return session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(("waiting", "callback")))
    )


def waiting_text(handoff: Handoff, ticket: HandoffRead) -> str:
    """Say the officer is on the way; while a safeguarding concern waits, 999 comes first, every time."""
    if handoff.summary.startswith(crisis.SAFEGUARDING):
        return f"{crisis.DANGER_NOW} {still_waiting(ticket)}"
    return still_waiting(ticket)


def still_waiting(ticket: HandoffRead) -> str:
    """Answer a message sent while waiting for an officer: who is coming, when, and that the message is kept.

    "hello??" typed in the queue got the bot's greeting, as if the chat had begun again.
    """
    kept = f"I've kept your message for them to read (reference {ticket.reference}), so you don't need to repeat it."
    if ticket.status == "callback":
        return f"Officers answer chats {ticket.officer_hours}, so an officer will reply here {ticket.reply_by}. {kept}"
    wait = f", about {ticket.expected_wait_minutes} minutes" if ticket.expected_wait_minutes else ""
    return (
        f"An officer is on the way: you're number {ticket.queue_position} in the queue{wait}. {kept} "
        "Please keep this window open."
    )


def _bot_unavailable(
    database: Database,
    conversation_id: str,
    *,
    for_bot: str,
    unavailable_text: str,
    hours: OfficeHours,
    now: datetime,
) -> list[Message]:
    """Rasa failed: hand over if the resident asked for an officer, else apologise with an officer offer."""
    if for_bot == REQUEST_OFFICER_PAYLOAD:
        return _hand_off_without_bot(database, conversation_id, hours=hours, now=now)
    with database.sessions.begin() as session:
        if not bot_may_speak(session, conversation_id):
            return []  # an officer took the chat meanwhile: no apology for the bot
        return [
            add_message(
                session,
                conversation_id=conversation_id,
                sender="system",
                text=unavailable_text,
                buttons=[{"title": "Talk to a person", "payload": REQUEST_OFFICER_PAYLOAD}],
            )
        ]


def _store_replies(
    database: Database, conversation_id: str, replies: list[BotReply], *, question: str
) -> list[Message]:
    """Store the bot's replies, unless an officer took the conversation while the bot was answering."""
    with database.sessions.begin() as session:
        if not bot_may_speak(session, conversation_id):
            log.info("bot replies dropped: an officer took the conversation while the bot was answering")
            return []
        conversation = session.get_one(Conversation, conversation_id)
        return [
            ask_for_rating(session, conversation, text=BOT_RATING_QUESTION)
            if reply.ask_rating
            else _store_reply(session, conversation_id, reply, question=question)
            for reply in replies
        ]


def _hand_off_without_bot(
    database: Database, conversation_id: str, *, hours: OfficeHours, now: datetime
) -> list[Message]:
    """Queue the conversation for an officer when the bot cannot (down or busy), and tell the resident what next."""
    with database.sessions.begin() as session:
        if not bot_may_speak(session, conversation_id):
            return []  # an officer took the chat meanwhile
        ticket = request_handoff(
            session,
            conversation_id=conversation_id,
            hours=hours,
            now=now,
            request=HandoffCreate(reason="bot_unavailable", priority="high"),
        )
        return [
            add_message(session, conversation_id=conversation_id, sender="system", text=describe_for_resident(ticket))
        ]


def _store_reply(session: Session, conversation_id: str, reply: BotReply, *, question: str) -> Message:
    """Store a bot reply; one the bot marked as a knowledge gap puts the resident's question on the gaps list."""
    message = add_message(
        session,
        conversation_id=conversation_id,
        sender="bot",
        text=reply.text,
        buttons=reply.buttons,
        article=reply.article,
    )
    if reply.gap:
        knowledge_gaps.record_gap(session, reply=message, question=question, kind=reply.gap)
    return message


def bot_may_speak(session: Session, conversation_id: str) -> bool:
    """Lock the conversation for the bot's replies; False once an officer holds it (nothing is then stored).

    One conditional UPDATE takes the row's lock (SQLite's write lock) before anything is stored, so an
    officer's claim either committed first, and the replies Rasa sent meanwhile are dropped, or waits
    until they are stored, ahead of "... has joined the chat".
    """
    touched = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.mode != Mode.OFFICER.value)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], touched).rowcount == 1


def rating_buttons() -> list[dict[str, str]]:
    """Return the buttons of the satisfaction question."""
    return [{"title": title, "payload": f"/rate {score}"} for score, title in RATING_CHOICES]


def ask_for_rating(session: Session, conversation: Conversation, text: str, *, author: str | None = None) -> Message:
    """Ask the resident how we did, with one button per answer."""
    conversation.rating_requested_at = utcnow()
    return add_message(
        session, conversation_id=conversation.id, sender="system", text=text, buttons=rating_buttons(), author=author
    )


def record_rating(session: Session, conversation: Conversation, score: int) -> Message:
    """Keep the resident's rating (the latest answer counts) and thank them."""
    conversation.rating = score
    conversation.rated_at = utcnow()
    return add_message(
        session,
        conversation_id=conversation.id,
        sender="system",
        text="Thank you for your feedback. If you need anything else, just ask here.",
    )


def request_handoff(
    session: Session, *, conversation_id: str, request: HandoffCreate, hours: OfficeHours, now: datetime
) -> HandoffRead:
    """Queue the conversation for an officer (or record a callback out of hours); repeat calls reuse it."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound
    handoff = session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_HANDOFF_STATES))
    )
    if handoff is None:
        handoff = Handoff(
            conversation_id=conversation_id,
            reason=request.reason,
            priority=request.priority,
            summary=request.summary,
            reference="pending",
            queue=queue_for(request.topic),
            packet={"topic": request.topic, "wanted": request.wanted, "collected": request.collected},
            status="waiting" if hours.is_open(now) else "callback",
            requested_at=now,
        )
        session.add(handoff)
        session.flush()
        handoff.reference = f"HO-{handoff.id:06d}"
        if conversation.mode == Mode.BOT:
            conversation.mode = Mode.QUEUED.value
        session.flush()
        log.info("handoff %s queued: reason=%s priority=%s", handoff.reference, handoff.reason, handoff.priority)
    return _describe_handoff(session, handoff, hours)


def queue_for(topic: str) -> str:
    """Return the officers' queue a handoff about ``topic`` waits in."""
    return "electoral_services" if topic == "electoral" else "customer_focus"


def describe_for_resident(ticket: HandoffRead) -> str:
    """Say what happens next after a handoff the hub recorded itself."""
    if ticket.status == "callback":
        return (
            f"I've asked an officer to pick up this chat (reference {ticket.reference}). Officers answer "
            f"chats {ticket.officer_hours}, so they will reply here {ticket.reply_by}."
        )
    return (
        f"I've asked an officer to pick up this chat (reference {ticket.reference}). You're number "
        f"{ticket.queue_position} in the queue; please keep this window open."
    )


def _describe_handoff(session: Session, handoff: Handoff, hours: OfficeHours) -> HandoffRead:
    in_hours = handoff.status != "callback"
    position = wait = None
    reply_by = None
    if handoff.status == "waiting":
        position = 1 + (
            session.scalar(
                select(func.count()).select_from(Handoff).where(Handoff.status == "waiting", Handoff.id < handoff.id)
            )
            or 0
        )
        wait = position * MINUTES_PER_QUEUED_CHAT
    elif handoff.status == "callback":
        opening = hours.next_opening(handoff.requested_at)
        reply_by = f"by the end of {opening:%A %-d %B}"
    return HandoffRead(
        reference=handoff.reference,
        status=handoff.status,
        in_office_hours=in_hours,
        queue_position=position,
        expected_wait_minutes=wait,
        officer_hours=hours.describe(),
        reply_by=reply_by,
    )
