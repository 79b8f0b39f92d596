"""The council's published service standards: per category of request, its name, team and promise.

The expected date of a request is this many working days (``api.working_days``) after the day it is lodged.
"""

from __future__ import annotations

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
