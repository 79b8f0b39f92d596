"""Tables of bin collection rounds and which round empties each bin at a property."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base


class BinType(enum.StrEnum):
    """What a bin holds; a property has at most one round for each."""

    REFUSE = "refuse"
    RECYCLING = "recycling"
    FOOD = "food"
    GARDEN = "garden"


BIN_TYPE = Enum(BinType, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class CollectionRound(Base):
    """A crew's round: one kind of bin, emptied on one weekday every week or every other week.

    ``first_collection`` is any usual collection day of the round; the others fall every ``every_weeks``
    weeks from it, on the same weekday. Bank holidays move a collection (``api.waste.schedule``), not the round.
    """

    __tablename__ = "collection_rounds"
    __table_args__ = (
        UniqueConstraint("code", "bin_type", name="uq_collection_rounds_code_bin_type"),
        CheckConstraint("every_weeks IN (1, 2)", name="every_weeks"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    bin_type: Mapped[BinType] = mapped_column(BIN_TYPE)
    first_collection: Mapped[date] = mapped_column(Date)
    every_weeks: Mapped[int] = mapped_column(Integer)


class PropertyCollection(Base):
    """Which round empties one kind of bin at a property (a garden waste row means the property subscribes).

    The round is referred to with its bin type, so a property's recycling can only be on a recycling round.
    """

    __tablename__ = "property_collections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["round_code", "bin_type"],
            ["collection_rounds.code", "collection_rounds.bin_type"],
            name="fk_property_collections_round_code_collection_rounds",
        ),
    )

    uprn: Mapped[int] = mapped_column(BigInteger, ForeignKey("properties.uprn"), primary_key=True, autoincrement=False)
    bin_type: Mapped[BinType] = mapped_column(BIN_TYPE, primary_key=True)
    round_code: Mapped[str] = mapped_column(String(16), index=True)

    round: Mapped[CollectionRound] = relationship(viewonly=True)
