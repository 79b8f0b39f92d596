"""Fixtures shared by the end-to-end and browser tests: the real stack, started once per test run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stack import Stack, ensure_model

from tests.support.network import free_port

# The stack's clock starts on a Wednesday morning in office hours (after the demo data's 20 November 2026),
# so a handoff always meets the queue, not a callback, and dates in replies are the same on every run.
STACK_CLOCK_START = "2026-11-25T10:30:00+00:00"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the action server, Rasa (with the trained model) and the API on free ports, with fresh SQLite files.

    The suite starts hundreds of conversations from 127.0.0.1, so this stack's rate limits are lifted
    (tests/api/test_throttle.py checks the real ones); its clock starts at ``STACK_CLOCK_START``.
    """
    folder = tmp_path_factory.mktemp("stack")
    running = Stack(
        api_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        smtp_port=free_port(),
        database_url=f"sqlite:///{folder / 'council.db'}",
        tracker_db=folder / "tracker.db",
        log_dir=folder / "log",
        mail_dir=folder / "mail",
        unthrottled=True,
        clock_start=STACK_CLOCK_START,
    )
    model = ensure_model(quiet=True)
    running.seed()
    running.start(model)
    yield running
    running.stop()
