"""The real app for tests that need more than TestClient: a Rasa answered in-process, and a uvicorn server; and the
API alone started with the stack's own command (the ``api_port`` fixture: import its function with ``# noqa: F401``).

TestClient runs a request to its end before it returns, so an event stream (which never ends by itself)
needs a real server; so does a browser.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from stack import Stack

from api.conversations.rasa_client import RasaClient
from api.main import create_app
from api.settings import ROOT, Settings
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


@pytest.fixture(name="api_port")
def api_started_as_the_stack_starts_it(tmp_path: Path) -> Iterator[int]:
    """The API alone, started with the stack's command and options, on a free port."""
    stack = Stack(api_port=free_port(), database_url=f"sqlite:///{tmp_path / 'council.db'}", log_dir=tmp_path)
    env = dict(os.environ, CA_ENVIRONMENT="test", CA_DATABASE_URL=stack.database_url, CA_PURGE_INTERVAL_SECONDS="0")
    with (tmp_path / "api.log").open("wb") as log:
        process = subprocess.Popen(stack._api_command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "api.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", stack.api_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the API never started"
                time.sleep(0.2)
        yield stack.api_port
    finally:
        process.terminate()
        process.wait(timeout=30)
