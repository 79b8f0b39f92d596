"""Back-office endpoints the Telegram bridge calls (/api/v1/telegram, service tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from api.access.http import THROTTLED_RESPONSES, enforce
from api.conversations.redaction import redact_card_numbers
from api.conversations.routing import ResidentRoutingDep
from api.conversations.schemas import MAX_MESSAGE_LENGTH, TOO_LONG
from api.conversations.service import HubBusy, add_message
from api.db import ROW_ID_MAX, Database
from api.deps import DatabaseDep, SessionDep, SettingsDep, require_telegram_token
from api.knowledge_gaps.schemas import AnswerRatingRead
from api.overload import bot_busy_sentence
from api.telegram import service
from api.telegram.schemas import (
    DeliveryCreate,
    Outbox,
    OutboxMessage,
    TelegramMessageAccepted,
    TelegramMessageIn,
    TelegramRatingIn,
)

router = APIRouter(
    prefix="/api/v1/telegram",
    tags=["telegram"],
    dependencies=[Depends(require_telegram_token)],
    responses={
        401: {"description": "No valid service token"},
        403: {"description": "The token is not the Telegram bridge's"},
    },
)


@router.post("/updates", response_model=TelegramMessageAccepted, responses=THROTTLED_RESPONSES)
async def receive_message(
    body: TelegramMessageIn,
    request: Request,
    database: DatabaseDep,
    routing: ResidentRoutingDep,
    settings: SettingsDep,
) -> TelegramMessageAccepted:
    """Take in a resident's message from Telegram once, and route it like a web chat message.

    The replies are not in the response: they, and any later officer reply, come through the outbox. A chat
    has the same message limit as a web conversation; over it the answer is 429 with ``Retry-After`` and a
    sentence for the resident, and the bridge tells them and hands the message in again after the wait.
    When the bot is too busy to take the message (api/overload.py), it is kept and the busy sentence goes to
    the chat through the outbox: handing the update in again would only find it already taken.
    """
    await run_in_threadpool(enforce, request, "messages_per_conversation", f"telegram:{body.chat_id}")
    accepted = await routing.lane.run(
        lambda: service.accept_update(database, update_id=body.update_id, chat_id=body.chat_id, text=body.text)
    )
    if accepted is None:
        return TelegramMessageAccepted(duplicate=True)
    if len(body.text) > MAX_MESSAGE_LENGTH:
        # Telegram takes up to 4,096 characters, the hub 2,000 as on the web: the resident is told so in the chat,
        # and nothing of the message is kept or sent to the bot. A card number in it still has it deleted there.
        await routing.lane.run(lambda: _say_busy(database, accepted.conversation_id, TOO_LONG))
        return TelegramMessageAccepted(duplicate=False, card_number_hidden=redact_card_numbers(body.text).hidden)
    try:
        routed = await routing.handle_in_lane(
            conversation_id=accepted.conversation_id, text=accepted.text, hub_payload=accepted.hub_payload
        )
    except HubBusy as busy:
        if busy.routed is None:
            raise
        routed = busy.routed
        await routing.lane.run(lambda: _say_busy(database, accepted.conversation_id, bot_busy_sentence(settings)))
    return TelegramMessageAccepted(
        duplicate=False,
        message_id=routed.message.id,
        card_number_hidden=routed.hidden,
        earlier_hidden=[m.id for m in routed.rewritten],
    )


def _say_busy(database: Database, conversation_id: str, sentence: str) -> None:
    """Put a sentence (busy, too long) in the Telegram chat's outbox."""
    with database.sessions.begin() as session:
        add_message(session, conversation_id=conversation_id, sender="system", text=sentence)


@router.get("/outbox", response_model=Outbox)
def read_outbox(session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> Outbox:
    """List the messages still to be sent to Telegram chats, oldest first."""
    return Outbox(
        messages=[OutboxMessage.model_validate(item) for item in service.pending_messages(session, limit=limit)]
    )


@router.post(
    "/outbox/{message_id}/delivery",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No such Telegram message"}},
)
def record_delivery(
    message_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], body: DeliveryCreate, session: SessionDep
) -> None:
    """Record that a message was sent to its chat (or refused by Telegram), so it is not sent again."""
    service.mark_delivered(session, message_id=message_id, outcome=body.outcome)


@router.post(
    "/ratings",
    response_model=AnswerRatingRead,
    responses={404: {"description": "No knowledge answer with this id in the chat's conversation"}},
)
def rate_answer(body: TelegramRatingIn, session: SessionDep) -> AnswerRatingRead:
    """Record a resident's Helpful / Not helpful tap under a knowledge answer; tapping again replaces it."""
    rating = service.rate_answer(session, chat_id=body.chat_id, message_id=body.message_id, helpful=body.helpful)
    return AnswerRatingRead.of(rating)
