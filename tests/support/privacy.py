"""Rows for the privacy tests: a conversation holding something of every kind, and a small register."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Handoff, Message, Note
from api.electoral.models import (
    AbsentVoteKind,
    AbsentVoteRequest,
    Elector,
    PollingDistrict,
    RegistrationStatus,
    Verification,
    VerificationAttempt,
)
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.officers.models import Officer
from api.payments.models import AccountVerification, AccountVerificationAttempt, CouncilTaxAccount
from api.places.models import Property
from api.telegram.models import TelegramChat, TelegramDelivery

HELD = {
    "messages": Message,
    "handoffs": Handoff,
    "notes": Note,
    "telegram chats": TelegramChat,
    "electoral attempts": VerificationAttempt,
    "electoral verification": Verification,
    "account attempts": AccountVerificationAttempt,
    "account verification": AccountVerification,
    "answer ratings": AnswerRating,
    "knowledge gaps": KnowledgeGap,
    "conversation": Conversation,
}


def held(session: Session, conversation_id: str) -> dict[str, int]:
    """Count the hub's rows of each kind for one conversation."""
    counts = {}
    for kind, model in HELD.items():
        column = model.id if model is Conversation else model.conversation_id
        counts[kind] = session.scalar(select(func.count()).select_from(model).where(column == conversation_id)) or 0
    counts["telegram deliveries"] = (
        session.scalar(
            select(func.count())
            .select_from(TelegramDelivery)
            .join(Message, Message.id == TelegramDelivery.message_id)
            .where(Message.conversation_id == conversation_id)
        )
        or 0
    )
    return counts


def officer(session: Session, role: str = "customer_focus") -> Officer:
    """Add an officer who signs nothing in (for notes and audit rows)."""
    added = Officer(
        email=f"{secrets.token_hex(4)}@council.test",
        display_name="Test Officer",
        role=role,
        password_hash="not-a-hash",
        active=True,
    )
    session.add(added)
    session.flush()
    return added


def register(session: Session) -> dict[str, Any]:
    """Add one elector (Ann Example, AA1-0001) and one council tax account at one property."""
    suffix = secrets.randbelow(10**6)
    session.add(PollingDistrict(code=f"T{suffix}", name="Test district", ward="Test ward"))
    session.flush()
    session.add(
        Property(
            uprn=100000000000 + suffix,
            address_line="1 Test Street",
            town="Ashdown",
            postcode="AV1 1AA",
            polling_district_code=f"T{suffix}",
        )
    )
    session.flush()
    elector = Elector(
        elector_number=f"AA1-{suffix:06d}",
        first_name="Ann",
        last_name="Example",
        date_of_birth=date(1980, 5, 17),
        uprn=100000000000 + suffix,
        status=RegistrationStatus.REGISTERED,
    )
    account = CouncilTaxAccount(
        reference=f"CT{suffix:08d}",
        holder_first_name="Ann",
        holder_last_name="Example",
        holder_date_of_birth=date(1980, 5, 17),
        uprn=100000000000 + suffix,
        band="C",
        annual_charge_pence=150000,
    )
    session.add_all([elector, account])
    session.flush()
    return {"elector": elector, "account": account, "uprn": 100000000000 + suffix}


def conversation_with_everything(
    session: Session, *, at: datetime, note_by: Officer, register_rows: dict[str, Any] | None = None
) -> str:
    """Add a Telegram conversation last active at ``at`` with a row of every kind the hub keeps with it."""
    conversation_id = secrets.token_urlsafe(18)
    session.add(Conversation(id=conversation_id, token_hash="0" * 64, channel="telegram", created_at=at, updated_at=at))
    session.flush()
    message = Message(
        conversation_id=conversation_id, sender="resident", text="I'm Ann Example, born 17/05/1980", created_at=at
    )
    session.add(message)
    session.flush()
    session.add_all(
        [
            TelegramDelivery(message_id=message.id, outcome="sent", delivered_at=at),
            # (Ratings and gaps belong to the bot's answers; one message stands for every kind here.)
            AnswerRating(
                message_id=message.id,
                conversation_id=conversation_id,
                article="batteries-electricals",
                helpful=False,
                rated_at=at,
            ),
            KnowledgeGap(
                conversation_id=conversation_id,
                message_id=message.id,
                kind="not_helpful",
                question="where do batteries go",
                article="batteries-electricals",
                created_at=at,
            ),
            TelegramChat(chat_id=secrets.randbelow(10**9) + 1, conversation_id=conversation_id, created_at=at),
            Handoff(
                reference=f"HO-{secrets.randbelow(10**9):09d}",
                conversation_id=conversation_id,
                reason="resident_asked",
                queue="customer_focus",
                requested_at=at,
                packet={"topic": "general", "wanted": "Talk to someone", "collected": {}},
            ),
            Note(conversation_id=conversation_id, officer_id=note_by.id, text="Rang back", created_at=at),
            VerificationAttempt(conversation_id=conversation_id, uprn=1, attempted_at=at, succeeded=False),
            AccountVerificationAttempt(conversation_id=conversation_id, attempted_at=at, succeeded=False),
        ]
    )
    if register_rows:
        session.add_all(
            [
                Verification(
                    conversation_id=conversation_id,
                    elector_id=register_rows["elector"].id,
                    verified_at=at,
                    expires_at=at + timedelta(hours=1),
                ),
                AccountVerification(
                    conversation_id=conversation_id,
                    account_id=register_rows["account"].id,
                    verified_at=at,
                    expires_at=at + timedelta(hours=1),
                ),
                AbsentVoteRequest(
                    reference=f"AV-{secrets.randbelow(10**9)}",
                    idempotency_key=secrets.token_hex(8),
                    elector_id=register_rows["elector"].id,
                    kind=AbsentVoteKind.POSTAL,
                    details={"conversation_id": conversation_id},
                    created_at=at,
                ),
            ]
        )
    session.flush()
    return conversation_id
