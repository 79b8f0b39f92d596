"""Officers' passwords (argon2), console sessions with idle timeout and a second step, and sign-in limits."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import as_utc
from api.officers import limits, second_factor
from api.officers.models import ROLES, Officer, OfficerSession, SignInAttempt
from api.officers.sealing import SecretSeal

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# How long a session waits for its second step (a code, or enrolment) before the password is asked again.
PENDING_SESSION_LIFETIME = timedelta(minutes=10)

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


def session_token_hash(token: str) -> str:
    """Return how a session's cookie token is stored (its SHA-256), to find the session row."""
    return _digest(token)


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
    officer = Officer(
        email=email, display_name=display_name.strip(), role=role, password_hash=hash_password(password), active=True
    )
    session.add(officer)
    session.flush()
    return officer


@dataclass(frozen=True)
class SignedIn:
    """A console session just opened: the cookie token and the session (its ``stage`` says what comes next)."""

    token: str
    opened: OfficerSession


def sign_in(
    sessions: sessionmaker[Session],
    *,
    email: str,
    password: str,
    client: str,
    now: datetime,
    policy: SessionPolicy,
    second_factor_required: bool = False,
) -> SignedIn:
    """Check the officer's password and open a session; raise SignInRefused when it is wrong or limited.

    Every failure says the same thing, whether the address is unknown, the password wrong or the account
    disabled. The attempt first takes its place under the sign-in limits (``api.officers.limits``), in a
    transaction of its own, so parallel guesses are counted before any password is checked; a right
    password gives the place back. ``client`` is the request's pseudonymous source (``api.access.source``).

    An officer with a second factor gets a session in the "second_factor" stage, which opens nothing until a
    code is given (``complete_second_factor``); one without, where a second factor is required, gets the
    "enrol" stage, which opens only the enrolment page.
    """
    email = normalise_email(email)
    email_hash = _digest(email)
    places = limits.places_for(email_hash=email_hash, client_key=client)
    with sessions() as session:
        if not limits.reserve(session, places, now=now):
            log.info("console sign-in refused: a limit is reached")
            raise SignInRefused(throttled=True)
    with sessions.begin() as session:
        officer = session.scalar(select(Officer).where(func.lower(Officer.email) == email))
        matches = _password_matches(officer.password_hash if officer else _decoy_hash(), password)
        succeeded = bool(officer and officer.active and matches)
        session.add(SignInAttempt(email_hash=email_hash, attempted_at=now, succeeded=succeeded))
        if succeeded and officer is not None:
            limits.give_back(session, places)
            stage = (
                "second_factor" if officer.second_factor_enrolled else "enrol" if second_factor_required else "active"
            )
            return _open(session, officer, now=now, policy=policy, stage=stage)
    raise SignInRefused  # the failed attempt stays counted and recorded


def _open(session: Session, officer: Officer, *, now: datetime, policy: SessionPolicy, stage: str) -> SignedIn:
    lifetime = policy.lifetime if stage == "active" else PENDING_SESSION_LIFETIME
    token = secrets.token_urlsafe(32)
    opened = OfficerSession(
        token_hash=_digest(token),
        officer_id=officer.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        stage=stage,
    )
    session.add(opened)
    session.flush()
    return SignedIn(token, opened)


class SecondStepExpired(Exception):
    """The session awaiting a code has ended: the password must be given again."""


def complete_second_factor(
    sessions: sessionmaker[Session],
    *,
    token: str,
    code: str,
    client: str,
    now: datetime,
    policy: SessionPolicy,
    seal: SecretSeal,
) -> SignedIn:
    """Check the code of a session awaiting its second step and open a full session in its place.

    A wrong code counts under the same limits as a wrong password (a guesser who has the password still
    gets five tries from a machine), and is refused with SignInRefused; an ended session raises
    SecondStepExpired.
    """
    with sessions.begin() as session:
        pending = current_session(session, token=token, now=now, policy=policy, stages=("second_factor",))
        if pending is None:
            raise SecondStepExpired
        email_hash = _digest(normalise_email(pending.officer.email))
    places = limits.places_for(email_hash=email_hash, client_key=client)
    with sessions() as session:
        if not limits.reserve(session, places, now=now):
            raise SignInRefused(throttled=True)
    with sessions.begin() as session:
        pending = current_session(session, token=token, now=now, policy=policy, stages=("second_factor",))
        if pending is None:
            raise SecondStepExpired
        accepted = second_factor.check(session, pending.officer, code=code, now=now, seal=seal)
        session.add(SignInAttempt(email_hash=email_hash, attempted_at=now, succeeded=accepted))
        if accepted:
            limits.give_back(session, places)
            return promote(session, pending, now=now, policy=policy)
    raise SignInRefused


def promote(session: Session, pending: OfficerSession, *, now: datetime, policy: SessionPolicy) -> SignedIn:
    """End a session that has passed its second step and open a full one under a new token and CSRF token.

    A new token means one that was planted or seen before the second step is worth nothing after it.
    """
    pending.ended_at = now
    return _open(session, pending.officer, now=now, policy=policy, stage="active")


def unlock_officer(session: Session, *, email: str) -> int:
    """Clear every sign-in limit on an officer's address (a supervisor's decision); return how many were set."""
    return limits.unlock(session, email_hash=_digest(normalise_email(email)))


def officer_lockouts(session: Session, officer: Officer, *, now: datetime) -> list[limits.Lockout]:
    """Return the sign-in limits refusing an officer's address now."""
    return limits.lockouts(session, email_hash=_digest(normalise_email(officer.email)), now=now)


def current_session(
    session: Session, *, token: str, now: datetime, policy: SessionPolicy, stages: tuple[str, ...] = ("active",)
) -> OfficerSession | None:
    """Return the live session for a cookie token, noting this request; None if it ended, idled or expired.

    Only sessions in one of ``stages`` count: by default a full session, not one still awaiting a code.
    """
    found = session.get(OfficerSession, _digest(token))
    if found is None or found.ended_at is not None or not found.officer.active or found.stage not in stages:
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
