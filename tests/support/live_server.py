"""The real app for tests that need more than TestClient: a Rasa answered in-process, and a uvicorn server.

TestClient runs a request to its end before it returns, so an event stream (which never ends by itself)
needs a real server; so does a browser.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from api.conversations.rasa_client import RasaClient
from api.main import create_app
from api.settings import Settings
from tests.support.network import free_port
from tests.support.rasa_fakes import RasaHandler, rasa_offering_a_person


def build_app(database_url: str, rasa: RasaHandler = rasa_offering_a_person, **settings: Any) -> FastAPI:
    """Build the API on ``database_url`` with test settings, its Rasa answered by ``rasa``."""
    app = create_app(Settings(database_url=database_url, environment="test", document_retry_seconds=0, **settings))
    app.state.rasa = RasaClient("http://rasa.invalid", timeout=5, transport=httpx.MockTransport(rasa))
    return app


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
