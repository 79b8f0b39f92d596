"""Separate thread lanes for resident messages and for everything else the API serves.

A resident's message waits on Rasa for seconds, and while it waits Rasa's actions call back into this same
process's back-office endpoints. If both kinds of work shared one bounded thread pool, a burst of residents
would fill every thread with waiting messages and the actions they wait on could never run: the hub would
deadlock on itself until timeouts broke it. So resident messages run in a lane of their own (its size is
``CA_HUB_THREADS``), and the rest of the API keeps the default lane (``CA_WORKER_THREADS``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")


class ThreadLane:
    """A bounded set of worker threads, made on first use inside the event loop (anyio needs a running loop)."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._limiter: CapacityLimiter | None = None

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` in one of this lane's threads and return its result."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(self.threads)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)


def widen_default_lane(threads: int) -> None:
    """Give the API's ordinary routes ``threads`` threads (anyio's default is 40); call inside the event loop."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


class ConversationOrder:
    """One message of a conversation handled at a time, in the order they came.

    asyncio's lock serves first come, first served, so a resident's second message never overtakes the first on
    its way to the bot (within one API worker; across workers Rasa's lock store keeps the order they reach it).
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}

    def waiting(self, conversation_id: str) -> int:
        """Return how many messages of the conversation are being handled or waiting to be."""
        return self._holders.get(conversation_id, 0)

    @asynccontextmanager
    async def turn(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait until the conversation's earlier messages are handled, then hold its turn."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._holders[conversation_id] = self._holders.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[conversation_id] -= 1
            if not self._holders[conversation_id]:  # nobody else holds or waits: forget the conversation
                del self._holders[conversation_id], self._locks[conversation_id]
