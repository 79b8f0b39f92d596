"""Tables of council tax accounts, their instalments and the payments received. Money is in pence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base


class CouncilTaxAccount(Base):
    """A council tax account for one property and its liable person."""

    __tablename__ = "council_tax_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    holder_first_name: Mapped[str] = mapped_column(String(80))
    holder_last_name: Mapped[str] = mapped_column(String(80))
    holder_date_of_birth: Mapped[date] = mapped_column(Date)
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn"), index=True)
    band: Mapped[str] = mapped_column(String(1))
    annual_charge_pence: Mapped[int] = mapped_column(Integer)
    instalment_plan: Mapped[int] = mapped_column(Integer, default=10)
    # none, reminder, final_notice, summons, liability_order
    recovery_stage: Mapped[str] = mapped_column(String(20), default="none")

    instalments: Mapped[list[Instalment]] = relationship(order_by="Instalment.due_date")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.paid_on")


class Instalment(Base):
    """One instalment of an account's yearly bill."""

    __tablename__ = "instalments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    """A payment received against an account."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("council_tax_accounts.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
