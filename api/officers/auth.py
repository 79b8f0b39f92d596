"""Officers' passwords (argon2), console sessions with idle timeout, and sign-in throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import as_utc
from api.officers.models import ROLES, Officer, OfficerSession, SignInAttempt

MIN_PASSWORD_LENGTH = 12
# Failed sign-ins allowed for one email address within the window before sign-in is refused for a while.
MAX_FAILED_SIGN_INS = 5
SIGN_IN_WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()


class SignInRefused(Exception):
    """The email and password did not match an active officer, or too many attempts failed."""

    def __init__(self, *, throttled: bool = False) -> None:
        super().__init__("throttled" if throttled else "invalid")
        self.throttled = throttled


class InvalidOfficer(ValueError):
    """An officer account cannot be created as asked (role, email or password)."""


@dataclass(frozen=True)
class SessionPolicy:
    """How long a console session lasts: ``idle`` since the last request, ``lifetime`` at most."""

    idle: timedelta
    lifetime: timedelta


def hash_password(password: str) -> str:
    """Return an argon2 hash of ``password``."""
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Checked against when no officer has the email, so an unknown address takes as long as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Compare email addresses without case or surrounding spaces."""
    return email.strip().lower()


def create_officer(session: Session, *, email: str, display_name: str, role: str, password: str) -> Officer:
    """Add an officer account; the password is stored only as an argon2 hash."""
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidOfficer(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 200:
        raise InvalidOfficer("that does not look like an email address")
    if not display_name.strip():
        raise InvalidOfficer("the officer needs a name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidOfficer(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(Officer).where(func.lower(Officer.email) == email)) is not None:
        raise InvalidOfficer("an officer with that email address already exists")
    officer = Officer(email=email, display_name=display_name.strip(), role=role,
                      password_hash=hash_password(password), active=True)
    session.add(officer)
    session.flush()
    return officer


def sign_in(session: Session, *, email: str, password: str, now: datetime,
            policy: SessionPolicy) -> tuple[str, OfficerSession]:
    """Check the officer's password and open a session; return the cookie token and the session.

    Every failure says the same thing, whether the address is unknown, the password wrong or the account
    disabled. After ``MAX_FAILED_SIGN_INS`` failures for an address within ``SIGN_IN_WINDOW``, even the
    right password is refused until the window has passed.
    """
    email = normalise_email(email)
    email_hash = _digest(email)
    failures = session.scalar(select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.email_hash == email_hash, SignInAttempt.succeeded.is_(False),
        SignInAttempt.attempted_at > now - SIGN_IN_WINDOW)) or 0
    if failures >= MAX_FAILED_SIGN_INS:
        raise SignInRefused(throttled=True)
    officer = session.scalar(select(Officer).where(func.lower(Officer.email) == email))
    matches = _password_matches(officer.password_hash if officer else _decoy_hash(), password)
    succeeded = bool(officer and officer.active and matches)
    session.add(SignInAttempt(email_hash=email_hash, attempted_at=now, succeeded=succeeded))
    if not succeeded or officer is None:
        session.flush()
        raise SignInRefused
    token = secrets.token_urlsafe(32)
    opened = OfficerSession(token_hash=_digest(token), officer_id=officer.id, csrf_token=secrets.token_urlsafe(32),
                            created_at=now, last_seen_at=now, expires_at=now + policy.lifetime)
    session.add(opened)
    session.flush()
    return token, opened


def current_session(session: Session, *, token: str, now: datetime, policy: SessionPolicy) -> OfficerSession | None:
    """Return the live session for a cookie token, noting this request; None if it ended, idled or expired."""
    found = session.get(OfficerSession, _digest(token))
    if found is None or found.ended_at is not None or not found.officer.active:
        return None
    if now >= as_utc(found.expires_at) or now - as_utc(found.last_seen_at) >= policy.idle:
        found.ended_at = now
        session.flush()
        return None
    found.last_seen_at = now
    session.flush()
    return found


def sign_out(session: Session, *, token: str, now: datetime) -> None:
    """End the session for a cookie token, so the token is worthless even if it was copied."""
    found = session.get(OfficerSession, _digest(token))
    if found is not None and found.ended_at is None:
        found.ended_at = now
        session.flush()
