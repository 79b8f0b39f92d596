"""The API keeps an idle connection open longer than any client keeps one in its pool.

With uvicorn's default (5 s, the same as httpx's pool), a client that reused a connection just as uvicorn
closed it lost the request: no answer and nothing stored. That was the load test's two "lost" messages at 300
residents (a ReadError on the client, nothing in the API's log). This starts the API as the stack starts it
(scripts/stack.py) and reuses one connection after it sat idle longer than httpx keeps one.
"""

from __future__ import annotations

import socket
import time

import pytest
import yaml
from stack import API_KEEP_ALIVE_SECONDS

from api.settings import ROOT
from tests.support.live_server import api_started_as_the_stack_starts_it  # noqa: F401  (fixture: api_port)

# httpx's pool keeps an idle connection this long (httpx.Limits' default keepalive_expiry); the server must outlast it.
CLIENT_KEEP_ALIVE_SECONDS = 5.0
REQUEST = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def health_over(connection: socket.socket) -> bytes:
    """Ask /api/health on an open connection and return the response (empty if the server had closed it)."""
    connection.sendall(REQUEST)
    received = b""
    while b'"ok"}' not in received:
        chunk = connection.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


@pytest.mark.slow
def test_a_connection_idle_longer_than_a_client_pool_keeps_one_still_takes_a_request(api_port: int) -> None:
    with socket.create_connection(("127.0.0.1", api_port), timeout=10) as connection:
        assert health_over(connection).startswith(b"HTTP/1.1 200")
        time.sleep(CLIENT_KEEP_ALIVE_SECONDS + 1)  # idle as long as a pooled client may leave it, and a bit

        again = health_over(connection)

    assert again.startswith(b"HTTP/1.1 200"), "the API closed a connection a client could still reuse"


def test_the_deployment_files_keep_idle_connections_as_long_as_the_stack() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    [api] = [
        doc
        for doc in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "api.yaml").read_text())
        if doc["kind"] == "Deployment"
    ]
    commands = [
        " ".join(compose["services"]["api"]["command"]),
        " ".join(api["spec"]["template"]["spec"]["containers"][0]["command"]),
    ]
    for command in commands:
        assert f"--timeout-keep-alive {API_KEEP_ALIVE_SECONDS}" in command, command
    assert API_KEEP_ALIVE_SECONDS > 60  # longer than a reverse proxy's upstream pool keeps a connection
    # Rasa's and the action server's Sanic likewise (tests/e2e/test_keep_alive.py runs them).
    for name, service in compose["services"].items():
        command = " ".join(service.get("command", []))
        if "rasa run" in command or "bot.action_server" in command:
            assert service["environment"]["SANIC_KEEP_ALIVE_TIMEOUT"] == str(API_KEEP_ALIVE_SECONDS), name
    [config] = [
        doc
        for doc in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "configmap.yaml").read_text())
        if doc["kind"] == "ConfigMap"
    ]
    assert config["data"]["SANIC_KEEP_ALIVE_TIMEOUT"] == str(API_KEEP_ALIVE_SECONDS)
