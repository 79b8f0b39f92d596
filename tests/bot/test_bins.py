"""Bin collection days: the task's questions, its answer in plain words, and bin questions routed to it."""

from __future__ import annotations

import asyncio
import copy

import httpx
import pytest

from bot.actions.bins import day_words, next_collections
from bot.actions.task_form import required_slots_for
from bot.actions.tasks import ActionStartTask
from bot.backoffice_models import BinCollections, parse
from bot.knowledge import get_knowledge
from bot.routing import route
from tests.support.backoffice_fake import complete, slots_of
from tests.support.trackers import make_tracker, user_event

UPRN = "100099500102"
# What GET /api/v1/bin-collections answers for a property, asked on Thursday 3 December 2026.
COLLECTIONS = {
    "uprn": int(UPRN),
    "address": "12 Oak Road",
    "postcode": "TN41 6PA",
    "today": "2026-12-03",
    "garden_waste_subscribed": False,
    "bins": [
        {
            "bin_type": "refuse",
            "label": "General waste",
            "container": "green bin",
            "frequency": "fortnightly",
            "usual_day": "Friday",
            "paused": False,
            "collections": [
                {"date": "2026-12-04", "usual_date": "2026-12-04", "moved_for": None},
                {"date": "2026-12-18", "usual_date": "2026-12-18", "moved_for": None},
                {"date": "2027-01-02", "usual_date": "2027-01-01", "moved_for": "New Year's Day"},
            ],
        },
        {
            "bin_type": "food",
            "label": "Food waste",
            "container": "food caddy",
            "frequency": "weekly",
            "usual_day": "Friday",
            "paused": False,
            "collections": [
                {"date": "2026-12-04", "usual_date": "2026-12-04", "moved_for": None},
                {"date": "2026-12-11", "usual_date": "2026-12-11", "moved_for": None},
                {"date": "2026-12-18", "usual_date": "2026-12-18", "moved_for": None},
            ],
        },
        {
            "bin_type": "recycling",
            "label": "Recycling",
            "container": "blue bin",
            "frequency": "fortnightly",
            "usual_day": "Friday",
            "paused": False,
            "collections": [
                {"date": "2026-12-11", "usual_date": "2026-12-11", "moved_for": None},
                {"date": "2026-12-26", "usual_date": "2026-12-25", "moved_for": "Christmas Day"},
                {"date": "2027-01-08", "usual_date": "2027-01-08", "moved_for": None},
            ],
        },
    ],
}
ROUTE = ("GET", "/api/v1/bin-collections")


def said_for(answer: dict) -> str:
    """What the resident is told for this back-office answer, read as the client reads it."""
    return next_collections(parse(BinCollections, answer))


def source(slug: str) -> str:
    return get_knowledge().article(slug).source


def test_the_task_asks_only_for_the_postcode_and_the_address() -> None:
    assert required_slots_for("ask_bin_day", {}) == ["postcode", "address_uprn"]


def test_the_next_collection_of_each_bin_is_given_for_the_chosen_address(dispatcher) -> None:
    events, calls, said = complete(
        {ROUTE: httpx.Response(200, json=COLLECTIONS)},
        dispatcher,
        pending_task="ask_bin_day",
        postcode="TN41 6PA",
        address_uprn=UPRN,
        identity_verified=False,
    )
    assert [call.url.params["uprn"] for call in calls] == [UPRN]
    assert "Your next bin collections at 12 Oak Road, TN41 6PA:" in said
    assert "- General waste (green bin): tomorrow (Friday 4 December)" in said
    assert "- Recycling (blue bin): Friday 11 December" in said
    assert "- Food waste (food caddy): tomorrow (Friday 4 December)" in said
    assert source("bin-collection-day") in said
    assert slots_of(events)["pending_task"] is None


def test_bank_holiday_changes_coming_up_are_named_with_the_holiday(dispatcher) -> None:
    said = said_for(COLLECTIONS)
    assert (
        "Changes for bank holidays:\n"
        "- Recycling: Saturday 26 December, not Friday 25 December (because of the Christmas Day bank holiday)\n"
        "- General waste: Saturday 2 January, not Friday 1 January (because of the New Year's Day bank holiday)\n"
    ) in said


def test_a_moved_next_collection_says_so_on_its_own_line() -> None:
    moved = copy.deepcopy(COLLECTIONS)
    moved["today"] = "2026-12-24"
    moved["bins"][2]["collections"] = moved["bins"][2]["collections"][1:]
    said = said_for(moved)
    assert (
        "- Recycling (blue bin): Saturday 26 December, not Friday 25 December "
        "(because of the Christmas Day bank holiday)" in said
    )


def test_garden_waste_is_listed_for_subscribers_and_offered_to_others() -> None:
    assert f"You can pay for one at {source('garden-waste')}" in said_for(COLLECTIONS)
    subscribed = copy.deepcopy(COLLECTIONS)
    subscribed["garden_waste_subscribed"] = True
    subscribed["bins"].append(
        {
            "bin_type": "garden",
            "label": "Garden waste",
            "container": "brown bin",
            "frequency": "fortnightly",
            "usual_day": "Friday",
            "paused": True,
            "collections": [{"date": "2027-03-05", "usual_date": "2027-03-05", "moved_for": None}],
        }
    )
    said = said_for(subscribed)
    assert "- Garden waste (brown bin): Friday 5 March (brown bins have a winter break)" in said
    assert "pay for one" not in said


def test_an_address_the_back_office_does_not_know_is_said_kindly(dispatcher) -> None:
    _, _, said = complete(
        {}, dispatcher, pending_task="ask_bin_day", postcode="TN41 6PA", address_uprn=UPRN, identity_verified=False
    )
    assert "couldn't find that address" in said


def test_a_failing_back_office_keeps_the_address_and_offers_to_try_again(dispatcher) -> None:
    events, _, _ = complete(
        {ROUTE: httpx.Response(503)},
        dispatcher,
        pending_task="ask_bin_day",
        postcode="TN41 6PA",
        address_uprn=UPRN,
        identity_verified=False,
    )
    slots = slots_of(events)
    assert slots["pending_task"] == "ask_bin_day" and slots["verification_outcome"] == "submit_error"
    assert "address_uprn" not in slots


def test_dates_are_written_without_the_year_and_today_is_today() -> None:
    assert day_words("2026-12-08") == "Tuesday 8 December"
    assert day_words("2026-12-08", today="2026-12-08") == "today (Tuesday 8 December)"


def run_start(text: str, intent: str, dispatcher) -> dict:
    tracker = make_tracker(user_event(text, intent))
    return slots_of(asyncio.run(ActionStartTask().run(dispatcher, tracker, {})))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("when is my bin day", "ask_bin_day"),
        ("is my bin day changed for christmas", "ask_bin_day"),
        ("when is my brown bin collected", "ask_bin_day"),
        # Read as a problem report, a bin-day question still gets the bin-day lookup, not a report or an article.
        ("what day is recycling picked up on my street", "report_problem"),
        ("which day do the bins go out", "report_problem"),
        # Another bin named in a question about when it goes out: still the day (search named the food caddy article).
        ("do i put the food caddy out this week or next", "ask_bin_day"),
        ("when does the brown bin go out", "ask_bin_day"),
    ],
)
def test_bin_day_questions_start_the_bin_day_task(text, intent, dispatcher) -> None:
    assert run_start(text, intent, dispatcher)["pending_task"] == "ask_bin_day"
    assert dispatcher.messages == []
    assert route(text, intent, get_knowledge().articles()).starts == "ask_bin_day"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my bin wasn't collected", "report_problem"),
        ("the recycling wasn't picked up on bin day", "report_problem"),
        ("they missed my bin on collection day", "report_problem"),
    ],
)
def test_a_missed_bin_is_still_a_report_whatever_it_says_about_bin_day(text, intent, dispatcher) -> None:
    assert run_start(text, intent, dispatcher)["pending_task"] == "report_problem"
    assert route(text, intent, get_knowledge().articles()).starts == "report_problem"


@pytest.mark.parametrize(
    "text", ["how much is the brown bin garden waste subscription", "when do i renew my brown bin subscription"]
)
def test_another_bin_service_named_in_a_bin_day_question_gets_its_article(text, dispatcher) -> None:
    events = asyncio.run(ActionStartTask().run(dispatcher, make_tracker(user_event(text, "ask_bin_day")), {}))
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    assert source("garden-waste") in dispatcher.messages[0]["text"]


def test_the_bin_day_and_christmas_articles_tell_residents_to_ask_for_their_days() -> None:
    assert 'ask "when is my bin day?"' in get_knowledge().article("bin-collection-day").answer
    assert 'Ask me "when is my bin day?"' in get_knowledge().article("christmas-collections").answer


@pytest.mark.parametrize("asked", ["and is the recycling the same day", "what about the blue bin?"])
def test_a_question_about_one_bin_gets_its_day_first_not_the_whole_list_again(asked: str) -> None:
    # A probe: "and is the recycling the same day" after the bin days got the whole list again.
    said = next_collections(parse(BinCollections, COLLECTIONS), asked=asked)
    assert said.splitlines()[:3] == [
        "At 12 Oak Road, TN41 6PA:",
        "Recycling (blue bin): Friday 11 December",
        "The others: general waste tomorrow (Friday 4 December), food waste tomorrow (Friday 4 December).",
    ]
    # A question about bins in general, or every bin, still gets the list.
    assert said_for(COLLECTIONS) == next_collections(parse(BinCollections, COLLECTIONS), asked="when is my bin day")
