"""The resident-facing chat contract (/api/chat) and the back-office handoff endpoint (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from api.access.http import THROTTLED_RESPONSES, enforce, per_source
from api.access.source import request_source
from api.clock import NowDep
from api.conversations import service
from api.conversations.office_hours import OfficeHours
from api.conversations.routing import ResidentRoutingDep, office_hours
from api.conversations.schemas import (
    ConversationCreate,
    ConversationCreated,
    HandoffCreate,
    HandoffRead,
    MessageCreate,
    MessageList,
    MessageRead,
)
from api.conversations.streams import Batch, event_stream, resume_after, sse, take_slot
from api.db import ROW_ID_MAX
from api.deps import DatabaseDep, SessionDep, SettingsDep, bearer, require_service_token
from api.errors import SERVICE_TOKEN_REFUSALS
from api.knowledge_gaps import service as knowledge_gaps
from api.knowledge_gaps.schemas import AnswerRatingCreate, AnswerRatingRead

chat = APIRouter(prefix="/api/chat", tags=["chat"])
backoffice = APIRouter(
    prefix="/api/v1",
    tags=["conversations"],
    dependencies=[Depends(require_service_token)],
    responses={**SERVICE_TOKEN_REFUSALS, 404: {"description": "No such conversation"}},
)

# What the routes behind a conversation's token answer when it is missing, wrong or for no conversation.
OWNED: dict[int | str, dict[str, Any]] = {
    401: {"description": "The conversation token is missing"},
    404: {"description": "No such conversation, or the token is not its token (nothing is disclosed)"},
}
# Seconds a resident is asked to wait when every stream slot of the conversation is taken.
STREAMS_FULL_RETRY_SECONDS = 30


def _owned_conversation(
    conversation_id: str,
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """Return the conversation id once the bearer token is shown to be its token.

    It uses a session of its own, closed at once: a message's route then waits on Rasa without holding a
    database connection, so concurrent conversations cannot exhaust the pool.
    """
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "The conversation token is missing.", headers={"WWW-Authenticate": "Bearer"}
        )
    with database.sessions() as session:
        return service.authenticate(session, conversation_id=conversation_id, token=credentials.credentials).id


OwnedConversation = Annotated[str, Depends(_owned_conversation)]


def _talking_conversation(conversation: OwnedConversation, request: Request) -> str:
    """Return the owned conversation once it is within its message limit (counted only for its owner)."""
    enforce(request, "messages_per_conversation", conversation)
    return conversation


TalkingConversation = Annotated[str, Depends(_talking_conversation)]


@chat.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationCreated,
    dependencies=[Depends(per_source("conversations_per_source"))],
    responses=THROTTLED_RESPONSES,
)
def start_conversation(
    session: SessionDep, request: Request, body: ConversationCreate | None = None
) -> ConversationCreated:
    """Start a conversation; keep the token secret, it is needed for every later call."""
    created = service.create_conversation(
        session, channel=(body or ConversationCreate()).channel, client_source=request_source(request)
    )
    return ConversationCreated(conversation_id=created.conversation_id, token=created.token)


@chat.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageList,
    dependencies=[Depends(per_source("messages_per_source"))],
    responses={
        **OWNED,
        **THROTTLED_RESPONSES,
        503: {
            "description": "The assistant is too busy to answer now: the message is kept, `Retry-After` says "
            "when to try again, and `detail` says so in words with the council's number and the officer offer"
        },
    },
)
async def send_message(
    conversation: TalkingConversation, body: MessageCreate, routing: ResidentRoutingDep
) -> MessageList:
    """Send the resident's message; the response holds the bot's replies to it (none while an officer has it).

    ``rewritten`` holds earlier messages of the resident that this one made the hub rewrite (it completed a
    card number they began): show their new text in place of the old.
    """
    routed = await routing.handle_in_lane(conversation_id=conversation, text=body.text)
    return MessageList(
        messages=[MessageRead.model_validate(m) for m in routed.replies],
        rewritten=[MessageRead.model_validate(m) for m in routed.rewritten],
    )


@chat.put(
    "/conversations/{conversation_id}/messages/{message_id}/rating",
    response_model=AnswerRatingRead,
    dependencies=[Depends(per_source("messages_per_source"))],
    responses={
        **OWNED,
        404: {
            "description": "No such conversation, the token is not its token, or no "
            "knowledge answer of the assistant's has this id in it"
        },
        **THROTTLED_RESPONSES,
    },
)
def rate_answer(
    conversation: OwnedConversation,
    message_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)],
    body: AnswerRatingCreate,
    session: SessionDep,
) -> AnswerRatingRead:
    """Say whether one of the assistant's knowledge answers helped; saying it again replaces the earlier rating.

    Only messages with ``rateable`` true can be rated, in the caller's own conversation. "Not helpful" puts
    the question behind the answer on the officers' list of knowledge gaps.
    """
    rating = knowledge_gaps.rate_answer(
        session, conversation_id=conversation, message_id=message_id, helpful=body.helpful
    )
    return AnswerRatingRead.of(rating)


@chat.get("/conversations/{conversation_id}/messages", response_model=MessageList, responses=OWNED)
def read_transcript(conversation: OwnedConversation, session: SessionDep) -> MessageList:
    """Return every message of the conversation, oldest first."""
    messages = service.list_messages(session, conversation_id=conversation)
    return MessageList(messages=[MessageRead.model_validate(m) for m in messages])


@chat.get(
    "/conversations/{conversation_id}/events",
    dependencies=[Depends(per_source("stream_opens_per_source"))],
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-sent events named `message`, one per new message",
        },
        404: OWNED[404],
        **THROTTLED_RESPONSES,
    },
)
async def stream_events(
    conversation_id: str,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    token: Annotated[str, Query(description="The conversation token")],
    after: Annotated[int, Query(ge=0, le=ROW_ID_MAX)] = 0,
) -> StreamingResponse:
    """Push every new message (bot, officer or system) as a server-sent event, read from the database.

    EventSource cannot send headers, so the token comes as a query parameter. The stream sleeps until a message
    of the conversation is committed, by this worker or (on PostgreSQL, by LISTEN/NOTIFY) another one
    (api/conversations/changes.py), and only then reads the database; it also reads every ``push_fallback``
    seconds whatever (api/conversations/streams.py, shared with the officer console). A conversation has a few
    stream slots (``streams_per_conversation``), so one token cannot tie up the workers. A browser reconnecting
    by itself resumes after its ``Last-Event-ID``.
    """

    def check() -> None:
        with database.sessions() as session:
            service.authenticate(session, conversation_id=conversation_id, token=token)

    await run_in_threadpool(check)
    slot = await take_slot(
        request,
        conversation_id,
        cap=settings.rate_limits.streams_per_conversation,
        reason="streams",
        retry_after=STREAMS_FULL_RETRY_SECONDS,
    )
    last_id = resume_after(request, after)

    def read() -> Batch:
        nonlocal last_id
        with database.sessions() as session:
            messages = [
                MessageRead.model_validate(m)
                for m in service.list_messages(session, conversation_id=conversation_id, after=last_id)
            ]
        if messages:
            last_id = messages[-1].id
        return Batch([sse("message", m.model_dump(mode="json"), event_id=m.id) for m in messages])

    return event_stream(request, follow=conversation_id, read=read, slot_key=conversation_id, slot=slot)


@backoffice.post(
    "/conversations/{conversation_id}/handoffs", response_model=HandoffRead, status_code=status.HTTP_201_CREATED
)
def request_handoff(
    conversation_id: str,
    body: HandoffCreate,
    session: SessionDep,
    hours: Annotated[OfficeHours, Depends(office_hours)],
    now: NowDep,
) -> HandoffRead:
    """Ask for an officer to take the conversation over; asking again returns the same request."""
    return service.request_handoff(session, conversation_id=conversation_id, request=body, hours=hours, now=now)
