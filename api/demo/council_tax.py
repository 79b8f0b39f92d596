"""Demo council tax accounts for 2026/27: bands and charges, instalment plans, payments and arrears."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from api.demo.dates import AS_OF, TAX_YEAR_START, next_working_day, random_date
from api.demo.people import Register
from api.demo.places import Row
from api.electoral.models import RegistrationStatus

ACCOUNT_COUNT = 800
# Band D for 2026/27 (district, county, police and fire precepts together); other bands are ninths of it.
BAND_D_PENCE = 236_127
BAND_NINTHS = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}
BAND_WEIGHTS = (15, 20, 22, 17, 12, 7, 5, 2)
SINGLE_PERSON_DISCOUNT = 0.25
# How far behind an account is, and how many of its latest instalments went unpaid to get there.
RECOVERY_WEIGHTS = {"none": 84, "reminder": 7, "final_notice": 4, "summons": 3, "liability_order": 2}
MISSED_INSTALMENTS = {"none": 0, "reminder": 1, "final_notice": 2, "summons": 3, "liability_order": 5}
METHOD_WEIGHTS = {"direct_debit": 55, "online": 20, "bank_transfer": 8, "phone": 8, "in_person": 9}
DUE_DAYS = (1, 15, 28)


@dataclass
class CouncilTax:
    """Rows of accounts (keyed by reference) and of instalments and payments (which name their account)."""

    accounts: list[Row]
    instalments: list[Row]
    payments: list[Row]


def generate_council_tax(rng: random.Random, fake: Faker, register: Register, holders: dict[int, Row]) -> CouncilTax:
    """Open accounts at occupied properties; ``holders`` maps a UPRN to the elector who must hold it."""
    occupants: dict[int, list[Row]] = {}
    for elector in register.electors:
        if elector["status"] is not RegistrationStatus.REMOVED:
            occupants.setdefault(elector["uprn"], []).append(elector)
    others = sorted(uprn for uprn in occupants if uprn not in holders)
    uprns = sorted(rng.sample(others, ACCOUNT_COUNT - len(holders)) + list(holders))
    result = CouncilTax([], [], [])
    used_references: set[str] = set()
    for uprn in uprns:
        reference = _unique(rng, used_references, "CT", 20_000_000, 29_999_999)
        if uprn in holders:
            holder, stage = holders[uprn], "none"
        else:
            holder = rng.choice(occupants[uprn]) if rng.random() < 0.88 else _landlord(rng, fake)
            stage = rng.choices(list(RECOVERY_WEIGHTS), list(RECOVERY_WEIGHTS.values()))[0]
        band = rng.choices(list(BAND_NINTHS), BAND_WEIGHTS)[0]
        charge = round(BAND_D_PENCE * BAND_NINTHS[band] / 9)
        if occupants[uprn] == [holder]:
            charge = round(charge * (1 - SINGLE_PERSON_DISCOUNT))
        plan = 10 if rng.random() < 0.8 else 12
        result.accounts.append(
            {
                "reference": reference,
                "holder_first_name": holder["first_name"],
                "holder_last_name": holder["last_name"],
                "holder_date_of_birth": holder["date_of_birth"],
                "uprn": uprn,
                "band": band,
                "annual_charge_pence": charge,
                "instalment_plan": plan,
                "recovery_stage": stage,
                "email": _email_on_file(holder, reference, demo=uprn in holders),
            }
        )
        instalments = _instalments(reference, charge, plan, rng.choice(DUE_DAYS))
        result.instalments += instalments
        result.payments += _payments(rng, reference, instalments, stage)
    used_payments: set[str] = set()
    for payment in result.payments:
        payment["reference"] = _unique(rng, used_payments, "PAY-", 10_000_000, 99_999_999)
    return result


def _unique(rng: random.Random, used: set[str], prefix: str, low: int, high: int) -> str:
    """Draw a reference not drawn before."""
    while (reference := f"{prefix}{rng.randint(low, high)}") in used:
        pass
    used.add(reference)
    return reference


def _email_on_file(holder: Row, reference: str, *, demo: bool) -> str | None:
    """Return the address the council holds for an account, or None for about one account in five.

    Derived from the name and reference rather than drawn, so the rest of the data set is unchanged;
    every demo resident has one, at a reserved example domain.
    """
    if not demo and reference[-1] in "37":
        return None
    local = re.sub(r"[^a-z.]", "", f"{holder['first_name']}.{holder['last_name']}".lower())
    return f"{local}@example.com"


def _landlord(rng: random.Random, fake: Faker) -> Row:
    """Return a liable person who is not on the register (a landlord, or someone not entitled to vote)."""
    return {
        "first_name": fake.first_name(),
        "last_name": fake.last_name(),
        "date_of_birth": random_date(rng, date(1945, 1, 1), date(2000, 12, 31)),
    }


def _instalments(reference: str, charge: int, plan: int, due_day: int) -> list[Row]:
    """Split the year's charge into whole-pound instalments from April; the first takes the odd pence."""
    regular = charge // plan // 100 * 100
    rows = []
    for index in range(plan):
        month = TAX_YEAR_START.month + index
        due = date(TAX_YEAR_START.year + (month - 1) // 12, (month - 1) % 12 + 1, due_day)
        amount = charge - regular * (plan - 1) if index == 0 else regular
        rows.append({"account_reference": reference, "due_date": due, "amount_pence": amount})
    return rows


def _payments(rng: random.Random, reference: str, instalments: list[Row], stage: str) -> list[Row]:
    """Pay the instalments due by ``AS_OF``, except the latest ones an account in recovery has missed."""
    due = [row for row in instalments if row["due_date"] <= AS_OF]
    paid = due[: max(0, len(due) - MISSED_INSTALMENTS[stage])]
    methods = list(METHOD_WEIGHTS)
    # An account in recovery pays by hand: its direct debit was cancelled when an instalment bounced.
    method = rng.choices(methods, list(METHOD_WEIGHTS.values()))[0] if stage == "none" else rng.choice(methods[1:])
    rows = []
    for instalment in paid:
        if method == "direct_debit":
            paid_on = next_working_day(instalment["due_date"])
        else:
            paid_on = instalment["due_date"] + timedelta(days=rng.randint(-6, 4))
            if method in ("phone", "in_person"):
                paid_on = next_working_day(paid_on)
        rows.append(
            {
                "reference": "",
                "account_reference": reference,
                "paid_on": min(paid_on, AS_OF),
                "amount_pence": instalment["amount_pence"],
                "method": method,
            }
        )
    return rows
