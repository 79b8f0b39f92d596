"""The council's properties, each named by its UPRN: the homes every feature's records point at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base

if TYPE_CHECKING:
    from api.electoral.models import PollingDistrict

# A UPRN has at most 12 digits (GeoPlace's definition); a larger number is no property.
UPRN_MAX = 999_999_999_999


class Property(Base):
    """A property in the council's area, identified by its UPRN."""

    __tablename__ = "properties"

    # UPRNs run to 12 digits, beyond a 32-bit INTEGER; foreign keys to this column inherit its type.
    uprn: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address_line: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    polling_district_code: Mapped[str] = mapped_column(ForeignKey("polling_districts.code"))

    polling_district: Mapped[PollingDistrict] = relationship()
