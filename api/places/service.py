"""Reading a postcode a resident typed, and the refusals every feature gives about postcodes and properties."""

from __future__ import annotations

import re

from api.errors import DomainError

# A full UK postcode without its space: outward code (area, district) and inward code (sector, unit).
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


class InvalidPostcode(DomainError, ValueError):
    """The text is not a full UK postcode."""

    status_code = 422
    detail = "That doesn't look like a full UK postcode. It should look like TN41 6PA."


class UnknownProperty(DomainError, LookupError):
    """No property has this UPRN (a lookup by UPRN: nothing there)."""

    status_code = 404
    detail = "No property has that UPRN."


def normalise_postcode(text: str) -> str:
    """Return ``text`` as a postcode in capitals with one space ("tn416pa" -> "TN41 6PA")."""
    parts = POSTCODE.match("".join(text.split()).upper())
    if parts is None:
        raise InvalidPostcode(text)
    return f"{parts[1]} {parts[2]}"
