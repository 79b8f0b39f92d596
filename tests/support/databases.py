"""Real databases for the API tests: an empty SQLite file or PostgreSQL database per test, and sessions on them.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth); tests/api/conftest.py turns these into
fixtures and skips PostgreSQL when CA_TEST_POSTGRES=off.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

POSTGRES_SERVER = "postgres@127.0.0.1:5432"


POSTGRES_ADMIN_URL = f"postgresql://{POSTGRES_SERVER}/postgres"


@contextmanager
def empty_database(kind: str, directory: Path) -> Iterator[str]:
    """Create an empty database of ``kind`` and yield its SQLAlchemy URL; remove it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'council-{secrets.token_hex(4)}.db'}"
        return
    if os.environ.get("CA_TEST_POSTGRES") == "off":
        pytest.skip("PostgreSQL tests switched off by CA_TEST_POSTGRES=off")
    name = f"ca_test_{secrets.token_hex(6)}"
    unreachable = ""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        unreachable = str(error).strip()
    if unreachable:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_SERVER} is unreachable ({unreachable}). Start it, or set "
            "CA_TEST_POSTGRES=off to skip the PostgreSQL tests.",
            pytrace=False,
        )
    try:
        yield f"postgresql+psycopg://{POSTGRES_SERVER}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
