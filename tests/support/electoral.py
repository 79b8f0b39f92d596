"""Helpers shared by the electoral API tests (no tests here).

A writable copy of the module's demo database for each test, an API client whose clock the test sets,
the demo residents as a tester would type them, and electors a test adds.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import select

from api.db import session_on
from api.demo import read_demo_residents
from api.electoral.models import Elector, RegistrationStatus
from tests.support.backoffice_api import BackOfficeApi, backoffice_api, new_conversation_id
from tests.support.databases import POSTGRES_ADMIN_URL

# A Monday in January 2027: before every deadline of both 2027 polls.
START = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)


@contextmanager
def copy_of(url: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a copy of the database at ``url`` that a test may write to; drop it afterwards."""
    if url.startswith("sqlite:///"):
        target = directory / f"copy-{secrets.token_hex(4)}.db"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        yield f"sqlite:///{target}"
        return
    template, name = url.rsplit("/", 1)[1], f"ca_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield f"{url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class ElectoralApi(BackOfficeApi):
    """The electoral endpoints, with the clock starting in the run-up to the 2027 polls."""

    start = START

    def verify(self, person: Person, conversation_id: str | None = None, **changes: Any) -> httpx.Response:
        """Try to verify as ``person`` (with any detail changed), in a new conversation unless one is given."""
        body = {
            "conversation_id": conversation_id or new_conversation_id(),
            "full_name": person.full_name,
            "date_of_birth": person.date_of_birth,
            "uprn": person.uprn,
            **changes,
        }
        return self.post("/electoral/verifications", body)

    def me(self, conversation_id: str) -> httpx.Response:
        return self.get("/electoral/me", conversation_id=conversation_id)


def electoral_api(url: str) -> AbstractContextManager[ElectoralApi]:
    """Return a context yielding an :class:`ElectoralApi` on the database at ``url``."""
    return backoffice_api(ElectoralApi, url)


@dataclass(frozen=True)
class Person:
    """Someone as a resident types them: name, date of birth (ISO) and the UPRN chosen from their postcode."""

    full_name: str
    date_of_birth: str
    uprn: int
    elector_id: int | None = None


def demo_residents(url: str) -> list[Person]:
    """Return the demo residents (``python -m api.demo residents``) with their UPRN and elector id."""
    with session_on(url) as session:
        people = []
        for resident in read_demo_residents(session):
            elector = session.scalars(select(Elector).where(Elector.elector_number == resident["elector_number"])).one()
            people.append(Person(resident["name"], resident["date_of_birth"], elector.uprn, elector.id))
        return people


def add_elector(
    url: str,
    *,
    first_name: str,
    last_name: str,
    born: date,
    uprn: int,
    status: RegistrationStatus = RegistrationStatus.REGISTERED,
    anonymous: bool = False,
) -> Person:
    """Add an elector at ``uprn`` and return them as a resident would type them."""
    with session_on(url) as session:
        elector = Elector(
            elector_number=f"ZZ9-{secrets.token_hex(3)}",
            first_name=first_name,
            last_name=last_name,
            date_of_birth=born,
            uprn=uprn,
            status=status,
            anonymous=anonymous,
            open_register_opt_out=False,
            registered_on=date(2020, 5, 1),
        )
        session.add(elector)
        session.commit()
        return Person(f"{first_name} {last_name}", born.isoformat(), uprn, elector.id)
