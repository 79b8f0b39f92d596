"""Send again, in the background, receipts and statements queued while the mail server was unreachable."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi.concurrency import run_in_threadpool

from api.clock import clock_for, local_date
from api.db import Database
from api.payments.documents import deliver_queued
from api.settings import Settings

log = logging.getLogger(__name__)


def retry_once(database: Database, settings: Settings) -> int:
    """Try every queued document once; return how many were sent."""
    now = clock_for(settings.clock_start)()
    with database.sessions() as session:
        sent = deliver_queued(session, settings=settings, today=local_date(now), now=now)
        session.commit()
    return sent


async def retry_queued_documents(database: Database, settings: Settings) -> None:
    """Retry queued documents every ``settings.document_retry_seconds`` until cancelled."""
    while True:
        await asyncio.sleep(settings.document_retry_seconds)
        attempt = asyncio.ensure_future(run_in_threadpool(retry_once, database, settings))
        try:
            sent = await asyncio.shield(attempt)
        except asyncio.CancelledError:
            # A thread cannot be cancelled: let the round in flight finish with the database before the app,
            # shutting down, disposes the engine under it (a connection checked out then would be leaked).
            with contextlib.suppress(Exception):
                await attempt
            raise
        except Exception:  # a failed round must not stop later ones
            log.exception("retrying queued documents failed")
            continue
        if sent:
            log.info("sent %d queued documents", sent)
