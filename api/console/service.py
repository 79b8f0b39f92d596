"""What officers do with handoffs: see their queues, claim one (one officer wins), chat, note, resolve or hand back.

Each role sees its own queue; supervisors see every queue. Everything an officer says reaches the resident
through the hub's messages, so the web widget and Telegram show it the same way.

Least privilege: who a resident proved to be, and the records that hang off it, are shown only to the teams
whose work needs them (Electoral Services the elector, Customer Focus the council tax account, supervisors
both) and only while the conversation is open to the officer. A closed conversation is read-only, and once
it has been closed for a while only supervisors may open it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, select, update
from sqlalchemy.orm import Session

from api.console.transcript import hidden_birth_dates, hide_birth_dates_in
from api.conversations.models import Conversation, Handoff, Message, Mode, Note
from api.conversations.redaction import redact_card_numbers
from api.conversations.service import OPEN_HANDOFF_STATES, add_message, ask_for_rating, list_messages
from api.db import as_utc, utcnow
from api.electoral import requests as electoral_requests
from api.electoral.verification import optional_verified_elector
from api.officers.models import Officer
from api.payments import documents as payment_documents
from api.payments.verification import optional_verified_account
from api.records import RecordSummary
from api.service_requests import service as service_requests

QUEUES_OF_ROLE = {
    "electoral_services": ("electoral_services",),
    "customer_focus": ("customer_focus",),
    "supervisor": ("electoral_services", "customer_focus"),
}
TEAM_OF_ROLE = {
    "electoral_services": "Electoral Services",
    "customer_focus": "Customer Focus",
    "supervisor": "Customer Services",
}
QUEUE_NAMES = {"electoral_services": "Electoral Services", "customer_focus": "Customer Focus"}
REASON_NAMES = {
    "resident_asked": "Asked for a person",
    "fallback": "Bot did not understand",
    "complaint": "Complaint",
    "payment_difficulty": "Payment difficulty",
    "locked_out": "Verification locked out",
    "backoffice_error": "Back office failed",
    "emergency": "Emergency",
    "bot_unavailable": "Bot unavailable",
    "overdue_request": "Overdue request",
    "cancel_refused": "Could not cancel a request (not shown to be the reporter)",
    "lookup_refused": "Could not look up a request (unknown references, too many emails, or no email sent)",
}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2}
WAITING_STATES = ("waiting", "callback")
CLOSED_STATES = ("resolved", "returned", "withdrawn")  # withdrawn: the resident no longer needed an officer
ELECTORAL, COUNCIL_TAX = "electoral", "council_tax"
# The kinds of verified identity (and the records that hang off it) each role's work needs.
DETAILS_OF_ROLE = {
    "electoral_services": frozenset({ELECTORAL}),
    "customer_focus": frozenset({COUNCIL_TAX}),
    "supervisor": frozenset({ELECTORAL, COUNCIL_TAX}),
}
# How long a closed conversation stays open to its team (the console passes CA_CONSOLE_CLOSED_VISIBLE_HOURS).
CLOSED_VISIBLE_FOR = timedelta(hours=24)
WITHHELD = "Identity checked; its details are shown only while the conversation is open to you."


class NotAllowed(Exception):
    """The officer may not see or act on this conversation (another team's queue, or not theirs)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


CLOSED_TOO_LONG = (
    "This conversation was closed some time ago; only a supervisor can open it now. Ask a supervisor if you need it."
)


class AlreadyClaimed(Exception):
    """Someone else claimed the handoff first, or it is no longer waiting."""

    def __init__(self, by: str | None) -> None:
        super().__init__(by or "nobody")
        self.by = by


class NothingToDo(Exception):
    """The conversation has no handoff in the state the action needs."""


def first_name(officer: Officer) -> str:
    """Return the name residents see: the officer's first name."""
    return officer.display_name.split()[0]


def signature(officer: Officer) -> str:
    """Return how an officer's messages are signed for the resident, e.g. "Priya, Customer Focus"."""
    return f"{first_name(officer)}, {TEAM_OF_ROLE.get(officer.role, 'Council officer')}"


def _waited_minutes(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))


@dataclass(frozen=True)
class QueueItem:
    """One handoff as the queue shows it."""

    reference: str
    conversation_id: str
    reason: str
    reason_name: str
    priority: str
    queue: str
    status: str
    channel: str
    wanted: str
    waited_minutes: int
    claimed_by: str | None
    mine: bool


def queue_for_officer(session: Session, officer: Officer, *, now: datetime | None = None) -> list[QueueItem]:
    """Return the open handoffs in the officer's queues: most urgent first, then longest waiting."""
    now = now or utcnow()
    rank = case(PRIORITY_ORDER, value=Handoff.priority, else_=3)
    rows = session.execute(
        select(Handoff, Conversation.channel, Officer.display_name)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .outerjoin(Officer, Officer.id == Handoff.claimed_by)
        .where(Handoff.status.in_(OPEN_HANDOFF_STATES), Handoff.queue.in_(QUEUES_OF_ROLE[officer.role]))
        .order_by(rank, Handoff.requested_at)
    )
    return [
        QueueItem(
            reference=h.reference,
            conversation_id=h.conversation_id,
            reason=h.reason,
            reason_name=REASON_NAMES.get(h.reason, h.reason),
            priority=h.priority,
            queue=h.queue,
            status=h.status,
            channel=channel,
            wanted=(h.packet or {}).get("wanted", ""),
            waited_minutes=_waited_minutes(as_utc(h.requested_at), now),
            claimed_by=claimer,
            mine=h.claimed_by == officer.id,
        )
        for h, channel, claimer in rows
    ]


def _latest_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc()).limit(1)
    )


def _visible_handoff(
    session: Session, officer: Officer, conversation_id: str, closed_visible_for: timedelta = CLOSED_VISIBLE_FOR
) -> Handoff:
    handoff = _latest_handoff(session, conversation_id)
    if handoff is None or handoff.queue not in QUEUES_OF_ROLE[officer.role]:
        raise NotAllowed
    if (
        officer.role != "supervisor"
        and handoff.status in CLOSED_STATES
        and handoff.closed_at is not None
        and as_utc(handoff.closed_at) + closed_visible_for < utcnow()
    ):
        raise NotAllowed(CLOSED_TOO_LONG)
    return handoff


def check_visible(
    session: Session, officer: Officer, conversation_id: str, closed_visible_for: timedelta = CLOSED_VISIBLE_FOR
) -> None:
    """Raise NotAllowed unless the officer may see the conversation (as ``view_conversation`` decides)."""
    _visible_handoff(session, officer, conversation_id, closed_visible_for)


def open_to(officer: Officer, handoff: Handoff) -> bool:
    """Whether the conversation is open to the officer: not closed, and not taken by someone else."""
    return handoff.status in OPEN_HANDOFF_STATES and (
        handoff.claimed_by in (None, officer.id) or officer.role == "supervisor"
    )


def claim(session: Session, officer: Officer, *, reference: str) -> Handoff:
    """Take a waiting handoff. When two officers claim at once, exactly one succeeds; the other is told who.

    The claim is one conditional UPDATE, so the database decides the winner: the row changes only while it
    is still waiting, and only one transaction can make that change.
    """
    handoff = session.scalar(select(Handoff).where(Handoff.reference == reference))
    if handoff is None or handoff.queue not in QUEUES_OF_ROLE[officer.role]:
        raise NotAllowed
    now = utcnow()
    won = cast(
        CursorResult[Any],
        session.execute(
            update(Handoff)
            .where(Handoff.id == handoff.id, Handoff.status.in_(WAITING_STATES))
            .values(status="claimed", claimed_by=officer.id, claimed_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    session.refresh(handoff)
    if not won:
        claimer = session.get(Officer, handoff.claimed_by) if handoff.claimed_by else None
        raise AlreadyClaimed(claimer.display_name if claimer else None)
    # Locked, as the hub locks it to store the bot's replies: none is stored after the officer has joined.
    conversation = session.get_one(Conversation, handoff.conversation_id, with_for_update=True)
    conversation.mode = Mode.OFFICER.value
    add_message(
        session,
        conversation_id=conversation.id,
        sender="system",
        author=signature(officer),
        text=f"{first_name(officer)} from {TEAM_OF_ROLE[officer.role]} has joined the chat.",
    )
    return handoff


def _held_by(session: Session, officer: Officer, conversation_id: str) -> Handoff:
    handoff = _visible_handoff(session, officer, conversation_id)
    if handoff.status != "claimed":
        raise NothingToDo
    if handoff.claimed_by != officer.id and officer.role != "supervisor":
        raise NotAllowed
    return handoff


def reply(session: Session, officer: Officer, *, conversation_id: str, text: str) -> Message:
    """Send the officer's message to the resident (a card number is hidden, as in residents' messages)."""
    _held_by(session, officer, conversation_id)
    return add_message(
        session,
        conversation_id=conversation_id,
        sender="officer",
        author=signature(officer),
        text=redact_card_numbers(text).text,
    )


def add_note(session: Session, officer: Officer, *, conversation_id: str, text: str) -> Note:
    """Keep an internal note on the conversation; residents never see notes. A closed conversation is read-only."""
    if _visible_handoff(session, officer, conversation_id).status not in OPEN_HANDOFF_STATES:
        raise NothingToDo
    note = Note(conversation_id=conversation_id, officer_id=officer.id, text=redact_card_numbers(text).text)
    session.add(note)
    session.flush()
    return note


def hand_back(session: Session, officer: Officer, *, conversation_id: str) -> None:
    """Return the conversation to the bot; the resident is told and can carry on."""
    handoff = _held_by(session, officer, conversation_id)
    handoff.status, handoff.closed_at = "returned", utcnow()
    session.get_one(Conversation, conversation_id).mode = Mode.BOT.value
    add_message(
        session,
        conversation_id=conversation_id,
        sender="system",
        author=signature(officer),
        text=f"{first_name(officer)} has handed you back to the council assistant. "
        "You can carry on asking questions here.",
    )


def resolve(session: Session, officer: Officer, *, conversation_id: str) -> None:
    """Close the handoff as resolved and ask the resident how we did."""
    handoff = _held_by(session, officer, conversation_id)
    handoff.status, handoff.closed_at = "resolved", utcnow()
    conversation = session.get_one(Conversation, conversation_id)
    conversation.mode = Mode.BOT.value
    ask_for_rating(
        session,
        conversation,
        author=signature(officer),
        text=f"{first_name(officer)} has marked your enquiry as resolved. Thank you for contacting us. "
        "How was your experience today?",
    )


# A back-office record made in this conversation, as its feature lists it.
RelatedRecord = RecordSummary


@dataclass
class ConversationView:
    """What the console shows about a conversation: the packet, verification, related records, transcript."""

    conversation: Conversation
    handoff: Handoff
    reason_name: str
    claimed_by: str | None
    mine: bool
    messages: list[Message]
    notes: list[tuple[str, str]]  # who wrote each note, and its text as this officer may see it
    verification: list[str]
    # Open to this officer: identity details shown, notes may be added. Otherwise the page is read-only.
    open_to_me: bool
    related: list[RelatedRecord] = field(default_factory=list)
    packet: dict[str, Any] = field(default_factory=dict)
    # What to show instead of a resident's message, by message id: a date of birth the officer's work does
    # not need (api.console.transcript). The stored message is unchanged.
    shown_text: dict[int, str] = field(default_factory=dict)

    def text_of(self, message: Message) -> str:
        """Return a message's text as this officer may see it."""
        return self.shown_text.get(message.id, message.text)


def view_conversation(
    session: Session, officer: Officer, *, conversation_id: str, closed_visible_for: timedelta = CLOSED_VISIBLE_FOR
) -> ConversationView:
    """Return everything the officer needs to take the conversation over, and no more than their work needs."""
    handoff = _visible_handoff(session, officer, conversation_id, closed_visible_for)
    claimer = session.get(Officer, handoff.claimed_by) if handoff.claimed_by else None
    notes = session.execute(
        select(Officer.display_name, Note)
        .join(Officer, Officer.id == Note.officer_id)
        .where(Note.conversation_id == conversation_id)
        .order_by(Note.id)
    )
    kinds = DETAILS_OF_ROLE[officer.role] if open_to(officer, handoff) else frozenset()
    messages = list_messages(session, conversation_id=conversation_id)
    return ConversationView(
        conversation=session.get_one(Conversation, conversation_id),
        handoff=handoff,
        reason_name=REASON_NAMES.get(handoff.reason, handoff.reason),
        claimed_by=claimer.display_name if claimer else None,
        mine=handoff.claimed_by == officer.id,
        messages=messages,
        shown_text={} if ELECTORAL in kinds else hidden_birth_dates(messages),
        notes=[(name, note.text if ELECTORAL in kinds else hide_birth_dates_in(note.text)) for name, note in notes],
        open_to_me=open_to(officer, handoff),
        verification=verification_level(
            session, conversation_id, kinds=kinds, withheld_kinds=DETAILS_OF_ROLE[officer.role]
        ),
        related=related_records(session, conversation_id, kinds=kinds),
        packet=handoff.packet or {},
    )


def verification_level(
    session: Session, conversation_id: str, *, kinds: frozenset[str], withheld_kinds: frozenset[str] = frozenset()
) -> list[str]:
    """Say who the resident has proved to be in this conversation, for the ``kinds`` the officer may see.

    A proof of a kind in ``withheld_kinds`` but not in ``kinds`` (the officer's own kind, on a conversation
    no longer open to them) is mentioned without its details; other kinds are not mentioned at all. Each
    proof is read through its feature's service, which alone decides what counts as proved.
    """
    now = utcnow()
    proven, withheld = [], False
    elector = optional_verified_elector(session, conversation_id=conversation_id, now=now)
    if elector is not None:
        if ELECTORAL in kinds:
            proven.append(
                f"Identity verified as elector {elector.elector_number} ({elector.first_name} {elector.last_name})"
            )
        withheld |= ELECTORAL in withheld_kinds - kinds
    account = optional_verified_account(session, conversation_id=conversation_id, now=now)
    if account is not None:
        if COUNCIL_TAX in kinds:
            proven.append(f"Council tax account {account.reference} verified")
        withheld |= COUNCIL_TAX in withheld_kinds - kinds
    return proven + ([WITHHELD] if withheld else [])


def related_records(session: Session, conversation_id: str, *, kinds: frozenset[str]) -> list[RelatedRecord]:
    """Return the back-office records made in this conversation that the officer's work needs.

    Electoral records (the verified elector's absent-vote requests, register changes) need ``electoral``,
    council tax documents ``council_tax``; service requests (lodged or cancelled in it) are every team's
    business. Each feature lists its own records (``records_of_conversation``), so the console never reads their tables.
    """
    records = electoral_requests.records_of_conversation(session, conversation_id) if ELECTORAL in kinds else []
    records += service_requests.records_of_conversation(session, conversation_id)
    if COUNCIL_TAX in kinds:
        records += payment_documents.records_of_conversation(session, conversation_id)
    return records
