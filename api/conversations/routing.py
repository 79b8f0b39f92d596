"""One way into the hub for a resident's message, whatever the channel (web chat, Telegram)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from api.clock import NowDep
from api.conversations import service
from api.conversations.lanes import ConversationOrder, ThreadLane
from api.conversations.office_hours import OfficeHours
from api.conversations.rasa_client import RasaClient
from api.db import Database
from api.deps import DatabaseDep, SettingsDep
from api.observability.metrics import HUB_QUEUE
from api.service_access.grants import issue_grant
from api.settings import Settings
from council import council_facts


def office_hours(settings: SettingsDep) -> OfficeHours:
    """Return the officers' live-chat hours from the settings."""
    return OfficeHours(
        start_hour=settings.officer_hours_start, end_hour=settings.officer_hours_end, timezone=settings.timezone
    )


@dataclass(frozen=True)
class ResidentRouting:
    """What the hub needs to store a resident's message and route it to the bot or an officer."""

    database: Database
    rasa: RasaClient
    hours: OfficeHours
    unavailable_text: str
    card_warning: str
    lane: ThreadLane
    order: ConversationOrder
    # Sign each message's conversation grant, good for this many seconds.
    secret_key: str
    grant_seconds: int
    # When the request came in, by the council's clock (api.clock).
    now: datetime

    async def handle_in_lane(self, *, conversation_id: str, text: str, hub_payload: bool = False) -> service.Routed:
        """Store the resident's message and return the replies (none while an officer has the conversation).

        The database work runs in the hub's own thread lane, so waiting never starves the back office; the wait
        for Rasa holds no thread. A conversation's messages are handled one after another in the order they
        came (``order``): a resident's second message never reaches the bot before the first.
        ``hub_payload`` marks text the hub chose (a channel command turned into a payload), which the bot
        receives as a payload; a resident's own typed payload syntax never is.
        While it waits the message counts in the queue-length gauge on /metrics.
        """

        def grant() -> str:
            return issue_grant(
                self.secret_key, conversation_id=conversation_id, now=time.time(), lifetime_seconds=self.grant_seconds
            )

        with HUB_QUEUE.track_inprogress():
            async with self.order.turn(conversation_id):
                return await service.handle_resident_message(
                    self.database,
                    self.rasa,
                    run=self.lane.run,
                    conversation_id=conversation_id,
                    text=text,
                    unavailable_text=self.unavailable_text,
                    hours=self.hours,
                    card_warning=self.card_warning,
                    grant=grant,
                    now=self.now,
                    hub_payload=hub_payload,
                )


def unavailable_text(settings: Settings) -> str:
    """Say sorry when the bot cannot answer, with the council's number and an officer offer."""
    return (
        f"Sorry, I'm having trouble answering right now. Your message has been kept. "
        f"You can call us on {settings.council_phone} ({council_facts().phone_hours}), "
        "or ask for an officer to pick up this conversation."
    )


def card_warning(settings: Settings) -> str:
    """Warn a resident who typed a card number, and say how to pay safely."""
    return (
        "Please don't type card details in this chat: for your security I've hidden the number, and "
        "it hasn't been stored or passed on. To pay by card, use our secure payment page "
        f"{settings.council_payment_url} or the automated phone line {settings.council_payment_phone} (24 hours)."
    )


def resident_routing(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    hours: Annotated[OfficeHours, Depends(office_hours)],
    now: NowDep,
) -> ResidentRouting:
    """Return the routing of resident messages, built from the app's database, Rasa client and settings."""
    rasa: RasaClient = request.app.state.rasa
    return ResidentRouting(
        database=database,
        rasa=rasa,
        hours=hours,
        unavailable_text=unavailable_text(settings),
        card_warning=card_warning(settings),
        lane=request.app.state.hub_lane,
        order=request.app.state.conversation_order,
        secret_key=settings.secret_key,
        grant_seconds=settings.conversation_grant_seconds,
        now=now,
    )


ResidentRoutingDep = Annotated[ResidentRouting, Depends(resident_routing)]
