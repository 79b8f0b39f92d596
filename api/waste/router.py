"""Bin-collection endpoint the bot's bin-day task calls (/api/v1, service token).

Time comes from ``api.clock``, which tests override.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.clock import ClockDep
from api.deps import SessionDep, require_service_token
from api.errors import SERVICE_TOKEN_REFUSALS
from api.places.models import UPRN_MAX
from api.waste import service
from api.waste.schemas import BinCollections

router = APIRouter(
    prefix="/api/v1",
    tags=["bin collections"],
    dependencies=[Depends(require_service_token)],
    responses=SERVICE_TOKEN_REFUSALS,
)


@router.get(
    "/bin-collections",
    response_model=BinCollections,
    summary="List a property's next bin collections",
    responses={404: {"description": "No property has that UPRN"}},
)
def read_bin_collections(
    session: SessionDep,
    clock: ClockDep,
    uprn: Annotated[
        int, Query(ge=1, le=UPRN_MAX, description=("Unique Property Reference Number, from GET /api/v1/addresses"))
    ],
) -> BinCollections:
    """Return each bin's next collections from today, moved for bank holidays (public: no identity check)."""
    return service.bin_collections(session, uprn=uprn, today=clock.today)
