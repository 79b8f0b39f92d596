"""The console's public routes: the sign-in form, the second-factor challenge and sign-out.

These are the only console routes an officer reaches without a full session (sign-out checks its own
session and CSRF token); every other console route sits behind a router-wide dependency (``router.py``,
``security.py``), and ``tests/api/test_console_protection.py`` checks that from the app's route table.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access.http import Throttled, enforce
from api.access.source import request_source
from api.console.pages import page
from api.console.sessions import SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, STAGE_PAGES, Checked, policy, set_cookie
from api.db import Database, utcnow
from api.deps import DatabaseDep, SessionDep, SettingsDep
from api.officers.auth import (
    SecondStepExpired,
    SignInRefused,
    complete_second_factor,
    current_session,
    sign_in,
    sign_out,
)
from api.settings import Settings

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("")
def console_home() -> RedirectResponse:
    """Go to the queue."""
    return RedirectResponse("/console/queue", status.HTTP_303_SEE_OTHER)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, signed_out: bool = False, expired: bool = False) -> HTMLResponse:
    """Show the sign-in form, with a fresh double-submit CSRF token."""
    token = secrets.token_urlsafe(32)
    notice = "You have signed out." if signed_out else "Your session ended. Please sign in again." if expired else None
    response = page(request, "sign_in.html", {"sign_in_csrf": token, "notice": notice, "error": None})
    set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/sign-in", response_model=None)
def sign_in_submit(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the officer's email and password and start a session."""
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _sign_in_again(request, "The form has expired. Please try again.", status.HTTP_403_FORBIDDEN)
    if (wait := _too_fast(request)) is not None:
        return _sign_in_again(request, TOO_FAST, status.HTTP_429_TOO_MANY_REQUESTS, headers=wait)
    try:
        signed = sign_in(
            database.sessions,
            email=email,
            password=password,
            client=_client(request),
            now=utcnow(),
            policy=policy(settings),
            second_factor_required=settings.console_second_factor_required,
        )
    except SignInRefused as refused:
        if refused.throttled:
            return _sign_in_again(
                request,
                TOO_MANY_ATTEMPTS,
                status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return _sign_in_again(request, "The email address or password is not right.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(STAGE_PAGES[signed.opened.stage], status.HTTP_303_SEE_OTHER)
    set_cookie(response, request, SESSION_COOKIE, signed.token)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/console")
    return response


TOO_MANY_ATTEMPTS = "Too many unsuccessful attempts. Wait 15 minutes, or ask a supervisor to unlock your account."
RETRY_AFTER_SECONDS = 15 * 60
TOO_FAST = "Too many sign-in attempts from this computer. Wait a minute, then try again."


def _client(request: Request) -> str:
    """Return the pseudonymous source (keyed hash of the client's address, IPv6 by its /64) limits count by."""
    return request_source(request)


def _too_fast(request: Request) -> dict[str, str] | None:
    """Count a sign-in request against the per-source request limit; the Retry-After header when it is over."""
    try:
        enforce(request, "sign_ins_per_source", request_source(request))
    except Throttled as throttled:
        return {"Retry-After": str(throttled.retry_after)}
    return None


def _sign_in_again(
    request: Request, error: str, status_code: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = page(
        request, "sign_in.html", {"sign_in_csrf": token, "notice": None, "error": error}, status_code=status_code
    )
    response.headers.update(headers or {})
    set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/sign-in/code", response_class=HTMLResponse, response_model=None)
def second_factor_page(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Ask an officer whose password was right for a code from their authenticator app (or a recovery code)."""
    pending = _pending(request, database, settings)
    if pending is None:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    return page(request, "second_factor.html", {"error": None, "pending_csrf": pending})


def _pending(request: Request, database: Database, settings: Settings) -> str | None:
    """Return the CSRF token of the request's session awaiting a code, if it has one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with database.sessions.begin() as session:
        found = current_session(session, token=token, now=utcnow(), policy=policy(settings), stages=("second_factor",))
        return found.csrf_token if found else None


@router.post("/sign-in/code", response_model=None)
def second_factor_submit(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    code: Annotated[str, Form(max_length=40)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the code and open the full session under a new cookie."""
    expected = _pending(request, database, settings)
    if expected is None:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    if not hmac.compare_digest(expected, csrf_token):
        return _code_again(request, expected, "The form has expired. Please try again.", status.HTTP_403_FORBIDDEN)
    if (wait := _too_fast(request)) is not None:
        return _code_again(request, expected, TOO_FAST, status.HTTP_429_TOO_MANY_REQUESTS, headers=wait)
    try:
        signed = complete_second_factor(
            database.sessions,
            token=request.cookies.get(SESSION_COOKIE, ""),
            code=code,
            client=_client(request),
            now=utcnow(),
            policy=policy(settings),
            seal=settings.second_factor_seal(),
        )
    except SecondStepExpired:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    except SignInRefused as refused:
        if refused.throttled:
            return _code_again(
                request,
                expected,
                TOO_MANY_ATTEMPTS,
                status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return _code_again(
            request,
            expected,
            "That code is not right. Codes change every 30 seconds: type the one "
            "your app shows now, or a recovery code.",
            status.HTTP_401_UNAUTHORIZED,
        )
    response = RedirectResponse("/console/queue", status.HTTP_303_SEE_OTHER)
    set_cookie(response, request, SESSION_COOKIE, signed.token)
    return response


def _code_again(
    request: Request, csrf: str, error: str, status_code: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    response = page(request, "second_factor.html", {"error": error, "pending_csrf": csrf}, status_code=status_code)
    response.headers.update(headers or {})
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request, signed: Checked, session: SessionDep) -> RedirectResponse:
    """End the session: its cookie no longer works anywhere."""
    sign_out(session, token=signed.token, now=utcnow())
    response = RedirectResponse("/console/sign-in?signed_out=true", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
