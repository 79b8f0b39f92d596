"""Real databases for the API tests: an empty SQLite file or PostgreSQL database per test, and copies of one.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth); tests/api/conftest.py turns these into
fixtures and skips PostgreSQL when CA_TEST_POSTGRES=off.
"""

from __future__ import annotations

import os
import secrets
import shutil
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


@contextmanager
def copy_of(template_url: str, kind: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a new database of ``kind`` holding what the database at ``template_url`` holds.

    Migrating a database takes a second or more and the API tests need a fresh one each, hundreds in a run;
    a copy of one migrated per run takes milliseconds (a file copy for SQLite, ``CREATE DATABASE ...
    TEMPLATE`` for PostgreSQL) and holds the same tables and Alembic revision. The template must have no
    open connections while it is copied (the migration and seeding helpers dispose of theirs).
    """
    if kind == "sqlite":
        copied = directory / f"council-{secrets.token_hex(4)}.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), copied)
        yield f"sqlite:///{copied}"
        return
    name, template = f"ca_test_{secrets.token_hex(6)}", template_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield f"postgresql+psycopg://{POSTGRES_SERVER}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
