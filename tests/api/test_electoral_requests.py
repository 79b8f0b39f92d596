"""Absent-vote and register change requests: verification, idempotency, deadlines and what happens next."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from api.db import session_on
from api.electoral.deadlines import COUNCIL_TIMEZONE
from api.electoral.models import (
    AbsentVote,
    AbsentVoteKind,
    AbsentVoteRequest,
    Elector,
    ElectoralChangeRequest,
    RegistrationStatus,
)
from api.idempotency import insert_once
from api.places.models import Property
from tests.support.backoffice_api import new_conversation_id, new_key
from tests.support.electoral import ElectoralApi, Person, add_elector, copy_of, demo_residents, electoral_api

AV_REFERENCE = re.compile(r"^AV-\d{6}$")
EC_REFERENCE = re.compile(r"^EC-\d{6}$")
# The district council elections on Thursday 6 May 2027 (the May Day bank holiday is Monday 3 May).
POSTAL_DEADLINE_MAY = datetime(2027, 4, 20, 16, 0, tzinfo=UTC)  # 5pm BST, 11 working days before
PROXY_DEADLINE_MAY = datetime(2027, 4, 27, 16, 0, tzinfo=UTC)  # 5pm BST, 6 working days before


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path) -> Iterator[ElectoralApi]:
    with copy_of(seeded_database_url, tmp_path) as url, electoral_api(url) as api:
        yield api


@pytest.fixture
def residents(api: ElectoralApi) -> list[Person]:
    """Rita (Ashbury Central), Janice (Ashbury East), Jodie (Millbrook, pending), Kathleen (postal voter)."""
    return demo_residents(api.url)


def verified(api: ElectoralApi, person: Person) -> str:
    conversation = new_conversation_id()
    assert api.verify(person, conversation).json()["outcome"] == "verified"
    return conversation


def postal(conversation: str, **changes: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation,
        "idempotency_key": new_key(),
        "kind": "postal",
        "action": "new",
        "duration": "permanent",
        "delivery": "home",
        **changes,
    }


def proxy(conversation: str, **changes: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation,
        "idempotency_key": new_key(),
        "kind": "proxy",
        "action": "new",
        "duration": "permanent",
        "proxy_name": "Sam Okafor",
        "proxy_relationship": "neighbour",
        "reason": "I work away from home",
        **changes,
    }


def count(api: ElectoralApi, model: type[AbsentVoteRequest] | type[ElectoralChangeRequest]) -> int:
    with session_on(api.url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_absent_vote_request_is_recorded_once_per_idempotency_key(
    api: ElectoralApi, residents: list[Person]
) -> None:
    conversation = verified(api, residents[0])
    body = postal(conversation)

    first = api.post("/electoral/absent-vote-requests", body)
    retry = api.post("/electoral/absent-vote-requests", body)
    conflict = api.post("/electoral/absent-vote-requests", {**body, "duration": "next_poll"})

    assert (first.status_code, retry.status_code, conflict.status_code) == (201, 200, 409)
    assert AV_REFERENCE.match(first.json()["reference"])
    assert retry.json() == first.json()
    assert first.json()["status"] == "received" and first.json()["kind"] == "postal"
    assert first.json()["next_step"].startswith("We will email or post you the official application form")
    with session_on(api.url) as session:
        rows = session.scalars(
            select(AbsentVoteRequest).where(AbsentVoteRequest.idempotency_key == body["idempotency_key"])
        ).all()
        assert [(row.reference, row.elector_id, row.kind, row.details["duration"]) for row in rows] == [
            (first.json()["reference"], residents[0].elector_id, AbsentVoteKind.POSTAL, "permanent")
        ]
        assert not {"ni_number", "national_insurance_number", "signature"} & set(rows[0].details)


def test_the_same_key_from_another_elector_is_a_conflict(api: ElectoralApi, residents: list[Person]) -> None:
    body = postal(verified(api, residents[0]))
    assert api.post("/electoral/absent-vote-requests", body).status_code == 201

    other = api.post("/electoral/absent-vote-requests", {**body, "conversation_id": verified(api, residents[1])})

    assert other.status_code == 409
    assert "AV-" not in other.text  # never shows another person's reference
    assert count(api, AbsentVoteRequest) == 1


def test_a_concurrent_retry_that_loses_the_race_returns_the_winner(api: ElectoralApi, residents: list[Person]) -> None:
    body = postal(verified(api, residents[0]))
    winner = api.post("/electoral/absent-vote-requests", body).json()
    with session_on(api.url) as session:
        # As if this retry had looked the key up just before the winner committed.
        loser = AbsentVoteRequest(
            reference="AV-000000",
            idempotency_key=body["idempotency_key"],
            elector_id=residents[0].elector_id,
            kind=AbsentVoteKind.POSTAL,
            details={},
        )
        row, created = insert_once(session, loser)
        assert (row.reference, created) == (winner["reference"], False)
    assert count(api, AbsentVoteRequest) == 1


def test_requests_need_a_live_verification(api: ElectoralApi, residents: list[Person]) -> None:
    conversation = verified(api, residents[0])
    api.advance(minutes=61)

    changes = (("name_change", {"new_name": "Rita Lopez"}), ("open_register_opt_out", {}), ("open_register_opt_in", {}))
    responses = [
        api.post("/electoral/absent-vote-requests", postal(conversation)),
        api.post("/electoral/absent-vote-requests", postal(new_conversation_id())),
        *(
            api.post(
                "/electoral/change-requests",
                {"conversation_id": conversation, "kind": kind, "idempotency_key": new_key(), "details": details},
            )
            for kind, details in changes
        ),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(403, {"detail": "not verified"})] * 5
    assert count(api, AbsentVoteRequest) == count(api, ElectoralChangeRequest) == 0


@pytest.mark.parametrize(
    ("moment", "in_time", "routes"),
    [
        (datetime(2027, 4, 20, 15, 0, tzinfo=UTC), True, []),
        (POSTAL_DEADLINE_MAY, True, []),
        (datetime(2027, 4, 20, 17, 0, tzinfo=COUNCIL_TIMEZONE), True, []),  # the same moment, given in London time
        (POSTAL_DEADLINE_MAY.replace(second=1), False, ["proxy", "emergency_proxy"]),
        (PROXY_DEADLINE_MAY.replace(second=1), False, ["emergency_proxy"]),
        (datetime(2027, 5, 6, 16, 0, 1, tzinfo=UTC), False, []),
    ],
    ids=["hour-before", "at-5pm", "at-5pm-london", "second-after", "after-proxy-deadline", "after-5pm-polling-day"],
)
def test_a_postal_vote_request_is_in_time_until_5pm_eleven_working_days_before(
    api: ElectoralApi, residents: list[Person], moment: datetime, in_time: bool, routes: list[str]
) -> None:
    api.now = moment
    request = postal(verified(api, residents[0]))
    response = api.post("/electoral/absent-vote-requests", request)
    api.advance(minutes=5)
    retry = api.post("/electoral/absent-vote-requests", request)

    assert (response.status_code, retry.status_code) == (201, 200)
    assert retry.json()["next_poll"] == response.json()["next_poll"]  # judged by when it was lodged
    body = response.json()
    assert body["next_poll"] == {
        "title": "Ashdown Vale District Council elections",
        "poll_date": "2027-05-06",
        "deadline": "2027-04-20T17:00:00+01:00",
        "in_time": in_time,
    }
    assert [route["kind"] for route in body["still_open_routes"]] == routes
    assert all(route["label"] and route["deadline"] for route in body["still_open_routes"])
    if not in_time:
        assert "too late for the Ashdown Vale District Council elections on Thursday 6 May 2027" in body["next_step"]
        assert "still counts for later elections" in body["next_step"]


def test_the_next_poll_is_the_one_in_the_electors_ward(api: ElectoralApi, residents: list[Person]) -> None:
    api.now = datetime(2027, 2, 10, 16, 59, tzinfo=UTC)  # 6 working days before the Millbrook by-election
    millbrook = api.post("/electoral/absent-vote-requests", proxy(verified(api, residents[2])))
    ashbury = api.post("/electoral/absent-vote-requests", proxy(verified(api, residents[0])))

    assert millbrook.json()["next_poll"] == {
        "title": "District council by-election: Millbrook ward",
        "poll_date": "2027-02-18",
        "deadline": "2027-02-10T17:00:00Z",
        "in_time": True,
    }
    assert ashbury.json()["next_poll"]["poll_date"] == "2027-05-06"


def test_a_specific_poll_must_be_one_where_the_elector_lives(api: ElectoralApi, residents: list[Person]) -> None:
    conversation = verified(api, residents[0])
    specific = {"duration": "specific_poll"}

    may = api.post("/electoral/absent-vote-requests", postal(conversation, **specific, poll_date="2027-05-06"))
    by_election = api.post("/electoral/absent-vote-requests", postal(conversation, **specific, poll_date="2027-02-18"))

    assert may.status_code == 201 and may.json()["next_poll"]["poll_date"] == "2027-05-06"
    assert by_election.status_code == 422


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"proxy_name": None}, "proxy's name"),
        ({"proxy_relationship": None}, "proxy's name"),
        ({"reason": None}, "needs a reason"),
        ({"reason": "   "}, "at least 1 character"),
        ({"ni_number": "QQ123456C"}, "Extra inputs are not permitted"),
        ({"signature": "data:image/png;base64,AAAA"}, "Extra inputs are not permitted"),
        ({"duration": "specific_poll"}, "poll_date"),
        ({"duration": None}, "needs a duration"),
        ({"idempotency_key": "short"}, "at least 8 characters"),
        ({"idempotency_key": "k" * 81}, "at most 80 characters"),
        ({"delivery": "home"}, "postal votes"),
    ],
    ids=lambda value: value if isinstance(value, str) else next(iter(value)),
)
def test_invalid_absent_vote_requests_are_refused(
    api: ElectoralApi, residents: list[Person], changes: dict[str, Any], problem: str
) -> None:
    response = api.post("/electoral/absent-vote-requests", proxy(verified(api, residents[0]), **changes))
    assert response.status_code == 422
    assert problem in response.text


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"delivery": "other_address"}, "delivery address"),
        ({"delivery": "home", "delivery_address": "4 Mill Lane, TN41 2AB"}, "delivery address"),
        ({"delivery_reason": "staying with my son"}, "delivery"),
        ({"delivery": "other_address", "delivery_address": "x" * 241}, "at most 240 characters"),
    ],
    ids=["no address", "address for home", "reason alone", "too long"],
)
def test_a_ballot_pack_sent_elsewhere_needs_its_address(
    api: ElectoralApi, residents: list[Person], changes: dict[str, Any], problem: str
) -> None:
    response = api.post("/electoral/absent-vote-requests", postal(verified(api, residents[0]), **changes))
    assert response.status_code == 422 and problem in response.text


def test_a_ballot_pack_sent_elsewhere_is_kept_with_the_request(api: ElectoralApi, residents: list[Person]) -> None:
    where = {"delivery": "other_address", "delivery_address": "4 Mill Lane, TN41 2AB", "delivery_reason": "staying"}
    response = api.post("/electoral/absent-vote-requests", postal(verified(api, residents[2]), **where))
    assert response.status_code == 201
    with session_on(api.url) as session:
        row = session.scalars(
            select(AbsentVoteRequest).where(AbsentVoteRequest.reference == response.json()["reference"])
        ).one()
    assert {key: row.details[key] for key in where} == where


def test_a_ballot_address_asked_for_again_is_added_to_the_open_request(
    api: ElectoralApi, residents: list[Person]
) -> None:
    # An end-to-end test: asked again with the pack to go elsewhere, the open request kept "home" and the address was
    # lost, while the resident heard "You already have a postal vote request".
    conversation = verified(api, residents[1])
    first = api.post("/electoral/absent-vote-requests", postal(conversation))
    where = {"delivery": "other_address", "delivery_address": "4 Mill Lane, TN41 2AB", "delivery_reason": "away"}
    again = api.post("/electoral/absent-vote-requests", postal(conversation, **where))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    with session_on(api.url) as session:
        row = session.scalars(
            select(AbsentVoteRequest).where(AbsentVoteRequest.reference == first.json()["reference"])
        ).one()
    assert {key: row.details[key] for key in where} == where


def test_a_single_poll_proxy_needs_no_reason_and_a_cancellation_no_proxy(
    api: ElectoralApi, residents: list[Person]
) -> None:
    conversation = verified(api, residents[3])
    single = api.post("/electoral/absent-vote-requests", proxy(conversation, duration="next_poll", reason=None))
    cancel = api.post(
        "/electoral/absent-vote-requests",
        {"conversation_id": conversation, "idempotency_key": new_key(), "kind": "postal", "action": "cancel"},
    )

    assert single.status_code == cancel.status_code == 201
    assert cancel.json()["next_step"].startswith("An electoral services officer will make the change")
    assert cancel.json()["next_poll"]["deadline"] == "2027-04-20T17:00:00+01:00"  # changes: 11 working days


def test_my_record_lists_absent_votes_with_renewals_and_open_requests(
    api: ElectoralApi, residents: list[Person]
) -> None:
    rita = residents[0]
    with session_on(api.url) as session:
        session.add(
            AbsentVote(
                elector_id=rita.elector_id,
                kind=AbsentVoteKind.PROXY,
                status="active",
                granted_on=date(2021, 12, 1),
                expires_on=None,
                proxy_name="Dev Patel",
            )
        )
        session.commit()
    conversation = verified(api, rita)
    request = api.post("/electoral/absent-vote-requests", postal(conversation)).json()
    api.advance(minutes=1)
    change = api.post(
        "/electoral/change-requests",
        {
            "conversation_id": conversation,
            "idempotency_key": new_key(),
            "kind": "name_change",
            "details": {"new_name": "Rita Lopez"},
        },
    )

    record = api.me(conversation).json()

    assert record["absent_votes"] == [
        {
            "kind": "proxy",
            "status": "active",
            "granted_on": "2021-12-01",
            "expires_on": None,
            "renewal_due": True,
            "proxy_name": "Dev Patel",
        }
    ]
    assert [(r["reference"], r["kind"], r["status"]) for r in record["open_requests"]] == [
        (change.json()["reference"], "name_change", "received"),
        (request["reference"], "postal_new", "received"),
    ]
    kathleen = api.me(verified(api, residents[3])).json()
    assert [vote["kind"] for vote in kathleen["absent_votes"]] == ["postal"]
    vote = kathleen["absent_votes"][0]
    assert vote["renewal_due"] == (vote["status"] == "active" and vote["expires_on"] <= "2027-04-11")
    assert kathleen["open_requests"] == []


def test_an_open_register_opt_out_applies_at_once_and_is_kept_on_record(
    api: ElectoralApi, residents: list[Person]
) -> None:
    rita = residents[0]
    conversation = verified(api, rita)
    body = {"conversation_id": conversation, "idempotency_key": new_key(), "kind": "open_register_opt_out"}

    first = api.post("/electoral/change-requests", body)
    retry = api.post("/electoral/change-requests", body)
    conflict = api.post("/electoral/change-requests", {**body, "kind": "open_register_opt_in"})

    assert (first.status_code, retry.status_code, conflict.status_code) == (201, 200, 409)
    assert EC_REFERENCE.match(first.json()["reference"]) and retry.json() == first.json()
    assert "left out of the open register" in first.json()["next_step"]
    assert api.me(conversation).json()["open_register_opt_out"] is True
    with session_on(api.url) as session:
        assert session.get_one(Elector, rita.elector_id).open_register_opt_out is True
        row = session.scalars(select(ElectoralChangeRequest)).one()
        assert (row.kind, row.status, row.requested_by_elector_id) == (
            "open_register_opt_out",
            "completed",
            rita.elector_id,
        )

    opt_in = api.post(
        "/electoral/change-requests", {**body, "idempotency_key": new_key(), "kind": "open_register_opt_in"}
    )
    assert opt_in.status_code == 201
    assert api.me(conversation).json()["open_register_opt_out"] is False


@pytest.mark.parametrize("kind", ["died", "left_address"])
def test_a_report_about_someone_reads_the_same_whether_or_not_they_are_registered(
    api: ElectoralApi, residents: list[Person], kind: str
) -> None:
    with session_on(api.url) as session:
        elector = session.scalars(
            select(Elector)
            .where(Elector.status == RegistrationStatus.REGISTERED, Elector.id != residents[0].elector_id)
            .limit(1)
        ).one()
        home = session.get_one(Property, elector.uprn)
        registered = {
            "person_name": f"{elector.first_name} {elector.last_name}",
            "address": f"{home.address_line}, {home.postcode}",
        }
    unknown = {"person_name": "Harold Pinkerton", "address": registered["address"]}

    replies = [
        api.post(
            "/electoral/change-requests",
            {"conversation_id": new_conversation_id(), "idempotency_key": new_key(), "kind": kind, "details": details},
        )
        for details in (registered, unknown)
    ]

    assert [reply.status_code for reply in replies] == [201, 201]
    assert [{k: v for k, v in reply.json().items() if k != "reference"} for reply in replies] == [
        {"kind": kind, "next_step": replies[0].json()["next_step"]}
    ] * 2
    assert all(EC_REFERENCE.match(reply.json()["reference"]) for reply in replies)
    with session_on(api.url) as session:
        assert session.get_one(Elector, elector.id).status == RegistrationStatus.REGISTERED  # an officer decides
        rows = session.scalars(select(ElectoralChangeRequest).order_by(ElectoralChangeRequest.id)).all()
        assert [(row.details, row.requested_by_elector_id, row.status) for row in rows] == [
            (registered, None, "received"),
            (unknown, None, "received"),
        ]


def test_a_verified_resident_may_report_someone_at_their_own_address_without_giving_it(
    api: ElectoralApi, residents: list[Person]
) -> None:
    rita = residents[0]
    add_elector(api.url, first_name="Walter", last_name="Richardson", born=date(1940, 2, 2), uprn=rita.uprn)
    details = {"person_name": "Walter Richardson", "relationship": "father", "when": "last month"}

    anyone = api.post(
        "/electoral/change-requests",
        {"conversation_id": new_conversation_id(), "idempotency_key": new_key(), "kind": "died", "details": details},
    )
    resident = api.post(
        "/electoral/change-requests",
        {"conversation_id": verified(api, rita), "idempotency_key": new_key(), "kind": "died", "details": details},
    )

    assert anyone.status_code == 422 and "address" in anyone.json()["detail"]
    assert resident.status_code == 201
    with session_on(api.url) as session:
        row = session.scalars(select(ElectoralChangeRequest)).one()
        assert (row.requested_by_elector_id, row.details) == (rita.elector_id, details)


def test_change_request_details_are_bounded_and_kinds_checked(api: ElectoralApi, residents: list[Person]) -> None:
    conversation = verified(api, residents[0])

    def send(kind: str, details: dict[str, str]) -> int:
        return api.post(
            "/electoral/change-requests",
            {"conversation_id": conversation, "idempotency_key": new_key(), "kind": kind, "details": details},
        ).status_code

    assert send("name_change", {}) == 422
    assert send("name_change", {"new_name": "x" * 161}) == 422
    assert send("died", {"address": "1 Rowan Close"}) == 422
    assert send("died", {"person_name": "A Person", "notes": "n" * 1001}) == 422
    assert send("died", {"person_name": "A Person", "date_of_birth": "1950-01-01"}) == 422
    assert send("moved_home", {}) == 422  # registering at a new address is the resident's own application
    assert send("name_change", {"new_name": "Rita Lopez", "reason": "marriage"}) == 201


def test_asking_again_for_an_absent_vote_returns_the_open_request(api: ElectoralApi, residents: list[Person]) -> None:
    """The same elector asking again (a new key: asked twice, another chat, other details) makes no second one."""
    rita = residents[0]
    first = api.post("/electoral/absent-vote-requests", postal(verified(api, rita)))
    again = api.post("/electoral/absent-vote-requests", postal(verified(api, rita), duration="next_poll"))
    proxy_vote = api.post("/electoral/absent-vote-requests", proxy(verified(api, rita)))

    assert (first.status_code, again.status_code, proxy_vote.status_code) == (201, 200, 201)
    assert again.json()["reference"] == first.json()["reference"]
    assert proxy_vote.json()["reference"] != first.json()["reference"]
    assert count(api, AbsentVoteRequest) == 2
    other = api.post("/electoral/absent-vote-requests", postal(verified(api, residents[1])))
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]


def test_asking_again_for_a_change_returns_the_one_that_stands(api: ElectoralApi, residents: list[Person]) -> None:
    conversation = verified(api, residents[0])

    def change(kind: str, **details: str) -> Any:
        return api.post(
            "/electoral/change-requests",
            {"conversation_id": conversation, "idempotency_key": new_key(), "kind": kind, "details": details},
        )

    names = [change("name_change", new_name="Rita Jones"), change("name_change", new_name="Rita Jones")]
    opt_outs = [change("open_register_opt_out"), change("open_register_opt_out")]
    reports = [
        change("died", person_name="Walter Richardson", address="17 Rowan Close, TN41 6PA"),
        change("died", person_name="walter  richardson", address="17 rowan close TN41 6PA"),
    ]

    for first, again in (names, opt_outs, reports):
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["reference"] == first.json()["reference"]
    assert count(api, ElectoralChangeRequest) == 3


def test_the_same_report_from_another_chat_is_recorded_apart(api: ElectoralApi) -> None:
    """A report's reference is told only in the chat that made it: a stranger's report is not joined to it."""
    details = {"person_name": "Walter Richardson", "address": "17 Rowan Close, TN41 6PA"}
    replies = [
        api.post(
            "/electoral/change-requests",
            {
                "conversation_id": new_conversation_id(),
                "idempotency_key": new_key(),
                "kind": "left_address",
                "details": details,
            },
        )
        for _ in range(2)
    ]
    assert [reply.status_code for reply in replies] == [201, 201]
    assert replies[0].json()["reference"] != replies[1].json()["reference"]


def test_a_proxy_renewal_is_of_the_proxy_on_record(api: ElectoralApi, residents: list[Person]) -> None:
    """The bot renews what the record holds and asks nothing about the proxy: that must not be refused (422)."""
    renewal = api.post(
        "/electoral/absent-vote-requests",
        {
            "conversation_id": verified(api, residents[1]),
            "idempotency_key": new_key(),
            "kind": "proxy",
            "action": "renew",
            "duration": "next_poll",
        },
    )
    change = api.post(
        "/electoral/absent-vote-requests", proxy(verified(api, residents[1]), action="change", proxy_name=None)
    )
    assert (renewal.status_code, change.status_code) == (201, 422)


def withdraw(api: ElectoralApi, conversation: str, reference: str) -> Any:
    return api.post(f"/electoral/absent-vote-requests/{reference}/withdrawal", {"conversation_id": conversation})


def test_an_application_just_made_can_be_withdrawn_once(api: ElectoralApi, residents: list[Person]) -> None:
    """ "Actually cancel that" after applying was "nothing to cancel": the application itself is withdrawn now."""
    conversation = verified(api, residents[0])
    made = api.post("/electoral/absent-vote-requests", postal(conversation)).json()
    api.advance(minutes=2)

    first = withdraw(api, conversation, made["reference"])
    again = withdraw(api, conversation, made["reference"].lower())

    assert first.status_code == again.status_code == 200
    assert first.json() == {
        "reference": made["reference"],
        "kind": "postal",
        "action": "new",
        "outcome": "withdrawn",
        "withdrawn_at": (api.now.astimezone(UTC)).isoformat().replace("+00:00", "Z"),
    }
    assert again.json() == first.json() | {"outcome": "already_withdrawn"}
    assert api.me(conversation).json()["open_requests"] == []
    with session_on(api.url) as session:
        row = session.scalars(select(AbsentVoteRequest).where(AbsentVoteRequest.reference == made["reference"])).one()
        assert (row.status, row.withdrawn_in_conversation) == ("withdrawn", conversation)
    # Applying again afterwards is a new application, not the withdrawn one.
    anew = api.post("/electoral/absent-vote-requests", postal(conversation))
    assert anew.status_code == 201 and anew.json()["reference"] != made["reference"]


def test_only_the_elector_may_withdraw_and_only_while_no_officer_has_dealt_with_it(
    api: ElectoralApi, residents: list[Person]
) -> None:
    rita, janice = verified(api, residents[0]), verified(api, residents[1])
    made = api.post("/electoral/absent-vote-requests", postal(rita)).json()
    dealt = api.post("/electoral/absent-vote-requests", proxy(rita)).json()
    with session_on(api.url) as session:
        row = session.scalars(select(AbsentVoteRequest).where(AbsentVoteRequest.reference == dealt["reference"])).one()
        row.status = "completed"
        session.commit()

    someone_else = withdraw(api, janice, made["reference"])
    unknown = withdraw(api, rita, "AV-999999")
    finished = withdraw(api, rita, dealt["reference"])
    api.advance(minutes=61)
    lapsed = withdraw(api, rita, made["reference"])

    assert (someone_else.status_code, unknown.status_code) == (404, 404)
    assert someone_else.json() == unknown.json()  # nothing told about another person's request
    assert (finished.status_code, finished.json()["outcome"], finished.json()["withdrawn_at"]) == (
        200,
        "already_dealt_with",
        None,
    )
    assert (lapsed.status_code, lapsed.json()) == (403, {"detail": "not verified"})
    with session_on(api.url) as session:
        statuses = dict(session.execute(select(AbsentVoteRequest.reference, AbsentVoteRequest.status)).all())
    assert statuses == {made["reference"]: "received", dealt["reference"]: "completed"}


def test_another_new_name_or_proxy_asked_for_again_changes_the_open_request(
    api: ElectoralApi, residents: list[Person]
) -> None:
    # A probe: "actually it should be Jodie Brown-Kemp", and a change of proxy to a son, each heard "already recorded"
    # with the first request's reference, and the new name or proxy was lost.
    conversation = verified(api, residents[0])

    def rename(new_name: str) -> Any:
        details = {"new_name": new_name}
        body = {
            "conversation_id": conversation,
            "idempotency_key": new_key(),
            "kind": "name_change",
            "details": details,
        }
        return api.post("/electoral/change-requests", body)

    first, again = rename("Rita Brown"), rename("Rita Brown-Kemp")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["next_step"].startswith("I've changed the new name on it to Rita Brown-Kemp.")
    first_proxy = api.post("/electoral/absent-vote-requests", proxy(conversation))
    new_proxy = api.post(
        "/electoral/absent-vote-requests", proxy(conversation, proxy_name="Mark Dunn", proxy_relationship="son")
    )
    assert new_proxy.json()["reference"] == first_proxy.json()["reference"]
    assert new_proxy.json()["next_step"].startswith("I've changed the proxy on it to Mark Dunn.")
    with session_on(api.url) as session:
        name_row = session.scalars(
            select(ElectoralChangeRequest).where(ElectoralChangeRequest.reference == first.json()["reference"])
        ).one()
        proxy_row = session.scalars(
            select(AbsentVoteRequest).where(AbsentVoteRequest.reference == first_proxy.json()["reference"])
        ).one()
    assert name_row.details["new_name"] == "Rita Brown-Kemp"
    assert (proxy_row.details["proxy_name"], proxy_row.details["proxy_relationship"]) == ("Mark Dunn", "son")
