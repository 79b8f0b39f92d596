"""Request dependencies shared by the feature routers: the database session and the service-token check."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.db import Database
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


def require_service_token(
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Refuse a back-office call that does not carry one of the configured service tokens."""
    presented = credentials.credentials if credentials else ""
    if not any(hmac.compare_digest(presented, token) for token in settings.service_tokens):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "A valid service token is required.",
                            headers={"WWW-Authenticate": "Bearer"})


# scope="function": commit before the response is sent, so a client that acts on a response (say, posts to
# the conversation it just created) always finds what the response described.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
