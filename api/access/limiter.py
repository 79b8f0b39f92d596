"""Counting requests against limits, shared through Redis when configured and kept in memory otherwise.

With several API workers the counts must be shared, or each worker would allow the full limit: with
``CA_REDIS_URL`` they live in Redis (the limits library's moving windows, kept under ``KEY_PREFIX``).
If Redis stops answering, each worker falls back to its own memory rather than refusing residents or
letting everything through, and says so in the log (once a minute at most).

Open event streams are a different count (how many at once, not how many per minute), kept in the same
place: a Redis sorted set per conversation whose members are refreshed while a stream lives and lapse if
a worker dies without closing them, or a dictionary in memory.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass

import redis
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

KEY_PREFIX = "ca-limits"
# A stream not refreshed for this long is taken to be gone (its worker died without closing it).
STREAM_LEASE_SECONDS = 60.0
WARN_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Decision:
    """Whether a request may go ahead and, if not, how many seconds until it may."""

    allowed: bool
    retry_after: int = 0


ALLOWED = Decision(True)


class Limiter:
    """Moving-window rate limits and concurrent-stream slots for the whole API (one per app)."""

    def __init__(self, redis_url: str | None = None, *, key_prefix: str = KEY_PREFIX) -> None:
        self._prefix = key_prefix
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._redis: redis.Redis | None = None
        if redis_url:
            self._shared = MovingWindowRateLimiter(
                RedisStorage(redis_url, key_prefix=key_prefix, socket_timeout=2, socket_connect_timeout=2)
            )
            self._redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._streams: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()
        self._warned_at = -math.inf

    @property
    def shared(self) -> bool:
        """Whether the counts are shared through Redis."""
        return self._shared is not None

    def hit(self, rule: str, key: str) -> Decision:
        """Count one request by ``key`` against every item of ``rule``; refuse it when one is used up.

        A refusal waits for every item used up, not only the first: with "10/minute;60/hour" both spent, the
        minute's wait alone was said, and the resident who came back then was refused again.
        """
        items = parse_many(rule)
        for index, item in enumerate(items):
            if not self._hit(item, key):
                spent = [item, *(later for later in items[index + 1 :] if not self._has_room(later, key))]
                return Decision(False, max(self._retry_after(full, key) for full in spent))
        return ALLOWED

    def _has_room(self, item: RateLimitItem, key: str) -> bool:
        if self._shared is not None:
            try:
                return self._shared.test(item, key)
            except redis.RedisError as error:
                self._warn(error)
        return self._memory.test(item, key)

    def _hit(self, item: RateLimitItem, key: str) -> bool:
        if self._shared is not None:
            try:
                return self._shared.hit(item, key)
            except redis.RedisError as error:
                self._warn(error)
        return self._memory.hit(item, key)

    def _retry_after(self, item: RateLimitItem, key: str) -> int:
        try:
            reset = (self._shared or self._memory).get_window_stats(item, key).reset_time
        except redis.RedisError:
            reset = self._memory.get_window_stats(item, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def clear(self, rule: str, key: str) -> None:
        """Forget what ``key`` used of ``rule`` (say, when a supervisor lifts a lock)."""
        for item in parse_many(rule):
            self._memory.clear(item, key)
            if self._shared is not None:
                try:
                    self._shared.clear(item, key)
                except redis.RedisError as error:
                    self._warn(error)

    # ----- concurrent event streams -----

    def open_stream(self, conversation_id: str, *, cap: int) -> str | None:
        """Take one of ``cap`` stream slots of a conversation; return the slot's id, or None when all are taken."""
        slot = secrets.token_hex(8)
        if self._redis is not None:
            try:
                return slot if self._redis_take(conversation_id, slot, cap) else None
            except redis.RedisError as error:
                self._warn(error)
        with self._lock:
            now = time.monotonic()
            slots = {
                s: seen
                for s, seen in self._streams.get(conversation_id, {}).items()
                if now - seen < STREAM_LEASE_SECONDS
            }
            self._streams[conversation_id] = slots
            if len(slots) >= cap:
                return None
            slots[slot] = now
        return slot

    def refresh_stream(self, conversation_id: str, slot: str) -> None:
        """Say the stream is still open, so its slot does not lapse."""
        if self._redis is not None:
            try:
                self._redis.zadd(self._stream_key(conversation_id), {slot: time.time()}, xx=True)
                self._redis.expire(self._stream_key(conversation_id), int(STREAM_LEASE_SECONDS * 2))
                return
            except redis.RedisError as error:
                self._warn(error)
        with self._lock:
            slots = self._streams.get(conversation_id)
            if slots is not None and slot in slots:
                slots[slot] = time.monotonic()

    def close_stream(self, conversation_id: str, slot: str) -> None:
        """Give the stream's slot back."""
        if self._redis is not None:
            try:
                self._redis.zrem(self._stream_key(conversation_id), slot)
            except redis.RedisError as error:
                self._warn(error)
        with self._lock:
            slots = self._streams.get(conversation_id, {})
            slots.pop(slot, None)
            if not slots:
                self._streams.pop(conversation_id, None)

    def _stream_key(self, conversation_id: str) -> str:
        return f"{self._prefix}/streams/{conversation_id}"

    def _redis_take(self, conversation_id: str, slot: str, cap: int) -> bool:
        """Take a slot atomically: drop lapsed slots, count and add under WATCH, retried if another worker raced."""
        assert self._redis is not None
        key = self._stream_key(conversation_id)
        with self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    now = time.time()
                    live = pipe.zcount(key, now - STREAM_LEASE_SECONDS, "+inf")
                    if live >= cap:
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.zremrangebyscore(key, "-inf", now - STREAM_LEASE_SECONDS)
                    pipe.zadd(key, {slot: now})
                    pipe.expire(key, int(STREAM_LEASE_SECONDS * 2))
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning(
                "Redis is unavailable for rate limits (%s); counting in this worker's memory meanwhile",
                type(error).__name__,
            )

    def close(self) -> None:
        """Close the Redis connection, if any."""
        if self._redis is not None:
            self._redis.close()
