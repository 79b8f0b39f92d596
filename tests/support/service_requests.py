"""Lodging and cancelling a request for service through the back office, for the tests of both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.backoffice_api import new_key
from tests.support.electoral import copy_of
from tests.support.payments import CouncilApi, Mailbox, council_api

LODGED = datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
REPORTER = "conv-reporter"


@contextmanager
def mailing_api(seeded_database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[CouncilApi]:
    """The back office on a copy of the seeded database, mailing to ``mailbox``, its clock at LODGED."""
    with copy_of(seeded_database_url, tmp_path) as url, council_api(url, smtp_port=mailbox.port) as api:
        api.now = LODGED
        yield api


def lodge(api: CouncilApi, **changes: Any) -> str:
    """Report a pothole from the reporter's chat (with an email unless told otherwise); return its reference."""
    body = {
        "conversation_id": REPORTER,
        "idempotency_key": new_key(),
        "category": "pothole",
        "location_text": "Outside the school on Mill Lane",
        "description": "Deep pothole by the kerb.",
        "contact_email": "Rita.Patel@example.com",
        **changes,
    }
    response = api.post("/service-requests", body)
    assert response.status_code == 201
    return str(response.json()["reference"])


def cancel(api: CouncilApi, reference: str, **changes: Any) -> Any:
    body = {"conversation_id": REPORTER, "reason": "Filled in by a neighbour.", **changes}
    return api.post(f"/service-requests/{reference}/cancellation", body)


def ask_for_code(api: CouncilApi, reference: str, chat: str, email: str) -> str:
    """Give ``email`` from ``chat`` to be sent a code for cancelling ``reference``; return the outcome."""
    response = api.post(
        f"/service-requests/{reference}/reporter-code", {"conversation_id": chat, "reporter_email": email}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["outcome"])


def mail_body(mailbox: Mailbox, index: int = -1) -> str:
    """Return the text of an email the mail server took (the latest by default)."""
    payload = mailbox.messages[index][1].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def emailed_code(mailbox: Mailbox) -> str:
    """Return the one-time code in the latest email (failing the test if it holds none)."""
    found = re.search(r"type this code in the chat: (\d{6})", mail_body(mailbox))
    assert found, mail_body(mailbox)
    return found[1]
