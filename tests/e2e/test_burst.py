"""Eighty residents open the chat at the same moment on the embedded default (SQLite, one API process).

Before the hub had its own thread lane and a pool sized for bursts, this gave HTTP 500s (SQLite pool
timeouts) and apologies: resident messages filled every worker thread while the bot's actions waited for one.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from burst import QUESTIONS, burst  # scripts/ is on the path for every test (tests/conftest.py)


def test_eighty_residents_at_once_all_get_answers_and_no_errors(stack) -> None:
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as runner:
        report = runner.submit(asyncio.run, burst(stack.api_url, residents=80, timeout=300)).result()

    assert report.server_errors == {}, report
    assert report.transport_errors == {}, report
    assert report.busy_answers == 0, report
    assert report.streams_opened == 80, report
    assert report.fully_answered == 80, f"{report} (each resident asks {len(QUESTIONS)} questions)"
