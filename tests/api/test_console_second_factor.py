"""Officers' second factor: enrolment with a QR code, codes at sign-in (once each), recovery codes, the setting
that requires it, and a supervisor's reset."""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
import sys
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from api.migrations import downgrade_database, upgrade_database
from api.officers.sealing import SecretSeal
from api.settings import Settings
from tests.support.console import OFFICERS, add_officers, hidden_csrf, officer_id, officer_row, page_csrf, sign_in

OFFICE = ("198.51.100.10", 50000)


def make_app(database_url: str, **settings):
    return create_app(
        Settings(
            database_url=database_url,
            environment="test",
            rasa_url="http://127.0.0.1:9",
            rasa_timeout_seconds=1,
            document_retry_seconds=0,
            **settings,
        )
    )


@pytest.fixture
def app(database_url: str, open_session):
    with open_session(database_url) as session:
        add_officers(session)
    app = make_app(database_url)
    yield app
    app.state.database.engine.dispose()


def new_key() -> str:
    """A Fernet key, as CA_SECOND_FACTOR_KEY holds."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def enrol(client: TestClient) -> tuple[pyotp.TOTP, list[str]]:
    """Set up two-step sign-in from the security page as an officer would; return their app and recovery codes."""
    page = client.get("/console/security")
    assert page.status_code == 200 and "<svg" in page.text
    secret = re.search(r'data-testid="secret">([A-Z2-7]+)<', page.text).group(1)
    app = pyotp.TOTP(secret)
    done = client.post("/console/security/enrol", data={"code": app.now(), "csrf_token": hidden_csrf(page.text)})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", done.text)
    return app, codes


def enter_code(client: TestClient, code: str):
    page = client.get("/console/sign-in/code")
    return client.post(
        "/console/sign-in/code", data={"code": code, "csrf_token": hidden_csrf(page.text)}, follow_redirects=False
    )


def next_step_code(app: pyotp.TOTP, used: str) -> str:
    """A code of a later step than ``used`` (the same step is refused, by design)."""
    later = app.at(time.time() + 30)
    return later if later != used else app.at(time.time() + 60)


def test_enrolment_needs_a_code_from_the_app_and_gives_recovery_codes_once(app) -> None:
    officer = TestClient(app, client=OFFICE)
    assert sign_in(officer, "focus").status_code == 303
    page = officer.get("/console/security")
    assert 'data-testid="qr-code"' in page.text and "Turn on two-step sign-in" in page.text
    assert officer.get("/console/security").text.count(re.search(r'data-testid="secret">(\w+)<', page.text).group(1))
    wrong = officer.post("/console/security/enrol", data={"code": "000000", "csrf_token": hidden_csrf(page.text)})
    assert wrong.status_code == 422 and "That code is not right" in wrong.text
    _, codes = enrol(officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    status = officer.get("/console/security")
    assert "Two-step sign-in is on" in status.text and "10 unused recovery codes" in status.text
    assert not any(code in status.text for code in codes)


def test_signing_in_asks_for_a_code_and_opens_nothing_until_it_is_right(app) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    authenticator, _ = enrol(officer)
    officer.post("/console/sign-out", data={"csrf_token": page_csrf(officer)})

    response = sign_in(officer, "focus")
    assert response.status_code == 303 and response.headers["location"] == "/console/sign-in/code"
    pending = officer.cookies.get("ca_console")
    queue = officer.get("/console/queue", follow_redirects=False)
    assert queue.status_code == 303 and queue.headers["location"] == "/console/sign-in/code"
    assert officer.get("/console/api/queue").status_code == 401
    assert TestClient(app, cookies={"ca_console": pending}).get("/console/api/queue").status_code == 401
    wrong = enter_code(officer, "123456" if authenticator.now() != "123456" else "654321")
    assert wrong.status_code == 401 and "That code is not right" in wrong.text
    right = enter_code(officer, next_step_code(authenticator, authenticator.now()))
    assert right.status_code == 303 and right.headers["location"] == "/console/queue"
    assert officer.cookies.get("ca_console") != pending
    assert officer.get("/console/queue").status_code == 200
    assert TestClient(app, cookies={"ca_console": pending}).get("/console/api/queue").status_code == 401


def test_a_code_works_once_and_a_recovery_code_works_once(app) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    authenticator, codes = enrol(officer)  # enrolment used the current step
    seen = authenticator.now()
    sign_in(officer, "focus")
    assert enter_code(officer, seen).status_code == 401
    # One code, worked out once: on a slow machine a 30 s step can pass between two calls, and the "next" code
    # worked out later would be a different, still unused one.
    later = next_step_code(authenticator, seen)
    assert enter_code(officer, later).status_code == 303

    thief = TestClient(app, client=("203.0.113.7", 40000))
    sign_in(thief, "focus")
    assert enter_code(thief, later).status_code == 401

    other = TestClient(app, client=("198.51.100.11", 50000))
    sign_in(other, "focus")
    assert enter_code(other, codes[0].lower()).status_code == 303
    assert "9 unused recovery codes" in other.get("/console/security").text
    sign_in(other, "focus")
    assert enter_code(other, codes[0]).status_code == 401


def test_guessing_codes_is_limited_like_guessing_passwords(app) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    authenticator, _ = enrol(officer)
    attacker = TestClient(app, client=("203.0.113.8", 40000))
    assert sign_in(attacker, "focus").status_code == 303  # the attacker has the password
    guesses = [f"{n:06d}" for n in range(100000, 100010) if f"{n:06d}" != authenticator.now()][:5]
    assert [enter_code(attacker, guess).status_code for guess in guesses] == [401] * 5
    refused = enter_code(attacker, next_step_code(authenticator, authenticator.now()))
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"


def test_a_required_second_factor_must_be_set_up_before_anything_else(database_url, open_session) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    app = make_app(database_url, console_require_second_factor=True)
    officer = TestClient(app, client=OFFICE)
    response = sign_in(officer, "electoral")
    assert response.status_code == 303 and response.headers["location"] == "/console/security"
    queue = officer.get("/console/queue", follow_redirects=False)
    assert queue.status_code == 303 and queue.headers["location"] == "/console/security"
    assert officer.get("/console/api/queue").status_code == 401
    assert "Set up two-step sign-in to use the console" in officer.get("/console/security").text
    before = officer.cookies.get("ca_console")
    authenticator, _ = enrol(officer)
    assert officer.cookies.get("ca_console") != before
    assert officer.get("/console/queue").status_code == 200
    fresh = TestClient(app, client=OFFICE)
    assert sign_in(fresh, "electoral").headers["location"] == "/console/sign-in/code"
    assert enter_code(fresh, next_step_code(authenticator, authenticator.now())).status_code == 303
    app.state.database.engine.dispose()


def test_production_requires_a_second_factor_unless_told_otherwise() -> None:
    production = {
        "environment": "production",
        "service_tokens": ["actions:" + "s" * 40],
        "secret_key": "k" * 40,
        "second_factor_key": new_key(),
    }
    assert Settings(**production).console_second_factor_required
    assert not Settings(**production, console_require_second_factor=False).console_second_factor_required
    assert not Settings(environment="test").console_second_factor_required


def test_a_supervisor_resets_a_lost_phone_and_the_officers_sessions_end(app) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    enrol(officer)
    supervisor = TestClient(app, client=("198.51.100.20", 50000))
    sign_in(supervisor, "supervisor")
    page = supervisor.get("/console/officers")
    assert "On" in officer_row(page.text, OFFICERS["focus"][0])
    done = supervisor.post(
        f"/console/officers/{officer_id(app, 'focus')}/reset-second-factor",
        data={"csrf_token": hidden_csrf(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Not set up" in officer_row(supervisor.get("/console/officers").text, OFFICERS["focus"][0])
    assert officer.get("/console/api/queue").status_code == 401
    assert sign_in(officer, "focus").headers["location"] == "/console/queue"
    colleague = TestClient(app, client=OFFICE)
    sign_in(colleague, "focus2")
    refused = colleague.post(
        f"/console/officers/{officer_id(app, 'focus')}/reset-second-factor", data={"csrf_token": page_csrf(colleague)}
    )
    assert refused.status_code == 403


@pytest.mark.slow
def test_the_reset_command_removes_the_second_factor(app, database_url) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    enrol(officer)
    assert sign_in(officer, "focus").headers["location"] == "/console/sign-in/code"
    env = {"CA_ENVIRONMENT": "test", "CA_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "api.officers", "reset-second-factor", OFFICERS["focus"][0]],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "Two-step sign-in removed" in done.stdout, done.stderr
    assert sign_in(officer, "focus").headers["location"] == "/console/queue"


# ----- the secret is sealed at rest -----


def stored_officer(database_url: str, open_session, who: str) -> dict[str, object]:
    """The officer's row as the database holds it (every column, read with SQL, not through the model)."""
    with open_session(database_url) as session:
        return dict(
            session.execute(text("SELECT * FROM officers WHERE email = :email"), {"email": OFFICERS[who][0]})
            .mappings()
            .one()
        )


def test_the_second_factor_secret_is_stored_sealed_and_still_opens_at_sign_in(app, database_url, open_session) -> None:
    officer = TestClient(app, client=OFFICE)
    sign_in(officer, "focus")
    authenticator, _ = enrol(officer)

    row = stored_officer(database_url, open_session, "focus")
    assert not any(authenticator.secret in str(value) for value in row.values())
    assert SecretSeal(Settings(environment="test").second_factor_key).open(str(row["totp_secret_sealed"])) == (
        authenticator.secret
    )
    sign_in(officer, "focus")
    assert enter_code(officer, next_step_code(authenticator, authenticator.now())).status_code == 303


@pytest.mark.slow
def test_only_the_key_that_sealed_a_secret_opens_it_and_a_new_key_can_be_rotated_in(database_url, open_session) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    first, second = new_key(), new_key()
    apps = {key: make_app(database_url, second_factor_key=key) for key in (first, second, f"{second},{first}")}
    try:
        officer = TestClient(apps[first], client=OFFICE)
        sign_in(officer, "focus")
        authenticator, _ = enrol(officer)
        code = next_step_code(authenticator, authenticator.now())

        stranger = TestClient(apps[second], client=OFFICE)
        sign_in(stranger, "focus")
        assert enter_code(stranger, code).status_code == 401  # another key opens nothing

        rotating = TestClient(apps[f"{second},{first}"], client=OFFICE)
        sign_in(rotating, "focus")
        assert enter_code(rotating, code).status_code == 303
    finally:
        for app in apps.values():
            app.state.database.engine.dispose()
    env = {
        "CA_ENVIRONMENT": "test",
        "CA_DATABASE_URL": database_url,
        "PATH": "/usr/bin:/bin",
        "CA_SECOND_FACTOR_KEY": f"{second},{first}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.officers", "reseal-second-factors"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "Sealed 1 two-step sign-in secrets" in done.stdout, done.stderr
    sealed = str(stored_officer(database_url, open_session, "focus")["totp_secret_sealed"])
    assert SecretSeal(second).open(sealed) == authenticator.secret


def test_a_key_that_is_not_a_fernet_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ValueError, match="CA_SECOND_FACTOR_KEY key 2 is not a Fernet key"):
        Settings(environment="test", second_factor_key=f"{new_key()},not-a-key")


def test_the_migration_seals_secrets_stored_in_plain_text_and_needs_the_key_to(
    database_factory, open_session, monkeypatch
) -> None:
    url = database_factory("sqlite")
    downgrade_database(url, "0012")
    secret = pyotp.random_base32(length=32)
    with open_session(url) as session:
        session.execute(
            text(
                "INSERT INTO officers (email, display_name, role, password_hash, active, totp_secret) "
                "VALUES ('a@council.test', 'A', 'customer_focus', 'x', true, :secret)"
            ),
            {"secret": secret},
        )
        session.commit()
    monkeypatch.delenv("CA_SECOND_FACTOR_KEY", raising=False)
    monkeypatch.setenv("CA_ENVIRONMENT", "production")
    with pytest.raises(RuntimeError, match="set CA_SECOND_FACTOR_KEY"):
        upgrade_database(url)
    with open_session(url) as session:  # nothing was changed
        assert session.execute(text("SELECT totp_secret FROM officers")).scalar_one() == secret

    key = new_key()
    monkeypatch.setenv("CA_SECOND_FACTOR_KEY", key)
    upgrade_database(url)
    with open_session(url) as session:
        row = dict(session.execute(text("SELECT * FROM officers")).mappings().one())
    assert "totp_secret" not in row and secret not in str(row)
    assert SecretSeal(key).open(str(row["totp_secret_sealed"])) == secret

    downgrade_database(url, "0012")
    with open_session(url) as session:
        assert session.execute(text("SELECT totp_secret FROM officers")).scalar_one() == secret
