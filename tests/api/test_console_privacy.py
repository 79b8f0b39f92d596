"""Least privilege in the officer console: identity details only for the team whose work needs them and only
while the conversation is open to the officer; closed conversations read-only, and supervisors' alone later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.console.transcript import hidden_birth_dates
from api.conversations.models import Handoff, Message, Note
from api.db import utcnow
from api.electoral.models import AbsentVoteKind, AbsentVoteRequest, Verification
from api.officers.models import Officer
from api.payments.models import AccountVerification
from api.settings import ROOT
from tests.support.console import add_officers, console_app, officer_client, page_csrf, resident_waiting
from tests.support.privacy import register


@pytest.fixture
def app(database_url: str, open_session):
    with open_session(database_url) as session:
        add_officers(session)
    app = console_app(database_url)
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
        session.add(
            Verification(
                conversation_id=conversation_id,
                elector_id=rows["elector"].id,
                verified_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        session.add(
            AbsentVoteRequest(
                reference="AV-PRIV01",
                idempotency_key="priv-1",
                elector_id=rows["elector"].id,
                kind=AbsentVoteKind.POSTAL,
                details={"conversation_id": "an-earlier-chat"},
            )
        )
        if account:
            session.add(
                AccountVerification(
                    conversation_id=conversation_id,
                    account_id=rows["account"].id,
                    verified_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
        session.commit()
        return {"elector": rows["elector"].elector_number, "account": rows["account"].reference}


def claim(officer: TestClient, reference: str) -> None:
    response = officer.post(
        f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(officer)}, follow_redirects=False
    )
    assert response.status_code == 303


def test_customer_focus_never_sees_an_electoral_identity_or_absent_vote_history(
    app, resident, database_url, open_session
) -> None:
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
    app, resident, database_url, open_session
) -> None:
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

    assert (
        sam.post(f"/console/conversations/{conversation_id}/resolve", data={"csrf_token": page_csrf(sam)}).status_code
        == 200
    )
    for officer in (alex, sam):
        closed = officer.get(f"/console/conversations/{conversation_id}").text
        assert secret["elector"] not in closed and "AV-PRIV01" not in closed


def test_a_resolved_conversation_is_read_only_and_later_only_supervisors_open_it(
    app, resident, database_url, open_session
) -> None:
    conversation_id, _, reference = resident_waiting(resident)
    priya = officer_client(app, "focus")
    claim(priya, reference)
    priya.post(f"/console/conversations/{conversation_id}/resolve", data={"csrf_token": page_csrf(priya)})

    page = priya.get(f"/console/conversations/{conversation_id}")
    assert page.status_code == 200 and 'data-testid="note-input"' not in page.text and "read-only" in page.text
    note = priya.post(
        f"/console/conversations/{conversation_id}/notes",
        data={"text": "one more thing", "csrf_token": page_csrf(priya)},
    )
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
    app = console_app(database_url, console_closed_visible_hours=1)
    with TestClient(app) as resident:
        conversation_id, _, reference = resident_waiting(resident)
        priya = officer_client(app, "focus")
        claim(priya, reference)
        priya.post(f"/console/conversations/{conversation_id}/hand-back", data={"csrf_token": page_csrf(priya)})
        assert priya.get(f"/console/conversations/{conversation_id}").status_code == 200
        with open_session(database_url) as session:
            session.scalar(select(Handoff).where(Handoff.reference == reference)).closed_at = utcnow() - timedelta(
                minutes=61
            )
            session.commit()
        assert priya.get(f"/console/conversations/{conversation_id}").status_code == 403
    app.state.database.engine.dispose()


# ----- a date of birth typed by the resident, in the transcript -----


def birth_date_question() -> str:
    """The bot's question, as the domain words it (the console recognises answers to it)."""
    domain = yaml.safe_load((ROOT / "domain" / "electoral.yml").read_text())
    return str(domain["responses"]["utter_ask_date_of_birth"][0]["text"])


BIRTH_DATES = ["14 03 1961", "the 14th of Mar 61", "14/03/1961", "14 March 1961"]


def said_with_birth_dates(open_session, database_url: str, conversation_id: str) -> None:
    """Store the identity check's questions and the resident's answers, as the hub would have."""
    with open_session(database_url) as session:
        session.add_all(
            Message(conversation_id=conversation_id, sender=sender, text=text)
            for sender, text in [
                ("bot", "What is your full name?"),
                ("resident", "Ann Example"),
                ("bot", birth_date_question()),
                ("resident", "14 03 1961"),
                ("bot", "Sorry, I couldn't read that as a date of birth. Please write it as day, month and year."),
                ("resident", "the 14th of Mar 61"),
                ("bot", "How can I help?"),
                ("resident", "I was born on 14/03/1961 and my bin was missed on 12/03/2026"),
                ("resident", "my DOB is 14 March 1961, why was I charged £12.50?"),
                ("officer", "Thanks, I have your date of birth as 14/03/1961."),
            ]
        )
        officer_id = session.scalars(select(Officer.id).where(Officer.role == "electoral_services")).first()
        session.add(Note(conversation_id=conversation_id, officer_id=officer_id, text="DOB 14 March 1961 checked"))
        session.commit()


def transcript_texts(officer: TestClient, conversation_id: str) -> tuple[str, str]:
    """The conversation page, and the live refresh's messages, as the officer gets them."""
    page = officer.get(f"/console/conversations/{conversation_id}").text
    live = officer.get(f"/console/api/conversations/{conversation_id}?after=0").json()["messages"]
    return page, " | ".join(m["text"] for m in live)


def test_customer_focus_never_sees_a_date_of_birth_the_resident_typed(
    app, resident, database_url, open_session
) -> None:
    conversation_id, _, reference = resident_waiting(resident, topic="payments", reason="payment_difficulty")
    said_with_birth_dates(open_session, database_url, conversation_id)
    focus = officer_client(app, "focus")
    for moment in ("waiting", "claimed"):
        for shown in transcript_texts(focus, conversation_id):
            assert not any(date in shown for date in BIRTH_DATES), (moment, shown)
            assert "Ann Example" in shown and "12/03/2026" in shown and "£12.50" in shown  # what their work needs
            assert shown.count("[date of birth hidden]") >= 5
        if moment == "waiting":
            claim(focus, reference)
    for shown in transcript_texts(officer_client(app, "supervisor"), conversation_id):
        assert all(date in shown for date in BIRTH_DATES)


def test_an_electoral_officer_sees_a_typed_date_of_birth_only_while_the_conversation_is_open_to_them(
    app, resident, database_url, open_session
) -> None:
    conversation_id, _, reference = resident_waiting(resident, topic="electoral", wanted="Postal vote")
    said_with_birth_dates(open_session, database_url, conversation_id)
    alex, sam = officer_client(app, "electoral"), officer_client(app, "supervisor")
    for shown in transcript_texts(alex, conversation_id):
        assert all(date in shown for date in BIRTH_DATES)

    claim(sam, reference)
    assert not any(date in shown for shown in transcript_texts(alex, conversation_id) for date in BIRTH_DATES)
    assert (
        sam.post(f"/console/conversations/{conversation_id}/resolve", data={"csrf_token": page_csrf(sam)}).status_code
        == 200
    )
    for officer in (alex, sam):
        assert not any(date in shown for shown in transcript_texts(officer, conversation_id) for date in BIRTH_DATES)
    with open_session(database_url) as session:  # only what is shown changes, not what is stored
        stored = " ".join(session.scalars(select(Message.text).where(Message.conversation_id == conversation_id)))
    assert all(date in stored for date in BIRTH_DATES)


@pytest.mark.parametrize(
    ("asked", "typed", "shown"),
    [
        ("What is your date of birth?", "why do you need that?", "why do you need that?"),
        ("What is your date of birth?", "3rd of May 1990", "[date of birth hidden]"),
        (
            "How can I help?",
            "born and raised in Mayfield, bin missed on 3 May",
            "born and raised in Mayfield, bin missed on 3 May",
        ),
        ("How can I help?", "d.o.b. 03-05-1990 ref CT12345678", "d.o.b. [date of birth hidden] ref CT12345678"),
        ("How can I help?", "my birthday is May 3rd 1990", "my birthday is [date of birth hidden]"),
        ("What is your date of birth?", "3/5/90", "[date of birth hidden]"),
    ],
)
def test_what_counts_as_a_typed_date_of_birth(asked: str, typed: str, shown: str) -> None:
    messages = [Message(id=1, sender="bot", text=asked), Message(id=2, sender="resident", text=typed)]
    assert hidden_birth_dates(messages).get(2, typed) == shown
