"""Eighty residents open the chat at the same moment on the embedded default (SQLite, one API process).

Before the hub had its own thread lane and a pool sized for bursts, this gave HTTP 500s (SQLite pool
timeouts) and apologies: resident messages filled every worker thread while the bot's actions waited for one.
Then, on a loaded machine, most messages waited the full 30 s for Rasa and got the apology (which this script
counted as an answer). Now a message that could not be answered in time is not sent: its resident is told
"busy, try again" at once, with the message kept. How many are answered depends on the machine; that nobody
gets a server error, a dropped connection or a 30-second wait for the apology does not.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from burst import burst  # scripts/ is on the path for every test (tests/conftest.py)


def test_eighty_residents_at_once_get_answers_or_busy_at_once_and_no_errors(stack) -> None:
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as runner:
        report = runner.submit(asyncio.run, burst(stack.api_url, residents=80, timeout=300)).result()

    assert report.server_errors == {}, report
    assert report.transport_errors == {}, report
    assert report.streams_opened == 80, report
    assert report.fully_answered >= 1, report
    # Every question asked got a reply: an answer, "busy" at once (that resident then stops), or the apology.
    assert report.answers + report.busy_answers + report.apologies == report.asked, report
