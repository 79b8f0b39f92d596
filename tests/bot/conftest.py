"""Helpers for action tests: small trackers built from events, and a dispatcher to read what was said."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
