"""The published contract holds: schemathesis fuzzes every operation in /openapi.json, in-process.

Each operation gets generated requests, valid and invalid, with the service token; every response must be
one the operation documents, in the documented shape and content type, never a server error. The API runs
on a writable copy of the demo database (SQLite and PostgreSQL) with Rasa answered in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.settings import DEV_SERVICE_TOKEN, DEV_TELEGRAM_TOKEN
from tests.support.electoral import copy_of
from tests.support.live_server import build_app

SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
TELEGRAM = {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"}
# Every check but positive_data_acceptance, which wants any schema-valid request accepted: the back office
# answers 422 (documented on each operation) for business rules a schema cannot state, such as a postcode
# that is not a UK postcode or a proxy vote without the proxy's name.
# Enough to reach every documented answer of each operation, and few enough for a 2-CPU machine.
EXAMPLES_PER_OPERATION = 30


def token_for(path: str) -> dict[str, str]:
    """The Telegram bridge's token for its endpoints, the action server's for the rest (each reaches only its own)."""
    return TELEGRAM if path.startswith("/api/v1/telegram") else SERVICE


@pytest.fixture(scope="module")
def fuzzed_app(seeded_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    with copy_of(seeded_database_url, tmp_path_factory.mktemp("fuzz")) as url:
        app = build_app(url)
        yield app
        app.state.database.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


@pytest.mark.slow
def test_every_operation_answers_as_documented(api_schema: Any) -> None:
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            case.call_and_validate(headers=token_for(case.path), excluded_checks=[positive_data_acceptance])

        try:
            answers_as_documented()
        except (Exception, BaseExceptionGroup) as failure:  # every operation is tried; all failures reported
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_every_operation_documents_its_refusals(fuzzed_app: FastAPI) -> None:
    """Every operation lists 413, and 422 if it takes input; those behind a token 401 (and 403 for another
    service's token); the throttled ones 429."""
    spec = fuzzed_app.openapi()
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            wanted = {"413"} | ({"422"} if operation.get("parameters") or operation.get("requestBody") else set())
            if operation.get("security") or path.startswith("/api/v1"):
                wanted |= {"401"}
            if path.startswith("/api/v1"):
                wanted |= {"403"}  # another service's token
            if (path.startswith("/api/chat") and method != "get") or path.endswith("/events"):
                wanted |= {"429"}  # starting, sending and streaming are throttled; reading a transcript is not
            if wanted - codes:
                missing.append(f"{method.upper()} {path}: {sorted(wanted - codes)}")
    assert not missing, "\n".join(missing)


def test_fuzzing_runs_against_this_checkout(api_schema: Any, tmp_path: Path) -> None:
    """Guard against a fuzz run that silently covers nothing."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/polling-stations?uprn=99999999999999999999"),
        ("GET", "/api/v1/elections/upcoming?uprn=99999999999999999999"),
        ("POST", "/api/v1/telegram/outbox/9999999999/delivery"),
    ],
)
def test_a_number_too_large_for_an_id_is_refused_not_a_server_error(
    fuzzed_app: FastAPI, method: str, path: str
) -> None:
    """Found by the fuzzer: a 20-digit UPRN or a 10-digit message id reached the database and failed there (500)."""
    with TestClient(fuzzed_app, raise_server_exceptions=False) as client:
        response = client.request(method, path, headers=token_for(path), json={"outcome": "sent"})
    assert response.status_code == 422
