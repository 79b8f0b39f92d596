"""The API's Prometheus metrics, and how several uvicorn workers publish them as one.

Labels are only route templates, methods, status classes, senders, handoff reasons, kinds of knowledge gap
and whether an answer helped: bounded sets that
carry no conversation id, token, name or message text, so /metrics can never disclose a resident.
With several uvicorn workers each process counts for itself; setting ``PROMETHEUS_MULTIPROC_DIR`` (an
empty directory, cleared before start) makes prometheus_client share the counts through files there, and
/metrics then adds up every worker's.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper

from api.conversations.models import Handoff, Message

# Seconds; a resident notices from about a second, and Rasa under load takes several.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUESTS = Counter(
    "ca_http_requests_total", "HTTP requests answered, by route template", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "ca_http_request_seconds",
    "Time to answer an HTTP request, by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
BACKOFFICE_ERRORS = Counter(
    "ca_backoffice_errors_total", "Back-office (/api/v1) requests that ended in a server error", ["route"]
)
MESSAGES = Counter("ca_messages_total", "Chat messages stored, by who sent them (resident, bot, officer)", ["sender"])
HANDOFFS = Counter("ca_handoffs_total", "Conversations handed to officers, by reason", ["reason"])
KNOWLEDGE_GAPS = Counter(
    "ca_knowledge_gaps_total",
    "Questions recorded as knowledge gaps, by kind (unanswered, clarified, low_confidence, not_helpful)",
    ["kind"],
)
ANSWER_RATINGS = Counter(
    "ca_answer_ratings_total", "Residents' ratings of knowledge answers, by whether it helped", ["helpful"]
)
RASA_CALLS = Histogram(
    "ca_rasa_call_seconds",
    "Time Rasa took over a resident message once sent (its wait in line not counted), by outcome (ok or error)",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
RASA_LINE_WAIT = Histogram(
    "ca_rasa_line_wait_seconds",
    "Time a resident message waited in the hub for its turn on its Rasa server (a few are sent at a time)",
    buckets=(*LATENCY_BUCKETS, 120.0, 180.0, 300.0),
)
RASA_FAILOVERS = Counter(
    "ca_rasa_failovers_total", "Resident messages sent to another Rasa server because theirs refused the connection"
)
RASA_BUSY = Counter(
    "ca_rasa_busy_total",
    "Resident messages kept but not sent to Rasa because their server was too far behind (the resident told 'busy')",
)
# Resident messages the hub holds unanswered: waiting for a hub thread or for Rasa. "livesum" adds up the live
# workers' values in multiprocess mode (a dead worker's count goes with it).
HUB_QUEUE = Gauge(
    "ca_hub_queue_length",
    "Resident messages the hub is holding, waiting for a thread or for Rasa",
    multiprocess_mode="livesum",
)


def _count_message(_mapper: Mapper[Message], _connection: Connection, message: Message) -> None:
    MESSAGES.labels(sender=message.sender).inc()


def _count_handoff(_mapper: Mapper[Handoff], _connection: Connection, handoff: Handoff) -> None:
    HANDOFFS.labels(reason=handoff.reason).inc()


def count_stored_records() -> None:
    """Count messages and handoffs as they are inserted, whichever code path stores them (idempotent)."""
    for model, listener in ((Message, _count_message), (Handoff, _count_handoff)):
        if not event.contains(model, "after_insert", listener):
            event.listen(model, "after_insert", listener)


def exposition() -> tuple[bytes, str]:
    """Return the text Prometheus scrapes and its content type (every worker's, in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
