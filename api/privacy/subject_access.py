"""Subject access requests: find a conversation, export everything held about it, erase it.

A resident identifies their conversation by the Telegram chat they wrote from, or by a handoff reference
they were given; officers may also paste the conversation id. The export is one JSON document: the
transcript, handoffs and their packets, internal notes, ratings of answers and the questions kept as
knowledge gaps, identity checks, the back-office records made in the conversation, and Rasa's tracker
events for it.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Handoff, Message, Note
from api.db import utcnow
from api.electoral.models import AbsentVoteRequest, Elector, ElectoralChangeRequest, Verification, VerificationAttempt
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.officers.models import Officer
from api.payments.models import (
    AccountVerification,
    AccountVerificationAttempt,
    CouncilTaxAccount,
    DocumentRequest,
)
from api.privacy.deletion import affected, delete_conversations
from api.privacy.tracker import TrackerStore
from api.service_requests.models import ReporterEmailCheck, ReporterMail, ServiceRequest
from api.telegram.models import TelegramChat

# Said in the export, so whoever reads it on the resident's behalf knows why those events hold no text.
TRACKER_NOTE = (
    "The assistant's dialogue events as its tracker store keeps them: what the resident typed is never "
    "stored there, and slot values and the assistant's own texts are encrypted and become unreadable "
    "after a while (an hour by default)."
)
TELEGRAM_CHAT_ID = re.compile(r"-?\d{1,18}")
HANDOFF_REFERENCE = re.compile(r"HO-\d{1,12}", re.IGNORECASE)
# What a service request made in the chat holds about the resident, a cancellation's reason included.
SERVICE_REQUEST_FIELDS = (
    *("reference", "category", "status", "location_text", "description", "contact_email", "created_at"),
    *("cancelled_at", "cancel_reason"),
)


def find_conversation(session: Session, query: str) -> str | None:
    """Return the conversation a Telegram chat id, a handoff reference or a conversation id names."""
    query = query.strip()
    if TELEGRAM_CHAT_ID.fullmatch(query):
        chat = session.get(TelegramChat, int(query))
        return chat.conversation_id if chat else None
    if HANDOFF_REFERENCE.fullmatch(query):
        return session.scalar(select(Handoff.conversation_id).where(Handoff.reference == query.upper()))
    if not query or len(query) > 48:
        return None
    return session.scalar(select(Conversation.id).where(Conversation.id == query))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: Any, *columns: str) -> dict[str, Any]:
    return {column: _plain(getattr(row, column)) for column in columns}


def _by(session: Session, model: Any, conversation_id: str) -> list[Any]:
    return list(session.scalars(select(model).where(model.conversation_id == conversation_id)))


def summary(session: Session, tracker: TrackerStore, conversation_id: str) -> dict[str, Any]:
    """Say what is held (counts, the channel, dates) without showing any of it: for the officer who looks up."""
    conversation = session.get_one(Conversation, conversation_id)
    chat = session.scalar(select(TelegramChat).where(TelegramChat.conversation_id == conversation_id))

    def count(model: Any) -> int:
        return (
            session.scalar(select(func.count()).select_from(model).where(model.conversation_id == conversation_id)) or 0
        )

    return {
        "conversation_id": conversation_id,
        "channel": conversation.channel,
        "telegram_chat_id": chat.chat_id if chat else None,
        "started": conversation.created_at,
        "last_activity": conversation.updated_at,
        "messages": count(Message),
        "handoffs": count(Handoff),
        "notes": count(Note),
        "answer_ratings": count(AnswerRating),
        "knowledge_gaps": count(KnowledgeGap),
        "tracker_events": len(tracker.conversation_events(conversation_id)),
    }


def export(session: Session, tracker: TrackerStore, conversation_id: str) -> dict[str, Any]:
    """Return everything held about the conversation, as plain JSON-ready data."""
    conversation = session.get_one(Conversation, conversation_id)
    chat = session.scalar(select(TelegramChat).where(TelegramChat.conversation_id == conversation_id))
    notes = session.execute(
        select(Note, Officer.display_name)
        .join(Officer, Officer.id == Note.officer_id)
        .where(Note.conversation_id == conversation_id)
        .order_by(Note.id)
    )
    return {
        "exported_at": utcnow().isoformat(),
        "conversation": _row(conversation, "id", "channel", "mode", "created_at", "updated_at", "rating", "rated_at")
        | {"telegram_chat_id": chat.chat_id if chat else None},
        "messages": [
            _row(m, "id", "sender", "author", "text", "buttons", "created_at")
            for m in session.scalars(
                select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
            )
        ],
        "handoffs": [
            _row(
                h,
                "reference",
                "reason",
                "priority",
                "status",
                "queue",
                "summary",
                "packet",
                "requested_at",
                "claimed_at",
                "closed_at",
            )
            for h in _by(session, Handoff, conversation_id)
        ],
        "internal_notes": [_row(note, "text", "created_at") | {"officer": name} for note, name in notes],
        "answer_ratings": [
            _row(r, "message_id", "article", "helpful", "rated_at") for r in _by(session, AnswerRating, conversation_id)
        ],
        "knowledge_gaps": [
            _row(g, "message_id", "kind", "question", "article", "created_at")
            for g in _by(session, KnowledgeGap, conversation_id)
        ],
        "identity_checks": _identity_checks(session, conversation_id),
        "back_office_records": _records(session, conversation_id),
        "rasa_tracker_events": tracker.conversation_events(conversation_id),
        "about_rasa_tracker_events": TRACKER_NOTE,
    }


def _identity_checks(session: Session, conversation_id: str) -> dict[str, Any]:
    electoral = session.get(Verification, conversation_id)
    account = session.get(AccountVerification, conversation_id)
    return {
        "electoral_attempts": [
            _row(a, "attempted_at", "succeeded") for a in _by(session, VerificationAttempt, conversation_id)
        ],
        "electoral_verification": electoral
        and {
            "elector_number": session.get_one(Elector, electoral.elector_id).elector_number,
            **_row(electoral, "verified_at", "expires_at"),
        },
        "council_tax_attempts": [
            _row(a, "attempted_at", "succeeded") for a in _by(session, AccountVerificationAttempt, conversation_id)
        ],
        "reporter_email_checks": [
            _row(a, "attempted_at", "succeeded") for a in _by(session, ReporterEmailCheck, conversation_id)
        ],
        "reporter_mails": [_row(m, "kind", "sent_at") for m in _by(session, ReporterMail, conversation_id)],
        "council_tax_verification": account
        and {
            "account_reference": session.get_one(CouncilTaxAccount, account.account_id).reference,
            **_row(account, "verified_at", "expires_at"),
        },
    }


def _records(session: Session, conversation_id: str) -> dict[str, Any]:
    absent = session.scalars(
        select(AbsentVoteRequest).where(AbsentVoteRequest.details["conversation_id"].as_string() == conversation_id)
    )
    return {
        "absent_vote_requests": [
            _row(r, "reference", "kind", "status", "details", "created_at", "withdrawn_at") for r in absent
        ],
        "register_changes": [
            _row(r, "reference", "kind", "status", "details", "created_at")
            for r in _by(session, ElectoralChangeRequest, conversation_id)
        ],
        "service_requests": [_row(r, *SERVICE_REQUEST_FIELDS) for r in _by(session, ServiceRequest, conversation_id)],
        "council_tax_documents": [
            _row(r, "reference", "kind", "email", "status", "created_at", "sent_at")
            for r in _by(session, DocumentRequest, conversation_id)
        ],
    }


def erase(session: Session, tracker: TrackerStore, conversation_id: str) -> Counter[str]:
    """Delete the conversation, what the hub keeps with it, and its events in Rasa's tracker store.

    The hub's rows go in the caller's transaction; the tracker's events are deleted at once (another
    database), so a failure there leaves the hub's rows in place and the erasure can simply be repeated.
    """
    counts = delete_conversations(session, [conversation_id])
    counts["document addresses"] += affected(
        session,
        update(DocumentRequest)
        .where(
            DocumentRequest.conversation_id == conversation_id,
            DocumentRequest.status == "sent",
            DocumentRequest.email != "",
        )
        .values(email=""),
    )
    session.flush()
    counts["tracker events"] += tracker.delete_conversation(conversation_id)
    return +counts
