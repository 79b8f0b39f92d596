"""A back-office record as another part of the council may list it: what it is, its reference and its status.

The officer console shows the records made in a conversation without reading the tables of the features
that keep them: each feature lists its own records in this shape (``records_of_conversation`` in electoral
requests, payments documents and service requests), so a feature can change its tables and keep the list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordSummary:
    """One record, worded for an officer: e.g. "Service request (missed bin)", "SR-123456", "open"."""

    kind: str
    reference: str
    status: str
