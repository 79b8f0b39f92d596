"""Council tax back-office endpoints the bot's actions call (/api/v1, service token).

Reading an account needs a conversation that has proved it holds it (POST /payments/verifications).
Time comes from ``api.clock``, which tests override.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.clock import ClockDep, NowDep
from api.deps import SessionDep, SettingsDep, require_service_token
from api.errors import SERVICE_TOKEN_REFUSALS, Responses, replayed
from api.payments import documents, service, verification
from api.payments.schemas import (
    AccountSummary,
    AccountVerificationCreate,
    AccountVerificationResult,
    DocumentRequestCreate,
    DocumentRequestRead,
    PaymentDetail,
)

router = APIRouter(
    prefix="/api/v1/payments",
    tags=["payments"],
    dependencies=[Depends(require_service_token)],
    responses=SERVICE_TOKEN_REFUSALS,
)

FORBIDDEN: Responses = {403: {"description": "The conversation has not proved it holds an account"}}
UNKNOWN_PAYMENT: Responses = {
    404: {"description": "No such payment on the verified account (whether or not it exists on another)"}
}
ConversationQuery = Annotated[str, Query(min_length=1, max_length=64)]


@router.post(
    "/verifications",
    response_model=AccountVerificationResult,
    summary="Verify that a council tax account is the caller's",
    responses={422: {"description": "Not a full UK postcode, or not shaped like an account reference"}},
)
def verify_account_holder(
    body: AccountVerificationCreate, session: SessionDep, now: NowDep
) -> AccountVerificationResult:
    """Check the holder's date of birth with the postcode and the account reference (or the holder's name).

    The reference and postcode alone are not enough: both are printed on the bill. On success the
    conversation may read the account for an hour. A failure is the same response whether or not such an
    account exists; repeated failures lock the conversation and the account for a while.
    """
    result = verification.verify_account_holder(
        session,
        conversation_id=body.conversation_id,
        postcode=body.postcode,
        account_reference=body.account_reference,
        full_name=body.full_name,
        date_of_birth=body.date_of_birth,
        now=now,
    )
    return AccountVerificationResult(outcome=result.outcome.value, expires_at=result.expires_at)


@router.delete(
    "/verifications/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a conversation's link to an account",
)
def end_verification(conversation_id: str, session: SessionDep) -> Response:
    """End the verification (say, when the bot's session restarts); nothing to end is not an error."""
    verification.end_verification(session, conversation_id=conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/account", response_model=AccountSummary, summary="Read the verified account", responses=FORBIDDEN)
def read_account(session: SessionDep, clock: ClockDep, conversation_id: ConversationQuery) -> AccountSummary:
    """Return the year's bill, what has been paid, the balance, the next instalment and any recovery action."""
    return service.account_summary(session, conversation_id=conversation_id, today=clock.today, now=clock.now)


@router.get(
    "/payments/{payment_reference}",
    response_model=PaymentDetail,
    summary="Look up a payment on the verified account",
    responses={**FORBIDDEN, **UNKNOWN_PAYMENT},
)
def read_payment(
    payment_reference: str, session: SessionDep, clock: ClockDep, conversation_id: ConversationQuery
) -> PaymentDetail:
    """Return a payment received on the verified account ("PAY-12345678", "pay12345678" and spaces all work)."""
    return service.find_payment(session, conversation_id=conversation_id, reference=payment_reference, now=clock.now)


@router.post(
    "/document-requests",
    response_model=DocumentRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Email a receipt or a statement to the verified account holder's address on file",
    responses={
        **replayed(DocumentRequestRead),
        **FORBIDDEN,
        **UNKNOWN_PAYMENT,
        409: {
            "description": "The idempotency key was used for a different request, or the "
            "account holds no email address to send to"
        },
    },
)
def request_document(
    body: DocumentRequestCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, response: Response
) -> DocumentRequestRead:
    """Record the request, then email it to the address the council holds for the account.

    "queued" if the mail server cannot take it now (it is kept). No address can be given: a document
    never goes to one typed in a chat.

    The request is committed before the email is sent, so it survives whatever happens to the email, and an
    email is sent at most once per request however often the request is retried.
    """
    recorded = documents.request_document(session, request=body, now=clock.now)
    session.commit()
    if not recorded.created:
        response.status_code = status.HTTP_200_OK
    return documents.deliver(session, reference=recorded.body, settings=settings, today=clock.today, now=clock.now)
