"""Rate limits in tests: clients of one API worker seen from different addresses, and the kind refusal a throttled
request gets (429, a Retry-After, the council's phone number).

The ``client_for`` fixture: a test module imports its function with ``# noqa: F401`` and its tests ask for
``client_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.live_server import build_app

COUNCIL_PHONE = "01632 960 123"
RESIDENT = ("203.0.113.10", 50000)


@pytest.fixture(name="client_for")
def clients_from_addresses(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """Clients of one app (one API worker) as seen from different addresses: client_for(address, **settings)."""
    opened: list[TestClient] = []
    apps: dict[str, FastAPI] = {}

    def build(address: tuple[str, int] = RESIDENT, app: FastAPI | None = None, **settings: Any) -> TestClient:
        app = app or apps.setdefault("default", build_app(database_url, **settings))
        client = TestClient(app, client=address)
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


def assert_kind_refusal(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert COUNCIL_PHONE in response.json()["detail"]
    if "pause" in response.json()["detail"] and int(response.headers["Retry-After"]) <= 90:
        assert "try again in a minute" in response.json()["detail"]
