"""Officers' second factor: codes from an authenticator app (TOTP, via pyotp) and single-use recovery codes.

Enrolment gives the officer a secret (as a QR code and as text) and takes effect only when they type a
code their app made from it, so nobody is left with a second factor they cannot produce. A code is
accepted for its 30-second step and one step either side (clock drift), and each step only once: the
last step used is moved forward with a conditional UPDATE, so a code seen over a shoulder, or sent twice
at once, does not open a second session. Recovery codes are random (50 bits), so a SHA-256 hash of each
is enough to store; each works once. The TOTP secret itself must be read back, so it is stored sealed
(``api.officers.sealing``) and opened only to check a code.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime
from typing import Any, cast

import pyotp
import segno
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from api.officers.models import Officer, OfficerSession, RecoveryCode
from api.officers.sealing import SecretSeal

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
RECOVERY_CODE_LENGTH = 10


class AlreadyEnrolled(Exception):
    """The officer already has a second factor; a supervisor resets it before a new one is set up."""


def start_enrolment(session: Session, officer: Officer, *, seal: SecretSeal) -> str:
    """Return the secret the officer's app should hold, making one if enrolment has not started.

    A secret no key opens any more (the key was changed before the officer finished) is replaced.
    """
    if officer.second_factor_enrolled:
        raise AlreadyEnrolled
    secret = seal.open(officer.totp_secret_sealed)
    if secret is None:
        secret = pyotp.random_base32(length=32)
        officer.totp_secret_sealed = seal.seal(secret)
        session.flush()
    return secret


def provisioning_uri(officer: Officer, secret: str, *, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads (from the QR code) to hold the officer's secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=officer.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> str:
    """Return the URI as an inline SVG QR code (no image files, nothing fetched)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app"))


def _accepted_step(secret: str, code: str, now: datetime) -> int | None:
    """Return the time step ``code`` belongs to (now, or one either side), or None if it matches none."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _digits(code: str) -> str:
    return "".join(code.split())


def confirm_enrolment(
    session: Session, officer: Officer, *, code: str, now: datetime, seal: SecretSeal
) -> list[str] | None:
    """Turn the second factor on if ``code`` comes from the enrolment secret; return new recovery codes."""
    secret = seal.open(officer.totp_secret_sealed)
    if officer.second_factor_enrolled or secret is None:
        return None
    step = _accepted_step(secret, _digits(code), now)
    if step is None:
        return None
    officer.totp_enrolled_at, officer.totp_last_step = now.astimezone(UTC), step
    log.info("officer %s enrolled a second factor", officer.id)
    return new_recovery_codes(session, officer)


def check(session: Session, officer: Officer, *, code: str, now: datetime, seal: SecretSeal) -> bool:
    """Accept a code from the officer's app, or one of their unused recovery codes, once."""
    if not officer.second_factor_enrolled:
        return False
    typed = _digits(code)
    if typed.isdigit() and len(typed) == 6:
        secret = seal.open(officer.totp_secret_sealed)
        step = None if secret is None else _accepted_step(secret, typed, now)
        return step is not None and _use_step(session, officer, step)
    return _use_recovery_code(session, officer, typed, now)


def _use_step(session: Session, officer: Officer, step: int) -> bool:
    used = cast(
        CursorResult[Any],
        session.execute(
            update(Officer)
            .where(Officer.id == officer.id, or_(Officer.totp_last_step.is_(None), Officer.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    return used == 1


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def _use_recovery_code(session: Session, officer: Officer, code: str, now: datetime) -> bool:
    used = cast(
        CursorResult[Any],
        session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.officer_id == officer.id,
                RecoveryCode.code_hash == _recovery_hash(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now.astimezone(UTC))
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if used:
        log.info("officer %s signed in with a recovery code", officer.id)
    return used == 1


def new_recovery_codes(session: Session, officer: Officer) -> list[str]:
    """Replace the officer's recovery codes with new ones; return them (this is the only time they are shown)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.officer_id == officer.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.add_all(RecoveryCode(officer_id=officer.id, code_hash=_recovery_hash(code)) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(session: Session, officer: Officer) -> int:
    """Return how many of the officer's recovery codes are unused."""
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.officer_id == officer.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def reset(session: Session, officer: Officer, *, now: datetime) -> None:
    """Remove the officer's second factor and recovery codes and end their sessions (a lost or stolen phone).

    They set up a new one the next time they sign in (at once, where a second factor is required).
    """
    officer.totp_secret_sealed = officer.totp_enrolled_at = officer.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.officer_id == officer.id))
    session.execute(
        update(OfficerSession)
        .where(OfficerSession.officer_id == officer.id, OfficerSession.ended_at.is_(None))
        .values(ended_at=now.astimezone(UTC))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    log.info("officer %s second factor reset", officer.id)


def reseal_all(session: Session, *, seal: SecretSeal) -> int:
    """Seal every officer's secret again with the first key (after a new key was put first); return how many."""
    officers = session.scalars(select(Officer).where(Officer.totp_secret_sealed.is_not(None))).all()
    for officer in officers:
        officer.totp_secret_sealed = seal.reseal(officer.totp_secret_sealed or "")
    session.flush()
    return len(officers)
