"""A request id for every HTTP request, in every log line written while it is handled and in the response.

A resident's message crosses four processes: the hub, Rasa, the action server and the back office (this same
API, called back by the actions). The id this middleware sets (``bot.privacy.logs.REQUEST_ID``, which the log
filter adds to every record) travels with the message: the hub puts it in the metadata it sends Rasa, the
actions send it back as ``X-Request-ID`` on their back-office calls, and a call that brings a well-formed id
keeps it. So the log lines of one message, in every process, share one id. The id is random hex and says
nothing about anyone; a header that is not hex of the right length is ignored, so no text can ride in on it.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.privacy.logs import REQUEST_ID, REQUEST_ID_HEADER, valid_request_id


def new_request_id() -> str:
    """Return a fresh request id: 32 random hex digits."""
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Set the request id for the request's task (and the threads it hands work to) and echo it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next(
            (
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name.decode("latin-1").lower() == REQUEST_ID_HEADER.lower()
            ),
            None,
        )
        request_id = valid_request_id(given) or new_request_id()
        token = REQUEST_ID.set(request_id)

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            REQUEST_ID.reset(token)
