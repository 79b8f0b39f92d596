"""Measure every HTTP request by its route template, publish /metrics, and answer readiness at /api/ready.

/api/health says the process is alive (liveness: restart it if not); /api/ready says it can serve, which
needs the database (readiness: send it no traffic until then).
/metrics is for the council's Prometheus, not the public: with ``CA_METRICS_TOKEN`` set it needs that bearer
token from any caller; without it, it answers only a caller on the same machine (the socket's address, never
a forwarded header, which anyone can write), and 404 to everyone else.
"""

from __future__ import annotations

import hmac
import logging
import time

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability import metrics
from api.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "::1"}
# Requests no route matched (scanners, typos) share one label, so raw paths never become label values.
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """Return the matched route's path template (``/api/chat/conversations/{conversation_id}``), never the path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class MetricsMiddleware:
    """Count and time each HTTP request (a plain ASGI middleware, so event streams pass through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def observe(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self._record(scope, status_code, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status_code: int, seconds: float) -> None:
        method, route = str(scope.get("method", "")), route_template(scope)
        metrics.HTTP_REQUESTS.labels(method=method, route=route, status=f"{status_code // 100}xx").inc()
        metrics.HTTP_LATENCY.labels(method=method, route=route).observe(seconds)
        if status_code >= 500 and route.startswith("/api/v1"):
            metrics.BACKOFFICE_ERRORS.labels(route=route).inc()
        if route.startswith("/api/"):
            # By route template, never the path (which can hold a postcode or a reference): with the request id
            # the log line has, this is how one message's back-office calls are found.
            log.info("%s %s answered %d in %.0f ms", method, route, status_code, seconds * 1000)


def _may_scrape(request: Request, settings: Settings) -> bool:
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode())
    return request.client is not None and request.client.host in LOOPBACK


def install(app: FastAPI, settings: Settings) -> None:
    """Add the metrics middleware, /metrics and /api/ready to ``app``."""
    metrics.count_stored_records()
    app.add_middleware(MetricsMiddleware)

    @app.get("/metrics", include_in_schema=False)
    def scrape(request: Request) -> Response:
        """Prometheus's text format, for the council's monitoring only."""
        if not _may_scrape(request, settings):
            return JSONResponse({"detail": "Not Found"}, status_code=status.HTTP_404_NOT_FOUND)
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    @app.get("/api/ready", tags=["health"], responses={503: {"description": "The database cannot be reached"}})
    def ready(request: Request) -> JSONResponse:
        """Say whether this process can serve: its database answers (readiness, unlike /api/health)."""
        try:
            with request.app.state.database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            log.warning("not ready: the database did not answer (%s)", type(error).__name__)
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return JSONResponse({"status": "ready", "database": "ok"})
