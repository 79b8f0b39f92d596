"""The council's own facts (name, phone numbers and hours, web addresses), read from council/facts.yml.

Every process reads the same file, so a changed phone number is changed once: the API's settings take their
defaults from it, the actions and the Telegram bridge quote it, and the knowledge check holds the contact
article to it. Plain Python and PyYAML only, because the API's environment and Rasa's both import it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import yaml

FACTS_FILE = Path(__file__).resolve().parent / "facts.yml"


@dataclass(frozen=True)
class CouncilFacts:
    """What residents are told about the council itself."""

    name: str
    short_name: str
    website: str
    payment_url: str
    phone: str
    phone_hours: str
    payment_phone: str
    electoral_phone: str
    emergency_phone: str
    email: str
    children_social_care_phone: str
    adult_social_care_phone: str

    def call_us(self) -> str:
        """Say how to phone the council, e.g. "01632 960 123 (Monday to Friday, 8:30am to 5:30pm)"."""
        return f"{self.phone} ({self.phone_hours})"


@lru_cache
def council_facts(path: Path = FACTS_FILE) -> CouncilFacts:
    """Read the facts file once; a missing or unknown field stops the process at start-up."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = {field.name for field in fields(CouncilFacts)}
    if not isinstance(data, dict) or set(data) != expected:
        raise ValueError(f"{path} must give exactly these facts: {', '.join(sorted(expected))}")
    return CouncilFacts(**{name: str(value) for name, value in data.items()})
