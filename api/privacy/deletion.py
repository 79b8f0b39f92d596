"""Delete conversations and everything the hub keeps with them, for the purge and for an erasure alike.

What goes: the transcript, handoffs (and their packets), internal notes, the Telegram chat's link (its next
message starts a new conversation) and delivery marks, the identity checks made in the conversation, and
the resident's ratings of answers and the knowledge gaps (questions) recorded from it.
What stays: back-office records made in the chat (a register change, an absent-vote or service request, a
receipt sent) are the council's records of the service itself, kept under that service's own schedule;
an export lists them by reference so the data protection officer can deal with them there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Handoff, Message, Note
from api.electoral.models import Verification, VerificationAttempt
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.payments.models import AccountVerification, AccountVerificationAttempt
from api.service_requests.models import ReporterEmailCheck, ReporterMail
from api.telegram.models import TelegramChat, TelegramDelivery

CHUNK = 500  # ids per statement, well under every database's limit on bound parameters


def affected(session: Session, statement: Any) -> int:
    """Run a bulk DELETE or UPDATE and return how many rows it changed."""
    result = cast(CursorResult[Any], session.execute(statement.execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


def delete_conversations(session: Session, conversation_ids: Sequence[str]) -> Counter[str]:
    """Delete the conversations and what hangs off them; return how many rows of each kind went."""
    counts: Counter[str] = Counter()
    for start in range(0, len(conversation_ids), CHUNK):
        ids = list(conversation_ids[start : start + CHUNK])
        messages = select(Message.id).where(Message.conversation_id.in_(ids))
        counts["telegram deliveries"] += affected(
            session, delete(TelegramDelivery).where(TelegramDelivery.message_id.in_(messages))
        )
        counts["answer ratings"] += affected(session, delete(AnswerRating).where(AnswerRating.conversation_id.in_(ids)))
        counts["knowledge gaps"] += affected(session, delete(KnowledgeGap).where(KnowledgeGap.conversation_id.in_(ids)))
        counts["messages"] += affected(session, delete(Message).where(Message.conversation_id.in_(ids)))
        counts["notes"] += affected(session, delete(Note).where(Note.conversation_id.in_(ids)))
        counts["handoffs"] += affected(session, delete(Handoff).where(Handoff.conversation_id.in_(ids)))
        counts["telegram chats"] += affected(session, delete(TelegramChat).where(TelegramChat.conversation_id.in_(ids)))
        for table in (
            VerificationAttempt,
            Verification,
            AccountVerificationAttempt,
            AccountVerification,
            ReporterEmailCheck,
            ReporterMail,
        ):
            counts["identity checks"] += affected(session, delete(table).where(table.conversation_id.in_(ids)))
        counts["conversations"] += affected(session, delete(Conversation).where(Conversation.id.in_(ids)))
    return counts
