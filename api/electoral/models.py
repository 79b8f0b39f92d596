"""Tables of the electoral register and what hangs off it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, utcnow
from api.places.models import Property


class PollingDistrict(Base):
    """A polling district: the area whose electors vote at one station."""

    __tablename__ = "polling_districts"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    ward: Mapped[str] = mapped_column(String(120))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("polling_stations.id"))

    station: Mapped[PollingStation | None] = relationship()


class PollingStation(Base):
    """A place where people vote, with what a person with a disability needs to know."""

    __tablename__ = "polling_stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(240))
    postcode: Mapped[str] = mapped_column(String(10))
    accessibility: Mapped[str] = mapped_column(Text, default="")


class RegistrationStatus(enum.StrEnum):
    """Where an elector's entry stands."""

    REGISTERED = "registered"
    PENDING = "pending"
    REMOVED = "removed"


class Elector(Base):
    """An entry in the register of electors (or an application for one)."""

    __tablename__ = "electors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    elector_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    open_register_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_on: Mapped[date | None] = mapped_column(Date)

    property: Mapped[Property] = relationship()


class Election(Base):
    """A poll in the elections timetable."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    election_type: Mapped[str] = mapped_column(String(40))
    poll_date: Mapped[date] = mapped_column(Date, index=True)
    # A ward name, or "all" for a poll across the whole council area.
    area: Mapped[str] = mapped_column(String(120), default="all")


class AbsentVoteKind(enum.StrEnum):
    """How an elector votes when not in person."""

    POSTAL = "postal"
    PROXY = "proxy"


class AbsentVote(Base):
    """An absent-vote arrangement on an elector's record."""

    __tablename__ = "absent_votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    elector_id: Mapped[int] = mapped_column(ForeignKey("electors.id"), index=True)
    kind: Mapped[AbsentVoteKind] = mapped_column(
        Enum(AbsentVoteKind, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    proxy_name: Mapped[str | None] = mapped_column(String(160))


class AbsentVoteRequest(Base):
    """A request for a new, changed, renewed or cancelled absent vote, lodged through the assistant.

    The elector may withdraw it while no officer has dealt with it ("actually cancel that" just after applying).
    """

    __tablename__ = "absent_vote_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    elector_id: Mapped[int] = mapped_column(ForeignKey("electors.id"), index=True)
    kind: Mapped[AbsentVoteKind] = mapped_column(
        Enum(AbsentVoteKind, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="received")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the elector withdrew it before an officer dealt with it (status "withdrawn"), and from which chat.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_in_conversation: Mapped[str | None] = mapped_column(String(64))


class VerificationAttempt(Base):
    """One attempt, through the assistant, to prove being an elector; kept to enforce the lockouts.

    ``elector_id`` is the candidate whose name matched at the address, if any: failures against one person
    count whichever conversation they come from. Nothing the caller typed is kept.
    """

    __tablename__ = "verification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    elector_id: Mapped[int | None] = mapped_column(ForeignKey("electors.id"), index=True)
    # The address the caller gave; not a foreign key, since a caller may give any number.
    uprn: Mapped[int] = mapped_column(BigInteger, index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    # Where the attempt came from (the conversation's source), and why it was refused unchecked, if it was.
    client_source: Mapped[str | None] = mapped_column(String(32), index=True)
    refused: Mapped[str | None] = mapped_column(String(16))


class Verification(Base):
    """A conversation's proven identity: the elector it speaks for, until it expires or is ended."""

    __tablename__ = "verifications"

    # One per conversation: proving identity again replaces the earlier one.
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    elector_id: Mapped[int] = mapped_column(ForeignKey("electors.id"), index=True)
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ElectoralChangeRequest(Base):
    """A change to the register asked for through the assistant.

    A new name or an open-register choice for the verified elector, or a report that someone at an
    address has died or moved away. ``requested_by_elector_id`` is the verified elector who asked, when
    there was one; a report about someone else is never linked to that person's entry here (an officer
    checks the register).
    """

    __tablename__ = "electoral_change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(64))
    requested_by_elector_id: Mapped[int | None] = mapped_column(ForeignKey("electors.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="received")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
