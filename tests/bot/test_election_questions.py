"""The next election asked in the middle of another task, and at a postcode (probe defects D3 and D4).

D3: "when is the next election" at "Which address at TN41 6PA is yours?" got no reply at all (the words were kept as
the address and the election answer failed on them), and neither did the same question asked again. D4: the list of
polls invites "tell me your postcode and I'll say which apply to you"; "TN41 6PA" typed next was asked "What would
you like me to do with that?", and "which election is for me then" got the same list and invitation again.

Each test drives the actions the stack runs at that turn, as tests/bot/test_confused_resident.py does, against a back
office answering over HTTP: polls for the whole council and a by-election in one ward.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ValidateTaskForm
from bot.actions.tasks import ActionCompleteTask, ActionDetailsWithoutTask, ActionStartTask
from bot.backoffice import BackOffice
from bot.names import FORM_SLOTS
from tests.support.backoffice_fake import ADDRESSES, slots_of
from tests.support.trackers import bot, make_tracker, message

ASKED_ADDRESS = "Which address at TN41 6PA is yours?"
WHAT_FOR = "What would you like me to do with that?"
INVITATION = "tell me your postcode"
COUNTY = {"title": "County council elections", "poll_date": "2027-05-06", "deadlines": [], "area": "all"}
BY_ELECTION = {
    "title": "Ashbury North by-election",
    "poll_date": "2027-02-18",
    "deadlines": [],
    "area": "Ashbury North",
}


class ElectionsBackOffice:
    """Addresses at TN41 6PA, and the polls covering each (the by-election only in ``ward_of``'s Ashbury North)."""

    def __init__(self, ward_of: dict[int, str] | None = None) -> None:
        self.ward_of = ward_of or {a["uprn"]: "Ashbury North" for a in ADDRESSES["addresses"]}
        self.calls: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.path == "/api/v1/addresses":
            found = ADDRESSES if request.url.params["postcode"] == "TN41 6PA" else {"addresses": []}
            return httpx.Response(200, json={"postcode": request.url.params["postcode"], **found})
        if request.url.path == "/api/v1/elections/upcoming":
            uprn = request.url.params.get("uprn")
            ward = self.ward_of.get(int(uprn)) if uprn else None
            polls = [BY_ELECTION, COUNTY] if uprn is None or ward == "Ashbury North" else [COUNTY]
            return httpx.Response(200, json={"elections": polls})
        return httpx.Response(404)

    def client(self) -> BackOffice:
        return BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(self.handler))


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


def complete(
    events: list[dict[str, Any]], slots: dict[str, Any], backoffice: ElectionsBackOffice
) -> CollectingDispatcher:
    """Run action_complete_task after ``events`` with ``slots``; return what the resident was told."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(*events, slots=slots)
    asyncio.run(ActionCompleteTask(backoffice.client()).run(dispatcher, tracker, {}))
    return dispatcher


def election_asked_at_the_address_question() -> tuple[list[dict[str, Any]], dict[str, Any], CollectingDispatcher]:
    """The bin day's address question, then "when is the next election": the form's turn, as Rasa runs it."""
    asked = {"event": "slot", "name": "pending_task", "value": "ask_bin_day"}
    latest = message("when is the next election", "next_election")
    # The domain maps any text (from_text) into the address asked for, next_election included.
    mapped = {"event": "slot", "name": "address_uprn", "value": "when is the next election"}
    before = [asked, message("whens my bin day", "ask_bin_day"), bot(ASKED_ADDRESS), latest, mapped]
    slots = dict.fromkeys(FORM_SLOTS) | {
        "pending_task": "ask_bin_day",
        "requested_slot": "address_uprn",
        "postcode": "TN41 6PA",
        "address_uprn": "when is the next election",
    }
    tracker = make_tracker(*before, slots=slots)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(ElectionsBackOffice().client()).run(dispatcher, tracker, {"forms": {}}))
    return [*before, *events], slots | slots_of(events), dispatcher


def test_the_next_election_asked_at_the_address_question_is_answered() -> None:
    events, slots, _ = election_asked_at_the_address_question()
    assert slots["pending_task"] == "next_election"
    dispatcher = complete(events, slots | {"requested_slot": None}, ElectionsBackOffice())
    reply = said(dispatcher)
    assert "County council elections: Thursday 6 May 2027" in reply
    assert "Ashbury North by-election: Thursday 18 February 2027" in reply


def test_the_question_is_never_kept_as_the_address() -> None:
    _, slots, _ = election_asked_at_the_address_question()
    assert slots["address_uprn"] is None
    assert slots["postcode"] == "TN41 6PA"  # the postcode given for the bin day still counts


def test_after_the_election_answer_the_bin_day_is_offered_again() -> None:
    events, slots, _ = election_asked_at_the_address_question()
    dispatcher = complete(events, slots | {"requested_slot": None}, ElectionsBackOffice())
    assert "your bin day" in dispatcher.messages[-1]["text"]
    assert payloads(dispatcher) == ["/ask_bin_day"]


def test_a_task_finished_before_is_not_offered_again() -> None:
    earlier = [
        {"event": "slot", "name": "pending_task", "value": "ask_bin_day"},
        {"event": "action", "name": "action_complete_task"},
        {"event": "slot", "name": "pending_task", "value": None},
        {"event": "slot", "name": "pending_task", "value": "next_election"},
        message("when is the next election", "next_election"),
    ]
    dispatcher = complete(earlier, {"pending_task": "next_election"}, ElectionsBackOffice())
    assert "/ask_bin_day" not in payloads(dispatcher)


def list_then(text: str, intent: str) -> list[dict[str, Any]]:
    """The whole council's list of polls, with its invitation to give a postcode, then ``text``."""
    backoffice = ElectionsBackOffice()
    first = complete(
        [message("when is the next election", "next_election")], {"pending_task": "next_election"}, backoffice
    )
    listed = said(first)
    assert INVITATION in listed
    return [message("when is the next election", "next_election"), bot(listed), message(text, intent)]


def test_a_postcode_typed_after_the_invitation_gives_the_polls_at_that_postcode() -> None:
    events = list_then("TN41 6PA", "inform")
    dispatcher = CollectingDispatcher()
    started = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(*events), {}))
    assert WHAT_FOR not in said(dispatcher)
    slots = slots_of(started)
    assert slots["pending_task"] == "next_election"
    assert slots["postcode"] == "TN41 6PA"
    # The task form has nothing to ask for the next election, so the task completes at once.
    answer = said(complete([*events, *started], slots, ElectionsBackOffice()))
    assert "TN41 6PA" in answer
    assert "Ashbury North by-election: Thursday 18 February 2027" in answer
    assert INVITATION not in answer


def test_which_election_is_for_me_after_the_postcode_does_not_ask_for_it_again() -> None:
    events = [*list_then("which election is for me then", "next_election")]
    dispatcher = CollectingDispatcher()
    started = asyncio.run(ActionStartTask().run(dispatcher, make_tracker(*events, slots={"postcode": "TN41 6PA"}), {}))
    slots = {"postcode": "TN41 6PA"} | slots_of(started)
    answer = said(complete([*events, *started], slots, ElectionsBackOffice()))
    assert INVITATION not in answer
    assert "TN41 6PA" in answer


def test_a_poll_held_at_only_some_addresses_of_the_postcode_says_so() -> None:
    wards = {100099500101: "Ashbury North", 100099500102: "Ashbury North", 100099500103: "Ashbury South"}
    answer = said(complete([], {"pending_task": "next_election", "postcode": "TN41 6PA"}, ElectionsBackOffice(wards)))
    by_election = next(line for line in answer.splitlines() if "by-election" in line)
    assert "only some addresses" in by_election
    county = next(line for line in answer.splitlines() if "County council" in line)
    assert "only some" not in county


def test_a_postcode_outside_the_council_is_told_and_gets_the_whole_list() -> None:
    answer = said(complete([], {"pending_task": "next_election", "postcode": "SW1A 1AA"}, ElectionsBackOffice()))
    assert "couldn't find SW1A 1AA" in answer
    assert "County council elections" in answer


# "and proxy?" just after the postal vote's deadline started a proxy application with an identity check (a probe).


@pytest.mark.parametrize(
    ("text", "intent", "kind"),
    [
        ("and proxy?", "request_proxy_vote", "proxy"),
        ("what about a proxy vote", "request_proxy_vote", "proxy"),
        ("and for postal?", "request_postal_vote", "postal"),
        ("same for registering", "how_to_register", "registration"),
        # The probe of session 11: "proxy?" alone after the registration deadline started a proxy application.
        ("proxy?", "request_proxy_vote", "proxy"),
        ("postal vote?", "request_postal_vote", "postal"),
    ],
)
def test_a_follow_up_to_a_deadline_answer_asks_the_other_deadline(text: str, intent: str, kind: str) -> None:
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "election_deadlines"},
        bot("Apply for a postal vote: the deadline is 5pm on Wednesday 3 February 2027"),
        message(text, intent, 0.8),
    )
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "election_deadlines" and started["deadline_kind"] == kind


@pytest.mark.parametrize("text", ["and I want a proxy vote", "can I apply for a proxy"])
def test_asking_to_apply_after_a_deadline_answer_is_an_application(text: str) -> None:
    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "election_deadlines"},
        message(text, "request_proxy_vote", 0.9),
    )
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {})))
    assert started["pending_task"] == "request_proxy_vote"


def test_a_follow_up_to_a_deadline_answer_not_understood_as_words_still_asks_the_other_deadline() -> None:
    from bot.actions.fallback import ActionHandleMiss

    tracker = make_tracker(
        {"event": "slot", "name": "pending_task", "value": "election_deadlines"},
        bot("Apply for a postal vote: the deadline is 5pm on Wednesday 3 February 2027"),
        message("and for proxy?", "nlu_fallback", 0.3),
    )
    events = asyncio.run(ActionHandleMiss().run(CollectingDispatcher(), tracker, {}))
    assert slots_of(events)["pending_task"] == "election_deadlines" and slots_of(events)["deadline_kind"] == "proxy"


def test_the_postcode_of_the_polls_is_written_as_postcodes_are() -> None:
    # A check of the stack: "TN42 6FW" typed as "tn42 6fw" was shown as "The next polls at tn42 6fw:".
    answer = said(complete([], {"pending_task": "next_election", "postcode": "tn41  6pa"}, ElectionsBackOffice()))
    assert answer.startswith("The next polls at TN41 6PA:")


def test_a_deadline_asked_with_no_address_gives_the_next_poll_for_everyone_too() -> None:
    # "wots the dedline 2 register" got only the Millbrook ward by-election's deadline, not the district elections'
    # in May, which most residents vote in (a probe).
    from bot.actions.electoral import deadlines
    from bot.backoffice_models import Deadline, Election

    register = Deadline(kind="register", label="Registering to vote", deadline="2027-01-19T23:59:00", passed=False)
    later = Deadline(kind="register", label="Registering to vote", deadline="2027-04-19T23:59:00", passed=False)
    ward = Election(
        title="Ashbury North by-election", poll_date="2027-02-18", deadlines=[register], area="Ashbury North"
    )
    everyone = Election(title="County council elections", poll_date="2027-05-06", deadlines=[later], area="all")
    said = deadlines([ward, everyone], kind="register")
    assert "Ashbury North by-election" in said and "County council elections" in said and INVITATION in said
    assert "19 April 2027" in said
    # At a known address, the polls there are the answer: the first is the one that applies.
    assert "County council elections" not in deadlines([ward, everyone], kind="register", for_address=True)
    assert "Ashbury North" not in deadlines([everyone], kind="register")


# Deadlines asked at a postcode (the second probe of session 10): "whats the deadline to register TN41 6PA" ignored the
# postcode and gave the whole council's polls with the invitation to give one; "TN41 6PA" typed after the deadlines'
# invitation gave the list of polls there, with no deadline.
REGISTER_BY = {"kind": "register", "label": "Registering to vote", "passed": False}
DEADLINED = {
    "by": BY_ELECTION | {"deadlines": [REGISTER_BY | {"deadline": "2027-02-01T23:59:00"}]},
    "county": COUNTY | {"deadlines": [REGISTER_BY | {"deadline": "2027-04-19T23:59:00"}]},
}


class DeadlinesBackOffice(ElectionsBackOffice):
    """The same polls, each with its deadline to register."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        answer = super().handler(request)
        if request.url.path != "/api/v1/elections/upcoming":
            return answer
        titles = {poll["title"] for poll in answer.json()["elections"]}
        polls = [poll for poll in DEADLINED.values() if poll["title"] in titles]
        return httpx.Response(200, json={"elections": sorted(polls, key=lambda poll: poll["poll_date"])})


@pytest.mark.parametrize(
    ("wards", "by_election"), [("Ashbury North", True), ("Ashbury South", False)], ids=["in-the-ward", "elsewhere"]
)
def test_a_deadline_asked_with_a_postcode_gives_the_deadlines_there(wards: str, by_election: bool) -> None:
    backoffice = DeadlinesBackOffice(dict.fromkeys((a["uprn"] for a in ADDRESSES["addresses"]), wards))
    asked = message("whats the deadline to register to vote, im at TN41 6PA", "election_deadlines")
    started = slots_of(asyncio.run(ActionStartTask().run(CollectingDispatcher(), make_tracker(asked), {})))
    assert started["postcode"] == "TN41 6PA"
    answer = said(complete([asked], started | {"requested_slot": None}, backoffice))
    assert INVITATION not in answer
    assert ("1 February 2027" in answer) is by_election
    assert "19 April 2027" in answer or by_election  # the first poll there is the one whose deadline counts
    assert ("Ashbury North by-election" in answer) is by_election


def test_a_postcode_typed_after_the_deadlines_invitation_gives_the_deadlines_there() -> None:
    backoffice = DeadlinesBackOffice({a["uprn"]: "Ashbury South" for a in ADDRESSES["addresses"]})
    asked = message("wots the dedline 2 register", "election_deadlines")
    first = said(complete([asked], {"pending_task": "election_deadlines", "deadline_kind": "register"}, backoffice))
    assert INVITATION in first and "1 February 2027" in first
    events = [asked, bot(first), message("TN41 6PA", "inform")]
    dispatcher = CollectingDispatcher()
    started = asyncio.run(ActionDetailsWithoutTask().run(dispatcher, make_tracker(*events), {}))
    slots = slots_of(started)
    assert (slots["pending_task"], slots["postcode"]) == ("election_deadlines", "TN41 6PA")
    answer = said(complete([*events, *started], slots, backoffice))
    assert "Registering to vote: the deadline is" in answer and "19 April 2027" in answer
    assert "by-election" not in answer and INVITATION not in answer


def test_a_deadline_asked_at_a_postcode_split_between_wards_says_the_ward_poll_is_only_for_some() -> None:
    wards = {100099500101: "Ashbury North", 100099500102: "Ashbury North", 100099500103: "Ashbury South"}
    slots = {"pending_task": "election_deadlines", "postcode": "TN41 6PA"}
    answer = said(complete([], slots, DeadlinesBackOffice(wards)))
    assert "19 April 2027" in answer  # the poll every address there votes in
    by_election = next(line for line in answer.splitlines() if "by-election" in line)
    assert "only some addresses" in by_election
