"""The HTTP side of the limits: route dependencies, the 429 answer, and the 413 for oversized bodies.

A refused request gets ``429 Too Many Requests`` with ``Retry-After`` (seconds) and a sentence a resident
can act on, with the council's phone number, which the chat widget shows as it is. A body larger than
``max_body_bytes`` gets ``413`` before any of it is parsed, whether it declares its length or streams it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.limiter import Limiter
from api.access.source import request_source

# Responses every throttled route documents in its OpenAPI description.
THROTTLED_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many requests from this address or conversation; `Retry-After` says when to "
        "try again, and `detail` says so in words"
    },
}
# Every route can answer 413 (the body-size limit stands in front of all of them).
TOO_LARGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "The request body is larger than the API accepts (`CA_MAX_BODY_BYTES`)"},
}


class Throttled(Exception):
    """A request over a limit; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int, *, reason: str = "busy") -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.reason = reason


def limiter_of(request: Request) -> Limiter:
    """Return the app's limiter, built by ``install``."""
    limiter: Limiter = request.app.state.limiter
    return limiter


def enforce(request: Request, rule: str, key: str) -> None:
    """Count this request by ``key`` against the ``RateLimits`` field ``rule``; raise Throttled when it is over."""
    limits = request.app.state.settings.rate_limits
    decision = limiter_of(request).hit(getattr(limits, rule), f"{rule}/{key}")
    if not decision.allowed:
        raise Throttled(decision.retry_after, reason=REASONS.get(rule, "busy"))


def per_source(rule: str) -> Callable[[Request], None]:
    """Return a route dependency that limits each source (client address) by the ``RateLimits`` field ``rule``."""

    def dependency(request: Request) -> None:
        enforce(request, rule, request_source(request))

    dependency.__name__ = f"limit_{rule}"
    return dependency


# Why a rule refuses, as throttled_text words it (the message limits, and any other, are "busy").
REASONS = {"conversations_per_source": "new_chats"}


def throttled_text(phone: str, reason: str, retry_after: int = 60) -> str:
    """Say kindly why the request was refused, when to try again and what the resident can do."""
    if reason == "officer_streams":
        return (
            "The console is open in too many windows or tabs to update them all at once. Close one; this page "
            "still updates, a little more slowly."
        )
    if reason == "streams":
        return (
            "This conversation is already open in several windows. Please close one and try again, "
            f"or call us on {phone}."
        )
    if reason == "new_chats":
        # Not the messages' "pause for a moment": the hour's limit of new chats can mean a wait of most of an hour.
        return (
            "A lot of new chats have been started from your connection recently, so I can't start another just "
            f"now. Please try again {_when(retry_after)}, or call us on {phone}."
        )
    return (
        "You've sent a lot of messages in a short time, so I need to pause for a moment. Please try again "
        f"{_when(retry_after)}, or call us on {phone}."
    )


def _when(seconds: int) -> str:
    """Say a wait in words a resident would use: "in a minute", "in about 42 minutes", "in about 2 hours"."""
    minutes = max(1, round(seconds / 60))
    if minutes <= 1:
        return "in a minute"
    if minutes < 90:
        return f"in about {minutes} minutes"
    return f"in about {round(minutes / 60)} hours"


def _throttled(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Throttled)
    text = throttled_text(request.app.state.settings.council_phone, error.reason, error.retry_after)
    return JSONResponse(
        {"detail": text, "retry_after": error.retry_after},
        status_code=429,
        headers={"Retry-After": str(error.retry_after)},
    )


class BodySizeLimit:
    """ASGI middleware answering 413 to a body over ``max_bytes``, declared or counted as it streams in.

    A streamed body that goes past the limit is answered 413 at once, and the application is told the
    client went away, so it stops reading; whatever it would have answered is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received, started, refused = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not started:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"The request is too large: at most {self.max_bytes} bytes are accepted."})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def install(app: FastAPI, *, redis_url: str | None, max_body_bytes: int) -> Limiter:
    """Give the app its limiter, the 429 answer and the body-size limit; return the limiter (closed at shutdown)."""
    limiter = Limiter(redis_url)
    app.state.limiter = limiter
    app.add_exception_handler(Throttled, _throttled)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    return limiter
