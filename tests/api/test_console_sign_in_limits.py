"""Officer sign-in under attack: attempts counted atomically, limits per address and per client, supervisors unlock."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from fastapi.testclient import TestClient

from api.officers import limits
from tests.support.console import (
    OFFICERS,
    add_officers,
    console_app,
    hidden_csrf,
    officer_id,
    officer_row,
    page_csrf,
    sign_in,
)

ATTACKER = ("203.0.113.66", 40000)
OFFICE = ("198.51.100.10", 50000)
# Every test here hashes dozens of passwords (argon2, slow on purpose): make test runs them, make check does not.
pytestmark = pytest.mark.slow


@pytest.fixture
def app(database_url: str, open_session):
    with open_session(database_url) as session:
        add_officers(session)
    app = console_app(database_url)
    yield app
    app.state.database.engine.dispose()


def from_client(app, address: tuple[str, int] = ATTACKER) -> TestClient:
    return TestClient(app, client=address)


def test_parallel_wrong_passwords_get_no_more_than_five_checks(app) -> None:
    clients = [from_client(app) for _ in range(12)]
    pages = [c.get("/console/sign-in") for c in clients]
    assert all(p.status_code == 200 for p in pages)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client: TestClient) -> None:
        start.wait()
        statuses.append(sign_in(client, "focus", password="a-wrong-guess-123").status_code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert sign_in(from_client(app), "focus").status_code == 429


def test_an_attacker_guessing_from_one_computer_does_not_lock_the_officer_out(app) -> None:
    attacker = from_client(app)
    for _ in range(5):
        assert sign_in(attacker, "focus", password="a-wrong-guess-123").status_code == 401
    refused = sign_in(attacker, "focus", password="another-guess-456")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    assert "Too many unsuccessful attempts" in refused.text
    assert sign_in(from_client(app, OFFICE), "focus").status_code == 303


def test_one_computer_spraying_many_addresses_is_stopped(app, monkeypatch) -> None:
    monkeypatch.setattr(limits, "CLIENT", limits.Limit("client", 7, limits.CLIENT.window))
    attacker = from_client(app)
    for n in range(limits.CLIENT.max_failures):
        assert sign_in_as(attacker, f"someone{n}@council.test", "a-wrong-guess-123").status_code == 401
    assert sign_in(attacker, "focus").status_code == 429
    assert sign_in(from_client(app, OFFICE), "focus").status_code == 303


def test_guessing_from_many_computers_locks_the_address_until_a_supervisor_unlocks_it(app, monkeypatch) -> None:
    monkeypatch.setattr(limits, "ACCOUNT", limits.Limit("account", 8, limits.ACCOUNT.window))
    for n in range(8):
        elsewhere = from_client(app, (f"203.0.113.{n}", 40000))
        assert sign_in(elsewhere, "focus", password="wrong-guess-99").status_code == 401
    office = from_client(app, OFFICE)
    assert sign_in(office, "focus").status_code == 429
    supervisor = from_client(app, ("198.51.100.20", 50000))
    assert sign_in(supervisor, "supervisor").status_code == 303
    page = supervisor.get("/console/officers")
    row = officer_row(page.text, OFFICERS["focus"][0])
    assert "Locked from every computer" in row and "8 failed attempts" in row
    response = supervisor.post(
        f"/console/officers/{officer_id(app, 'focus')}/unlock",
        data={"csrf_token": page_csrf(supervisor)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "The officer can sign in again." in supervisor.get(response.headers["location"]).text
    assert sign_in(office, "focus").status_code == 303


def test_an_officer_who_mistyped_is_unlocked_by_a_supervisor(app) -> None:
    office = from_client(app, OFFICE)
    for _ in range(5):
        sign_in(office, "electoral", password="mistyped-password")
    assert sign_in(office, "electoral").status_code == 429
    supervisor = from_client(app, ("198.51.100.20", 50000))
    assert sign_in(supervisor, "supervisor").status_code == 303
    row = officer_row(supervisor.get("/console/officers").text, OFFICERS["electoral"][0])
    assert "Locked from one computer" in row and "5 failed attempts" in row
    supervisor.post(
        f"/console/officers/{officer_id(app, 'electoral')}/unlock", data={"csrf_token": page_csrf(supervisor)}
    )
    assert sign_in(office, "electoral").status_code == 303
    assert "Locked" not in officer_row(supervisor.get("/console/officers").text, OFFICERS["electoral"][0])


def test_only_supervisors_see_and_unlock_officers(app) -> None:
    officer = from_client(app, OFFICE)
    assert sign_in(officer, "focus").status_code == 303
    assert officer.get("/console/officers").status_code == 403
    refused = officer.post(
        f"/console/officers/{officer_id(app, 'focus')}/unlock", data={"csrf_token": page_csrf(officer)}
    )
    assert refused.status_code == 403
    stranger = from_client(app)
    assert stranger.get("/console/officers", follow_redirects=False).status_code == 303
    supervisor = from_client(app, ("198.51.100.20", 50000))
    sign_in(supervisor, "supervisor")
    no_token = supervisor.post(f"/console/officers/{officer_id(app, 'focus')}/unlock")
    assert no_token.status_code == 403
    assert (
        supervisor.post("/console/officers/999999/unlock", data={"csrf_token": page_csrf(supervisor)}).status_code
        == 404
    )


def test_the_unlock_command_lets_a_locked_officer_sign_in(app, database_url) -> None:
    office = from_client(app, OFFICE)
    for _ in range(5):
        sign_in(office, "focus", password="mistyped-password")
    assert sign_in(office, "focus").status_code == 429
    env = {"CA_ENVIRONMENT": "test", "CA_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "api.officers", "unlock", " PRIYA@council.test"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "Unlocked priya@council.test" in done.stdout, done.stderr
    assert sign_in(office, "focus").status_code == 303
    unknown = subprocess.run(
        [sys.executable, "-m", "api.officers", "unlock", "nobody@council.test"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert unknown.returncode == 2 and "No officer has the address" in unknown.stderr


def sign_in_as(client: TestClient, email: str, password: str):
    page = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={"email": email, "password": password, "csrf_token": hidden_csrf(page.text)},
        follow_redirects=False,
    )


def test_one_computer_signing_in_again_and_again_is_slowed_down(app) -> None:
    office = from_client(app, OFFICE)
    for _ in range(10):
        assert sign_in(office, "focus").status_code == 303
    refused = sign_in(office, "focus")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many sign-in attempts from this computer" in refused.text
    assert sign_in(from_client(app, ("198.51.100.99", 50000)), "focus").status_code == 303
