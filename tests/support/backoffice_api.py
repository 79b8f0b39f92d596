"""A test client for the back office's /api/v1: a service token, conversation grants, and a clock the test moves."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from fastapi.testclient import TestClient

from api.clock import get_now
from api.main import create_app
from api.service_access.grants import GRANT_HEADER, issue_grant
from api.settings import DEV_SECRET_KEY, DEV_SERVICE_TOKEN, Settings

SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
# A conversation named in the path: /conversations/<id>/… or /verifications/<id>.
CONVERSATION_IN_PATH = re.compile(r"/(?:conversations|verifications)/([^/?]+)")


def granted(conversation_id: str, *, secret_key: str = DEV_SECRET_KEY, lifetime_seconds: int = 120) -> dict[str, str]:
    """The action server's headers for a call about ``conversation_id``: its token and the hub's grant."""
    grant = issue_grant(secret_key, conversation_id=conversation_id, now=time.time(), lifetime_seconds=lifetime_seconds)
    return {**SERVICE, GRANT_HEADER: grant}


def as_the_bot(path: str, params: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> dict[str, str]:
    """The headers the action server would send: its token, and a grant for the conversation the call names."""
    in_path = CONVERSATION_IN_PATH.search(path)
    conversation_id = (
        (params or {}).get("conversation_id")
        or (body or {}).get("conversation_id")
        or (in_path.group(1) if in_path else None)
    )
    return granted(str(conversation_id)) if conversation_id else SERVICE


class BackOfficeApi:
    """The back-office endpoints with a service token, at the moment ``now`` (which the test moves)."""

    start: datetime

    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.url = url
        self.now = self.start

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(f"/api/v1{path}", params=params, headers=as_the_bot(path, params=params))

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"/api/v1{path}", json=body, headers=as_the_bot(path, body=body))

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete(f"/api/v1{path}", headers=as_the_bot(path))


Api = TypeVar("Api", bound=BackOfficeApi)


@contextmanager
def backoffice_api(kind: type[Api], url: str, **settings: Any) -> Iterator[Api]:
    """Yield a ``kind`` client on the database at ``url``, its clock overriding the app's."""
    app = create_app(Settings(database_url=url, environment="test", **settings))
    with TestClient(app) as client:
        api = kind(client, url)
        app.dependency_overrides[get_now] = lambda: api.now
        yield api


def new_conversation_id() -> str:
    return secrets.token_urlsafe(18)


def new_key() -> str:
    return f"key-{secrets.token_hex(8)}"


def conversation_from(url: str, address: str) -> str:
    """Start a web conversation in the database at ``url`` as the hub does for a client at ``address``."""
    from api.access.source import source_of
    from api.conversations.service import create_conversation
    from api.db import session_on

    with session_on(url) as session:
        created = create_conversation(session, channel="web", client_source=source_of(address, DEV_SECRET_KEY))
        session.commit()
    return created.conversation_id
