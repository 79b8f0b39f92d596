"""Build the API application: back office, conversation hub and web chat in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import api.models  # noqa: F401  (every table registered, so relationships and foreign keys resolve)
from api import overload
from api.access.http import TOO_LARGE_RESPONSES
from api.access.http import install as install_limits
from api.access.proxies import TrustedProxies
from api.clock import clock_for
from api.console.router import install as install_console
from api.conversations.changes import MessageChanges, PostgresListener
from api.conversations.lanes import ConversationOrder, ThreadLane, widen_default_lane
from api.conversations.rasa_client import RasaClient
from api.conversations.redaction import install_log_redaction
from api.conversations.router import backoffice as conversations_backoffice
from api.conversations.router import chat
from api.db import Database, PoolSize
from api.electoral.router import router as electoral
from api.errors import UNPROCESSABLE, install_domain_errors
from api.observability.http import install as install_observability
from api.observability.requests import RequestIdMiddleware
from api.payments.outbox import retry_queued_documents
from api.payments.router import router as payments
from api.privacy.retention import purge_periodically
from api.privacy.tracker import TrackerStore
from api.service_requests.router import router as service_requests
from api.settings import Settings, get_settings
from api.telegram.router import router as telegram
from api.waste.router import router as waste
from api.web.router import mount_static
from api.web.router import router as web

API_DESCRIPTION = """
The council's back office (`/api/v1`, service tokens) and the conversation hub's resident-facing chat
contract (`/api/chat`, a per-conversation token returned when the conversation starts).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Create the application with its database and Rasa client."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        widen_default_lane(settings.worker_threads)
        if app.state.listener:
            app.state.listener.start()
        retrying = (
            asyncio.create_task(retry_queued_documents(app.state.database, settings))
            if settings.document_retry_seconds > 0
            else None
        )
        purging = (
            asyncio.create_task(purge_periodically(app.state.database, app.state.tracker, settings))
            if settings.purge_interval_seconds > 0
            else None
        )
        yield
        for task in (retrying, purging):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if app.state.listener:
            app.state.listener.stop()
        await app.state.rasa.aclose()
        app.state.limiter.close()
        app.state.tracker.close()
        app.state.database.engine.dispose()

    app = FastAPI(
        title="Council Assistant",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        responses={**TOO_LARGE_RESPONSES, **UNPROCESSABLE},
    )
    app.state.settings = settings
    app.state.clock = clock_for(settings.clock_start)
    app.state.database = Database(
        settings.database_url,
        PoolSize(
            size=settings.database_pool_size,
            overflow=settings.database_max_overflow,
            timeout=settings.database_pool_timeout_seconds,
        ),
    )
    app.state.message_changes = MessageChanges()
    on_postgres = settings.database_url.startswith("postgresql")
    app.state.message_changes.watch(app.state.database.sessions, notify=on_postgres)
    # Another worker's new messages reach this one's streams through PostgreSQL (SQLite has one worker).
    app.state.listener = PostgresListener(settings.database_url, app.state.message_changes) if on_postgres else None
    app.state.hub_lane = ThreadLane(settings.hub_threads)
    app.state.conversation_order = ConversationOrder()
    app.state.rasa = RasaClient(
        settings.rasa_url,
        timeout=settings.rasa_timeout_seconds,
        retry_after=settings.rasa_retry_seconds,
        in_flight=settings.rasa_in_flight,
        max_queued=settings.rasa_max_queued,
        busy_after=settings.rasa_busy_after_seconds,
    )
    install_limits(app, redis_url=settings.redis_url, max_body_bytes=settings.max_body_bytes)
    app.state.tracker = TrackerStore(settings.tracker_store_url)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        """Say the API is up."""
        return {"status": "ok"}

    app.include_router(chat)
    app.include_router(conversations_backoffice)
    app.include_router(electoral)
    app.include_router(payments)
    app.include_router(service_requests)
    app.include_router(telegram)
    app.include_router(waste)
    app.include_router(web)
    install_domain_errors(app)
    install_console(app)
    overload.install(app, settings)
    install_observability(app, settings)
    app.add_middleware(RequestIdMiddleware)  # every other layer's log lines carry the id
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxies)  # outermost: the client's address first
    mount_static(app)
    return app
