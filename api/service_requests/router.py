"""Service-request endpoints the bot's actions call (/api/v1, service token): lodge, follow, cancel, list categories.

Time comes from ``api.clock``, which tests override.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from api.clock import ClockDep
from api.deps import SessionDep, SettingsDep, require_service_token
from api.errors import CONFLICT, SERVICE_TOKEN_REFUSALS, replayed
from api.service_requests import service
from api.service_requests.schemas import (
    CancellationCreate,
    CancellationRead,
    CategoryRead,
    ProgressCheck,
    ReporterCodeRequest,
    ReporterCodeSent,
    ServiceRequestCreate,
    ServiceRequestProgress,
    ServiceRequestRead,
)

router = APIRouter(
    prefix="/api/v1/service-requests",
    tags=["service requests"],
    dependencies=[Depends(require_service_token)],
    responses=SERVICE_TOKEN_REFUSALS,
)


@router.get("/categories", response_model=list[CategoryRead], summary="List the categories and service standards")
def list_categories() -> list[CategoryRead]:
    """List what a resident can report, with the council's promise for each."""
    return service.list_categories()


@router.post(
    "",
    response_model=ServiceRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Lodge a request for service",
    responses={
        **replayed(ServiceRequestRead),
        **CONFLICT,
    },
)
def lodge_request(
    body: ServiceRequestCreate, session: SessionDep, clock: ClockDep, response: Response
) -> ServiceRequestRead:
    """Record the request and return its reference and the date the service standard promises."""
    recorded = service.lodge_request(session, request=body, now=clock.now)
    if not recorded.created:
        response.status_code = status.HTTP_200_OK
    return recorded.body


@router.get(
    "/{reference}",
    response_model=ServiceRequestProgress,
    summary="Follow a request's progress",
    responses={404: {"description": "No request has that reference"}},
)
def read_progress(reference: str, session: SessionDep, clock: ClockDep) -> ServiceRequestProgress:
    """Return the status, dates and team of a request ("SR-123456", "sr 123456"): no note, nothing personal."""
    return service.request_progress(session, reference=reference, today=clock.today)


@router.post(
    "/{reference}/progress-checks",
    response_model=ServiceRequestProgress,
    summary="Follow a request's progress for a chat, with the latest note if it is the reporter's",
    responses={404: {"description": "No request has that reference"}},
)
def check_progress(
    reference: str, body: ProgressCheck, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> ServiceRequestProgress:
    """Return where a request stands; the latest note only when the chat or a code shows the reporter.

    An email given that matches the report's gets the news sent to that address (``news_emailed``).
    """
    return service.request_progress(
        session, reference=reference, today=clock.today, asker=body, now=clock.now, settings=settings
    )


@router.post(
    "/{reference}/reporter-code",
    response_model=ReporterCodeSent,
    summary="Email a one-time code to the address given with a report, to cancel it from another chat",
    responses={404: {"description": "No request has that reference"}},
)
def send_reporter_code(
    reference: str, body: ReporterCodeRequest, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> ReporterCodeSent:
    """Send a code when the email given is the report's (counted with lockouts); the chat types it back."""
    return service.send_reporter_code(session, reference=reference, request=body, settings=settings, now=clock.now)


@router.post(
    "/{reference}/cancellation",
    response_model=CancellationRead,
    summary="Cancel a request for the person who reported it",
    responses={404: {"description": "No request has that reference, or the caller is not shown to have reported it"}},
)
def cancel_request(
    reference: str, body: CancellationCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> CancellationRead:
    """Cancel a request that is not closed; asking again answers that it was already cancelled."""
    return service.cancel_request(session, reference=reference, cancellation=body, now=clock.now, settings=settings)
