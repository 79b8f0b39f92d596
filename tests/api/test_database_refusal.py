"""PostgreSQL refusing a connection because it has too many clients is "busy, try again", not a 500.

Found in a load run with two production stacks on one PostgreSQL (max_connections 100): 16 residents' messages
got HTTP 500 from the hub, because PostgreSQL says "sorry, too many clients already" (SQLSTATE 53300) and the
API's overload handler (api/overload.py) only knew SQLite's "database is locked" and the words "too many
connections" (PostgreSQL's limit per role or database, not the server's). This answers a real psycopg
connection with PostgreSQL's own refusal, byte for byte as the server sends it after the startup message.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

SSL_REQUEST, GSS_REQUEST = 80877103, 80877104


def _error_response(*fields: tuple[bytes, bytes]) -> bytes:
    body = b"".join(kind + value + b"\0" for kind, value in fields) + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


def _refuse(connection: socket.socket, refusal: bytes) -> None:
    with connection:
        while True:
            header = connection.recv(8, socket.MSG_WAITALL)
            if len(header) < 8:
                return
            length, code = struct.unpack("!II", header)
            if code in (SSL_REQUEST, GSS_REQUEST):
                connection.sendall(b"N")  # no encryption: the client sends its startup message next
                continue
            connection.recv(length - 8, socket.MSG_WAITALL)  # the startup message: user, database, options
            connection.sendall(refusal)
            return


@pytest.fixture(params=["sorry, too many clients already", "remaining connection slots are reserved for roles"])
def full_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    """A server on 127.0.0.1 that refuses every connection as a PostgreSQL at max_connections does."""
    refusal = _error_response((b"S", b"FATAL"), (b"V", b"FATAL"), (b"C", b"53300"), (b"M", request.param.encode()))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_refuse, args=(connection, refusal), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/council"
    finally:
        listener.close()


def test_a_resident_is_told_busy_when_postgresql_has_too_many_clients(full_postgres: str) -> None:
    settings = Settings(
        environment="test", database_url=full_postgres, purge_interval_seconds=0, document_retry_seconds=0
    )
    client = TestClient(create_app(settings), raise_server_exceptions=False)

    answer = client.post("/api/chat/conversations", json={"channel": "web"})

    assert answer.status_code == 503, answer.text
    assert "a lot of people are using the chat" in answer.json()["detail"]
    assert settings.council_phone in answer.json()["detail"]
    assert answer.headers["Retry-After"]
