"""Who may call which back-office endpoint, about which conversation: caller x endpoint x conversation.

The callers are nobody, a stranger with a made-up token, the Telegram bridge (its own token) and the action
server (its own token); a call that names a conversation must also carry the hub's live grant for it. The
routes are read from the application's OpenAPI schema, so a route added later without these checks fails here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.deps import GRANT_REFUSED, SERVICE_REFUSED
from api.main import create_app
from api.migrations import upgrade_database
from api.service_access.grants import GRANT_HEADER, grant_is_valid, issue_grant
from api.settings import DEV_SECRET_KEY, DEV_SERVICE_TOKEN, DEV_TELEGRAM_TOKEN, Settings
from tests.support.backoffice_api import new_conversation_id
from tests.support.rasa_fakes import rasa_offering_a_person

CALLERS = {
    "nobody": None,
    "stranger": "a-token-nobody-issued",
    "telegram": DEV_TELEGRAM_TOKEN,
    "actions": DEV_SERVICE_TOKEN,
}


def backoffice_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 in the OpenAPI schema, path parameters filled with a plausible value."""
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    )


def service_of(path: str) -> str:
    return "telegram" if path.startswith("/api/v1/telegram/") else "actions"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the matrix, on SQLite: the checks come before any query, so the database kind is no factor."""
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'council.db'}"
    upgrade_database(url)
    with TestClient(create_app(Settings(database_url=url, environment="test"))) as client:
        yield client


REFUSED_SERVICE = (403, SERVICE_REFUSED)


def call(client: TestClient, method: str, path: str, token: str | None) -> tuple[int, object]:
    """Call with ``token`` and a live grant for conversation "1", the one every route is asked about here."""
    headers = {GRANT_HEADER: grant_for("1"), **({"Authorization": f"Bearer {token}"} if token else {})}
    response = client.request(
        method,
        path,
        headers=headers,
        json={} if method in ("POST", "PUT", "PATCH") else None,
        params={"conversation_id": "1", "postcode": "TN41 6PA", "uprn": 1},
    )
    body = response.json() if response.headers.get("content-type") == "application/json" else None
    return response.status_code, body.get("detail") if isinstance(body, dict) else None


def test_the_matrix_covers_both_services(client: TestClient) -> None:
    services = {service_of(path) for _, path in backoffice_routes(client.app)}  # type: ignore[arg-type]
    assert services == {"actions", "telegram"}


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_reaches_only_its_own_endpoints(client: TestClient, caller: str) -> None:
    answers = {
        (method, path): call(client, method, path, CALLERS[caller]) for method, path in backoffice_routes(client.app)
    }  # type: ignore[arg-type]

    for (method, path), (status, detail) in answers.items():
        if caller in ("nobody", "stranger"):
            assert status == 401, (method, path, status)
        elif caller != service_of(path):
            assert (status, detail) == REFUSED_SERVICE, (method, path, status)
        else:
            assert status != 401 and (status, detail) != REFUSED_SERVICE, (method, path, status)


def test_a_refusal_says_nothing_about_the_record(client: TestClient) -> None:
    response = client.get(
        "/api/v1/electoral/me",
        params={"conversation_id": "1"},
        headers={"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": SERVICE_REFUSED}


# ----- the conversation: a call about a resident's record must carry the hub's grant for that conversation -----


def conversation_routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """Every (method, path, where) of the action server's routes that names a conversation, from OpenAPI."""
    schema = app.openapi()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/v1/") or service_of(path) != "actions":
                continue
            where = {p["in"] for p in operation.get("parameters", []) if p["name"] == "conversation_id"}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in body:
                body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
            if "conversation_id" in body.get("properties", {}):
                where.add("body")
            found += [(method.upper(), path, place) for place in sorted(where)]
    return sorted(found)


def call_about(
    client: TestClient, method: str, path: str, where: str, conversation_id: str, grant: str | None
) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}", **({GRANT_HEADER: grant} if grant else {})}
    path = path.replace("{conversation_id}", conversation_id)
    path = re.sub(r"\{[^}]+\}", "1", path)
    response = client.request(
        method,
        path,
        headers=headers,
        params={"conversation_id": conversation_id} if where == "query" else None,
        json={"conversation_id": conversation_id} if where == "body" else None,
    )
    return response.status_code, response.json().get("detail") if response.content else None


def grant_for(
    conversation_id: str, *, key: str = DEV_SECRET_KEY, issued: float | None = None, lifetime: int = 120
) -> str:
    return issue_grant(
        key, conversation_id=conversation_id, now=time.time() if issued is None else issued, lifetime_seconds=lifetime
    )


BAD_GRANTS = {
    "none": lambda conversation_id: None,
    "another conversation's": lambda conversation_id: grant_for("someone-elses-conversation"),
    "expired": lambda conversation_id: grant_for(conversation_id, issued=time.time() - 121),
    "signed with another key": lambda conversation_id: grant_for(conversation_id, key="k" * 32),
    "forged": lambda conversation_id: f"{int(time.time()) + 60}.{'A' * 43}",
    "tampered expiry": lambda conversation_id: "9" + grant_for(conversation_id),
    "garbage": lambda conversation_id: "not.a.grant",
    "empty expiry": lambda conversation_id: "." + grant_for(conversation_id).split(".")[1],
}


def test_every_route_about_a_record_is_in_the_matrix(client: TestClient) -> None:
    routes = {(method, path) for method, path, _ in conversation_routes(client.app)}  # type: ignore[arg-type]
    assert {
        ("GET", "/api/v1/electoral/me"),
        ("GET", "/api/v1/payments/account"),
        ("POST", "/api/v1/conversations/{conversation_id}/handoffs"),
        ("POST", "/api/v1/electoral/verifications"),
        ("POST", "/api/v1/payments/document-requests"),
        ("DELETE", "/api/v1/payments/verifications/{conversation_id}"),
    } <= routes


@pytest.mark.parametrize("grant", BAD_GRANTS)
def test_without_a_live_grant_for_the_conversation_the_call_is_refused(client: TestClient, grant: str) -> None:
    conversation_id = new_conversation_id()
    for method, path, where in conversation_routes(client.app):  # type: ignore[arg-type]
        answer = call_about(client, method, path, where, conversation_id, BAD_GRANTS[grant](conversation_id))
        assert answer == (401, GRANT_REFUSED), (method, path, where, answer)


def test_with_the_grant_for_the_conversation_the_call_goes_through(client: TestClient) -> None:
    conversation_id = new_conversation_id()
    for method, path, where in conversation_routes(client.app):  # type: ignore[arg-type]
        status, detail = call_about(client, method, path, where, conversation_id, grant_for(conversation_id))
        assert status != 401 and detail != GRANT_REFUSED, (method, path, where, status)


def test_naming_a_second_conversation_in_the_same_call_needs_its_grant_too(client: TestClient) -> None:
    mine, theirs = new_conversation_id(), new_conversation_id()
    response = client.get(
        "/api/v1/electoral/me",
        params=[("conversation_id", mine), ("conversation_id", theirs)],
        headers={"Authorization": f"Bearer {DEV_SERVICE_TOKEN}", GRANT_HEADER: grant_for(mine)},
    )
    assert response.status_code == 401


def test_the_hub_gives_the_bot_a_short_lived_grant_for_that_conversation_only(make_client, rasa_calls) -> None:
    hub = make_client(rasa_offering_a_person)
    created = hub.post("/api/chat/conversations").json()
    other = hub.post("/api/chat/conversations").json()["conversation_id"]
    hub.post(
        f"/api/chat/conversations/{created['conversation_id']}/messages",
        json={"text": "hello"},
        headers={"Authorization": f"Bearer {created['token']}"},
    )

    grant = rasa_calls[-1]["metadata"]["grant"]
    now = time.time()
    assert grant_is_valid(DEV_SECRET_KEY, grant, conversation_id=created["conversation_id"], now=now)
    assert not grant_is_valid(DEV_SECRET_KEY, grant, conversation_id=other, now=now)
    assert not grant_is_valid(DEV_SECRET_KEY, grant, conversation_id=created["conversation_id"], now=now + 121)
