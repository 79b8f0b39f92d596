"""Fixtures for the console's push tests: ``app``, a ``push_app`` with the test officers, and ``resident``, its client.

A test module imports the two functions (``# noqa: F401``) and its tests ask for ``app`` and ``resident``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.console import add_officers, push_app


@pytest.fixture(name="app")
def push_app_with_officers(database_url: str, open_session) -> Iterator[FastAPI]:
    """A ``push_app`` on the test's database, with the test officers in it."""
    with open_session(database_url) as session:
        add_officers(session)
    app = push_app(database_url)
    yield app
    app.state.database.engine.dispose()


@pytest.fixture(name="resident")
def resident_client(app) -> Iterator[TestClient]:
    """A resident's client of ``app``, its lifespan running."""
    with TestClient(app) as client:
        yield client
