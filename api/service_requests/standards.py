"""The council's published service standards: per category of request, its name, team and promise.

The expected date of a request is this many working days (``api.working_days``) after the day it is lodged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Category = Literal[
    "missed_bin",
    "pothole",
    "street_light",
    "dumped_rubbish",
    "graffiti",
    "fallen_tree",
    "noise",
    "dog_fouling",
    "bin_request",
    "dead_animal",
    "litter_bin",
    "other",
]


@dataclass(frozen=True)
class ServiceStandard:
    """What the council promises for one category of request, and who keeps the promise."""

    label: str
    team: str
    working_days: int
    promise: str
    # A shorter promise for the requests whose description says they are worse (offensive graffiti), if any.
    urgent_words: re.Pattern[str] | None = None
    urgent_working_days: int | None = None

    def working_days_for(self, description: str) -> int:
        """Return the working days promised for a request described so (the shorter promise, if it applies)."""
        if self.urgent_words is not None and self.urgent_working_days and self.urgent_words.search(description):
            return self.urgent_working_days
        return self.working_days


# What makes graffiti offensive, in residents' words: it is removed within 1 working day (a probe's "offensive swear
# words sprayed in red" was given the 5-day date while the promise read to it said 1 working day).
OFFENSIVE = re.compile(
    r"\b(?:offensive|obscene|rude|racist|racial|homophobic|sexist|hate(?:ful)?|swear(?:ing|s)?|swastikas?|"
    r"nazi|abusive|vulgar|explicit|crude|f[u*]ck\w*|c[u*]nt\w*|knobs?|penis(?:es)?|willy|willies)\b",
    re.IGNORECASE,
)


STANDARDS: dict[str, ServiceStandard] = {
    "missed_bin": ServiceStandard(
        "Missed bin collection", "Waste and Recycling", 2, "We collect missed bins within 2 working days."
    ),
    "pothole": ServiceStandard("Pothole", "Highways", 5, "We inspect reported potholes within 5 working days."),
    "street_light": ServiceStandard(
        "Street light fault", "Street Lighting", 7, "We repair street light faults within 7 working days."
    ),
    "dumped_rubbish": ServiceStandard(
        "Dumped rubbish (fly-tipping)", "Street Scene", 3, "We clear dumped rubbish within 3 working days."
    ),
    "graffiti": ServiceStandard(
        "Graffiti",
        "Street Scene",
        5,
        "We remove graffiti within 5 working days, and offensive graffiti within 1 working day.",
        urgent_words=OFFENSIVE,
        urgent_working_days=1,
    ),
    "fallen_tree": ServiceStandard(
        "Fallen tree or branch", "Parks and Trees", 1, "We make fallen trees and branches safe within 1 working day."
    ),
    "noise": ServiceStandard(
        "Noise complaint", "Environmental Health", 5, "We contact you about a noise complaint within 5 working days."
    ),
    "dog_fouling": ServiceStandard(
        "Dog fouling", "Street Scene", 5, "We clear dog fouling from public places within 5 working days."
    ),
    "bin_request": ServiceStandard(
        "New or replacement bin",
        "Waste and Recycling",
        10,
        "We deliver new and replacement bins within 10 working days.",
    ),
    # A dead fox reported through "Something else" was promised a reply in 10 working days, and an overflowing litter
    # bin was lodged as the resident's own missed bin (a probe).
    "dead_animal": ServiceStandard(
        "Dead animal", "Street Scene", 1, "We remove dead animals from roads and public places within 1 working day."
    ),
    "litter_bin": ServiceStandard(
        "Overflowing litter bin", "Street Scene", 2, "We empty overflowing street litter bins within 2 working days."
    ),
    "other": ServiceStandard(
        "Other request", "Customer Focus", 10, "We reply to other requests within 10 working days."
    ),
}
