"""Kind answers under load and for malformed input: 503 with a sentence, never 500; 422s that echo nothing.

Under a burst the connection pool can run dry (SQLAlchemy's pool timeout), SQLite can stay locked by other
writers for longer than its busy timeout, or PostgreSQL can refuse a new connection at its connection limit.
None is the resident's fault and none loses anything already stored, so the answer is "busy, try again" with
``Retry-After`` and the council's phone number, which the web chat shows as it is.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.conversations.schemas import TOO_LONG
from api.conversations.service import HubBusy
from api.settings import Settings
from council import council_facts

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# When the bot is far behind, residents are asked to try again in a minute: its queue takes that long to clear.
BOT_BUSY_RETRY_AFTER_SECONDS = 60
# Where residents' own messages come in (the web chat's routes).
RESIDENT_PATHS = ("/api/chat/",)


def busy_sentence(settings: Settings) -> str:
    """Say the service is busy, what to do, and how to reach a person."""
    return (
        f"Sorry, a lot of people are using the chat right now. Please try again in a few seconds, "
        f"or call us on {settings.council_phone} ({council_facts().phone_hours})."
    )


def bot_busy_sentence(settings: Settings) -> str:
    """Say the assistant is busy, that the message is kept, and the three ways on: later, by phone, an officer."""
    return (
        "Sorry, a lot of people are using the chat right now, so I can't answer straight away. Your message has "
        f"been kept. Please try again in a minute, call us on {settings.council_phone} "
        f'({council_facts().phone_hours}), or type "officer" and I\'ll ask an officer to pick up this chat.'
    )


# What the database says when it is only too busy: SQLite's lock wait; PostgreSQL's limits on connections per role
# or database ("too many connections for ..."), and its server-wide max_connections (SQLSTATE 53300, "sorry, too
# many clients already", or "remaining connection slots are reserved ..." once only the reserved ones are left).
OVERLOAD_MESSAGES = (
    "database is locked",
    "too many connections",
    "too many clients",
    "remaining connection slots are reserved",
)


def _is_overload(error: OperationalError) -> bool:
    return any(message in str(error.orig) for message in OVERLOAD_MESSAGES)


def install(app: FastAPI, settings: Settings) -> None:
    """Turn pool exhaustion and lock waits into 503 answers, and shape-errors into 422s, for every route."""

    def busy() -> JSONResponse:
        return JSONResponse(
            {"detail": busy_sentence(settings)},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def bot_busy(_request: Request, _error: Exception) -> JSONResponse:
        log.warning("busy: the conversation's Rasa server is far behind; the message was kept, not sent")
        return JSONResponse(
            {"detail": bot_busy_sentence(settings)},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(BOT_BUSY_RETRY_AFTER_SECONDS)},
        )

    async def pool_timeout(_request: Request, _error: Exception) -> JSONResponse:
        log.warning("busy: the database connection pool is exhausted")
        return busy()

    async def operational(_request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, OperationalError) and _is_overload(error):
            log.warning("busy: the database stayed locked")
            return busy()
        raise error

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        # FastAPI's default 422 echoes each wrong value back: a typed card number or a name and date of birth
        # would be repeated to the caller, and a value JSON cannot carry (1e999, NaN) turned the answer into a 500.
        problems = error.errors() if isinstance(error, RequestValidationError) else []
        if request.url.path.startswith(RESIDENT_PATHS) and any(
            tuple(p.get("loc", ())) == ("body", "text") and p.get("type") == "string_too_long" for p in problems
        ):
            # A resident's message over the limit: a sentence the web chat shows as it is, nothing kept.
            return JSONResponse({"detail": TOO_LONG}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
        return JSONResponse(
            {
                "detail": [
                    {"loc": list(p.get("loc", ())), "msg": str(p.get("msg", "")), "type": str(p.get("type", ""))}
                    for p in problems
                ]
            },
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    app.add_exception_handler(HubBusy, bot_busy)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(PoolTimeout, pool_timeout)
    app.add_exception_handler(OperationalError, operational)
