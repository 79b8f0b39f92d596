"""How far behind each Rasa server is, as one API worker sees it, and when to stop sending it more.

Waiting on Rasa is what makes a burst hurt: past what a server can answer within the hub's timeout, every extra
message only waits 30 s for the apology, and makes the ones behind it wait longer. So before a message is sent
the hub asks whether its server would answer it in time. It predicts the wait from what it has measured: each
answer's time divided by its place in the queue when it was sent is the server's recent "seconds per place"
(a moving average), and a message joining ``n`` already waiting should wait about ``(n + 1)`` times that. If the
prediction is over ``busy_after`` seconds, or ``max_in_flight`` are already waiting, the message is not sent and
``RasaBusy`` is raised: the resident is told "busy" at once, with the message kept (api/overload.py).

A message with fewer than ``PREDICT_FROM_WAITING`` waiting ahead of it is always sent: the measure keeps up with
a server that speeds up, and a few residents at once on a slow (or busy) machine are answered slowly rather
than turned away. Answers are worked on side by side (an action waiting on the back office holds no core), so
the straight-line prediction overstates short queues: on the shared 2-core machine two or three residents at
once were told "busy" when their answers would have come in time.
Before any answer has been timed the guess is ``COLD_SECONDS_PER_PLACE``, deliberately slow: on a fast machine
the first answers correct it within a second. Each API worker measures its own messages; their waits include
other workers' messages ahead of them, so the prediction is of the real wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from api.observability.metrics import RASA_BUSY

log = logging.getLogger(__name__)

# Seconds per queue place assumed before a server's first answer is timed (at most 20 waiting at the default 20 s).
COLD_SECONDS_PER_PLACE = 1.0
# The prediction applies only once this many messages already wait on the server (see the module's docstring).
PREDICT_FROM_WAITING = 3
# Weight of the newest answer in the moving average of seconds per place.
SMOOTHING = 0.2


class RasaBusy(Exception):
    """The conversation's Rasa server is too far behind to answer in time; this message was not sent."""


class Backlog:
    """Per server: messages of this worker waiting on it, and the recent seconds each queue place costs."""

    def __init__(self, *, max_in_flight: int, busy_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_in_flight = max_in_flight  # 0: no cap on the count
        self.busy_after = busy_after  # 0: no prediction, only the cap
        self._clock = clock
        self._waiting: Counter[str] = Counter()
        self._per_place: dict[str, float] = {}
        self._lock = threading.Lock()

    def waiting(self, server: str) -> int:
        """Return how many of this worker's messages are waiting on ``server`` now."""
        with self._lock:
            return self._waiting[server]

    def expected_wait(self, server: str, ahead: int) -> float:
        """Seconds a message with ``ahead`` messages before it should wait on ``server``."""
        return self._per_place.get(server, COLD_SECONDS_PER_PLACE) * (ahead + 1)

    @contextmanager
    def slot(self, server: str) -> Iterator[None]:
        """Hold a place in the server's queue while a message waits on it; raise RasaBusy if it would be too late."""
        with self._lock:
            ahead = self._waiting[server]
            full = self._too_far_behind(server, ahead)
            if not full:
                self._waiting[server] += 1
        if full:
            RASA_BUSY.inc()
            log.warning("rasa server is too far behind (%d waiting); message kept, not sent", ahead)
            raise RasaBusy
        started = self._clock()
        try:
            yield
        except httpx.ConnectTimeout:
            raise  # never reached it: nothing learnt about its pace
        except httpx.TimeoutException:
            self._learn(server, self._clock() - started, ahead + 1)  # a timeout is the slowest answer of all
            raise
        else:
            self._learn(server, self._clock() - started, ahead + 1)
        finally:
            with self._lock:
                self._waiting[server] -= 1

    def _too_far_behind(self, server: str, ahead: int) -> bool:
        if self.max_in_flight and ahead >= self.max_in_flight:
            return True
        queue_formed = ahead >= PREDICT_FROM_WAITING
        return bool(self.busy_after) and queue_formed and self.expected_wait(server, ahead) > self.busy_after

    def _learn(self, server: str, seconds: float, place: int) -> None:
        sample = seconds / place
        with self._lock:
            previous = self._per_place.get(server)
            self._per_place[server] = sample if previous is None else previous + SMOOTHING * (sample - previous)
