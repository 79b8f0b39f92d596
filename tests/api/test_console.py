"""The officer console: sign-in and sessions, roles and queues, claiming, live chat, hand back, resolve, dashboard."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.console import service as console
from api.conversations.models import Conversation, Handoff
from api.db import utcnow
from api.main import create_app
from api.officers.models import Officer, OfficerSession
from api.settings import Settings
from tests.support.backoffice_api import granted
from tests.support.console import (
    OFFICERS,
    add_officers,
    console_app,
    hidden_csrf,
    officer_client,
    page_csrf,
    resident_waiting,
    sign_in,
)


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


def chat(resident: TestClient, conversation_id: str, token: str, text: str) -> list[dict]:
    response = resident.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()["messages"]


def transcript(resident: TestClient, conversation_id: str, token: str) -> list[dict]:
    return resident.get(
        f"/api/chat/conversations/{conversation_id}/messages", headers={"Authorization": f"Bearer {token}"}
    ).json()["messages"]


# ----- signing in -----


def test_pages_refuse_anyone_not_signed_in(resident) -> None:
    for path in ("/console/queue", "/console/dashboard", "/console/conversations/anything"):
        response = resident.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/console/sign-in"
    assert resident.get("/console/api/queue").status_code == 401
    assert resident.post("/console/handoffs/HO-000001/claim", follow_redirects=False).status_code in (303, 401)


def test_signing_in_sets_a_protected_session_cookie_and_shows_the_queue(app, resident) -> None:
    response = sign_in(resident, "focus")
    assert response.status_code == 303 and response.headers["location"] == "/console/queue"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ca_console="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    page = resident.get("/console/queue")
    assert page.status_code == 200 and "Priya Shah" in page.text and "Customer Focus" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_the_session_cookie_is_secure_in_production(database_url) -> None:
    settings = Settings(
        database_url=database_url,
        environment="production",
        service_tokens=["actions:" + "s" * 32],
        secret_key="k" * 32,
        second_factor_key=base64.urlsafe_b64encode(b"k" * 32).decode(),
    )
    assert settings.console_cookie_secure


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(resident) -> None:
    wrong = sign_in(resident, "focus", password="not-the-password")
    page = resident.get("/console/sign-in")
    unknown = resident.post(
        "/console/sign-in",
        data={"email": "nobody@council.test", "password": "whatever-it-is", "csrf_token": hidden_csrf(page.text)},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "The email address or password is not right." in wrong.text
    assert "The email address or password is not right." in unknown.text
    assert "ca_console=" not in wrong.headers.get("set-cookie", "")


def test_sign_in_without_the_form_token_is_refused(resident) -> None:
    response = resident.post(
        "/console/sign-in", data={"email": OFFICERS["focus"][0], "password": "x" * 20}, follow_redirects=False
    )
    assert response.status_code == 403


def test_after_five_failures_even_the_right_password_waits(resident) -> None:
    for _ in range(5):
        assert sign_in(resident, "focus", password="guess-guess-guess").status_code == 401
    refused = sign_in(resident, "focus")
    assert refused.status_code == 429 and "Too many unsuccessful attempts" in refused.text


def test_signing_out_kills_the_session_even_for_a_copied_cookie(app) -> None:
    officer = officer_client(app, "focus")
    stolen = officer.cookies.get("ca_console")
    response = officer.post("/console/sign-out", data={"csrf_token": page_csrf(officer)}, follow_redirects=False)
    assert response.status_code == 303 and "signed_out" in response.headers["location"]
    thief = TestClient(app, cookies={"ca_console": stolen})
    assert thief.get("/console/api/queue").status_code == 401


def test_an_idle_session_ends(app, database_url, open_session) -> None:
    officer = officer_client(app, "focus")
    with open_session(database_url) as session:
        for opened in session.scalars(select(OfficerSession)):
            opened.last_seen_at = utcnow() - timedelta(minutes=31)
        session.commit()
    response = officer.get("/console/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/sign-in?expired=true"


def test_state_changes_need_the_csrf_token(app, resident) -> None:
    _, _, reference = resident_waiting(resident)
    officer = officer_client(app, "focus")
    assert officer.post(f"/console/handoffs/{reference}/claim", data={}).status_code == 403
    assert officer.post(f"/console/handoffs/{reference}/claim", data={"csrf_token": "forged"}).status_code == 403


# ----- queues and roles -----


def test_each_team_sees_its_own_queue_and_the_supervisor_sees_both(app, resident) -> None:
    electoral_id, _, electoral_ref = resident_waiting(resident, topic="electoral", wanted="Check registration")
    _, _, focus_ref = resident_waiting(resident, topic="payments", reason="payment_difficulty")
    seen = {
        who: {item["reference"] for item in officer_client(app, who).get("/console/api/queue").json()["items"]}
        for who in ("electoral", "focus", "supervisor")
    }
    assert seen == {"electoral": {electoral_ref}, "focus": {focus_ref}, "supervisor": {electoral_ref, focus_ref}}

    focus = officer_client(app, "focus")
    refused = focus.get(f"/console/conversations/{electoral_id}")
    assert refused.status_code == 403 and "not in your team" in refused.text
    assert (
        focus.post(f"/console/handoffs/{electoral_ref}/claim", data={"csrf_token": page_csrf(focus)}).status_code == 403
    )


def test_the_queue_puts_the_most_urgent_first(app, resident) -> None:
    resident_waiting(resident, reason="resident_asked")
    _, _, high = resident_waiting(resident, reason="payment_difficulty", priority="high")
    _, _, urgent = resident_waiting(resident, reason="emergency", priority="urgent")
    items = officer_client(app, "focus").get("/console/api/queue").json()["items"]
    assert [item["reference"] for item in items][:2] == [urgent, high]
    assert [item["priority"] for item in items] == ["urgent", "high", "normal"]


# ----- taking a conversation over -----


def test_an_officer_takes_over_chats_live_and_hands_back(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(
        resident,
        topic="service_requests",
        wanted="Report problem",
        collected={"problem_location": "outside the library", "note": "card 4111 1111 1111 1111"},
    )
    officer = officer_client(app, "focus")
    page = officer.get(f"/console/conversations/{conversation_id}")
    assert "Report problem" in page.text and "outside the library" in page.text
    assert "4111 1111 1111 1111" not in page.text and "Not verified" in page.text

    claimed = officer.post(
        f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(officer)}, follow_redirects=False
    )
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/console/conversations/{conversation_id}"
    joined = transcript(resident, conversation_id, token)[-1]
    assert joined["sender"] == "system" and joined["text"] == "Priya from Customer Focus has joined the chat."

    assert chat(resident, conversation_id, token, "hello? is anyone there") == []  # the bot stays silent
    sent = officer.post(
        f"/console/conversations/{conversation_id}/messages",
        data={"text": "Hi, I'm Priya. How can I help?"},
        headers={"X-CSRF-Token": page_csrf(officer), "Accept": "application/json"},
    )
    assert sent.status_code == 200
    officer.post(
        f"/console/conversations/{conversation_id}/notes",
        data={"text": "Resident sounds worried", "csrf_token": page_csrf(officer)},
    )
    seen = transcript(resident, conversation_id, token)
    assert seen[-1]["sender"] == "officer" and seen[-1]["author"] == "Priya, Customer Focus"
    assert seen[-1]["text"] == "Hi, I'm Priya. How can I help?"
    assert all("worried" not in m["text"] for m in seen)
    update_ = officer.get(f"/console/api/conversations/{conversation_id}?after=0").json()
    assert [m["text"] for m in update_["messages"] if m["sender"] == "resident"] == ["hello? is anyone there"]

    officer.post(f"/console/conversations/{conversation_id}/hand-back", data={"csrf_token": page_csrf(officer)})
    back = transcript(resident, conversation_id, token)[-1]
    assert "handed you back to the council assistant" in back["text"]
    replies = chat(resident, conversation_id, token, "what are your opening hours")
    assert replies, "the bot (here: its apology, as Rasa is not running) answers again after hand back"
    refused = officer.post(
        f"/console/conversations/{conversation_id}/messages", data={"text": "late", "csrf_token": page_csrf(officer)}
    )
    assert refused.status_code == 409


def test_when_two_officers_claim_the_second_is_told_who_has_it(app, resident) -> None:
    _, _, reference = resident_waiting(resident)
    priya, jo = officer_client(app, "focus"), officer_client(app, "focus2")
    assert (
        priya.post(
            f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(priya)}, follow_redirects=False
        ).status_code
        == 303
    )
    late = jo.post(f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(jo)})
    assert late.status_code == 409 and "Priya Shah has already taken it" in late.text


def test_simultaneous_claims_have_exactly_one_winner(app, resident, database_url, open_session) -> None:
    _, _, reference = resident_waiting(resident)
    with open_session(database_url) as session:
        officers = [session.scalar(select(Officer).where(Officer.email == OFFICERS[w][0])) for w in ("focus", "focus2")]
        for officer in officers:
            session.expunge(officer)
    barrier, outcomes = threading.Barrier(2), []

    def claim(officer: Officer) -> None:
        with open_session(database_url) as session:
            session.scalar(select(Handoff).where(Handoff.reference == reference))  # both read it as waiting
            barrier.wait()
            try:
                console.claim(session, officer, reference=reference)
                session.commit()
                outcomes.append("won")
            except console.AlreadyClaimed:
                session.rollback()
                outcomes.append("lost")

    threads = [threading.Thread(target=claim, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["lost", "won"]
    with open_session(database_url) as session:
        conversation_id = session.scalar(select(Handoff.conversation_id).where(Handoff.reference == reference))
        joined = [m for m in session.get_one(Conversation, conversation_id).messages if "joined the chat" in m.text]
        assert len(joined) == 1


def test_resolving_asks_for_a_rating_that_reaches_the_dashboard(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(resident)
    chat(resident, conversation_id, token, "I need help please")
    officer = officer_client(app, "focus")
    officer.post(f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(officer)})
    officer.post(f"/console/conversations/{conversation_id}/resolve", data={"csrf_token": page_csrf(officer)})
    question = transcript(resident, conversation_id, token)[-1]
    assert "How was your experience" in question["text"]
    assert [b["title"] for b in question["buttons"]] == ["Very good", "Good", "OK", "Poor", "Very poor"]
    good = next(b["payload"] for b in question["buttons"] if b["title"] == "Good")
    thanks = chat(resident, conversation_id, token, good)
    assert thanks[-1]["text"].startswith("Thank you for your feedback")

    dashboard = officer_client(app, "supervisor").get("/console/dashboard")
    assert dashboard.status_code == 200
    assert 'data-testid="satisfaction">4.0 / 5' in dashboard.text
    assert "Asked for a person" in dashboard.text and "<svg" in dashboard.text
    assert 'data-testid="first-contact">0%' in dashboard.text


def test_the_dashboard_counts_conversations_the_bot_resolved_alone(app, resident) -> None:
    for _ in range(3):
        created = resident.post("/api/chat/conversations").json()
        chat(resident, created["conversation_id"], created["token"], "hello")
    conversation_id, token, _ = resident_waiting(resident)
    chat(resident, conversation_id, token, "a person please")
    page = officer_client(app, "supervisor").get("/console/dashboard").text
    assert 'data-testid="conversations">4<' in page and 'data-testid="first-contact">75%' in page
    assert 'data-testid="waiting-now">1<' in page


def test_the_dashboard_shows_identity_check_lockouts(app, resident) -> None:
    def check(conversation_id: str) -> str:
        body = {
            "conversation_id": conversation_id,
            "full_name": "Made Up",
            "date_of_birth": "1980-01-01",
            "uprn": 100000001,
        }
        return str(
            resident.post("/api/v1/electoral/verifications", json=body, headers=granted(conversation_id)).json()[
                "outcome"
            ]
        )

    started = [resident.post("/api/chat/conversations").json()["conversation_id"] for _ in range(3)]
    outcomes = [check(started[0]) for _ in range(6)]  # the sixth is refused: the chat is locked
    outcomes += [check(started[1]) for _ in range(5)]  # ten failures from this client's address...
    outcomes += [check(started[2])]  # ...lock it, in any of its chats

    assert outcomes == ["not_verified"] * 5 + ["locked"] + ["not_verified"] * 5 + ["locked"]
    page = officer_client(app, "supervisor").get("/console/dashboard").text
    assert 'data-testid="lockouts">2<' in page
    assert "1 chat, 1 client address, 0 people guessed at" in page


def test_only_supervisors_see_the_dashboard(app) -> None:
    refused = officer_client(app, "focus").get("/console/dashboard")
    assert refused.status_code == 403 and "for supervisors" in refused.text


# ----- the command that creates officers -----


def test_the_officer_command_creates_an_officer_who_can_sign_in(database_url, tmp_path) -> None:
    env = {"CA_ENVIRONMENT": "test", "CA_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.officers",
            "create",
            "new.officer@council.test",
            "Nia Jones",
            "electoral_services",
            "--password-stdin",
        ],
        input="a-brand-new-password\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "a-brand-new-password" not in made.stdout + made.stderr
    short = subprocess.run(
        [sys.executable, "-m", "api.officers", "create", "x@council.test", "X Y", "customer_focus", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    app = create_app(Settings(database_url=database_url, environment="test", document_retry_seconds=0))
    with TestClient(app) as client:
        page = client.get("/console/sign-in")
        signed = client.post(
            "/console/sign-in",
            data={
                "email": "New.Officer@council.test",
                "password": "a-brand-new-password",
                "csrf_token": hidden_csrf(page.text),
            },
            follow_redirects=False,
        )
    assert signed.status_code == 303


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_dashboard_day_out_of_range_is_refused_not_a_server_error(app, day: str) -> None:
    supervisor = officer_client(app, "supervisor")
    client = TestClient(app, raise_server_exceptions=False, cookies=supervisor.cookies)
    response = client.get("/console/dashboard", params={"day": day})
    assert response.status_code == 422


@pytest.mark.parametrize("action", ["unlock", "reset-second-factor"])
def test_an_officer_id_beyond_any_row_is_refused_not_a_server_error(app, action: str) -> None:
    supervisor = officer_client(app, "supervisor")
    csrf = page_csrf(supervisor)
    client = TestClient(app, raise_server_exceptions=False, cookies=supervisor.cookies)
    response = client.post(
        f"/console/officers/99999999999999999999/{action}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 422


# ----- a resident who no longer needs an officer -----


def test_a_request_the_resident_withdrew_leaves_the_queue_and_reads_as_withdrawn(app, resident) -> None:
    conversation_id, token, reference = resident_waiting(resident, topic="payments", reason="payment_difficulty")
    focus = officer_client(app, "focus")
    assert reference in {item["reference"] for item in focus.get("/console/api/queue").json()["items"]}

    said = chat(resident, conversation_id, token, "actually never mind")

    assert "cancelled your request for an officer" in said[0]["text"]
    assert reference not in {item["reference"] for item in focus.get("/console/api/queue").json()["items"]}
    page = focus.get(f"/console/conversations/{conversation_id}")
    assert (
        page.status_code == 200
        and "no longer needed an officer" in page.text
        and 'data-testid="read-only"' in page.text
    )
    refused = focus.post(f"/console/handoffs/{reference}/claim", data={"csrf_token": page_csrf(focus)})
    assert refused.status_code in (303, 409) and "You are handling" not in refused.text
