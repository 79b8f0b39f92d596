"""Every console route but sign-in needs a signed-in officer, checked from the app's own route table.

The console's protected routers require a session router-wide, so a new page is protected without its
author remembering to; these tests walk every route the app serves under /console, so a route added to the
wrong router (or straight to the app) fails here rather than in production.
"""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.support.console import add_officers, sign_in

# The only console routes open without a full session: the sign-in form, the second-factor challenge, and
# sign-out (which checks its own session and CSRF token), plus /console, which only redirects to the queue.
PUBLIC = {
    ("GET", "/console"),
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/sign-in/code"),
    ("POST", "/console/sign-in/code"),
    ("POST", "/console/sign-out"),
}
# Routes an officer who must first set up a second factor may use (stage "enrol").
SETTING_UP = {("GET", "/console/security"), ("POST", "/console/security/enrol")}


def console_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Return (method, path) for every route the app serves under /console, path parameters filled in."""
    found = []
    # FastAPI 0.165 keeps included routers whole in app.routes; iter_route_contexts flattens them.
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path == "/console" or path.startswith("/console/"):
            found += [(method, path) for method in sorted((route.methods or set()) - {"HEAD"})]
    assert found, "no console routes found in the app's route table"
    return found


def filled(path: str) -> str:
    """Put a value every path parameter accepts (ids are numbers or strings) into the path."""
    return re.sub(r"\{[^}]+\}", "1", path)


def refused_anonymously(client: TestClient, method: str, path: str) -> bool:
    """Whether an anonymous browser is sent to sign-in (JSON under /console/api: 401) and a script gets 401."""
    page = client.request(method, filled(path), follow_redirects=False)
    script = client.request(method, filled(path), headers={"Accept": "application/json"}, follow_redirects=False)
    page_refused = (
        page.status_code == 401
        if path.startswith("/console/api/")
        else page.status_code == 303 and page.headers.get("location") == "/console/sign-in"
    )
    return page_refused and script.status_code == 401


@pytest.fixture
def app(database_url: str, open_session) -> FastAPI:
    with open_session(database_url) as session:
        add_officers(session)
    return create_app(
        Settings(database_url=database_url, environment="test", rasa_url="http://127.0.0.1:9", rasa_timeout_seconds=1)
    )


def test_the_route_table_has_the_console_pages(app) -> None:
    routes = set(console_routes(app))
    assert routes >= PUBLIC | SETTING_UP
    # Pages from each router: the queue, a live poll, the supervisors' privacy and knowledge-gap pages.
    assert {
        ("GET", "/console/queue"),
        ("GET", "/console/api/queue"),
        ("GET", "/console/audit"),
        ("GET", "/console/gaps"),
        ("POST", "/console/security/recovery-codes"),
    } <= routes


def test_every_console_route_but_sign_in_refuses_an_anonymous_request(app) -> None:
    with TestClient(app) as client:
        open_routes = [
            (method, path)
            for method, path in console_routes(app)
            if (method, path) not in PUBLIC - {("POST", "/console/sign-out")}
            and not refused_anonymously(client, method, path)
        ]
    assert open_routes == []


def test_a_route_added_outside_the_protected_routers_is_caught(app) -> None:
    forgotten = APIRouter(prefix="/console")

    @forgotten.get("/forgotten")
    def forgotten_page() -> dict[str, str]:
        return {"held": "everything"}

    app.include_router(forgotten)
    with TestClient(app) as client:
        assert not refused_anonymously(client, "GET", "/console/forgotten")


def test_an_officer_who_must_set_up_a_second_factor_is_sent_to_do_that_first(database_url, open_session) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            rasa_url="http://127.0.0.1:9",
            console_require_second_factor=True,
        )
    )
    with TestClient(app) as client:
        assert sign_in(client, "focus").headers["location"] == "/console/security"
        sent_elsewhere = []
        for method, path in console_routes(app):
            if (method, path) in PUBLIC | SETTING_UP:
                continue
            response = client.request(method, filled(path), follow_redirects=False)
            sent_to_set_up = (
                response.status_code == 401
                if path.startswith("/console/api/")
                else response.status_code == 303 and response.headers["location"] == "/console/security"
            )
            if not sent_to_set_up:
                sent_elsewhere.append((method, path, response.status_code))
        assert client.get("/console/security").status_code == 200
    assert sent_elsewhere == []
