"""What the Telegram bridge sends to the hub and reads back from it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.conversations.schemas import Button, MessageText
from api.db import ROW_ID_MAX

TELEGRAM_ID_MAX = 2**52


class TelegramMessageIn(BaseModel):
    """A resident's text message from a Telegram chat, as the bridge received it."""

    # Telegram's ids fit in 52 bits (its Bot API documentation); larger numbers are no Telegram id.
    update_id: int = Field(
        ge=0, le=TELEGRAM_ID_MAX, description="Telegram's update id: a second delivery of the same id is dropped"
    )
    chat_id: int = Field(ge=-TELEGRAM_ID_MAX, le=TELEGRAM_ID_MAX)
    # Telegram's own limit on a message's length
    text: MessageText = Field(min_length=1, max_length=4096)


class TelegramMessageAccepted(BaseModel):
    """Whether the update was new; the replies reach the chat through the outbox."""

    duplicate: bool
    message_id: int | None = Field(default=None, description="The hub's id for the stored message (not Telegram's)")
    card_number_hidden: bool = Field(
        default=False,
        description="The text held a card number or its details, hidden before it was stored: the "
        "bridge deletes the resident's message from the Telegram chat, where it would "
        "otherwise stay",
    )
    earlier_hidden: list[int] = Field(
        default_factory=list,
        description="Hub ids of the resident's earlier messages this one made the hub rewrite "
        "(it completed a card number they began): the bridge deletes those too",
    )


class OutboxMessage(BaseModel):
    """A hub message (bot, officer or system) still to be sent to a Telegram chat."""

    message_id: int
    chat_id: int
    sender: Literal["bot", "officer", "system"]
    text: str
    buttons: list[Button] | None = None
    author: str | None = Field(default=None, description="The officer's first name and team, on officer messages")
    rateable: bool = Field(
        default=False,
        description="A knowledge answer: the bridge offers Helpful / Not helpful "
        "buttons, whose taps it sends to POST /ratings",
    )


class Outbox(BaseModel):
    """Messages waiting for the bridge, oldest first."""

    messages: list[OutboxMessage]


class DeliveryCreate(BaseModel):
    """What became of a message the bridge handled."""

    outcome: Literal["sent", "refused"] = Field(
        default="sent", description="refused: Telegram will not take it (say, the resident blocked the bot)"
    )


class TelegramRatingIn(BaseModel):
    """A resident's tap on Helpful or Not helpful under a knowledge answer in their Telegram chat."""

    chat_id: int = Field(ge=-TELEGRAM_ID_MAX, le=TELEGRAM_ID_MAX)
    message_id: int = Field(ge=1, le=ROW_ID_MAX, description="The hub's id of the answer (from the outbox)")
    helpful: bool
