"""How much one client or one conversation may do, in the limits library's notation ("10/minute;60/hour")."""

from __future__ import annotations

from limits import parse_many
from pydantic import BaseModel, Field, field_validator


class RateLimits(BaseModel):
    """Per-source (client address) and per-conversation limits; every item of a rule must have room.

    The defaults follow Chatwoot's published widget throttles in spirit: enough for a household or an office
    behind one address, far too little for a script.
    """

    conversations_per_source: str = "10/minute;60/hour"
    messages_per_conversation: str = "20/minute;300/hour"
    messages_per_source: str = "60/minute;1000/hour"
    stream_opens_per_source: str = "30/minute;600/hour"
    # Officer console sign-in and code pages, per source (on top of api/officers' per-officer attempt limits).
    sign_ins_per_source: str = "10/minute;50/hour"
    # Event streams open at once on one conversation (a resident with a few tabs open).
    streams_per_conversation: int = Field(default=3, ge=1)
    # Event streams open at once for one officer (the console's queue and conversation pages, one a tab). A
    # browser holds at most six connections to one site over HTTP/1.1, so four leave room for the pages' own
    # requests; a page refused a stream polls instead.
    streams_per_officer: int = Field(default=4, ge=1)

    @field_validator(
        "conversations_per_source",
        "messages_per_conversation",
        "messages_per_source",
        "stream_opens_per_source",
        "sign_ins_per_source",
    )
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_many(value)  # raises ValueError on a malformed rule, so a bad setting stops start-up
        return value
