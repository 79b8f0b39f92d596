"""Electoral back-office endpoints the bot's actions call (/api/v1, service token).

Time comes from ``api.clock`` (``get_now`` and ``get_today``, re-exported here), which tests override.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.clock import ClockDep, get_now, get_today  # noqa: F401  (get_today: tests override it from here)
from api.deps import SessionDep, require_service_token
from api.electoral import requests, service, verification
from api.electoral.schemas import (
    AbsentVoteRequestCreate,
    AbsentVoteRequestRead,
    AbsentVoteWithdrawalCreate,
    AbsentVoteWithdrawalRead,
    AddressList,
    ChangeRequestCreate,
    ChangeRequestRead,
    MyRecord,
    PollingPlace,
    StreetList,
    UpcomingElections,
    VerificationCreate,
    VerificationResult,
)
from api.errors import CONFLICT, SERVICE_TOKEN_REFUSALS, Responses, replayed
from api.places.models import UPRN_MAX

router = APIRouter(
    prefix="/api/v1",
    tags=["electoral"],
    dependencies=[Depends(require_service_token)],
    responses=SERVICE_TOKEN_REFUSALS,
)

FORBIDDEN: Responses = {403: {"description": "The conversation has no live verified identity"}}
NOT_FOUND: Responses = {404: {"description": "No property has that UPRN"}}
Uprn = Annotated[
    int, Query(ge=1, le=UPRN_MAX, description="Unique Property Reference Number, from GET /api/v1/addresses")
]


@router.get(
    "/addresses",
    response_model=AddressList,
    summary="List the addresses in a postcode",
    responses={422: {"description": "Not a full UK postcode"}},
)
def list_addresses(
    session: SessionDep, postcode: Annotated[str, Query(max_length=16, description='e.g. "TN41 6PA" or "tn416pa"')]
) -> AddressList:
    """List the properties in a postcode (public information), in street-number order; none if unknown."""
    return service.list_addresses(session, postcode=postcode)


@router.get("/streets", response_model=StreetList, summary="Find the postcodes of a street")
def find_streets(
    session: SessionDep, name: Annotated[str, Query(min_length=1, max_length=80, description='e.g. "Rowan Close"')]
) -> StreetList:
    """List the towns and postcodes of the streets with that name (public information); none if there is none.

    For a resident who does not know their postcode: their street's postcodes lead to its addresses.
    """
    return service.find_streets(session, name=name)


@router.get(
    "/polling-stations", response_model=PollingPlace, summary="Find where a property votes", responses=NOT_FOUND
)
def find_polling_station(session: SessionDep, uprn: Uprn) -> PollingPlace:
    """Return the polling district, ward, station (with its accessibility) and poll hours of a property."""
    return service.polling_place(session, uprn=uprn)


@router.get(
    "/elections/upcoming",
    response_model=UpcomingElections,
    summary="List upcoming elections and their deadlines",
    responses=NOT_FOUND,
)
def list_upcoming_elections(session: SessionDep, clock: ClockDep, uprn: Uprn | None = None) -> UpcomingElections:
    """List the polls from today on with their statutory deadlines; with a UPRN, only those covering it."""
    return service.upcoming_elections(session, today=clock.today, now=clock.now, uprn=uprn)


@router.post("/electoral/verifications", response_model=VerificationResult, summary="Verify an elector's identity")
def verify_identity(
    body: VerificationCreate, session: SessionDep, now: Annotated[datetime, Depends(get_now)]
) -> VerificationResult:
    """Check name, date of birth and address; on success the conversation speaks for that elector for an hour.

    A failure is the same response whether or not the person named exists. Repeated failures lock the
    conversation, the elector and the address for a while (see ``api.electoral.verification``).
    """
    result = verification.verify_elector_identity(
        session,
        conversation_id=body.conversation_id,
        full_name=body.full_name,
        date_of_birth=body.date_of_birth,
        uprn=body.uprn,
        now=now,
    )
    return VerificationResult(
        outcome=result.outcome.value,
        expires_at=result.expires_at,
        message_key=verification.MESSAGE_KEYS[result.outcome],
    )


@router.delete(
    "/electoral/verifications/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a conversation's verified identity",
)
def end_verification(conversation_id: str, session: SessionDep) -> Response:
    """End the verified identity (say, when the bot's session restarts); nothing to end is not an error."""
    verification.end_verification(session, conversation_id=conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/electoral/me", response_model=MyRecord, summary="Read the verified elector's own record", responses=FORBIDDEN
)
def read_my_record(
    session: SessionDep, clock: ClockDep, conversation_id: Annotated[str, Query(min_length=1, max_length=64)]
) -> MyRecord:
    """Return the verified elector's registration, polling place, open-register choice, absent votes and requests."""
    return service.my_record(session, conversation_id=conversation_id, today=clock.today, now=clock.now)


@router.post(
    "/electoral/absent-vote-requests",
    response_model=AbsentVoteRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Request a postal or proxy vote, or a change to one",
    responses={
        **replayed(AbsentVoteRequestRead),
        **FORBIDDEN,
        **CONFLICT,
    },
)
def request_absent_vote(
    body: AbsentVoteRequestCreate, session: SessionDep, clock: ClockDep, response: Response
) -> AbsentVoteRequestRead:
    """Record the verified elector's request and say whether it is in time for the next poll, and what else is open."""
    recorded = requests.request_absent_vote(session, request=body, today=clock.today, now=clock.now)
    if not recorded.created:
        response.status_code = status.HTTP_200_OK
    return recorded.body


@router.post(
    "/electoral/absent-vote-requests/{reference}/withdrawal",
    response_model=AbsentVoteWithdrawalRead,
    summary="Withdraw one of the verified elector's own requests before an officer deals with it",
    responses={**FORBIDDEN, 404: {"description": "The verified elector has no request with that reference"}},
)
def withdraw_absent_vote_request(
    reference: Annotated[str, Path(max_length=20)],
    body: AbsentVoteWithdrawalCreate,
    session: SessionDep,
    clock: ClockDep,
) -> AbsentVoteWithdrawalRead:
    """Withdraw a request still waiting for an officer; asking again answers that it was already withdrawn."""
    return requests.withdraw_absent_vote_request(
        session, reference=reference, conversation_id=body.conversation_id, now=clock.now
    )


@router.post(
    "/electoral/change-requests",
    response_model=ChangeRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Change the register, or report that someone has died or moved away",
    responses={
        **replayed(ChangeRequestRead),
        **FORBIDDEN,
        **CONFLICT,
    },
)
def request_register_change(
    body: ChangeRequestCreate, session: SessionDep, clock: ClockDep, response: Response
) -> ChangeRequestRead:
    """Record a change: name and open-register choices need a verified identity; reports about others do not."""
    recorded = requests.request_register_change(session, request=body, now=clock.now)
    if not recorded.created:
        response.status_code = status.HTTP_200_OK
    return recorded.body
