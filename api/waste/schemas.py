"""What the bin-collection back office returns: the contract the bot's bin-day task is written against.

Bin days are public (councils publish them by address) and name no one, so this needs no identity check.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.waste.models import BinType


class CollectionRead(BaseModel):
    """One collection, moved for bank holidays where needed."""

    date: dt.date
    usual_date: dt.date = Field(description="The day it would be without bank holidays (the same when not moved)")
    moved_for: str | None = Field(description='The bank holidays that moved it, e.g. "Christmas Day"; null if none')


class BinRead(BaseModel):
    """One bin at the property and its next collections."""

    bin_type: BinType
    label: str = Field(description='What residents call it, e.g. "General waste"')
    container: str = Field(description='The container, e.g. "green bin"')
    frequency: Literal["weekly", "fortnightly"]
    usual_day: str = Field(description='The round\'s weekday, e.g. "Tuesday"')
    paused: bool = Field(description="True while the round has its winter break (garden waste, December to February)")
    collections: list[CollectionRead] = Field(description="The next collections from today on, soonest first")
    last_collection: CollectionRead | None = Field(
        default=None, description="The latest collection before today; null if none lately (a winter break)"
    )
    miss_reportable_until: dt.date | None = Field(
        default=None, description="The last day a missed last collection can be reported (2 working days after it)"
    )


class BinCollections(BaseModel):
    """The bins of a property with their next collections, the soonest bin first."""

    uprn: int
    address: str
    postcode: str
    today: dt.date = Field(description="The council's date the dates were worked out from")
    garden_waste_subscribed: bool
    bins: list[BinRead]
