"""The email given with a report is checked with the identity checks' lockouts, so it cannot be guessed chat by chat.

Found by a probe: the bot stops checking emails after three in one chat, but four fresh chats made twelve wrong
guesses at one request and a fifth got its latest note with the right one. A matching email now only sends the news,
or a code to cancel with, to that address; it is still counted, so a guesser cannot learn the address either.
Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.db import session_on
from api.service_requests.models import ReporterEmailCheck
from api.verification_common import MAX_FAILURES, SUBJECT_BACKOFF
from tests.support.payments import CouncilApi, Mailbox
from tests.support.service_requests import LODGED, ask_for_code, lodge, mailing_api

RIGHT = "rita.patel@example.com"


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[CouncilApi]:
    with mailing_api(seeded_database_url, tmp_path, mailbox) as api:
        yield api


def progress(api: CouncilApi, reference: str, chat: str, email: str) -> dict[str, Any]:
    response = api.post(
        f"/service-requests/{reference}/progress-checks", {"conversation_id": chat, "reporter_email": email}
    )
    assert response.status_code == 200
    return dict(response.json())


def guess_from_fresh_chats(api: CouncilApi, reference: str, guesses: int) -> None:
    for number in range(guesses):
        shown = progress(api, reference, f"conv-guesser-{number}", f"guess{number}@example.com")
        assert not shown["reporter"] and shown["latest_update"] is None and shown["news_emailed"] is None


def test_wrong_emails_from_chat_after_chat_hold_back_even_the_right_one_for_a_while(api: CouncilApi) -> None:
    reference = lodge(api)
    assert progress(api, reference, "conv-first-look", RIGHT)["news_emailed"] == "sent"  # the right email: news sent

    guess_from_fresh_chats(api, reference, MAX_FAILURES)
    held = progress(api, reference, "conv-fresh", RIGHT)

    assert held["news_emailed"] is None and held["latest_update"] is None  # the same answer as a wrong email
    api.now = LODGED + SUBJECT_BACKOFF + timedelta(seconds=1)
    assert progress(api, reference, "conv-later", RIGHT)["news_emailed"] == "sent"  # not locked out for long


def test_wrong_emails_at_one_request_do_not_hold_back_another(api: CouncilApi) -> None:
    guessed, other = lodge(api), lodge(api, location_text="By the church on Mill Lane")
    guess_from_fresh_chats(api, guessed, MAX_FAILURES)

    assert progress(api, other, "conv-fresh", RIGHT)["news_emailed"] == "sent"


def test_wrong_emails_given_for_a_code_count_too(api: CouncilApi, mailbox: Mailbox) -> None:
    reference = lodge(api)
    for number in range(MAX_FAILURES):
        assert ask_for_code(api, reference, f"conv-canceller-{number}", f"x{number}@example.com") == "not_matched"

    held = ask_for_code(api, reference, "conv-fresh", RIGHT)

    assert held == "not_matched" and mailbox.messages == []
    with session_on(api.url) as session:
        checks = session.scalars(select(ReporterEmailCheck).order_by(ReporterEmailCheck.id)).all()
        assert [check.succeeded for check in checks] == [False] * (MAX_FAILURES + 1)
        assert checks[-1].refused == "subject"  # kept for the supervisors' count, with no email in it
        assert not any("example.com" in str(value) for check in checks for value in vars(check).values())
