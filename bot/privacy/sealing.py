"""What of a Rasa event may be stored in clear, what is sealed, and what is never stored at all.

Rasa keeps every event of a conversation. Most of it is needed again on the resident's next message (which
slots are filled, what the bot said last, which intents came before), but none of it needs to be readable by
whoever reads the tracker database:

- a resident's text and the entity values taken from it are never stored: the slots hold what was taken from it,
  and policies use its intent (the words that started the task in hand, read again at its end, are a slot,
  ``opening_words``, sealed as below);
- slot values, the bot's texts and buttons, and metadata are *sealed*: encrypted (Fernet: AES and an HMAC)
  with a key only the Rasa servers hold, and readable for a limited time only. Past that time, or with
  another key, a sealed value reads as unset, so the form simply asks again;
- what the dialogue needs in clear and says nothing about a person stays: event types, timestamps, intent
  and action names, entity names, and the values of the flag-like slots in ``CLEAR_SLOTS``.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import os
import secrets
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

KEY_VARIABLE = "CA_TRACKER_SEAL_KEY"
MINUTES_VARIABLE = "CA_TRACKER_SEAL_MINUTES"
# As long as a conversation session (domain/core.yml, session_expiration_time): slots do not outlive it.
DEFAULT_SEAL_MINUTES = 60
SEALED = "sealed"

# Slots whose values say nothing about a person: flags, counts, task and category names.
# Every other slot's value (names, dates of birth, postcodes, addresses, emails, references, free text) is sealed.
CLEAR_SLOTS = frozenset(
    {
        "pending_task",
        "answer_misses",
        "document_kind",
        "identity_verified",
        "account_verified",
        "verification_outcome",
        "officer_offered",
        "handoff_reason",
        "task_confirmed",
        "deadline_kind",
        "vote_duration",
        "service_category",
        "report_kind",
        "requested_slot",
    }
)
# The fields of each kind of event that are sealed, with the value they read as while sealed.
SEALED_FIELDS: dict[str, dict[str, Any]] = {
    "slot": {"value": None},
    "bot": {"text": None, "data": {}, "metadata": {}},
    "user": {"metadata": {}},
    "entities": {"entities": []},
    "session_started": {"metadata": {}},
}
# Entity fields that say what was found, not what was typed.
ENTITY_CLEAR_FIELDS = ("entity", "role", "group", "extractor")


def new_key() -> str:
    """Return a new sealing key (32 random bytes, url-safe base64, as Fernet expects)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class Sealer:
    """Seal and open the personal parts of Rasa events with one key and a time limit."""

    def __init__(self, key: str, *, minutes: float = DEFAULT_SEAL_MINUTES) -> None:
        self._fernet = Fernet(key.encode())
        self.seconds = int(minutes * 60)

    @classmethod
    def from_environment(cls) -> Sealer:
        """Use the key every Rasa server shares (``CA_TRACKER_SEAL_KEY``); without one, a key for this process.

        With a key of its own a restarted Rasa server cannot open what it sealed before: a conversation in the
        middle of a form is asked its details again, which is safe. Several Rasa servers must share the key.
        """
        key = os.environ.get(KEY_VARIABLE, "")
        if not key:
            log.warning("%s is not set: sealed tracker values last only while this process runs", KEY_VARIABLE)
            key = new_key()
        minutes = float(os.environ.get(MINUTES_VARIABLE) or DEFAULT_SEAL_MINUTES)
        return cls(key, minutes=minutes)

    def seal(self, event: dict[str, Any]) -> dict[str, Any]:
        """Return the event as it may be stored: personal fields sealed, a resident's text dropped."""
        stored = copy.deepcopy(event)
        kind = stored.get("event")
        if kind == "user":
            _drop_typed_text(stored)
        if kind == "slot" and _clear_slot_value(stored):
            return stored
        fields = SEALED_FIELDS.get(str(kind), {})
        hidden = {name: stored[name] for name in fields if stored.get(name) not in (None, {}, [])}
        if hidden:
            stored.update(copy.deepcopy(fields))
            stored[SEALED] = self._fernet.encrypt(json.dumps(hidden).encode()).decode()
        return stored

    def open(self, stored: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
        """Return a stored event with its sealed fields back, or left unset when the seal is too old or foreign."""
        token = stored.pop(SEALED, None)
        if token is None:
            return stored
        try:
            opened = self._fernet.decrypt_at_time(token.encode(), self.seconds, int(now or time.time()))
            stored.update(json.loads(opened))
        except InvalidToken:
            pass  # expired, or sealed with another key: the fields stay unset
        return stored


def _clear_slot_value(event: dict[str, Any]) -> bool:
    """Say whether a slot event may be stored as it is (a flag, a task name, or no value at all)."""
    value = event.get("value")
    return event.get("name") in CLEAR_SLOTS or value is None or isinstance(value, bool)


def _drop_typed_text(event: dict[str, Any]) -> None:
    """Remove what the resident typed, keeping the intent and which kinds of entity were found."""
    event["text"] = None
    parse_data = event.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    entities = [{k: e[k] for k in ENTITY_CLEAR_FIELDS if k in e} for e in parse_data.get("entities") or []]
    event["parse_data"] = {
        "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
        "entities": entities,
        "text": None,
    }


def is_sealed_slot(name: str) -> bool:
    """Say whether a slot's values are sealed when stored (everything that is not a flag or a task name)."""
    return name not in CLEAR_SLOTS
