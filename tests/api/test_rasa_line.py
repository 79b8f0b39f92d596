"""A burst waits its turn in the hub and is answered: slower, never refused, and each resident's messages in order.

Rasa here is a real HTTP server on loopback that behaves as one Rasa process on one core does in a burst: it
never refuses, it shares its time between every message it holds, so eighty at once each take eighty times as
long (tests/support/shared_core_rasa.py). Before the hub kept a line per Rasa server, it sent all eighty at once:
they ran past its Rasa timeout together (the apology), or, with the guard of the last session, most residents
were told "busy" at once. Now it sends a few at a time and the others wait their turn.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable

from burst import QUESTIONS, burst  # scripts/ is on the path for every test (pyproject's pythonpath)
from sqlalchemy import select
from stack import UNTHROTTLED_LIMITS

from api.conversations.models import Message
from api.db import session_on
from api.main import create_app
from api.settings import Settings
from tests.support.live_server import served
from tests.support.shared_core_rasa import shared_core_rasa

# One message alone takes 0.05 s of the fake server's time; eighty at once take 4 s each, past the 2.5 s timeout.
WORK_SECONDS = 0.05
RASA_TIMEOUT_SECONDS = 2.5


def test_eighty_residents_at_once_on_the_embedded_default_are_all_answered_none_refused(
    database_factory: Callable[[str], str],
) -> None:
    database_url = database_factory("sqlite")  # the embedded default of `make run`
    with shared_core_rasa(WORK_SECONDS) as (rasa_url, rasa):
        app = create_app(
            Settings(
                database_url=database_url,
                environment="test",
                document_retry_seconds=0,
                rasa_url=rasa_url,
                rasa_timeout_seconds=RASA_TIMEOUT_SECONDS,
                rate_limits=json.loads(UNTHROTTLED_LIMITS),  # eighty residents from one address, as the stack's tests
            )
        )
        with served(app) as api_url:
            report = asyncio.run(burst(api_url, residents=80, timeout=300))

    assert report.server_errors == {}, report
    assert report.transport_errors == {}, report
    assert report.busy_answers == 0, report
    assert report.apologies == 0, report
    assert report.asked == report.answers == 160, report
    assert report.fully_answered == 80, report
    # The server was never handed the whole burst: the rest waited their turn in the hub.
    assert rasa.most_held <= app.state.settings.rasa_in_flight
    # Each resident's two messages reached the bot in the order they were typed.
    heard: dict[str, list[str]] = defaultdict(list)
    for sender, text in rasa.received:
        heard[sender].append(text)
    assert len(heard) == 80 and all(texts == list(QUESTIONS) for texts in heard.values())
    # Nothing lost: every transcript is question, answer, question, answer.
    with session_on(database_url) as session:
        transcripts: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for message in session.scalars(select(Message).order_by(Message.id)):
            transcripts[message.conversation_id].append((message.sender, message.text))
    assert len(transcripts) == 80
    for transcript in transcripts.values():
        assert transcript == [
            ("resident", QUESTIONS[0]),
            ("bot", f"You said: {QUESTIONS[0]}"),
            ("resident", QUESTIONS[1]),
            ("bot", f"You said: {QUESTIONS[1]}"),
        ]
