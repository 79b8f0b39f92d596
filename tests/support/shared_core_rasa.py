"""A Rasa-like REST channel on a loopback port that, like one Rasa process on one core, shares its time.

Every message needs the same amount of work; the messages it holds at once share the server, so each takes
longer the more it holds (processor sharing): one alone takes ``work`` seconds, eighty at once take eighty times
as long each. That is how a real Rasa server behaves in a burst (it never refuses, it slows down). It records
what it received, in order, and the most messages it held at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.live_server import served

TICK = 0.01


@dataclass
class SharedCoreRasa:
    """Rasa's REST webhook answering "You said: ..." after its share of the work."""

    work: float
    received: list[tuple[str, str]] = field(default_factory=list)
    holding: int = 0
    most_held: int = 0

    async def webhook(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        self.received.append((body["sender"], body["message"]))
        self.holding += 1
        self.most_held = max(self.most_held, self.holding)
        try:
            remaining = self.work
            while remaining > 0:
                await asyncio.sleep(TICK)
                remaining -= TICK / self.holding  # the server's time, shared by every message it holds
        finally:
            self.holding -= 1
        return JSONResponse([{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}])

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/webhooks/rest/webhook", self.webhook, methods=["POST"])])


@contextlib.contextmanager
def shared_core_rasa(work: float) -> Iterator[tuple[str, SharedCoreRasa]]:
    """Serve a SharedCoreRasa on a free loopback port; yield its URL and the server."""
    rasa = SharedCoreRasa(work=work)
    with served(rasa.app()) as url:
        yield url, rasa
