"""Rasa and the action server keep an idle connection open longer than their clients keep one in their pools.

Sanic's default is 5 s: the hub's pool to Rasa (httpx, 5 s) and Rasa's pool to the actions (aiohttp, 15 s)
could reuse a connection Sanic had just closed, and the resident got the apology (and the hub marked a healthy
Rasa server down). The stack starts both with SANIC_KEEP_ALIVE_TIMEOUT (scripts/stack.py); this reuses a
connection to each after it sat idle longer than httpx keeps one (tests/api/test_keep_alive.py does the API).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

# Rasa's aiohttp pool to the action server keeps idle connections 15 s, httpx's 5 s.
IDLE_SECONDS = 16


def get_over(connection: socket.socket, path: str) -> bytes:
    """GET ``path`` on an open connection and return the status line (empty if the server had closed it)."""
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    received = b""
    while b"\r\n" not in received:
        chunk = connection.recv(4096)
        if not chunk:
            break
        received += chunk
    # read the rest of this response so the next one starts clean
    connection.settimeout(1)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        pass
    connection.settimeout(10)
    return received.split(b"\r\n", 1)[0]


@pytest.mark.stack
@pytest.mark.parametrize(("part", "path"), [("rasa", "/"), ("actions", "/health")])
def test_rasa_and_the_actions_take_a_request_on_a_connection_left_idle(stack, part: str, path: str) -> None:
    url = urlsplit(stack.rasa_url if part == "rasa" else stack.actions_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        assert get_over(connection, path).startswith(b"HTTP/1.1 200")
        time.sleep(IDLE_SECONDS)

        again = get_over(connection, path)

    assert again.startswith(b"HTTP/1.1 200"), f"{part} closed a connection its clients could still reuse"
