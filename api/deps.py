"""Request dependencies shared by the feature routers: the database session and the service-token checks."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.db import Database
from api.service_access.grants import GRANT_HEADER, grant_is_valid
from api.settings import Settings

bearer = HTTPBearer(auto_error=False)


def get_database(request: Request) -> Database:
    """Return the process's database, built by ``create_app``."""
    database: Database = request.app.state.database
    return database


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """Yield a session that commits when the request succeeds and rolls back when it fails."""
    yield from database.session_scope()


def get_app_settings(request: Request) -> Settings:
    """Return the settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def _check_service(settings: Settings, credentials: HTTPAuthorizationCredentials | None, service: str) -> None:
    """Admit only a token of ``service``: no token or an unknown one is 401, another service's token 403."""
    presented = (credentials.credentials if credentials else "").encode()
    # Every token is compared, so the time taken does not tell which one nearly matched.
    matches = [
        known.service for known in settings.service_tokens if hmac.compare_digest(presented, known.token.encode())
    ]
    if not matches:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "A valid service token is required.", headers={"WWW-Authenticate": "Bearer"}
        )
    if service not in matches:
        raise HTTPException(status.HTTP_403_FORBIDDEN, SERVICE_REFUSED)


SERVICE_REFUSED = "This service may not call this endpoint."
GRANT_REFUSED = "This call does not act for that conversation now: a live conversation grant is required."
GrantHeader = Annotated[
    str | None,
    Header(
        alias=GRANT_HEADER,
        description=(
            "The grant the hub gave the bot with the resident's message; needed by every call that names a conversation"
        ),
    ),
]


async def _conversations_named(request: Request) -> set[str]:
    """Every conversation id the call names: in its path, its query string or its JSON body."""
    named = set(request.query_params.getlist("conversation_id"))
    named.add(request.path_params.get("conversation_id") or "")
    if request.method in ("POST", "PUT", "PATCH"):
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None  # not JSON: the route refuses it (422) without reading any record
        if isinstance(body, dict) and isinstance(body.get("conversation_id"), str):
            named.add(body["conversation_id"])
    return named - {""}


async def require_service_token(
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    request: Request,
    grant: GrantHeader = None,
) -> None:
    """Admit the action server: its own token, and a live grant for every conversation the call names.

    The grant (api.service_access.grants) proves the call acts for the resident writing in that
    conversation now; checking it here, for every route of the action server's routers, means a route
    added later cannot forget it. It is checked against the real clock, not the business clock tests move.
    """
    _check_service(settings, credentials, "actions")
    for conversation_id in await _conversations_named(request):
        if not grant_is_valid(settings.secret_key, grant or "", conversation_id=conversation_id, now=time.time()):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, GRANT_REFUSED)


def require_telegram_token(
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Admit the Telegram bridge: its own token (it acts for chats, which the hub maps to conversations)."""
    _check_service(settings, credentials, "telegram")


# scope="function": commit before the response is sent, so a client that acts on a response (say, posts to
# the conversation it just created) always finds what the response described.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
