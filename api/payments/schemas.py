"""What the payments back office accepts and returns: the contract the bot's actions are written against.

Money goes out as text in pounds ("£1,234.56"), never negative. No holder name or date of birth goes out.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ConversationId = Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=8,
        max_length=80,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="Chosen by the caller, the same on every retry of one request",
    ),
]
RecoveryStage = Literal["none", "reminder", "final_notice", "summons", "liability_order"]


class Strict(BaseModel):
    """A request body: surrounding spaces are trimmed and unknown fields refused (no card numbers)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AccountVerificationCreate(Strict):
    """Proof that an account is the caller's: the holder's date of birth, the postcode, and the reference or name.

    The reference and the postcode are printed on every bill, so they only find the account; the date of
    birth, which is not on the bill, is what proves the caller holds it.
    """

    conversation_id: ConversationId
    account_reference: str | None = Field(
        default=None, min_length=1, max_length=32, description='e.g. "CT12345678", "ct 1234 5678" or "CT-12345678"'
    )
    postcode: str = Field(min_length=1, max_length=16, description="Of the property the bill is for")
    full_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The account holder's name, when the reference is not to hand",
    )
    date_of_birth: date = Field(description="The account holder's date of birth (it is not printed on the bill)")

    @model_validator(mode="after")
    def _check_route(self) -> AccountVerificationCreate:
        if self.account_reference is None and self.full_name is None:
            raise ValueError("give the account reference or the holder's full name, with the date of birth")
        return self


class AccountVerificationResult(BaseModel):
    """The answer to an account check: the same bytes for every failure, whatever account was named."""

    outcome: Literal["verified", "not_verified", "locked"]
    expires_at: datetime | None = Field(description="When the verification ends (UTC); null unless verified")


class InstalmentRead(BaseModel):
    """The next instalment to pay."""

    due_date: date
    amount: str = Field(description='e.g. "£174.00"')


class PaymentRead(BaseModel):
    """A payment received on the verified account."""

    reference: str = Field(description='e.g. "PAY-12345678"')
    date: dt.date
    amount: str
    method: str = Field(description='e.g. "direct debit", "online", "bank transfer", "phone", "in person"')


class PaymentDetail(PaymentRead):
    """A payment received, with the account it was paid to."""

    account_reference: str


class AccountSummary(BaseModel):
    """The verified account's bill for the year, what has been paid, what is next and where recovery stands."""

    account_reference: str
    band: str
    annual_charge: str
    instalment_plan: int = Field(description="10 or 12 monthly instalments")
    paid_this_year: str
    balance: str = Field(description='What is left to pay this year; "£0.00" when paid in full or in credit')
    credit: str | None = Field(description="Overpaid this year; null unless the account is in credit")
    next_instalment: InstalmentRead | None = Field(
        description="Null when nothing more is due by instalments (paid up, or the right to instalments is lost)"
    )
    overdue: InstalmentRead | None = Field(
        default=None,
        description="Instalments already due that the payments so far do not cover: what is owing and the earliest due"
        " date; null when none is (or the right to instalments is lost, when the whole balance is due)",
    )
    recovery_stage: RecoveryStage
    recovery_explanation: str
    recent_payments: list[PaymentRead] = Field(description="The latest three, newest first")


class DocumentRequestCreate(Strict):
    """A receipt for one payment, or a statement of the year, to email to the verified account holder.

    There is no address to give: it goes to the email address the council holds for the account, so a
    chat cannot send someone's statement anywhere else (a body naming an address is refused).
    """

    conversation_id: ConversationId
    idempotency_key: IdempotencyKey
    kind: Literal["receipt", "statement"]
    payment_reference: str | None = Field(
        default=None, min_length=1, max_length=32, description="Which payment a receipt is for; only with a receipt"
    )

    @model_validator(mode="after")
    def _check_payment(self) -> DocumentRequestCreate:
        if (self.kind == "receipt") != (self.payment_reference is not None):
            raise ValueError("a receipt needs payment_reference, and only a receipt takes one")
        return self


class DocumentRequestRead(BaseModel):
    """A recorded document request and whether the email has gone."""

    reference: str = Field(description='"DR-" and 6 digits')
    kind: Literal["receipt", "statement"]
    sent_to: str = Field(description='The account\'s own address, masked: "r***@e***.com"')
    status: Literal["sent", "queued"] = Field(description='"queued" when the mail server could not take it yet')
