"""A quick subset of the simulated residents (scripts/journeys.py, `make journeys` runs the long set): for every
task, residents with different habits (typing or tapping, date formats, a mistake first, a question about
opening hours mid-form, a misspelt request) reach that task's outcome through the real stack."""

from __future__ import annotations

import pytest
from journeys import TASKS, Journey, make_journeys, run_journey
from sqlalchemy import select

from api.db import Database
from api.demo.residents import read_personas

pytestmark = pytest.mark.stack

PER_TASK = 2


@pytest.fixture(scope="module")
def personas(stack) -> list[dict]:
    database = Database(stack.database_url)
    try:
        with database.sessions() as session:
            return read_personas(session, 40)
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def journeys(personas) -> list[Journey]:
    return make_journeys(personas, TASKS, PER_TASK, seed=12)


def test_personas_are_real_residents_of_the_demo_data(stack, personas) -> None:
    from api.electoral.models import Elector

    assert len(personas) == 40 and len({p["elector_number"] for p in personas}) == 40
    database = Database(stack.database_url)
    try:
        with database.sessions() as session:
            numbers = set(session.scalars(select(Elector.elector_number)))
    finally:
        database.engine.dispose()
    assert {p["elector_number"] for p in personas} <= numbers


@pytest.mark.parametrize(
    "index", range(len(TASKS) * PER_TASK), ids=[f"{task}-{n}" for task in TASKS for n in range(PER_TASK)]
)
def test_a_simulated_resident_reaches_the_outcome_of_their_task(stack, journeys, index: int) -> None:
    journey = journeys[index]
    result = run_journey(stack.api_url, journey, stack.mail_dir)
    conversation = "\n".join(f"{who}: {text}" for who, text in result.transcript)
    assert result.right, f"{result.why}\n{conversation}"
