"""Which service an intent or task belongs to, read from the domain files that declare the intents.

An officer handoff names its topic so that it waits in the right officers' queue: electoral enquiries go
to Electoral Services, the rest to Customer Focus.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"
TOPIC_FILES = ("electoral", "payments", "service_requests")
GENERAL = "general"


@lru_cache(maxsize=1)
def _topic_of_intent() -> dict[str, str]:
    topics: dict[str, str] = {}
    for topic in TOPIC_FILES:
        declared = yaml.safe_load((DOMAIN_DIR / f"{topic}.yml").read_text(encoding="utf-8")) or {}
        for intent in declared.get("intents", []):
            name = intent if isinstance(intent, str) else next(iter(intent))
            topics[name] = topic
    return topics


def topic_of(intent_or_task: str | None) -> str:
    """Return electoral, payments, service_requests or general for an intent (tasks are named after intents)."""
    return _topic_of_intent().get(intent_or_task or "", GENERAL)


def describe(intent_or_task: str) -> str:
    """Say what an intent or task is about, in words an officer reads at a glance."""
    return intent_or_task.replace("_", " ").capitalize()
