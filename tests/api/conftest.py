"""Fixtures for API tests: real databases (SQLite and PostgreSQL) migrated to head, and sessions on them.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth). Each test gets its own database,
dropped afterwards. If PostgreSQL is unreachable the test fails; set CA_TEST_POSTGRES=off to skip the
PostgreSQL half instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from sqlalchemy.orm import Session

from api.conversations.rasa_client import RasaClient
from api.db import session_on
from api.demo import seed_demo_data
from api.main import create_app
from api.migrations import upgrade_database
from api.settings import Settings
from tests.support.databases import copy_of, empty_database
from tests.support.payments import Mailbox, smtp_server
from tests.support.rasa_fakes import RasaHandler

DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# Property tests have no time limit per example: hypothesis's default 200 ms deadline is a timing threshold, and on a
# shared, loaded machine one example of the name-matching test took 251 ms and failed a fresh-clone run.
# make test (and so CI) draws the same examples every run, so a stop's result says what its change did, not which
# examples came up. Hunting for new cases is a separate run with many more, different each time:
# HYPOTHESIS_PROFILE=explore .venv/app/bin/python -m pytest tests/api -k "redact or card" (docs/privacy-redaction.md).
settings.register_profile("no-deadline", deadline=None, derandomize=True)
settings.register_profile("explore", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "no-deadline"))


@pytest.fixture(params=DATABASE_KINDS)
def database_kind(request: pytest.FixtureRequest) -> str:
    """The kind of database a test runs on: every test using it runs once per kind."""
    return str(request.param)


class Templates:
    """Databases made once per test run, of each kind, for tests to copy: migrated, and migrated with demo data.

    Each is made the first time a test asks for it (so a run without PostgreSQL tests never touches the
    server) and removed at the end of the run.
    """

    def __init__(self, stack: ExitStack, folder: Callable[[str], Path]) -> None:
        self._stack, self._folder = stack, folder
        self._made: dict[tuple[str, bool], str] = {}

    def url(self, kind: str, *, seeded: bool = False) -> str:
        """Return the template of ``kind``, migrated to head, and holding the demo data when ``seeded``."""
        if (kind, seeded) not in self._made:
            url = self._stack.enter_context(empty_database(kind, self._folder("template")))
            upgrade_database(url)
            if seeded:
                with session_on(url) as session:
                    seed_demo_data(session, progress=False)
                    session.commit()
            self._made[(kind, seeded)] = url
        return self._made[(kind, seeded)]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The run's template databases (see Templates)."""
    with ExitStack() as stack:
        yield Templates(stack, tmp_path_factory.mktemp)


@pytest.fixture
def database_factory(tmp_path: Path, templates: Templates) -> Iterator[Callable[[str], str]]:
    """Make further migrated databases (``factory(kind) -> url``), all removed after the test.

    Each is a copy of the run's migrated template, the same as migrating an empty database in far less time.
    """
    with ExitStack() as stack:

        def make(kind: str) -> str:
            return stack.enter_context(copy_of(templates.url(kind), kind, tmp_path))

        yield make


@pytest.fixture
def database_url(database_kind: str, database_factory: Callable[[str], str]) -> str:
    """The URL of a fresh database, migrated to head, for this test alone."""
    return database_factory(database_kind)


@pytest.fixture
def open_session() -> Callable[[str], AbstractContextManager[Session]]:
    """Open sessions on any database URL: ``with open_session(url) as session: ...``."""
    return session_on


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on this test's fresh database."""
    with session_on(database_url) as session:
        yield session


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def seeded_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, templates: Templates
) -> Iterator[str]:
    """A migrated database holding the demo data, shared by a module's tests: read it, never commit to it.

    A copy of the run's seeded template: the demo data is seeded once per run, not once per module.
    """
    kind = str(request.param)
    with copy_of(templates.url(kind, seeded=True), kind, tmp_path_factory.mktemp("seeded")) as url:
        yield url


@pytest.fixture
def seeded_app(seeded_database_url: str) -> FastAPI:
    """The API on the shared demo database; a test may override its dependencies (the clock), never commit."""
    return create_app(Settings(database_url=seeded_database_url, environment="test"))


@pytest.fixture
def seeded_client(seeded_app: FastAPI) -> Iterator[TestClient]:
    """A client of ``seeded_app``, started (and stopped after the test) as the server would be."""
    with TestClient(seeded_app) as client:
        yield client


@pytest.fixture
def seeded_session(seeded_database_url: str) -> Iterator[Session]:
    """A session on the shared demo database; it is rolled back at the end of the test."""
    with session_on(seeded_database_url) as session:
        yield session


@pytest.fixture
def rasa_calls() -> list[dict[str, object]]:
    """Every message the hub sent to Rasa, in order."""
    return []


@pytest.fixture
def make_client(database_url: str, rasa_calls: list[dict[str, object]]) -> Iterator[Callable[..., TestClient]]:
    """Build a hub on the test database whose Rasa is `handler`: make_client(handler, headers=None)."""
    clients: list[TestClient] = []

    def build(handler: RasaHandler, headers: dict[str, str] | None = None) -> TestClient:
        def recording(request: httpx.Request) -> httpx.Response:
            rasa_calls.append(json.loads(request.content))
            return handler(request)

        app = create_app(Settings(database_url=database_url, environment="test", document_retry_seconds=0))
        app.state.rasa = RasaClient("http://rasa.invalid", timeout=5, transport=httpx.MockTransport(recording))
        client = TestClient(app, headers=headers)
        client.__enter__()  # runs the lifespan, whose exit closes the Rasa client and the engine
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def tracker_url(database_kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's kind for Rasa's tracker store (Rasa makes its table; see rasa_tracker.py)."""
    with empty_database(database_kind, tmp_path) as url:
        yield url


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback, collecting what the back office sends."""
    with smtp_server() as mailbox:
        yield mailbox
