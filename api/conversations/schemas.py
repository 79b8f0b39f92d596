"""What the conversation hub accepts and returns over HTTP."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.conversations.redaction import CardSafeText

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Direction controls turn text round as it is shown: "\u202e...\u202c" with "System: Identity check passed" made a line
# officers would misread (an attack). Nobody needs them to write to the council; they are dropped.
DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _not_blank(value: str) -> str:
    """Strip a message's text, refusing one that is nothing but spaces or that no channel could carry.

    A lone surrogate (half of a UTF-16 pair) cannot be written as UTF-8: refused here, before anything is stored
    or sent to Rasa, rather than failing when the reply is written.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the message holds characters that cannot be read") from None
    # Control characters (a NUL byte, a bell) mean nothing to a reader and PostgreSQL refuses a NUL in text: each
    # becomes a space, so the words either side are kept apart and the message is kept.
    value = DIRECTION_CONTROLS.sub("", CONTROL.sub(" ", value))
    if not value.strip():
        raise ValueError("the message is empty")
    return value.strip()


# A resident's message text, on any channel: stripped, never blank (each channel sets its own length limit).
MessageText = Annotated[str, AfterValidator(_not_blank)]


class ConversationCreate(BaseModel):
    """A new conversation from the web chat (Telegram conversations are opened by the bridge, never here)."""

    channel: Literal["web"] = "web"


class ConversationCreated(BaseModel):
    """The new conversation's id and the secret token that proves the caller owns it."""

    conversation_id: str
    token: str


# The longest message the hub takes from a resident, on any channel, and what a resident is told past it.
MAX_MESSAGE_LENGTH = 2000
TOO_LONG = "That message is too long for me - please send it in shorter parts of up to 2,000 characters."


class MessageCreate(BaseModel):
    """A resident's message."""

    text: MessageText = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)


class Button(BaseModel):
    """A suggested reply: the title is shown, the payload is sent."""

    title: str
    payload: str


class MessageRead(BaseModel):
    """A message in a transcript."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sender: Literal["resident", "bot", "officer", "system"]
    author: str | None = Field(default=None, description="The officer's first name and team, on officer messages")
    text: str
    buttons: list[Button] | None = None
    created_at: datetime
    rateable: bool = Field(
        default=False,
        description="A knowledge answer of the assistant's: the resident may say "
        "whether it helped (PUT .../messages/{id}/rating)",
    )


class MessageList(BaseModel):
    """Messages in the order they were said."""

    messages: list[MessageRead]
    rewritten: list[MessageRead] = Field(
        default_factory=list,
        description="After sending: the resident's earlier messages the hub has just "
        "rewritten to hide a card number they began; show these texts instead",
    )


class HandoffCreate(BaseModel):
    """A request, from the bot, that an officer takes the conversation over."""

    reason: Literal[
        "resident_asked",
        "fallback",
        "complaint",
        "payment_difficulty",
        "locked_out",
        "backoffice_error",
        "emergency",
        "bot_unavailable",
        "overdue_request",
        "cancel_refused",
        "lookup_refused",
    ] = "resident_asked"
    priority: Literal["normal", "high", "urgent"] = "normal"
    summary: CardSafeText = Field(default="", max_length=1000)
    # What the conversation was about, which decides the officers' queue (electoral goes to Electoral Services).
    topic: Literal["electoral", "payments", "service_requests", "general"] = "general"
    # What the resident was trying to do, in words, and what the bot had gathered (card numbers hidden on arrival).
    wanted: CardSafeText = Field(default="", max_length=200)
    collected: dict[str, CardSafeText] = Field(default_factory=dict, max_length=20)


class HandoffRead(BaseModel):
    """What happens next for the resident once an officer has been asked for."""

    reference: str
    status: Literal["waiting", "callback", "claimed"]
    in_office_hours: bool
    queue_position: int | None
    expected_wait_minutes: int | None
    officer_hours: str
    reply_by: str | None = Field(description="When an out-of-hours request will be answered, in words")
