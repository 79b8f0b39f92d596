"""Lodging and cancelling a request for service through the back office, for the tests of both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.backoffice_api import new_key
from tests.support.payments import CouncilApi

LODGED = datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
REPORTER = "conv-reporter"


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
    body = {"conversation_id": REPORTER, "reporter_email": None, "reason": "Filled in by a neighbour.", **changes}
    return api.post(f"/service-requests/{reference}/cancellation", body)
