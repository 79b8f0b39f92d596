"""Reading residents' free text: postcodes, names, dates of birth and address choices."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.parsing import (
    choose_address,
    clean_full_name,
    deadline_kinds_in,
    find_account_reference,
    find_email,
    find_payment_reference,
    find_postcode,
    find_request_reference,
    month_first_date,
    parse_date_of_birth,
    says_unknown,
    voter_category_in,
)

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("TN41 6PA", "TN41 6PA"),
        ("tn416pa", "TN41 6PA"),
        ("my postcode is sw1a 1aa thanks", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("no idea", None),
        ("12345", None),
    ],
)
def test_postcodes(text: str, expected: str | None) -> None:
    assert find_postcode(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rita Richardson", "Rita Richardson"),
        ("my name is jodie kemp", "Jodie Kemp"),
        ("It's Kathleen Mary Gray", "Kathleen Mary Gray"),
        ("Siobhán O'Neill-Byrne", "Siobhán O'Neill-Byrne"),
        ("Rita", None),
        ("why do you need that 2", None),
        ("12 Rowan Close", None),
        # Questions and phrases typed at "What is your full name?" were taken as the name and sent to be checked,
        # using up one of the resident's two tries: "can i vote by post" then "how do I apply".
        ("how do I apply", None),
        ("the electoral register", None),
        ("is there a deadline", None),
        ("what do you need it for", None),
        ("i dont know it", None),
        ("not telling you", None),
        # Names that begin with a word a question could begin with are still names.
        ("Will Smith", "Will Smith"),
        ("Do Van Minh", "Do Van Minh"),
        ("Can Yilmaz", "Can Yilmaz"),
        ("Grace Good", "Grace Good"),
        # A proxy named with who they are (make test's simulated resident was refused after 5ba71b4).
        ("my daughter Emma Johnson", "Emma Johnson"),
        ("it's my husband, Peter Shaw", "Peter Shaw"),
        ("my son is called Tom Hart", "Tom Hart"),
        # A probe: a double-barrelled name with more said after it was refused, and the next try stopped the task.
        ("my new name is rita jane smyth-hughes, i double barrelled it", "Rita Jane Smyth-Hughes"),
        ("no wait it's Rita Smyth Hughes no hyphen", "Rita Smyth Hughes"),
        ("Rita Smyth-Hughes (without the hyphen)", "Rita Smyth Hughes"),
        ("rita smyth hughes with a hyphen", "Rita Smyth-Hughes"),
        ("mary o'brien", "Mary O'Brien"),
        # ... and "Jodie Walsh since the wedding" was taken as a five-word name.
        ("Jodie Walsh since the wedding", "Jodie Walsh"),
        ("sorry, Janice Dunn", "Janice Dunn"),
        ("no", None),
        ("Dunn, Janice", None),
        # The second probe of session 11: "council tax too" at "What is the person's full name?" was recorded on the
        # register as "Council Tax Too" having died, and "Jodie Kemp doesnt live here anymore" as "Jodie Kemp Doesnt".
        ("council tax too", None),
        ("postal vote as well", None),
        ("Jodie Kemp doesnt", None),
        ("tom baker has", None),
    ],
)
def test_full_names(text: str, expected: str | None) -> None:
    assert clean_full_name(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("26/01/1978", dt.date(1978, 1, 26)),
        ("born 15th August 1955", dt.date(1955, 8, 15)),
        ("DOB 18-04-1989", dt.date(1989, 4, 18)),
        ("17 Aug 1984", dt.date(1984, 8, 17)),
        # An older resident's way of saying it was "couldn't read that as a date of birth" (a probe).
        ("i was born on the 3rd of march 1939", dt.date(1939, 3, 3)),
        ("the 3rd of March, 1939", dt.date(1939, 3, 3)),
        ("my date of birth is the 1st of May 1950", dt.date(1950, 5, 1)),
        # Said in words, as some residents do ("couldn't read that", a probe).
        ("twenty sixth of january 1978", dt.date(1978, 1, 26)),
        ("the seventeenth of august nineteen eighty four", dt.date(1984, 8, 17)),
        ("first of may two thousand and one", dt.date(2001, 5, 1)),
        ("the twenty-first of June nineteen fifty", dt.date(1950, 6, 21)),
        ("01/02/03", dt.date(2003, 2, 1)),
        ("tomorrow", None),
        ("26/01", None),
        ("31/02/1980", None),
        ("01/01/2030", None),
        ("1/1/1850", None),
        # Only month first (US order): not guessed (dateutil swapped it silently into 26 January 1978).
        ("01/26/1978", None),
        ("12-31-85", None),
    ],
)
def test_dates_of_birth(text: str, expected: dt.date | None) -> None:
    assert parse_date_of_birth(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01/26/1978", dt.date(1978, 1, 26)),
        ("dob 12-31-85", dt.date(1985, 12, 31)),
        ("26/01/1978", None),  # day first: no question
        ("01/02/1978", None),  # either way round: read the UK way
        ("13/26/1978", None),  # neither way round
        ("02/30/1978", None),  # no 30 February
    ],
)
def test_dates_that_only_read_month_first(text: str, expected: dt.date | None) -> None:
    assert month_first_date(text, today=TODAY) == expected


ADDRESSES = [
    (101, "1 Rowan Close, Ashbury"),
    (102, "2 Rowan Close, Ashbury"),
    (119, "19 Rowan Close, Ashbury"),
    (117, "17 St Mary's Lane, Ashbury"),
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("19 Rowan Close", 119),
        ("19 rowan close, ashbury", 119),
        ("101", 101),
        ("19", 119),
        ("3", None),
        ("Rowan Close", None),
        ("7 Oak Road", None),
        # Street types shortened as on envelopes (a probe's "19 rowan cl" and "no 19 rowan cl" were refused).
        ("19 rowan cl", 119),
        ("no 19 rowan cl", 119),
        ("no, 19 Rowan Cl.", 119),
        ("2 rowan cl ashbury", 102),
        ("19 rowan rd", None),
        # An address that abbreviates itself (make journeys, after the street types above: "17 St Mary's Lane" typed
        # as shown was refused three times, as "17 street mary's lane").
        ("17 St Mary's Lane", 117),
        ("17 st mary's lane", 117),
        ("17 Saint Mary's Lane", None),
    ],
)
def test_address_choice(text: str, expected: int | None) -> None:
    assert choose_address(text, ADDRESSES) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("CT20451234", "CT20451234"),
        ("my account is ct-2045 1234", "CT20451234"),
        ("CT 20451234", "CT20451234"),
        ("CT2045123", None),
        ("4111 1111 1111 1111", None),
    ],
)
def test_account_references(text, expected) -> None:
    assert find_account_reference(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PAY-94901911", "PAY-94901911"),
        ("pay 9490 1911", "PAY-94901911"),
        ("payment", None),
    ],
)
def test_payment_references(text, expected) -> None:
    assert find_payment_reference(text) == expected


@pytest.mark.parametrize("text, expected", [("sr-246414", "SR-246414"), ("SR 246414", "SR-246414"), ("SR-12", None)])
def test_request_references(text, expected) -> None:
    assert find_request_reference(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("I don't have it", True), ("no idea", True), ("not to hand", True), ("CT20451234", False), ("yes", False)],
)
def test_saying_you_do_not_have_something(text, expected) -> None:
    assert says_unknown(text) is expected


def test_email_addresses() -> None:
    assert find_email("send it to rita.r+tax@example.co.uk please") == "rita.r+tax@example.co.uk"
    assert find_email("my email is rita at example dot com") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what's the deadline to register", ["registration"]),
        ("is it to late to regester for thursday", ["registration"]),
        ("whens the last day 2 registar", ["registration"]),
        ("how long have i got to get on the electoral roll", ["registration"]),
        ("last day to enroll to vote?", ["registration"]),
        ("when do postal vote applications close", ["postal"]),
        ("deadline for a postle vote", ["postal"]),
        ("can i still vote by post", ["postal"]),
        ("deadline to register for a postal vote", ["postal", "registration"]),
        ("is it too late for a proxy", ["proxy"]),
        ("last day to appoint a proxie", ["proxy"]),
        ("is there a cut-off for emergency proxies", ["emergency_proxy"]),
        ("emergancy proxy deadline, im in hospital", ["emergency_proxy"]),
        ("how late can I apply for a VAC", ["voter_authority_certificate"]),
        ("too late to get voter ID?", ["voter_authority_certificate"]),
        ("deadline for the free photo id for voting", ["voter_authority_certificate"]),
        ("voter authorty certificate deadline", ["voter_authority_certificate"]),
        ("deadlines for postal and proxy votes", ["postal", "proxy"]),
        ("what are the election deadlines", []),
        ("when is the vacancy filled", []),
    ],
)
def test_deadline_kinds(text: str, expected: list[str]) -> None:
    assert deadline_kinds_in(text) == expected


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I've moved abroad, can I still vote", "overseas"),
        ("I'm a British expat in Spain", "overseas"),
        ("I'm in the army, posted abroad", "service"),
        ("crown servant working overseas", "service"),
        ("I'm in a refuge, can I register without my address", "anonymous"),
        ("keep my name off the register for my safety", "anonymous"),
        ("I'm at uni in halls", "student"),
        ("how do I register at my term address", "student"),
        ("how do I register to vote", None),
        ("I want a postal vote long term", None),
    ],
)
def test_who_a_registration_question_is_for(text: str, category: str | None) -> None:
    assert voter_category_in(text) == category
