"""Build the council entity pipeline (blank English + entity ruler) and save it where config.yml expects it.

Run: python -m bot.nlp.build [output folder]. It is rebuilt by `make model` when this file changes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

OUTPUT = Path(__file__).resolve().parent / "council_en"

# UK postcode parts: outward code (e.g. SW1A, M1, TN22) and inward code (e.g. 1AA). Case-insensitive.
OUTWARD = r"(?i)^(GIR|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][0-9][A-HJKPSTUW])$"
INWARD = r"(?i)^[0-9][ABD-HJLNP-UW-Z]{2}$"
WHOLE_POSTCODE = r"(?i)^([A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPSTUW]?)[0-9][ABD-HJLNP-UW-Z]{2}$"

# The council's own reference formats.
REFERENCES: dict[str, str] = {
    "account_reference": r"(?i)^CT-?[0-9]{8}$",
    "payment_reference": r"(?i)^PAY-?[0-9]{8}$",
    "request_reference": r"(?i)^SR-?[0-9]{6}$",
    "handoff_reference": r"(?i)^HO-?[0-9]{6}$",
}
ELECTOR_NUMBER = [
    {"TEXT": {"REGEX": r"(?i)^[A-Z]{2}[0-9]$"}},
    {"TEXT": "-", "OP": "?"},
    {"TEXT": {"REGEX": r"^[0-9]{4}$"}},
]


def patterns() -> list[dict[str, Any]]:
    """Return the entity ruler's patterns."""
    found: list[dict[str, Any]] = [
        {"label": "postcode", "pattern": [{"TEXT": {"REGEX": OUTWARD}}, {"TEXT": {"REGEX": INWARD}}]},
        {"label": "postcode", "pattern": [{"TEXT": {"REGEX": WHOLE_POSTCODE}}]},
    ]
    found.append({"label": "elector_number", "pattern": ELECTOR_NUMBER})
    found += [{"label": label, "pattern": [{"TEXT": {"REGEX": regex}}]} for label, regex in REFERENCES.items()]
    return found


def build() -> Language:
    """Return the pipeline: spaCy's blank English tokenizer followed by the entity ruler."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(patterns())  # type: ignore[attr-defined]
    nlp.meta["name"] = "council_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English with rules for UK postcodes and the council's reference numbers"
    return nlp


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    build().to_disk(target)
    print(f"spaCy pipeline saved to {target}")
