"""Proving a council tax account is the caller's, the lockouts that stop guessing, and the link it gives.

Two ways in, both ending with the holder's date of birth: the account reference with the postcode of the
property billed, or the holder's full name with that postcode. The reference, the postcode and the name are
all printed on the bill, so anyone holding the bill has them; the date of birth is not, and is the proof
that the caller is the holder. As with electoral verification (``api.electoral.verification``),
a failure is the same answer whether or not such an account exists, and never says what was wrong. The
lockouts are those of every identity check (``api.verification_common``): the conversation and the
client's source are locked, an account guessed at from many places is held back for two minutes, and no
account is ever locked against its holder. Logs name only attempt ids.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.payments.models import AccountVerification, AccountVerificationAttempt, CouncilTaxAccount
from api.places.models import Property
from api.places.names import full_name_matches
from api.places.service import normalise_postcode
from api.verification_common import (
    SESSION_LENGTH,
    CheckResult,
    NotVerified,
    Outcome,
    Refusal,
    conversation_source,
    decide,
    refusals_between,
)

log = logging.getLogger(__name__)

ACCOUNT_REFERENCE = re.compile(r"^CT-?(\d{8})$")


class InvalidAccountReference(DomainError, ValueError):
    """The text is not shaped like a council tax account reference."""

    status_code = 422
    detail = "That doesn't look like a council tax account number. It should look like CT12345678."


def normalise_account_reference(text: str) -> str:
    """Return ``text`` as an account reference ("ct-1234 5678" -> "CT12345678"), or raise InvalidAccountReference."""
    match = ACCOUNT_REFERENCE.match("".join(text.split()).upper())
    if match is None:
        raise InvalidAccountReference
    return f"CT{match[1]}"


def verify_account_holder(
    session: Session,
    *,
    conversation_id: str,
    postcode: str,
    account_reference: str | None,
    full_name: str | None,
    date_of_birth: date,
    now: datetime,
) -> CheckResult:
    """Check the caller holds a council tax account; on success the conversation may read it.

    Raises ``InvalidPostcode`` or ``InvalidAccountReference`` for text of the wrong shape (nothing is looked up).
    """
    now = now.astimezone(UTC)  # SQLite keeps no time zone: every stored moment is UTC
    postcode = normalise_postcode(postcode)
    if account_reference is not None:
        reference = normalise_account_reference(account_reference)
        rows = session.execute(
            select(CouncilTaxAccount, Property.postcode)
            .join(Property, Property.uprn == CouncilTaxAccount.uprn)
            .where(CouncilTaxAccount.reference == reference)
        ).all()
        candidates = [account for account, _ in rows]
        match = next(
            (
                account
                for account, billed in rows
                if billed == postcode and account.holder_date_of_birth == date_of_birth
            ),
            None,
        )
    else:
        candidates = [
            account
            for account in session.scalars(
                select(CouncilTaxAccount)
                .join(Property, Property.uprn == CouncilTaxAccount.uprn)
                .where(Property.postcode == postcode)
                .order_by(CouncilTaxAccount.id)
            )
            if full_name_matches(
                full_name or "", first_name=account.holder_first_name, last_name=account.holder_last_name
            )
        ]
        match = next((account for account in candidates if account.holder_date_of_birth == date_of_birth), None)
    source = conversation_source(session, conversation_id)
    decision = decide(
        session,
        AccountVerificationAttempt,
        AccountVerificationAttempt.account_id,
        conversation_id=conversation_id,
        source=source,
        subject_ids=[c.id for c in candidates],
        details_correct=match is not None,
        now=now,
    )
    outcome = decision.outcome
    named = match or (candidates[0] if candidates else None)
    attempt = AccountVerificationAttempt(
        conversation_id=conversation_id,
        account_id=named.id if named else None,
        attempted_at=now,
        succeeded=outcome is Outcome.VERIFIED,
        client_source=source,
        refused=decision.refused,
    )
    session.add(attempt)
    expires_at = None
    if outcome is Outcome.VERIFIED and match is not None:
        expires_at = now + SESSION_LENGTH
        _link(session, conversation_id=conversation_id, account_id=match.id, now=now, expires_at=expires_at)
    session.flush()
    log.info(
        "account check recorded: attempt %s%s",
        attempt.id,
        f" (refused: {decision.refused} lock)" if decision.refused else "",
    )
    return CheckResult(outcome, expires_at)


def end_verification(session: Session, *, conversation_id: str) -> None:
    """End the conversation's link to an account, if it has one."""
    session.execute(delete(AccountVerification).where(AccountVerification.conversation_id == conversation_id))
    session.flush()


def verified_account(session: Session, *, conversation_id: str, now: datetime) -> CouncilTaxAccount:
    """Return the account the conversation has proved is the caller's, or raise NotVerified."""
    account = session.scalar(
        select(CouncilTaxAccount)
        .join(AccountVerification, AccountVerification.account_id == CouncilTaxAccount.id)
        .where(
            AccountVerification.conversation_id == conversation_id, AccountVerification.expires_at > now.astimezone(UTC)
        )
    )
    if account is None:
        raise NotVerified
    return account


def optional_verified_account(session: Session, *, conversation_id: str, now: datetime) -> CouncilTaxAccount | None:
    """Return the account the conversation has proved is the caller's, or None."""
    try:
        return verified_account(session, conversation_id=conversation_id, now=now)
    except NotVerified:
        return None


def refusal_counts(session: Session, *, start: datetime, end: datetime) -> dict[Refusal, int]:
    """Count the chats, sources and accounts whose checks were refused in [start, end)."""
    return refusals_between(
        session, AccountVerificationAttempt, AccountVerificationAttempt.account_id, start=start, end=end
    )


def _link(session: Session, *, conversation_id: str, account_id: int, now: datetime, expires_at: datetime) -> None:
    verification = session.get(AccountVerification, conversation_id)
    if verification is None:
        session.add(
            AccountVerification(
                conversation_id=conversation_id, account_id=account_id, verified_at=now, expires_at=expires_at
            )
        )
        return
    verification.account_id = account_id
    verification.verified_at = now
    verification.expires_at = expires_at
