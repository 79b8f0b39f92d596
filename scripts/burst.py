"""Open the chat for many residents at the same moment and count what each of them got back.

A burst is what a council sees when a link to the chat goes out in a newsletter or on a deadline day: dozens
of residents open the widget within a second. Each simulated resident does what the web page does: starts a
conversation, opens the live event stream, says "hello", then asks a question the bot answers by calling the
back office ("when is the next election?"). Everyone starts together (a barrier), nobody retries.

For each resident the script records whether every step got an answer: a server error (HTTP 5xx) or a dropped
connection is a failure; a kind "busy, please try again" (429/503 with Retry-After) is counted separately, and
so is the apology the hub gives when Rasa did not answer within its timeout (it is kind, and the message is
kept, but it is no answer: before, it was counted as one). By default the real stack is started on free ports
with a fresh SQLite database (the embedded default of `make run`); --api-url measures a stack already running.

    python scripts/burst.py --residents 80
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import percentile, started_stack

QUESTIONS = ("hello", "when is the next election?")
BUSY = (429, 503)
# The hub's apology when Rasa did not answer in time (api/conversations/routing.py unavailable_text).
APOLOGY = "having trouble answering"


@dataclass
class Outcome:
    """What one resident got: how many questions were answered, and any failure seen on the way."""

    asked: int = 0
    answered: int = 0
    busy: int = 0
    apologies: int = 0
    server_errors: list[int] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    streamed: bool = False


@dataclass
class BurstReport:
    """The burst's totals, as printed and as the tests read them."""

    residents: int
    fully_answered: int
    asked: int
    answers: int
    busy_answers: int
    apologies: int
    server_errors: dict[str, int]
    transport_errors: dict[str, int]
    streams_opened: int
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    wall_seconds: float

    @property
    def failed(self) -> bool:
        """True when any resident saw a server error or a dropped connection."""
        return bool(self.server_errors or self.transport_errors)


async def resident(client: httpx.AsyncClient, api_url: str, start: asyncio.Event, outcome: Outcome) -> None:
    """Be one resident: start a conversation, open the stream, ask the questions (no retries)."""
    await start.wait()
    created = await _answered(outcome, client.post(f"{api_url}/api/chat/conversations", json={"channel": "web"}))
    if created is None:
        return
    body = created.json()
    conversation, token = body["conversation_id"], body["token"]
    opened = asyncio.Event()
    stream = asyncio.create_task(_watch_stream(client, api_url, conversation, token, outcome, opened))
    await opened.wait()  # the widget's stream is open before the resident can type
    try:
        for text in QUESTIONS:
            began = time.monotonic()
            outcome.asked += 1
            response = await _answered(
                outcome,
                client.post(
                    f"{api_url}/api/chat/conversations/{conversation}/messages",
                    json={"text": text},
                    headers={"Authorization": f"Bearer {token}"},
                ),
            )
            if response is None:
                return
            replies = response.json()["messages"] if response.is_success else []
            if any(APOLOGY in reply["text"] for reply in replies):
                outcome.apologies += 1
            elif replies:
                outcome.answered += 1
                outcome.seconds.append(time.monotonic() - began)
    finally:
        stream.cancel()
        await asyncio.gather(stream, return_exceptions=True)


async def _answered(outcome: Outcome, request: Awaitable[httpx.Response]) -> httpx.Response | None:
    """Return the response, or None after recording a dropped connection, a busy answer or a server error."""
    try:
        response = await request
    except httpx.HTTPError as error:
        outcome.transport_errors.append(type(error).__name__)
        return None
    if response.status_code in BUSY:
        outcome.busy += 1
        return None
    if response.status_code >= 500:
        outcome.server_errors.append(response.status_code)
        return None
    return response


async def _watch_stream(
    client: httpx.AsyncClient, api_url: str, conversation: str, token: str, outcome: Outcome, opened: asyncio.Event
) -> None:
    """Hold the conversation's event stream open, as the widget does, until the resident is done.

    ``opened`` is set once the stream answered (or failed), so the resident starts typing after it, as in the page.
    """
    try:
        async with client.stream(
            "GET", f"{api_url}/api/chat/conversations/{conversation}/events", params={"token": token}
        ) as response:
            opened.set()
            if response.status_code >= 500:
                outcome.server_errors.append(response.status_code)
                return
            outcome.streamed = response.is_success
            async for _ in response.aiter_raw():
                pass
    except httpx.HTTPError as error:
        outcome.transport_errors.append(f"stream {type(error).__name__}")
    finally:
        opened.set()


async def burst(api_url: str, residents: int, timeout: float) -> BurstReport:
    """Start ``residents`` residents at the same moment and summarise what they got."""
    limits = httpx.Limits(max_connections=residents * 3, max_keepalive_connections=residents * 3)
    outcomes = [Outcome() for _ in range(residents)]
    start = asyncio.Event()
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        tasks = [asyncio.create_task(resident(client, api_url.rstrip("/"), start, o)) for o in outcomes]
        await asyncio.sleep(0.2)  # every resident is waiting at the barrier
        began = time.monotonic()
        start.set()
        await asyncio.gather(*tasks)
        wall = time.monotonic() - began
    return summarise(outcomes, wall)


def summarise(outcomes: Sequence[Outcome], wall: float) -> BurstReport:
    """Add the residents' outcomes up."""
    seconds = [s for o in outcomes for s in o.seconds]
    return BurstReport(
        residents=len(outcomes),
        fully_answered=sum(o.answered == len(QUESTIONS) for o in outcomes),
        asked=sum(o.asked for o in outcomes),
        answers=sum(o.answered for o in outcomes),
        busy_answers=sum(o.busy for o in outcomes),
        apologies=sum(o.apologies for o in outcomes),
        server_errors=dict(Counter(str(code) for o in outcomes for code in o.server_errors)),
        transport_errors=dict(Counter(e for o in outcomes for e in o.transport_errors)),
        streams_opened=sum(o.streamed for o in outcomes),
        p50_seconds=round(percentile(seconds, 50), 2) if seconds else None,
        p95_seconds=round(percentile(seconds, 95), 2) if seconds else None,
        max_seconds=round(max(seconds), 2) if seconds else None,
        wall_seconds=round(wall, 1),
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=80, help="residents who open the chat at once")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds a resident waits for one answer")
    parser.add_argument("--api-url", help="measure an already running stack instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the burst; exit 1 when any resident saw a server error or a dropped connection."""
    args = parse_args(argv)
    if args.api_url:
        report = asyncio.run(burst(args.api_url, args.residents, args.timeout))
    else:
        with started_stack(None) as (api_url, _rasa_url, _about):
            report = asyncio.run(burst(api_url, args.residents, args.timeout))
    if args.json:
        print(json.dumps(asdict(report)))
    else:
        print(
            f"{report.residents} residents at once: {report.fully_answered} fully answered, "
            f"{report.busy_answers} told 'busy', {report.apologies} apologies after the timeout, "
            f"server errors {report.server_errors or 0}, "
            f"dropped connections {report.transport_errors or 0}, {report.streams_opened} streams opened; "
            f"answer time p50 {report.p50_seconds} s, p95 {report.p95_seconds} s, max {report.max_seconds} s; "
            f"{report.wall_seconds} s in all"
        )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
