"""Bin days through the hub, with the real model, actions and back office (issue 14, item 3).

A resident asks which day their bins go, gives a postcode, picks their address and hears each bin's next
collection (the dates the back office works out for today), with no identity questions; a missed bin in
the same chat is still reported, not answered with dates.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from api.clock import local_date
from api.db import Database, utcnow
from api.places.models import Property
from api.service_requests.models import ServiceRequest
from api.waste.service import bin_collections
from tests.support.chat import choose_address, reference, stack_scalar, texts

pytestmark = pytest.mark.stack
BINS_LINK = "https://www.ashdownvale.gov.uk/bins-and-recycling/collection-days"


def day_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def stack_today(stack) -> date:
    """The stack's date: its clock starts at a fixed moment (tests/conftest.py) and runs on from there."""
    return local_date(datetime.fromisoformat(stack.clock_start)) if stack.clock_start else local_date(utcnow())


def expected_firsts(stack, person: dict) -> dict[str, date]:
    """The next collection of each bin at the resident's home, as the back office works it out on the stack's day."""
    uprn = stack_scalar(
        stack.database_url,
        select(Property.uprn).where(
            Property.address_line == person["address"], Property.postcode == person["postcode"]
        ),
    )
    database = Database(stack.database_url)
    try:
        with database.sessions() as session:
            found = bin_collections(session, uprn=uprn, today=stack_today(stack))
    finally:
        database.engine.dispose()
    return {item.label: item.collections[0].date for item in found.bins}


@pytest.mark.parametrize("ask", ["when is my bin day?", "wat day r the bins collectd on my road"])
def test_a_resident_hears_each_bins_next_collection_at_their_address(new_resident, residents, stack, ask) -> None:
    person = residents[0]
    chat = new_resident()
    assert "postcode" in texts(chat.say(ask))

    answer = texts(choose_address(chat, chat.say(person["postcode"]), person))

    assert f"Your next bin collections at {person['address']}, {person['postcode']}:" in answer
    for label, day in expected_firsts(stack, person).items():
        assert label in answer and day_words(day) in answer, (label, day, answer)
    assert BINS_LINK in answer
    # The stack's day is Wednesday 25 November 2026; this resident's bins go on Mondays.
    assert "- Recycling: Tuesday 29 December, not Monday 28 December (because of the Boxing Day bank holiday)" in answer
    asked = texts(chat.transcript())
    assert "date of birth" not in asked and "full name" not in asked


def test_a_missed_bin_is_reported_after_asking_the_bin_day(new_resident, residents, stack) -> None:
    person = residents[1]
    chat = new_resident()
    chat.say("what day is recycling picked up on my street")
    assert "Your next bin collections" in texts(choose_address(chat, chat.say(person["postcode"]), person))

    replies = chat.say("my bin wasn't collected this morning")
    if "describe" not in texts(replies):
        replies = chat.say("missed_bin")
    assert "describe" in texts(replies) and "Your next bin collections" not in texts(replies)
    assert "email" in texts(chat.say("the blue recycling bin was left full"))
    assert "Shall I go ahead" in texts(chat.say("no thanks"))
    sr = reference("SR", texts(chat.say("yes")))
    assert (
        stack_scalar(stack.database_url, select(ServiceRequest.category).where(ServiceRequest.reference == sr))
        == "missed_bin"
    )


def test_a_resident_who_names_only_their_street_hears_their_bin_day(new_resident, residents, stack) -> None:
    # "what day are bins collected on Weald Mews" and "i live on Rowan Close" got "that doesn't look like a postcode",
    # again and again (a probe).
    person = residents[0]
    street = person["address"].split(" ", 1)[1]  # "19 Rowan Close" -> "Rowan Close"
    chat = new_resident()
    replies = chat.say(f"what day are the bins collected on {street}")
    assert f"The postcode for {street}, {person['town']} is {person['postcode']}." in texts(replies)
    answer = texts(choose_address(chat, replies, person))
    assert f"Your next bin collections at {person['address']}, {person['postcode']}:" in answer

    other = new_resident()
    assert "postcode" in texts(other.say("when is my bin day"))
    told = texts(other.say(f"I don't know it, I live at {person['address']}"))
    assert f"is {person['postcode']}" in told and "doesn't look like a postcode" not in told


def test_a_stolen_bin_is_asked_what_happened_to_it_and_lodged_as_a_replacement(new_resident, residents, stack) -> None:
    # The last probe: "someone nicked my recycling bin" was asked "how big is it, or which bin was missed?".
    person = residents[0]
    chat = new_resident()
    replies = chat.say("someone nicked my recycling bin")
    assert "postcode" in texts(replies)
    asked = texts(choose_address(chat, chat.say(person["postcode"]), person))
    assert "What happened to the bin" in asked and "missed" not in asked
    assert "email" in texts(chat.say("the blue recycling bin was taken on bin day"))
    confirm = texts(chat.say("no thanks"))
    assert "a request for a new or replacement bin" in confirm
    sr = reference("SR", texts(chat.say("yes")))
    assert (
        stack_scalar(stack.database_url, select(ServiceRequest.category).where(ServiceRequest.reference == sr))
        == "bin_request"
    )
