"""Fixtures for the end-to-end tests: residents who each start a conversation with the running stack."""

from __future__ import annotations

import pytest

from tests.support.chat import Resident, stack_residents


@pytest.fixture
def new_resident(stack):
    """Make residents who each start a conversation; their connections are closed afterwards."""
    residents: list[Resident] = []

    def make() -> Resident:
        residents.append(Resident(stack.api_url))
        return residents[-1]

    yield make
    for resident in residents:
        resident.http.close()


@pytest.fixture(scope="module")
def residents(stack) -> list[dict]:
    """The demo residents in the stack's database."""
    return stack_residents(stack.database_url)
