"""Council tax in the chat: the bill's details are not enough to open an account, and documents go only to the
address the council holds, never to one typed in the chat."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ValidateTaskForm, required_slots_for
from bot.actions.tasks import ActionCompleteTask
from bot.backoffice import BackOffice
from tests.support.trackers import make_tracker, user_event

ADDRESSES = {"postcode": "TN41 6PA", "addresses": [{"uprn": 100099500102, "address": "19 Rowan Close, Ashbury"}]}


class CouncilTaxOffice:
    """The back office over httpx.MockTransport: addresses, account checks and document requests, recorded."""

    def __init__(self, document: httpx.Response | None = None) -> None:
        self.calls: list[httpx.Request] = []
        self.document = document or httpx.Response(
            201, json={"reference": "DR-000111", "kind": "statement", "sent_to": "r***@e***.com", "status": "sent"}
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.path == "/api/v1/addresses":
            return httpx.Response(200, json=ADDRESSES)
        if request.url.path == "/api/v1/payments/verifications":
            return httpx.Response(200, json={"outcome": "verified", "expires_at": None})
        if request.url.path == "/api/v1/payments/document-requests":
            return self.document
        return httpx.Response(404)

    def client(self) -> BackOffice:
        return BackOffice(base_url="http://backoffice.test", token="t", transport=httpx.MockTransport(self.handler))

    def checks(self) -> list[dict]:
        return [json.loads(c.content) for c in self.calls if c.url.path == "/api/v1/payments/verifications"]


def answer(office: CouncilTaxOffice, requested: str, text: str, value: str, **slots) -> dict:
    base = {"pending_task": "council_tax_balance", "account_verified": False, "requested_slot": requested}
    tracker = make_tracker(
        user_event(text, "inform"), {"event": "slot", "name": requested, "value": value}, slots=base | slots
    )
    events = asyncio.run(ValidateTaskForm(office.client()).get_validation_events(CollectingDispatcher(), tracker, {}))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_account_number_and_postcode_from_the_bill_do_not_open_the_account() -> None:
    office = CouncilTaxOffice()
    set_to = answer(office, "postcode", "TN41 6PA", "TN41 6PA", account_reference="CT26041538")
    assert office.checks() == [] and not set_to.get("account_verified")
    slots = {"account_reference": "CT26041538", "postcode": "TN41 6PA"}
    assert required_slots_for("council_tax_balance", slots)[-1] == "date_of_birth"


def test_the_holders_date_of_birth_goes_with_the_check() -> None:
    office = CouncilTaxOffice()
    set_to = answer(
        office, "date_of_birth", "4 March 1970", "4 March 1970", account_reference="CT26041538", postcode="TN41 6PA"
    )
    [check] = office.checks()
    assert check["account_reference"] == "CT26041538" and check["date_of_birth"] == "1970-03-04"
    assert set_to["account_verified"] is True and set_to["date_of_birth"] is None  # not kept once checked


def test_a_statement_asks_for_no_address_and_names_none() -> None:
    assert required_slots_for("receipt_request", {"account_verified": True}) == []
    office = CouncilTaxOffice()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        user_event("send it to someone.else@attacker.example", "inform"),
        slots={
            "pending_task": "receipt_request",
            "account_verified": True,
            "contact_email": "someone.else@attacker.example",
        },
    )
    asyncio.run(ActionCompleteTask(office.client()).run(dispatcher, tracker, {}))
    [request] = [json.loads(c.content) for c in office.calls if c.url.path.endswith("/document-requests")]
    assert "email" not in request and "attacker" not in json.dumps(request)
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "the email address we hold for your account (r***@e***.com)" in said


def test_an_account_without_an_address_gets_a_phone_number_not_an_email() -> None:
    office = CouncilTaxOffice(httpx.Response(409, json={"detail": "no_email_on_file"}))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        user_event("email me a statement", "receipt_request"),
        slots={"pending_task": "receipt_request", "account_verified": True},
    )
    asyncio.run(ActionCompleteTask(office.client()).run(dispatcher, tracker, {}))
    said = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "We don't have an email address for it" in said and "01632 960 123" in said


def behind_on_an_instalment(**changes: Any) -> Any:
    """An account with December's instalment unpaid and January's next (``changes`` replace fields)."""
    from bot.backoffice_models import Account, Instalment

    fields = {
        "band": "D",
        "annual_charge": "£2,098.91",
        "instalment_plan": 12,
        "paid_this_year": "£1,402.91",
        "balance": "£696.00",
        "next_instalment": Instalment(due_date="2027-01-01", amount="£174.00"),
        "overdue": Instalment(due_date="2026-12-01", amount="£174.00"),
        "recovery_stage": "none",
    }
    return Account(**(fields | changes))


def test_the_balance_says_when_the_resident_is_behind() -> None:
    """A probe, 4 December: "8 of 12 paid, your next instalment is due on 1 January"; December's was unpaid."""
    from bot.actions.payments import balance
    from bot.backoffice_models import Account

    account = behind_on_an_instalment()
    said = balance(account)
    assert "You're £174.00 behind: the instalment due on Tuesday 1 December 2026" in said
    assert said.index("behind") < said.index("next instalment")
    assert "behind" not in balance(Account(**{**account.__dict__, "overdue": None}))


def test_a_reminder_the_records_do_not_show_is_not_flatly_denied() -> None:
    # A probe: "i got a reminder letter about council tax but i paid??" was told "We have not sent you a reminder".
    from bot.actions.payments import recovery

    said = recovery(behind_on_an_instalment(next_instalment=None, overdue=None))
    assert said.startswith("Our records don't show a reminder") and "01632 960 123" in said
    assert "We have not sent you" not in said
