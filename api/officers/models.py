"""Officers, their console sessions, sign-in attempts and limits, and their second factor (TOTP)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, utcnow

ROLES = ("electoral_services", "customer_focus", "supervisor")


class Officer(Base):
    """A council officer who can sign in to the console."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The TOTP secret, sealed with CA_SECOND_FACTOR_KEY (api.officers.sealing): set when enrolment starts, in
    # use once ``totp_enrolled_at`` is set (the officer proved their authenticator app holds it).
    # ``totp_last_step`` is the last time step accepted, so a code cannot be used twice.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def second_factor_enrolled(self) -> bool:
        """Whether signing in needs a code from the officer's authenticator app (or a recovery code)."""
        return self.totp_enrolled_at is not None


class OfficerSession(Base):
    """A signed-in console session. The browser holds the token; only its hash is stored.

    It ends at sign-out (``ended_at``), after the idle timeout since ``last_seen_at``, or at ``expires_at``.
    """

    __tablename__ = "officer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "active": a full session. "second_factor": the password was right and a code is awaited.
    # "enrol": the password was right and the officer must set up a second factor before anything else.
    stage: Mapped[str] = mapped_column(String(16), default="active", server_default="active")

    officer: Mapped[Officer] = relationship()


class SignInAttempt(Base):
    """A console sign-in attempt, kept to slow password guessing; the email is stored only as a hash."""

    __tablename__ = "officer_sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class SignInLimit(Base):
    """Failed console sign-ins counted in a fixed window, for one limit and one key.

    The key is a hash: of an email address ("account"), of a client address ("client"), or of the two
    together ("pair"). A check reserves its place here before the password is checked, with one
    conditional UPDATE, so parallel guesses cannot all slip in under the limit; a right password gives
    the place back. ``email_hash`` lets a supervisor clear every limit on an officer's address.
    """

    __tablename__ = "officer_sign_in_limits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator app; only its hash is stored."""

    __tablename__ = "officer_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
