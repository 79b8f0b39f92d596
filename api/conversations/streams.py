"""One loop behind every server-sent event stream: the resident's widget and the officer console's pages.

A stream holds one of a few slots (per conversation for a widget, per officer for the console: ``take_slot``),
sleeps until the counter it follows in ``MessageChanges`` moves (a commit in this worker, or on PostgreSQL
another worker's ``NOTIFY``: api/conversations/changes.py), and only then asks its feed what is new. It also
asks every ``push_fallback`` seconds whatever the counter says (every ``push_poll_seconds`` while another
worker's news cannot arrive), looks every ``push_poll_seconds`` whether its client has gone, sends a comment
after ``HEARTBEAT_SECONDS`` without an event so that proxies keep it open, and refreshes its slot so that it does
not lapse. A feed ends its stream by returning ``Batch(..., end=True)`` (the officer signed out, or may no
longer see the conversation): the browser's EventSource would reconnect, so the last event says why.

What a feed reads, and who may read it, is the route's business; the waking, the timing and the slots are here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api.access.http import Throttled, limiter_of
from api.conversations.changes import MessageChanges
from api.settings import Settings

HEARTBEAT_SECONDS = 15.0


def sse(name: str, data: Any, *, event_id: int | None = None) -> str:
    """Return one server-sent event named ``name`` with ``data`` as JSON (and an id the browser resumes from)."""
    head = f"event: {name}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    return f"{head}data: {json.dumps(data)}\n\n"


@dataclass
class Batch:
    """What a feed found on one read: events to send, and whether the stream ends after them."""

    events: list[str] = field(default_factory=list)
    end: bool = False


def resume_after(request: Request, after: int) -> int:
    """Return the id to send messages after: ``after``, or the last id the browser had when it reconnected.

    EventSource reconnects by itself with the URL it was given (its ``after`` now stale) and a ``Last-Event-ID``
    header holding the id of the last event it received.
    """
    last = request.headers.get("last-event-id", "")
    return max(after, int(last)) if last.isdigit() and len(last) < 19 else after


async def take_slot(request: Request, key: str, *, cap: int, reason: str, retry_after: int) -> str:
    """Take one of ``cap`` stream slots under ``key``; raise Throttled (429, kindly worded) when all are taken."""
    slot = await run_in_threadpool(limiter_of(request).open_stream, key, cap=cap)
    if slot is None:
        raise Throttled(retry_after, reason=reason)
    return slot


def event_stream(
    request: Request,
    *,
    follow: str,
    read: Callable[[], Batch],
    slot_key: str,
    slot: str,
    wake: tuple[str, ...] = (),
) -> StreamingResponse:
    """Stream what ``read`` finds each time the counter ``follow`` moves (``read`` runs in a worker thread).

    ``wake`` names other counters that make it read at once: an officer's sign-out (``changes.officer_key``), so
    their streams end then, not at the next change or timer read.

    The slot taken under ``slot_key`` is given back when the response ends, however it ends (a background task
    runs after a disconnect too); a worker that dies leaves it to lapse.
    """
    changes: MessageChanges = request.app.state.message_changes
    settings: Settings = request.app.state.settings
    limiter = limiter_of(request)

    def fallback() -> float:
        """Seconds between reads whatever the counter says: every tick while other workers' news cannot arrive."""
        local_only = not changes.shared and not settings.database_url.startswith("sqlite")
        return settings.push_poll_seconds if local_only else settings.push_fallback

    async def events() -> AsyncIterator[str]:
        seen, keys = -1, (follow, *wake)
        loop = asyncio.get_running_loop()
        read_at = idle_since = held_since = loop.time()
        while not await request.is_disconnected():
            if changes.versions(keys) != seen or loop.time() - read_at >= fallback():
                seen, read_at = changes.versions(keys), loop.time()
                batch = await run_in_threadpool(read)
                for chunk in batch.events:
                    idle_since = loop.time()
                    yield chunk
                if batch.end:
                    return
            # Sleep until a change (pushed, not polled) or the tick that checks the client is still there.
            await changes.wait(keys, seen, settings.push_poll_seconds)
            if loop.time() - held_since >= HEARTBEAT_SECONDS:
                held_since = loop.time()
                await run_in_threadpool(limiter.refresh_stream, slot_key, slot)
            if loop.time() - idle_since >= HEARTBEAT_SECONDS:
                idle_since = loop.time()
                yield ": keep-alive\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(limiter.close_stream, slot_key, slot),
    )
