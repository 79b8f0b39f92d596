"""Each Rasa server's line of resident messages, as one API worker keeps it: a few at a time, the rest wait their turn.

A burst hurt because every message went to Rasa at once: Rasa then worked on eighty messages side by side, each
took eighty times as long, and every one ran into the hub's 30 s timeout together (the apology), or, with the
earlier guard, most residents were told "busy" at once. Now the hub sends at most ``in_flight`` messages to a
server at a time; the others wait here in order of arrival, asynchronously (no thread, connection or database
session is held while a message waits). The hub's Rasa timeout covers only the time Rasa works on a message,
and a burst is answered more slowly, not refused. While a message waits, the web chat shows its typing dots.

A message is refused with ``RasaBusy`` (the resident is told "busy" at once, the message kept; api/overload.py)
only when its wait is hopeless: ``max_queued`` messages already wait for the server, or the predicted wait is
over ``busy_after`` seconds. The prediction is from measurement: the time Rasa takes over one message while it
is in flight (a moving average) times the places ahead, divided by the messages in flight at once. Before the
first answer is timed nothing is predicted; only the cap applies.

Each API worker keeps its own lines, so a server sees at most ``in_flight`` messages from each worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from api.observability.metrics import RASA_BUSY, RASA_LINE_WAIT

log = logging.getLogger(__name__)

# Weight of the newest answer in the moving average of seconds per answer.
SMOOTHING = 0.2


class RasaBusy(Exception):
    """The conversation's Rasa server is hopelessly far behind; this message was not sent."""


@dataclass
class _Line:
    """One server's messages in flight and those waiting their turn (oldest first)."""

    loop: asyncio.AbstractEventLoop
    in_flight: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class Backlog:
    """Per server: at most ``in_flight`` messages sent at once, the rest in line, and Rasa's recent pace."""

    def __init__(
        self,
        *,
        in_flight: int,
        max_queued: int,
        busy_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if in_flight < 1:
            raise ValueError("at least one message must be sent to a Rasa server at a time")
        self.in_flight = in_flight
        self.max_queued = max_queued  # 0: no cap on the line's length
        self.busy_after = busy_after  # 0: no prediction, only the cap
        self._clock = clock
        self._lines: dict[str, _Line] = {}
        self._per_answer: dict[str, float] = {}

    def waiting(self, server: str) -> int:
        """Return how many of this worker's messages wait their turn for ``server`` now."""
        line = self._lines.get(server)
        return sum(not f.done() for f in line.waiting) if line else 0

    def sent(self, server: str) -> int:
        """Return how many of this worker's messages ``server`` is working on now."""
        line = self._lines.get(server)
        return line.in_flight if line else 0

    def expected_wait(self, server: str, ahead: int) -> float | None:
        """Seconds a message with ``ahead`` messages in line before it should wait for its turn (None: not known)."""
        per_answer = self._per_answer.get(server)
        return None if per_answer is None else per_answer * (ahead + 1) / self.in_flight

    @asynccontextmanager
    async def turn(self, server: str) -> AsyncIterator[None]:
        """Wait for the message's turn on ``server`` and hold it while Rasa answers; RasaBusy if hopeless."""
        line = self._line(server)
        if line.in_flight < self.in_flight and not line.waiting:
            line.in_flight += 1
        else:
            ahead = self.waiting(server)
            if self._hopeless(server, ahead):
                RASA_BUSY.inc()
                log.warning("rasa server is hopelessly far behind (%d waiting); message kept, not sent", ahead)
                raise RasaBusy
            queued = self._clock()
            mine: asyncio.Future[None] = line.loop.create_future()
            line.waiting.append(mine)
            try:
                await mine  # the message before it hands its turn on (in_flight stays counted)
            except BaseException:
                if mine.done() and not mine.cancelled():
                    self._hand_on(line)  # it was given the turn as it was cancelled: pass the turn on
                else:
                    with contextlib.suppress(ValueError):
                        line.waiting.remove(mine)
                raise
            RASA_LINE_WAIT.observe(self._clock() - queued)
        started = self._clock()
        try:
            yield
        except httpx.ConnectError:
            raise  # never reached it: nothing learnt about its pace
        except httpx.TimeoutException as error:
            if not isinstance(error, httpx.ConnectTimeout):
                self._learn(server, self._clock() - started)  # a timeout is the slowest answer of all
            raise
        else:
            self._learn(server, self._clock() - started)
        finally:
            self._hand_on(line)

    def _line(self, server: str) -> _Line:
        loop = asyncio.get_running_loop()
        line = self._lines.get(server)
        if line is None or line.loop is not loop:  # a new event loop (tests start several): a new line
            line = self._lines[server] = _Line(loop=loop)
        return line

    @staticmethod
    def _hand_on(line: _Line) -> None:
        """Give the finished message's turn to the oldest one still waiting, or free it."""
        while line.waiting:
            following = line.waiting.popleft()
            if not following.done():
                following.set_result(None)
                return
        line.in_flight -= 1

    def _hopeless(self, server: str, ahead: int) -> bool:
        if self.max_queued and ahead >= self.max_queued:
            return True
        wait = self.expected_wait(server, ahead)
        return bool(self.busy_after) and wait is not None and wait > self.busy_after

    def _learn(self, server: str, seconds: float) -> None:
        previous = self._per_answer.get(server)
        self._per_answer[server] = seconds if previous is None else previous + SMOOTHING * (seconds - previous)
