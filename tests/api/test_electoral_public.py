"""Public look-ups (addresses, polling stations, upcoming elections), the service token and the OpenAPI contract."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import session_on
from api.electoral.models import Elector, PollingDistrict
from api.electoral.router import get_now, get_today
from api.places.models import Property
from tests.support.backoffice_api import SERVICE
from tests.support.electoral import Person, demo_residents

# Every electoral endpoint, with a request that would otherwise succeed or fail validation.
ROUTES = [
    ("GET", "/api/v1/addresses?postcode=TN41%206PA"),
    ("GET", "/api/v1/streets?name=Rowan%20Close"),
    ("GET", "/api/v1/polling-stations?uprn=1"),
    ("GET", "/api/v1/elections/upcoming"),
    ("POST", "/api/v1/electoral/verifications"),
    ("DELETE", "/api/v1/electoral/verifications/some-conversation"),
    ("GET", "/api/v1/electoral/me?conversation_id=some-conversation"),
    ("POST", "/api/v1/electoral/absent-vote-requests"),
    ("POST", "/api/v1/electoral/absent-vote-requests/{reference}/withdrawal"),
    ("POST", "/api/v1/electoral/change-requests"),
]


@pytest.fixture(scope="module")
def residents(seeded_database_url: str) -> list[Person]:
    return demo_residents(seeded_database_url)


def get(seeded_client: TestClient, path: str, **params: Any) -> Any:
    response = seeded_client.get(f"/api/v1{path}", params=params, headers=SERVICE)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("typed", ["TN41 6PA", "tn416pa", "  Tn41   6pA ", "TN416PA"])
def test_addresses_in_a_postcode_come_in_house_number_order(
    seeded_client: TestClient, residents: list[Person], seeded_database_url: str, typed: str
) -> None:
    listing = get(seeded_client, "/addresses", postcode=typed)

    assert listing["postcode"] == "TN41 6PA"
    assert {"uprn": residents[0].uprn, "address": "19 Rowan Close, Ashbury"} in listing["addresses"]
    numbers = [int(a["address"].split()[0]) for a in listing["addresses"]]
    assert numbers == sorted(numbers) == list(range(1, len(numbers) + 1))  # 1, 2, ... 10, 11, not 1, 10, 11, 2
    with session_on(seeded_database_url) as session:
        assert {a["uprn"] for a in listing["addresses"]} == set(
            session.scalars(select(Property.uprn).where(Property.postcode == "TN41 6PA"))
        )


def test_flats_and_named_houses_sort_naturally_within_a_postcode(
    seeded_client: TestClient, seeded_database_url: str
) -> None:
    with session_on(seeded_database_url) as session:
        postcode = session.scalars(
            select(Property.postcode).where(Property.address_line.like("Flat %")).order_by(Property.uprn).limit(1)
        ).one()

    lines = [a["address"] for a in get(seeded_client, "/addresses", postcode=postcode)["addresses"]]

    flats = [line for line in lines if line.startswith("Flat ")]
    assert [int(line.split()[1].rstrip(",")) for line in flats] == list(range(1, len(flats) + 1))
    numbered = [line for line in lines if line[0].isdigit() or line.startswith("Flat ")]
    house_numbers = [int(re.search(r"(?:^|, )(\d+) ", line)[1]) for line in numbered]  # type: ignore[index]
    assert house_numbers == sorted(house_numbers)
    assert lines[: len(numbered)] == numbered  # named houses after the numbered ones


@pytest.mark.parametrize("typed", ["TN41", "hello", "12345", "TN41 6PAX", "TN41 6P", "6PA TN41", "T N 4 1"])
def test_a_malformed_postcode_gets_a_kind_422(seeded_client: TestClient, typed: str) -> None:
    response = seeded_client.get("/api/v1/addresses", params={"postcode": typed}, headers=SERVICE)
    assert response.status_code == 422
    assert response.json() == {"detail": "That doesn't look like a full UK postcode. It should look like TN41 6PA."}


def test_a_valid_postcode_outside_the_district_has_no_addresses(seeded_client: TestClient) -> None:
    assert get(seeded_client, "/addresses", postcode="sw1a1aa") == {"postcode": "SW1A 1AA", "addresses": []}


@pytest.mark.parametrize("typed", ["Rowan Close", "rowan  close", "the Rowan Close", " ROWAN CLOSE "])
def test_a_street_name_finds_its_postcodes(seeded_client: TestClient, seeded_database_url: str, typed: str) -> None:
    # A resident who does not know their postcode can name their street (the bin day question asked only for one).
    with session_on(seeded_database_url) as session:
        expected = sorted(
            set(
                session.execute(
                    select(Property.town, Property.postcode).where(Property.address_line.like("% Rowan Close"))
                )
            )
        )
    found = get(seeded_client, "/streets", name=typed)["streets"]
    assert [(s["town"], s["postcode"]) for s in found] == expected and expected
    assert {s["street"] for s in found} == {"Rowan Close"}


@pytest.mark.parametrize("typed", ["rowen close", "Rowan Clsoe"])
def test_a_street_name_spelt_nearly_right_finds_the_street(seeded_client: TestClient, typed: str) -> None:
    # "i live on rowen close" got "I can't find a street called Rowen Close" (a probe).
    assert {s["street"] for s in get(seeded_client, "/streets", name=typed)["streets"]} == {"Rowan Close"}


@pytest.mark.parametrize("typed", ["Rowan", "Close", "%", "%% %%", "___________", "Nowhere Road", "ab"])
def test_only_a_whole_street_name_finds_a_street(seeded_client: TestClient, typed: str) -> None:
    assert get(seeded_client, "/streets", name=typed) == {"streets": []}


def test_a_property_s_polling_station(
    seeded_client: TestClient, residents: list[Person], seeded_database_url: str
) -> None:
    place = get(seeded_client, "/polling-stations", uprn=residents[0].uprn)

    with session_on(seeded_database_url) as session:
        district = session.get_one(PollingDistrict, "AA1")
        station = district.station
        assert station is not None
        assert place == {
            "polling_district": "AA1",
            "ward": "Ashbury Central",
            "poll_hours": "7am to 10pm",
            "station": {
                "name": station.name,
                "address": station.address,
                "postcode": station.postcode,
                "accessibility": station.accessibility,
            },
        }
    assert seeded_client.get("/api/v1/polling-stations", params={"uprn": 42}, headers=SERVICE).status_code == 404


def test_upcoming_elections_in_order_with_their_deadlines(seeded_client: TestClient, seeded_app: FastAPI) -> None:
    seeded_app.dependency_overrides[get_today] = lambda: date(2026, 11, 25)

    elections = get(seeded_client, "/elections/upcoming")

    assert elections["today"] == "2026-11-25"
    assert [(e["poll_date"], e["area"]) for e in elections["elections"]] == [
        ("2027-02-18", "Millbrook"),
        ("2027-05-06", "all"),
    ]  # the 2025 by-election is over
    may = elections["elections"][1]
    assert may["title"] == "Ashdown Vale District Council elections" and may["election_type"] == "local"
    assert [(d["kind"], d["deadline"], d["passed"]) for d in may["deadlines"]] == [
        ("registration", "2027-04-19T23:59:59+01:00", False),
        ("postal", "2027-04-20T17:00:00+01:00", False),
        ("absent_vote_change", "2027-04-20T17:00:00+01:00", False),
        ("proxy", "2027-04-27T17:00:00+01:00", False),
        ("voter_authority_certificate", "2027-04-27T17:00:00+01:00", False),
        ("emergency_proxy", "2027-05-06T17:00:00+01:00", False),
        ("postal_replacement", "2027-05-06T17:00:00+01:00", False),
    ]
    assert may["deadlines"][0]["label"] == "Register to vote"
    assert all(d["label"] for d in may["deadlines"])


def test_upcoming_elections_for_a_property_are_those_covering_its_ward(
    seeded_client: TestClient, seeded_app: FastAPI, residents: list[Person]
) -> None:
    seeded_app.dependency_overrides[get_today] = lambda: date(2026, 11, 25)
    rita, jodie = residents[0], residents[2]  # Ashbury Central, Millbrook

    assert [e["poll_date"] for e in get(seeded_client, "/elections/upcoming", uprn=rita.uprn)["elections"]] == [
        "2027-05-06"
    ]
    assert [e["poll_date"] for e in get(seeded_client, "/elections/upcoming", uprn=jodie.uprn)["elections"]] == [
        "2027-02-18",
        "2027-05-06",
    ]
    assert seeded_client.get("/api/v1/elections/upcoming", params={"uprn": 42}, headers=SERVICE).status_code == 404


@pytest.mark.parametrize(
    ("moment", "passed"),
    [
        (datetime(2027, 4, 20, 15, 59, 59, tzinfo=UTC), {"registration"}),
        (datetime(2027, 4, 20, 16, 0, 1, tzinfo=UTC), {"registration", "postal", "absent_vote_change"}),
        (
            datetime(2027, 5, 6, 16, 0, 1, tzinfo=UTC),
            {
                "registration",
                "postal",
                "absent_vote_change",
                "proxy",
                "voter_authority_certificate",
                "emergency_proxy",
                "postal_replacement",
            },
        ),
    ],
)
def test_deadlines_pass_with_the_clock(
    seeded_client: TestClient, seeded_app: FastAPI, moment: datetime, passed: set[str]
) -> None:
    seeded_app.dependency_overrides[get_now] = lambda: moment

    elections = get(seeded_client, "/elections/upcoming")

    assert elections["today"] == moment.date().isoformat()
    assert [e["poll_date"] for e in elections["elections"]] == ["2027-05-06"]  # polling day itself is listed
    assert {d["kind"] for d in elections["elections"][0]["deadlines"] if d["passed"]} == passed


def test_after_the_last_poll_nothing_is_upcoming(seeded_client: TestClient, seeded_app: FastAPI) -> None:
    seeded_app.dependency_overrides[get_today] = lambda: date(2027, 5, 7)
    assert get(seeded_client, "/elections/upcoming") == {"today": "2027-05-07", "elections": []}


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}],
    ids=["no-token", "wrong-token", "not-bearer"],
)
def test_every_electoral_endpoint_needs_the_service_token(
    seeded_client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = seeded_client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.json() == {"detail": "A valid service token is required."}


def test_the_token_test_covers_every_electoral_route(seeded_app: FastAPI) -> None:
    declared = {
        (method.upper(), path)
        for path, item in seeded_app.openapi()["paths"].items()
        for method, operation in item.items()
        if "electoral" in operation["tags"]
    }
    tested = {
        (method, re.sub(r"\?.*", "", path).replace("some-conversation", "{conversation_id}")) for method, path in ROUTES
    }
    assert declared == tested


def test_openapi_documents_every_electoral_operation(seeded_client: TestClient) -> None:
    schema = seeded_client.get("/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "electoral" in operation.get("tags", [])
    ]

    assert len(operations) == len(ROUTES)
    for path, method, operation in operations:
        assert operation["summary"] and operation["description"], (method, path)
        success = next(code for code in operation["responses"] if code.startswith("2"))
        if success != "204":
            assert "$ref" in operation["responses"][success]["content"]["application/json"]["schema"], (method, path)
    components = schema["components"]["schemas"]
    assert set(components["VerificationResult"]["properties"]) == {"outcome", "expires_at", "message_key"}
    for name in ("VerificationResult", "MyRecord", "AbsentVoteRequestRead", "ChangeRequestRead"):
        assert not {"elector_id", "elector_number", "date_of_birth", "first_name", "last_name"} & set(
            components[name]["properties"]
        )


def test_public_look_ups_name_nobody(
    seeded_client: TestClient, seeded_app: FastAPI, residents: list[Person], seeded_database_url: str
) -> None:
    rita = residents[0]
    seeded_app.dependency_overrides[get_today] = lambda: date(2026, 11, 25)
    with session_on(seeded_database_url) as session:
        names = [(e.first_name, e.last_name) for e in session.scalars(select(Elector).where(Elector.uprn == rita.uprn))]
    texts = [
        seeded_client.get(path, params=params, headers=SERVICE).text
        for path, params in (
            ("/api/v1/addresses", {"postcode": "TN41 6PA"}),
            ("/api/v1/polling-stations", {"uprn": rita.uprn}),
            ("/api/v1/elections/upcoming", {"uprn": rita.uprn}),
        )
    ]
    assert names
    assert [name for name in names for text in texts if name[1] in text] == []
