"""Who is behind a console request: the session cookie, its stage, and the CSRF token of each change.

Sign-in gives a random session token in an HttpOnly, SameSite=Strict cookie (Secure in production); only
its hash is stored, and the session ends at sign-out, after the idle timeout, or at its lifetime. Every
form and every state-changing call carries the session's CSRF token (the sign-in form uses a double-submit
cookie, since there is no session yet). A request without a live session raises ``NotSignedIn``, which
``install_not_signed_in`` turns into a redirect to the sign-in page (pages) or a 401 (JSON).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.db import Database, utcnow
from api.deps import DatabaseDep, SettingsDep
from api.officers.auth import SessionPolicy, current_session
from api.officers.models import Officer
from api.settings import Settings

SESSION_COOKIE = "ca_console"
SIGN_IN_CSRF_COOKIE = "ca_console_sign_in"


class NotSignedIn(Exception):
    """The request has no live console session (or one still at its second step: ``location`` says where to go)."""

    def __init__(self, location: str | None = None) -> None:
        super().__init__(location or "sign-in")
        self.location = location


# Where a session in each stage belongs: a code is awaited, a second factor must be set up, or the queue.
STAGE_PAGES = {"second_factor": "/console/sign-in/code", "enrol": "/console/security", "active": "/console/queue"}


@dataclass(frozen=True)
class SignedIn:
    """The officer behind a request, and their session's CSRF token."""

    officer: Officer
    csrf_token: str
    token: str
    stage: str = "active"


def policy(settings: Settings) -> SessionPolicy:
    """Return how long a console session may sit idle and live at most, from the settings."""
    return SessionPolicy(
        idle=timedelta(minutes=settings.console_idle_minutes), lifetime=timedelta(hours=settings.console_session_hours)
    )


def _signed(request: Request, database: Database, settings: Settings, stages: tuple[str, ...]) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    with database.sessions.begin() as session:
        found = current_session(session, token=token, now=utcnow(), policy=policy(settings), stages=tuple(STAGE_PAGES))
        if found is None:
            raise NotSignedIn
        if found.stage not in stages:
            raise NotSignedIn(STAGE_PAGES[found.stage])
        officer = found.officer
        session.expunge(officer)
        return SignedIn(officer=officer, csrf_token=found.csrf_token, token=token, stage=found.stage)


def still_signed_in(session: Session, signed: SignedIn, settings: Settings) -> bool:
    """Whether the session behind ``signed`` is still live: an open event stream asks before each read."""
    found = current_session(session, token=signed.token, now=utcnow(), policy=policy(settings))
    return found is not None


def signed_in(request: Request, database: DatabaseDep, settings: SettingsDep) -> SignedIn:
    """Return the signed-in officer; raise NotSignedIn when the cookie is missing or its session is over."""
    return _signed(request, database, settings, ("active",))


def setting_up(request: Request, database: DatabaseDep, settings: SettingsDep) -> SignedIn:
    """Return the officer of a full session or of one that must set up a second factor first."""
    return _signed(request, database, settings, ("active", "enrol"))


Signed = Annotated[SignedIn, Depends(signed_in)]
SettingUp = Annotated[SignedIn, Depends(setting_up)]


async def checked(request: Request, signed: Signed) -> SignedIn:
    """Return the signed-in officer once the request carries their session's CSRF token."""
    return await _csrf_checked(request, signed)


async def setting_up_checked(request: Request, signed: SettingUp) -> SignedIn:
    """Return the officer setting up a second factor once the request carries their session's CSRF token."""
    return await _csrf_checked(request, signed)


async def _csrf_checked(request: Request, signed: SignedIn) -> SignedIn:
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get("csrf_token") or "")
    if not sent or not hmac.compare_digest(sent, signed.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The form has expired. Reload the page and try again.")
    return signed


Checked = Annotated[SignedIn, Depends(checked)]
SettingUpChecked = Annotated[SignedIn, Depends(setting_up_checked)]


def wants_json(request: Request) -> bool:
    """Whether the caller is a page's script (answered in JSON) rather than the browser itself."""
    return "application/json" in request.headers.get("accept", "")


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    """Set a console cookie: HttpOnly, SameSite=Strict, scoped to /console, Secure when the settings say so."""
    settings: Settings = request.app.state.settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=settings.console_cookie_secure,
    )


def install_not_signed_in(app: FastAPI) -> None:
    """Send officers who are not signed in to the sign-in page (or the step they are at); JSON callers get 401."""

    async def not_signed_in(request: Request, error: Exception) -> Response:
        if request.url.path.startswith("/console/api/") or wants_json(request):
            return JSONResponse({"detail": "Sign in to the console first."}, status_code=status.HTTP_401_UNAUTHORIZED)
        if isinstance(error, NotSignedIn) and error.location:
            return RedirectResponse(error.location, status.HTTP_303_SEE_OTHER)
        expired = SESSION_COOKIE in request.cookies
        response = RedirectResponse(f"/console/sign-in{'?expired=true' if expired else ''}", status.HTTP_303_SEE_OTHER)
        if expired:
            response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    app.add_exception_handler(NotSignedIn, not_signed_in)
