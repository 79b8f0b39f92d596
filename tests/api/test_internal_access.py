"""Who may call which back-office endpoint: every /api/v1 route, called by every kind of caller.

The callers are nobody, a stranger with a made-up token, the Telegram bridge (its own token) and the action
server (its own token). The routes are read from the application itself, so a route added later without a
token check fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import DEV_SERVICE_TOKEN, DEV_TELEGRAM_TOKEN, Settings

CALLERS = {"nobody": None, "stranger": "a-token-nobody-issued", "telegram": DEV_TELEGRAM_TOKEN,
           "actions": DEV_SERVICE_TOKEN}


def backoffice_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 in the OpenAPI schema, path parameters filled with a plausible value."""
    return sorted((method.upper(), re.sub(r"\{[^}]+\}", "1", path))
                  for path, operations in app.openapi()["paths"].items() if path.startswith("/api/v1/")
                  for method in operations)


def service_of(path: str) -> str:
    return "telegram" if path.startswith("/api/v1/telegram/") else "actions"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, environment="test"))) as client:
        yield client


REFUSED_SERVICE = (403, "This service may not call this endpoint.")


def call(client: TestClient, method: str, path: str, token: str | None) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.request(method, path, headers=headers, json={} if method in ("POST", "PUT", "PATCH") else None,
                              params={"conversation_id": "1", "postcode": "TN41 6PA", "uprn": 1})
    body = response.json() if response.headers.get("content-type") == "application/json" else None
    return response.status_code, body.get("detail") if isinstance(body, dict) else None


def test_the_matrix_covers_both_services(client: TestClient) -> None:
    services = {service_of(path) for _, path in backoffice_routes(client.app)}  # type: ignore[arg-type]
    assert services == {"actions", "telegram"}


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_reaches_only_its_own_endpoints(client: TestClient, caller: str) -> None:
    answers = {(method, path): call(client, method, path, CALLERS[caller])
               for method, path in backoffice_routes(client.app)}  # type: ignore[arg-type]

    for (method, path), (status, detail) in answers.items():
        if caller in ("nobody", "stranger"):
            assert status == 401, (method, path, status)
        elif caller != service_of(path):
            assert (status, detail) == REFUSED_SERVICE, (method, path, status)
        else:
            assert status != 401 and (status, detail) != REFUSED_SERVICE, (method, path, status)


def test_a_refusal_says_nothing_about_the_record(client: TestClient) -> None:
    response = client.get("/api/v1/electoral/me", params={"conversation_id": "1"},
                          headers={"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"})
    assert response.status_code == 403
    assert response.json() == {"detail": "This service may not call this endpoint."}
