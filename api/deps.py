"""Request dependencies shared by the feature routers: the database session and the service-token checks."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
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


def require_service(service: str) -> Callable[..., None]:
    """Return a dependency that admits only a token of ``service`` (one of api.service_access.tokens.SERVICES).

    No token or an unknown one is 401; another service's token is 403, so the Telegram bridge's token
    cannot read a resident's record and the action server's cannot act as the bridge.
    """
    def check(settings: Annotated[Settings, Depends(get_app_settings)],
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        presented = (credentials.credentials if credentials else "").encode()
        # Every token is compared, so the time taken does not tell which one nearly matched.
        matches = [known.service for known in settings.service_tokens
                   if hmac.compare_digest(presented, known.token.encode())]
        if not matches:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "A valid service token is required.",
                                headers={"WWW-Authenticate": "Bearer"})
        if service not in matches:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This service may not call this endpoint.")
    check.__name__ = f"require_{service}_token"
    return check


# The action server's endpoints (records, requests, handoffs) and the Telegram bridge's.
require_service_token = require_service("actions")
require_telegram_token = require_service("telegram")


# scope="function": commit before the response is sent, so a client that acts on a response (say, posts to
# the conversation it just created) always finds what the response described.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
