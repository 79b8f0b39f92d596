"""The next bin collections at a property, from its rounds (``api.waste.schedule`` moves them for bank holidays)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.places.models import Property
from api.places.service import UnknownProperty
from api.waste.models import BinType, CollectionRound, PropertyCollection
from api.waste.schedule import in_season, last_collection, next_collections
from api.waste.schemas import BinCollections, BinRead, CollectionRead
from api.working_days import add_working_days

# A missed collection is reported within this many working days of the collection day (the bins article says so).
MISSED_REPORT_WORKING_DAYS = 2
# How many coming collections of each bin are listed: six weeks of a fortnightly bin, enough to show Christmas.
COLLECTIONS_LISTED = 3
# What residents call each bin and its container (as the "which bin" article names them), in listing order.
BIN_NAMES: dict[BinType, tuple[str, str]] = {
    BinType.REFUSE: ("General waste", "green bin"),
    BinType.RECYCLING: ("Recycling", "blue bin"),
    BinType.FOOD: ("Food waste", "food caddy"),
    BinType.GARDEN: ("Garden waste", "brown bin"),
}
BIN_ORDER = list(BIN_NAMES)

__all__ = ["UnknownProperty", "bin_collections"]


def bin_collections(session: Session, *, uprn: int, today: date) -> BinCollections:
    """Return each bin of the property with its next collections; raise UnknownProperty for an unknown UPRN."""
    home = session.get(Property, uprn)
    if home is None:
        raise UnknownProperty(uprn)
    rounds = session.scalars(
        select(CollectionRound)
        .join(
            PropertyCollection,
            (PropertyCollection.round_code == CollectionRound.code)
            & (PropertyCollection.bin_type == CollectionRound.bin_type),
        )
        .where(PropertyCollection.uprn == uprn)
    ).all()
    bins = [_bin(collection_round, today) for collection_round in rounds]
    bins.sort(key=lambda item: (item.collections[0].date, BIN_ORDER.index(item.bin_type)))
    return BinCollections(
        uprn=uprn,
        address=home.address_line,
        postcode=home.postcode,
        today=today,
        garden_waste_subscribed=any(item.bin_type is BinType.GARDEN for item in bins),
        bins=bins,
    )


def _bin(collection_round: CollectionRound, today: date) -> BinRead:
    garden = collection_round.bin_type is BinType.GARDEN
    coming = next_collections(
        collection_round.first_collection,
        collection_round.every_weeks,
        today=today,
        count=COLLECTIONS_LISTED,
        seasonal=garden,
    )
    label, container = BIN_NAMES[collection_round.bin_type]
    last = last_collection(
        collection_round.first_collection, collection_round.every_weeks, today=today, seasonal=garden
    )
    return BinRead(
        bin_type=collection_round.bin_type,
        label=label,
        container=container,
        frequency="weekly" if collection_round.every_weeks == 1 else "fortnightly",
        usual_day=f"{collection_round.first_collection:%A}",
        paused=garden and not in_season(today),
        collections=[
            CollectionRead(date=c.day, usual_date=c.usual_day, moved_for=" and ".join(c.moved_for) or None)
            for c in coming
        ],
        last_collection=CollectionRead(
            date=last.day, usual_date=last.usual_day, moved_for=" and ".join(last.moved_for) or None
        )
        if last
        else None,
        miss_reportable_until=add_working_days(last.day, MISSED_REPORT_WORKING_DAYS) if last else None,
    )
