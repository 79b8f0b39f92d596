"""The verified account: the year's bill, balance, next instalment, recovery stage and payment look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.payments.recovery import EXPLANATIONS
from tests.support.electoral import copy_of
from tests.support.payments import CouncilApi, Resident, add_account, council_api, demo_residents

TEN_INSTALMENTS = [(date(2026, month, 1), 10_000) for month in range(4, 13)] + [(date(2027, 1, 1), 10_000)]


@pytest.fixture
def api(seeded_database_url: str, tmp_path: Path) -> Iterator[CouncilApi]:
    with copy_of(seeded_database_url, tmp_path) as url, council_api(url) as api:
        yield api


@pytest.fixture
def residents(api: CouncilApi) -> list[Resident]:
    return demo_residents(api.url)


def test_demo_account_reads_as_the_resident_would_see_it(api: CouncilApi, residents: list[Resident]) -> None:
    rita = residents[0]

    account = api.get("/payments/account", conversation_id=api.verified(rita)).json()

    # Rita: £2,098.91 in 12 instalments (£184.91, then £174.00), 8 paid by 2 November 2026.
    assert account == {
        "account_reference": rita.account_reference,
        "band": account["band"],
        "annual_charge": "£2,098.91",
        "instalment_plan": 12,
        "paid_this_year": "£1,402.91",
        "balance": "£696.00",
        "credit": None,
        "next_instalment": {"due_date": "2026-12-01", "amount": "£174.00"},
        "overdue": None,
        "recovery_stage": "none",
        "recovery_explanation": EXPLANATIONS["none"],
        "recent_payments": [
            {
                "reference": rita.payment_reference,
                "date": rita.payment_date,
                "amount": "£174.00",
                "method": account["recent_payments"][0]["method"],
            },
            *account["recent_payments"][1:],
        ],
    }
    assert len(account["recent_payments"]) == 3
    dates = [payment["date"] for payment in account["recent_payments"]]
    assert dates == sorted(dates, reverse=True)
    assert "_" not in account["recent_payments"][0]["method"]
    assert not {"holder_first_name", "full_name", "date_of_birth", "name"} & set(account)


def test_balance_and_next_instalment_follow_the_payments(api: CouncilApi) -> None:
    holder = add_account(
        api.url,
        reference="CT30000001",
        charge=100_050,
        instalments=[(date(2026, 4, 1), 10_050), *TEN_INSTALMENTS[1:]],
        payments=[(date(2026, 4, 1), 10_050), (date(2026, 5, 1), 10_000), (date(2026, 6, 1), 5_000)],
    )
    api.now = api.now.replace(year=2026, month=6, day=20)
    conversation = api.verified(holder)

    account = api.get("/payments/account", conversation_id=conversation).json()

    assert (account["annual_charge"], account["paid_this_year"], account["balance"], account["credit"]) == (
        "£1,000.50",
        "£250.50",
        "£750.00",
        None,
    )
    # June was half paid but is past; the next one due is July's, in full.
    assert account["next_instalment"] == {"due_date": "2026-07-01", "amount": "£100.00"}
    # June's unpaid half is owing, and said (a probe was told only of the next one while a month behind).
    assert account["overdue"] == {"due_date": "2026-06-01", "amount": "£50.00"}


def test_a_payment_ahead_counts_towards_the_next_instalment(api: CouncilApi) -> None:
    holder = add_account(
        api.url,
        reference="CT30000002",
        charge=100_000,
        instalments=TEN_INSTALMENTS,
        payments=[(date(2026, 4, 1), 10_000), (date(2026, 4, 20), 14_000)],
    )
    api.now = api.now.replace(year=2026, month=4, day=25)

    account = api.get("/payments/account", conversation_id=api.verified(holder)).json()

    assert account["balance"] == "£760.00"
    assert account["next_instalment"] == {"due_date": "2026-06-01", "amount": "£60.00"}  # April, May and £40 of June
    assert account["overdue"] is None


def test_an_overpaid_account_shows_no_negative_balance_but_a_credit(api: CouncilApi) -> None:
    holder = add_account(
        api.url,
        reference="CT30000003",
        charge=100_000,
        instalments=TEN_INSTALMENTS,
        payments=[(date(2026, 4, 1), 100_000), (date(2026, 4, 2), 1_234)],
    )

    account = api.get("/payments/account", conversation_id=api.verified(holder)).json()

    assert (account["balance"], account["credit"], account["next_instalment"]) == ("£0.00", "£12.34", None)
    assert "-" not in account["balance"] + account["credit"] + account["paid_this_year"]


@pytest.mark.parametrize("stage", ["none", "reminder", "final_notice", "summons", "liability_order"])
def test_each_recovery_stage_is_explained_with_a_way_out(api: CouncilApi, stage: str) -> None:
    holder = add_account(
        api.url,
        reference="CT30000004",
        charge=100_000,
        instalments=TEN_INSTALMENTS,
        payments=[(date(2026, 4, 1), 10_000)],
        recovery_stage=stage,
    )

    account = api.get("/payments/account", conversation_id=api.verified(holder)).json()

    text = account["recovery_explanation"]
    assert account["recovery_stage"] == stage
    assert "arrangement" in text and "Free, independent debt advice" in text
    assert len(set(EXPLANATIONS.values())) == len(EXPLANATIONS)
    if stage in ("final_notice", "summons", "liability_order"):
        assert account["next_instalment"] is None  # instalments are lost: the whole balance is due
    else:
        assert account["next_instalment"] == {"due_date": "2026-12-01", "amount": "£100.00"}
    expected = {
        "reminder": "7 days",
        "final_notice": "whole balance",
        "summons": "court costs",
        "liability_order": "liability order",
        "none": "no recovery action",
    }[stage]
    assert expected in text


@pytest.mark.parametrize("typed", ["{}", "{lower}", "{lower_compact}", " {spaced} "])
def test_a_payment_on_the_verified_account_is_found_however_typed(
    api: CouncilApi, residents: list[Resident], typed: str
) -> None:
    rita = residents[0]
    digits = rita.payment_reference.removeprefix("PAY-")
    text = typed.format(
        rita.payment_reference,
        lower=rita.payment_reference.lower(),
        lower_compact=f"pay{digits}",
        spaced=f"PAY {digits[:4]} {digits[4:]}",
    )

    response = api.get(f"/payments/payments/{text}", conversation_id=api.verified(rita))

    assert response.status_code == 200
    assert response.json() == {
        "reference": rita.payment_reference,
        "date": rita.payment_date,
        "amount": rita.payment_amount,
        "method": response.json()["method"],
        "account_reference": rita.account_reference,
    }


def test_someone_elses_payment_is_as_unknown_as_one_that_does_not_exist(
    api: CouncilApi, residents: list[Resident]
) -> None:
    conversation = api.verified(residents[0])

    others = api.get(f"/payments/payments/{residents[1].payment_reference}", conversation_id=conversation)
    missing = api.get("/payments/payments/PAY-00000001", conversation_id=conversation)
    nonsense = api.get("/payments/payments/hello", conversation_id=conversation)

    assert {(r.status_code, r.content) for r in (others, missing, nonsense)} == {(404, b'{"detail":"not found"}')}


def test_nothing_is_read_without_a_live_verification(api: CouncilApi, residents: list[Resident]) -> None:
    rita = residents[0]
    for response in (
        api.get("/payments/account", conversation_id="never-verified"),
        api.get(f"/payments/payments/{rita.payment_reference}", conversation_id="never-verified"),
    ):
        assert (response.status_code, response.json()) == (403, {"detail": "not verified"})
