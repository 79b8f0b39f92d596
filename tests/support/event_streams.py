"""Read a server-sent event stream as a browser's EventSource would, without blocking the test on it.

A thread reads the stream and queues each event; the test takes them in order with ``next``, which gives up
after a minute (a hang guard for a stream that never sends, not a measured time).
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

GIVE_UP_SECONDS = 60


@dataclass(frozen=True)
class Event:
    """One event: its name, its id (when it has one) and its JSON data."""

    name: str
    id: str | None
    data: Any


class EventReader:
    """The events of one open stream, in the order they came."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.closing = False
        self._events: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        name, event_id, data = "message", None, []
        try:
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    continue
                if not line:
                    if data:
                        self._events.put(Event(name, event_id, json.loads("\n".join(data))))
                    name, event_id, data = "message", None, []
                    continue
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "id":
                    event_id = value
                elif field == "data":
                    data.append(value)
        except Exception:
            # Closing the stream under the reader fails its read in many ways (the test client's portal stops,
            # its channel closes, a socket is shut); only a failure before the test closed it is one.
            if not self.closing:
                raise
        finally:
            self._events.put(None)  # the stream ended

    def next(self) -> Event:
        """Return the next event; fail if the stream ended first."""
        event = self._events.get(timeout=GIVE_UP_SECONDS)
        assert event is not None, "the stream ended"
        return event

    def next_named(self, name: str) -> Event:
        """Return the next event called ``name``, passing over others."""
        while (event := self.next()).name != name:
            pass
        return event

    def ended(self) -> bool:
        """Wait for the stream to end (the server closed it) and say whether it did."""
        while True:
            event = self._events.get(timeout=GIVE_UP_SECONDS)
            if event is None:
                return True


@contextlib.contextmanager
def open_events(client: httpx.Client, url: str, **kwargs: Any) -> Iterator[EventReader]:
    """Open ``url`` as an event stream with ``client`` and read it until the block ends."""
    with client.stream("GET", url, **kwargs) as response:
        reader = EventReader(response)
        try:
            yield reader
        finally:
            reader.closing = True
