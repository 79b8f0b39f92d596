"""Least privilege in the officer console: identity details only for the team whose work needs them and only
while the conversation is open to the officer; closed conversations read-only, and supervisors' alone later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Handoff
from api.conversations.router import office_hours as office_hours_dependency
from api.db import utcnow
from api.electoral.models import AbsentVoteKind, AbsentVoteRequest, Verification
from api.main import create_app
from api.payments.models import AccountVerification
from api.settings import Settings
from tests.support.console import add_officers, officer_client, page_csrf, resident_waiting
from tests.support.hub import FixedHours
from tests.support.privacy import register


@pytest.fixture
def app(database_url: str, open_session):
    with open_session(database_url) as session:
        add_officers(session)
    app = create_app(Settings(database_url=database_url, environment="test", rasa_url="http://127.0.0.1:9",
                              rasa_timeout_seconds=1, document_retry_seconds=0))
    app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=True)
    yield app
    app.state.database.engine.dispose()


@pytest.fixture
def resident(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def proven(open_session, database_url: str, conversation_id: str, *, account: bool = False) -> dict[str, str]:
    """Record that the conversation proved to be elector Ann Example (and her council tax account), with an
    absent-vote request of hers made in another conversation; return what must not leak."""
    now = utcnow()
    with open_session(database_url) as session:
        rows = register(session)
        session.add(Verification(conversation_id=conversation_id, elector_id=rows["elector"].id, verified_at=now,
                                 expires_at=now + timedelta(hours=1)))
        session.add(AbsentVoteRequest(reference="AV-PRIV01", idempotency_key="priv-1", elector_id=rows["elector"].id,
                                      kind=AbsentVoteKind.POSTAL, details={"conversation_id": "an-earlier-chat"}))
        if account:
            session.add(AccountVerification(conversation_id=conversation_id, account_id=rows["account"].id,
                                            verified_at=now, expires_at=now + timedelta(hours=1)))
        session.commit()
        return {"elector": rows["elector"].elector_number, "account": rows["account"].reference}


def claim(officer: TestClient, reference: str) -> None:
    response = officer.post(f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(officer)},
                            follow_redirects=False)
    assert response.status_code == 303


def test_customer_focus_never_sees_an_electoral_identity_or_absent_vote_history(app, resident, database_url,
                                                                                open_session) -> None:
    conversation_id, _, reference = resident_waiting(resident, topic="payments", reason="payment_difficulty")
    secret = proven(open_session, database_url, conversation_id, account=True)
    focus = officer_client(app, "focus")
    for moment in ("waiting", "claimed"):
        page = focus.get(f"/console/conversations/{conversation_id}").text
        assert secret["elector"] not in page and "Ann Example" not in page, moment
        assert "AV-PRIV01" not in page and "Absent vote" not in page and "elector" not in page, moment
        assert f"Council tax account {secret['account']} verified" in page, moment  # their own work needs this
        if moment == "waiting":
            claim(focus, reference)
    supervisor = officer_client(app, "supervisor").get(f"/console/conversations/{conversation_id}").text
    assert secret["elector"] in supervisor and "AV-PRIV01" in supervisor


def test_an_electoral_officer_sees_the_identity_only_while_the_conversation_is_open_to_them(
        app, resident, database_url, open_session) -> None:
    conversation_id, _, reference = resident_waiting(resident, topic="electoral", wanted="Postal vote")
    secret = proven(open_session, database_url, conversation_id, account=True)
    alex, sam = officer_client(app, "electoral"), officer_client(app, "supervisor")
    waiting = alex.get(f"/console/conversations/{conversation_id}").text
    assert f"elector {secret['elector']} (Ann Example)" in waiting and "AV-PRIV01" in waiting
    assert secret["account"] not in waiting  # council tax is not Electoral Services' business

    claim(sam, reference)  # someone else has it now
    taken = alex.get(f"/console/conversations/{conversation_id}").text
    assert secret["elector"] not in taken and "Ann Example" not in taken and "AV-PRIV01" not in taken
    assert "shown only while the conversation is open to you" in taken

    assert sam.post(f"/console/conversations/{conversation_id}/resolve",
                    data={"csrf_token": page_csrf(sam)}).status_code == 200
    for officer in (alex, sam):
        closed = officer.get(f"/console/conversations/{conversation_id}").text
        assert secret["elector"] not in closed and "AV-PRIV01" not in closed


def test_a_resolved_conversation_is_read_only_and_later_only_supervisors_open_it(app, resident, database_url,
                                                                                 open_session) -> None:
    conversation_id, _, reference = resident_waiting(resident)
    priya = officer_client(app, "focus")
    claim(priya, reference)
    priya.post(f"/console/conversations/{conversation_id}/resolve", data={"csrf_token": page_csrf(priya)})

    page = priya.get(f"/console/conversations/{conversation_id}")
    assert page.status_code == 200 and 'data-testid="note-input"' not in page.text and "read-only" in page.text
    note = priya.post(f"/console/conversations/{conversation_id}/notes",
                      data={"text": "one more thing", "csrf_token": page_csrf(priya)})
    assert note.status_code == 409
    assert "one more thing" not in priya.get(f"/console/conversations/{conversation_id}").text

    with open_session(database_url) as session:
        handoff = session.scalar(select(Handoff).where(Handoff.reference == reference))
        handoff.closed_at = utcnow() - timedelta(hours=25)
        session.commit()
    for officer in (priya, officer_client(app, "focus2")):
        refused = officer.get(f"/console/conversations/{conversation_id}")
        assert refused.status_code == 403 and "only a supervisor" in refused.text
        assert officer.get(f"/console/api/conversations/{conversation_id}").status_code == 403
    assert officer_client(app, "supervisor").get(f"/console/conversations/{conversation_id}").status_code == 200


def test_how_long_a_closed_conversation_stays_open_is_a_setting(database_url, open_session) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    app = create_app(Settings(database_url=database_url, environment="test", rasa_url="http://127.0.0.1:9",
                              rasa_timeout_seconds=1, document_retry_seconds=0, console_closed_visible_hours=1))
    app.dependency_overrides[office_hours_dependency] = lambda: FixedHours(open_now=True)
    with TestClient(app) as resident:
        conversation_id, _, reference = resident_waiting(resident)
        priya = officer_client(app, "focus")
        claim(priya, reference)
        priya.post(f"/console/conversations/{conversation_id}/hand-back", data={"csrf_token": page_csrf(priya)})
        assert priya.get(f"/console/conversations/{conversation_id}").status_code == 200
        with open_session(database_url) as session:
            session.scalar(select(Handoff).where(Handoff.reference == reference)).closed_at = (
                utcnow() - timedelta(minutes=61))
            session.commit()
        assert priya.get(f"/console/conversations/{conversation_id}").status_code == 403
    app.state.database.engine.dispose()
