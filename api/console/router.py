"""The officer console's pages (/console) and the JSON its pages poll for live updates (/console/api).

Sign-in gives a random session token in an HttpOnly, SameSite=Strict cookie (Secure in production); only
its hash is stored, and the session ends at sign-out, after the idle timeout, or at its lifetime. Every
form and every state-changing call carries the session's CSRF token (the sign-in form uses a double-submit
cookie, since there is no session yet). Pages answer an officer who is not signed in with a redirect to
the sign-in page, the JSON with 401; another team's conversations get 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session

from api.access.http import Throttled, enforce
from api.access.source import request_source
from api.console import officers, service
from api.console.dashboard import bar_chart, column_chart, day_figures
from api.conversations.models import Message
from api.conversations.schemas import MessageRead
from api.conversations.service import RATING_CHOICES
from api.db import Database, as_utc, utcnow
from api.deps import DatabaseDep, SessionDep, SettingsDep
from api.officers import second_factor
from api.officers.auth import (
    SecondStepExpired,
    SessionPolicy,
    SignInRefused,
    complete_second_factor,
    current_session,
    promote,
    session_token_hash,
    sign_in,
    sign_out,
)
from api.officers.models import Officer, OfficerSession
from api.privacy import audit
from api.settings import Settings
from api.web.router import SECURITY_HEADERS

SESSION_COOKIE = "ca_console"
SIGN_IN_CSRF_COOKIE = "ca_console_sign_in"
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
router = APIRouter(prefix="/console", include_in_schema=False)


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


def _policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(idle=timedelta(minutes=settings.console_idle_minutes),
                         lifetime=timedelta(hours=settings.console_session_hours))


def _signed(request: Request, database: Database, settings: Settings, stages: tuple[str, ...]) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    with database.sessions.begin() as session:
        found = current_session(session, token=token, now=utcnow(), policy=_policy(settings),
                                stages=tuple(STAGE_PAGES))
        if found is None:
            raise NotSignedIn
        if found.stage not in stages:
            raise NotSignedIn(STAGE_PAGES[found.stage])
        officer = found.officer
        session.expunge(officer)
        return SignedIn(officer=officer, csrf_token=found.csrf_token, token=token, stage=found.stage)


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
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = str((await request.form()).get("csrf_token") or "")
    if not sent or not hmac.compare_digest(sent, signed.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The form has expired. Reload the page and try again.")
    return signed


Checked = Annotated[SignedIn, Depends(checked)]
SettingUpChecked = Annotated[SignedIn, Depends(setting_up_checked)]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _page(request: Request, name: str, context: dict[str, Any], *, signed: SignedIn | None = None,
          status_code: int = 200) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    base = {"council_name": settings.council_name, "officer": signed.officer if signed else None,
            "team": service.TEAM_OF_ROLE.get(signed.officer.role) if signed else None,
            "csrf_token": signed.csrf_token if signed else None}
    return templates.TemplateResponse(request, name, base | context, status_code=status_code, headers=PAGE_HEADERS)


def _refusal(request: Request, signed: SignedIn, message: str, status_code: int) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return _page(request, "message.html", {"title": "Not available", "message": message}, signed=signed,
                 status_code=status_code)


NOT_YOUR_QUEUE = "This conversation is not in your team's queue."


@router.get("")
def console_home() -> RedirectResponse:
    """Go to the queue."""
    return RedirectResponse("/console/queue", status.HTTP_303_SEE_OTHER)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, signed_out: bool = False, expired: bool = False) -> HTMLResponse:
    """Show the sign-in form, with a fresh double-submit CSRF token."""
    token = secrets.token_urlsafe(32)
    notice = ("You have signed out." if signed_out else
              "Your session ended. Please sign in again." if expired else None)
    response = _page(request, "sign_in.html", {"sign_in_csrf": token, "notice": notice, "error": None})
    _set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


def _set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=settings.console_cookie_secure)


@router.post("/sign-in", response_model=None)
def sign_in_submit(request: Request, database: DatabaseDep, settings: SettingsDep,
                   email: Annotated[str, Form(max_length=200)], password: Annotated[str, Form(max_length=200)],
                   csrf_token: Annotated[str, Form()] = "") -> Response:
    """Check the officer's email and password and start a session."""
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _sign_in_again(request, "The form has expired. Please try again.", status.HTTP_403_FORBIDDEN)
    if (wait := _too_fast(request)) is not None:
        return _sign_in_again(request, TOO_FAST, status.HTTP_429_TOO_MANY_REQUESTS, headers=wait)
    try:
        signed = sign_in(database.sessions, email=email, password=password, client=_client(request),
                         now=utcnow(), policy=_policy(settings),
                         second_factor_required=settings.console_second_factor_required)
    except SignInRefused as refused:
        if refused.throttled:
            return _sign_in_again(request, TOO_MANY_ATTEMPTS, status.HTTP_429_TOO_MANY_REQUESTS,
                                  headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return _sign_in_again(request, "The email address or password is not right.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(STAGE_PAGES[signed.opened.stage], status.HTTP_303_SEE_OTHER)
    _set_cookie(response, request, SESSION_COOKIE, signed.token)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/console")
    return response


TOO_MANY_ATTEMPTS = ("Too many unsuccessful attempts. Wait 15 minutes, or ask a supervisor to unlock your account.")
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


def _sign_in_again(request: Request, error: str, status_code: int,
                   headers: dict[str, str] | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _page(request, "sign_in.html", {"sign_in_csrf": token, "notice": None, "error": error},
                     status_code=status_code)
    response.headers.update(headers or {})
    _set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/sign-in/code", response_class=HTMLResponse, response_model=None)
def second_factor_page(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Ask an officer whose password was right for a code from their authenticator app (or a recovery code)."""
    pending = _pending(request, database, settings)
    if pending is None:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    return _page(request, "second_factor.html", {"error": None, "pending_csrf": pending})


def _pending(request: Request, database: Database, settings: Settings) -> str | None:
    """Return the CSRF token of the request's session awaiting a code, if it has one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with database.sessions.begin() as session:
        found = current_session(session, token=token, now=utcnow(), policy=_policy(settings),
                                stages=("second_factor",))
        return found.csrf_token if found else None


@router.post("/sign-in/code", response_model=None)
def second_factor_submit(request: Request, database: DatabaseDep, settings: SettingsDep,
                         code: Annotated[str, Form(max_length=40)],
                         csrf_token: Annotated[str, Form()] = "") -> Response:
    """Check the code and open the full session under a new cookie."""
    expected = _pending(request, database, settings)
    if expected is None:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    if not hmac.compare_digest(expected, csrf_token):
        return _code_again(request, expected, "The form has expired. Please try again.", status.HTTP_403_FORBIDDEN)
    if (wait := _too_fast(request)) is not None:
        return _code_again(request, expected, TOO_FAST, status.HTTP_429_TOO_MANY_REQUESTS, headers=wait)
    try:
        signed = complete_second_factor(database.sessions, token=request.cookies.get(SESSION_COOKIE, ""), code=code,
                                        client=_client(request), now=utcnow(), policy=_policy(settings),
                                        seal=settings.second_factor_seal())
    except SecondStepExpired:
        return RedirectResponse("/console/sign-in?expired=true", status.HTTP_303_SEE_OTHER)
    except SignInRefused as refused:
        if refused.throttled:
            return _code_again(request, expected, TOO_MANY_ATTEMPTS, status.HTTP_429_TOO_MANY_REQUESTS,
                               headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return _code_again(request, expected, "That code is not right. Codes change every 30 seconds: type the one "
                           "your app shows now, or a recovery code.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse("/console/queue", status.HTTP_303_SEE_OTHER)
    _set_cookie(response, request, SESSION_COOKIE, signed.token)
    return response


def _code_again(request: Request, csrf: str, error: str, status_code: int,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    response = _page(request, "second_factor.html", {"error": error, "pending_csrf": csrf}, status_code=status_code)
    response.headers.update(headers or {})
    return response


@router.get("/security", response_class=HTMLResponse)
def security_page(request: Request, signed: SettingUp, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """Show the officer's two-step sign-in: set it up (QR code and key), or how many recovery codes are left."""
    return _security(request, signed, session, settings, error=None)


def _security(request: Request, signed: SignedIn, session: Session, settings: Settings, *, error: str | None,
              status_code: int = 200) -> HTMLResponse:
    officer = session.get_one(Officer, signed.officer.id)
    context: dict[str, Any] = {"enrolled": officer.second_factor_enrolled, "error": error,
                               "required": signed.stage == "enrol"}
    if officer.second_factor_enrolled:
        context["codes_left"] = second_factor.recovery_codes_left(session, officer)
    else:
        context["secret"] = second_factor.start_enrolment(session, officer, seal=settings.second_factor_seal())
        uri = second_factor.provisioning_uri(officer, context["secret"], issuer=settings.council_name)
        context["qr_code"] = Markup(second_factor.qr_code_svg(uri))  # noqa: S704  (segno's SVG of our own URI)
    return _page(request, "security.html", context, signed=signed, status_code=status_code)


@router.post("/security/enrol", response_class=HTMLResponse)
def enrol(request: Request, signed: SettingUpChecked, session: SessionDep, settings: SettingsDep,
          code: Annotated[str, Form(max_length=20)]) -> HTMLResponse:
    """Turn two-step sign-in on once the officer types a code their app made; show the recovery codes once."""
    officer = session.get_one(Officer, signed.officer.id)
    codes = second_factor.confirm_enrolment(session, officer, code=code, now=utcnow(),
                                            seal=settings.second_factor_seal())
    if codes is None:
        return _security(request, signed, session, settings, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                         error="That code is not right. Check the app shows the council's entry and type the "
                               "6 digits it shows now.")
    return _recovery_codes(request, signed, session, settings, codes)


@router.post("/security/recovery-codes", response_class=HTMLResponse)
def replace_recovery_codes(request: Request, signed: Checked, session: SessionDep,
                           settings: SettingsDep) -> HTMLResponse:
    """Make a new set of recovery codes (the old ones stop working)."""
    officer = session.get_one(Officer, signed.officer.id)
    if not officer.second_factor_enrolled:
        return _security(request, signed, session, settings, error=None)
    return _recovery_codes(request, signed, session, settings, second_factor.new_recovery_codes(session, officer))


def _recovery_codes(request: Request, signed: SignedIn, session: Session, settings: Settings,
                    codes: list[str]) -> HTMLResponse:
    """Show the recovery codes; a session that had to enrol becomes a full one, under a new cookie."""
    if signed.stage != "enrol":
        return _page(request, "recovery_codes.html", {"codes": codes}, signed=signed)
    found = session.get_one(OfficerSession, session_token_hash(signed.token))
    promoted = promote(session, found, now=utcnow(), policy=_policy(settings))
    full = SignedIn(officer=signed.officer, csrf_token=promoted.opened.csrf_token, token=promoted.token)
    response = _page(request, "recovery_codes.html", {"codes": codes}, signed=full)
    _set_cookie(response, request, SESSION_COOKIE, promoted.token)
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request, signed: Checked, session: SessionDep) -> RedirectResponse:
    """End the session: its cookie no longer works anywhere."""
    sign_out(session, token=signed.token, now=utcnow())
    response = RedirectResponse("/console/sign-in?signed_out=true", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, signed: Signed, session: SessionDep) -> HTMLResponse:
    """Show the officer's queue; the page refreshes its rows itself."""
    items = service.queue_for_officer(session, signed.officer)
    queues = [service.QUEUE_NAMES[q] for q in service.QUEUES_OF_ROLE[signed.officer.role]]
    return _page(request, "queue.html", {"items": items, "queues": queues}, signed=signed)


@router.get("/api/queue")
def queue_json(signed: Signed, session: SessionDep) -> dict[str, Any]:
    """Return the officer's queue as JSON, for the page's live refresh."""
    return {"items": [asdict(item) for item in service.queue_for_officer(session, signed.officer)]}


@router.post("/handoffs/{reference}/claim", response_model=None)
def claim(reference: str, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Take a waiting conversation; if someone was quicker, say who."""
    try:
        handoff = service.claim(session, signed.officer, reference=reference)
    except service.NotAllowed:
        return _refusal(request, signed, NOT_YOUR_QUEUE, status.HTTP_403_FORBIDDEN)
    except service.AlreadyClaimed as taken:
        session.rollback()
        who = f"{taken.by} has already taken it" if taken.by else "It is no longer waiting"
        return _refusal(request, signed, f"{who}.", status.HTTP_409_CONFLICT)
    target = f"/console/conversations/{handoff.conversation_id}"
    if _wants_json(request):
        return JSONResponse({"conversation_url": target})
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def _view(session: Session, signed: SignedIn, settings: Settings, conversation_id: str) -> service.ConversationView:
    return service.view_conversation(session, signed.officer, conversation_id=conversation_id,
                                     closed_visible_for=timedelta(hours=settings.console_closed_visible_hours))


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse, response_model=None)
def conversation_page(conversation_id: str, request: Request, signed: Signed, session: SessionDep,
                      settings: SettingsDep) -> Response:
    """Show the conversation: packet, verification, related records, transcript, notes and actions.

    Every view is written to the audit log (who, which conversation, when).
    """
    try:
        view = _view(session, signed, settings, conversation_id)
    except service.NotAllowed as refused:
        return _refusal(request, signed, refused.reason or NOT_YOUR_QUEUE, status.HTTP_403_FORBIDDEN)
    audit.record(session, action="view", officer_id=signed.officer.id, conversation_id=conversation_id,
                 detail=f"handoff {view.handoff.reference}")
    zone = ZoneInfo(request.app.state.settings.timezone)
    messages = [_line(view, m) | {"local_time": f"{as_utc(m.created_at).astimezone(zone):%H:%M}"}
                for m in view.messages]
    return _page(request, "conversation.html", {"view": view, "messages": messages,
                                                "timezone": request.app.state.settings.timezone}, signed=signed)


def _message(message: Message) -> dict[str, Any]:
    return MessageRead.model_validate(message).model_dump(mode="json")


def _line(view: service.ConversationView, message: Message) -> dict[str, Any]:
    """Return a transcript line as this officer may see it (a date of birth their work does not need hidden)."""
    return _message(message) | {"text": view.text_of(message)}


@router.get("/api/conversations/{conversation_id}", response_model=None)
def conversation_json(conversation_id: str, signed: Signed, session: SessionDep, settings: SettingsDep,
                      after: Annotated[int, Query(ge=0)] = 0) -> Response | dict[str, Any]:
    """Return new messages and the handoff's state, for the page's live refresh (audited as a view)."""
    try:
        view = _view(session, signed, settings, conversation_id)
    except service.NotAllowed as refused:
        return JSONResponse({"detail": refused.reason or NOT_YOUR_QUEUE}, status_code=status.HTTP_403_FORBIDDEN)
    audit.record_poll_view(session, officer_id=signed.officer.id, conversation_id=conversation_id,
                           detail=f"handoff {view.handoff.reference}")
    # Earlier messages the hub rewrote (a card number completed by a later message): the page replaces them.
    rewritten = [_line(view, m) for m in view.messages if m.id <= after and m.rewritten_at is not None]
    return {"status": view.handoff.status, "claimed_by": view.claimed_by, "mine": view.mine,
            "messages": [_line(view, m) for m in view.messages if m.id > after], "rewritten": rewritten}


def _act(request: Request, signed: SignedIn, conversation_id: str, action: Any) -> Response:
    try:
        result = action()
    except service.NotAllowed:
        return _refusal(request, signed, "Only the officer who took this conversation can do that.",
                        status.HTTP_403_FORBIDDEN)
    except service.NothingToDo:
        return _refusal(request, signed, "This conversation is not being handled by an officer now.",
                        status.HTTP_409_CONFLICT)
    if _wants_json(request):
        return JSONResponse({"message": _message(result)} if isinstance(result, Message) else {"ok": True})
    return RedirectResponse(f"/console/conversations/{conversation_id}", status.HTTP_303_SEE_OTHER)


@router.post("/conversations/{conversation_id}/messages", response_model=None)
def send_reply(conversation_id: str, request: Request, signed: Checked, session: SessionDep,
               text: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    """Send a reply to the resident; it appears in their chat at once."""
    return _act(request, signed, conversation_id,
                lambda: service.reply(session, signed.officer, conversation_id=conversation_id, text=text.strip()))


@router.post("/conversations/{conversation_id}/notes", response_model=None)
def add_note(conversation_id: str, request: Request, signed: Checked, session: SessionDep,
             text: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    """Add an internal note (never shown to the resident)."""
    return _act(request, signed, conversation_id,
                lambda: service.add_note(session, signed.officer, conversation_id=conversation_id, text=text.strip()))


@router.post("/conversations/{conversation_id}/hand-back", response_model=None)
def hand_back(conversation_id: str, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Give the conversation back to the bot."""
    return _act(request, signed, conversation_id,
                lambda: service.hand_back(session, signed.officer, conversation_id=conversation_id))


@router.post("/conversations/{conversation_id}/resolve", response_model=None)
def resolve(conversation_id: str, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Mark the enquiry resolved and ask the resident to rate the conversation."""
    return _act(request, signed, conversation_id,
                lambda: service.resolve(session, signed.officer, conversation_id=conversation_id))


# The dashboard shows days the council could have figures for (9999-12-31 made "next day" overflow into a 500),
# and an officer id is a database row id (beyond 64 bits SQLite raised a 500).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)
ROW_ID_MAX = 2**63 - 1
OfficerId = Annotated[int, PathParam(ge=1, le=ROW_ID_MAX)]


@router.get("/dashboard", response_class=HTMLResponse, response_model=None)
def dashboard(request: Request, signed: Signed, session: SessionDep, settings: SettingsDep,
              day: Annotated[date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None) -> Response:
    """Show the supervisor's figures for a day (today by default)."""
    if signed.officer.role != "supervisor":
        return _refusal(request, signed, "The dashboard is for supervisors.", status.HTTP_403_FORBIDDEN)
    now = utcnow()
    day = day or now.astimezone(ZoneInfo(settings.timezone)).date()
    figures = day_figures(session, day, timezone=settings.timezone, now=now)
    charts = {
        "reasons": bar_chart("Handoffs by reason", [(name, n) for name, n in figures.handoffs_by_reason]),
        "ratings": bar_chart("Satisfaction ratings", [(f"{score} {label}", figures.ratings[score])
                                                      for score, label in RATING_CHOICES]),
        "hours": column_chart("Conversations by hour", [(f"{h:02d}:00", n) for h, n in enumerate(figures.by_hour)]),
        "waits": bar_chart("Waits before an officer joined", _wait_bands(figures.waits_minutes)),
    }
    return _page(request, "dashboard.html", {"f": figures, "charts": charts, "day": day,
                                             "previous": day - timedelta(days=1), "next": day + timedelta(days=1),
                                             "today": now.astimezone(ZoneInfo(settings.timezone)).date()},
                 signed=signed)


@router.get("/officers", response_class=HTMLResponse, response_model=None)
def officers_page(request: Request, signed: Signed, session: SessionDep, settings: SettingsDep,
                  done: str | None = None) -> Response:
    """Show the supervisor every officer account: who is locked out of sign-in, and who has a second factor."""
    try:
        statuses = officers.officer_statuses(session, signed.officer, now=utcnow())
    except service.NotAllowed:
        return _refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    notice = OFFICER_NOTICES.get(done or "")
    return _page(request, "officers.html", {"officers": statuses, "zone": ZoneInfo(settings.timezone),
                                            "notice": notice}, signed=signed)


SUPERVISORS_ONLY = "Only supervisors can manage officer accounts."
OFFICER_NOTICES = {"unlocked": "The officer can sign in again.",
                   "reset": "Two-step sign-in is reset: the officer sets it up again when they next sign in."}


@router.post("/officers/{officer_id}/unlock", response_model=None)
def unlock_officer(officer_id: OfficerId, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Clear an officer's sign-in lockouts."""
    return _officer_action(request, signed, lambda: officers.unlock(session, signed.officer, officer_id=officer_id),
                           done="unlocked")


@router.post("/officers/{officer_id}/reset-second-factor", response_model=None)
def reset_second_factor(officer_id: OfficerId, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Remove an officer's second factor (a lost phone) and end their sessions; they set up a new one."""
    return _officer_action(request, signed,
                           lambda: officers.reset_second_factor(session, signed.officer, officer_id=officer_id),
                           done="reset")


def _officer_action(request: Request, signed: SignedIn, act: Callable[[], object], *, done: str) -> Response:
    """Do a supervisor's action on an officer's account and go back to the list, or refuse it kindly."""
    try:
        act()
    except service.NotAllowed:
        return _refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    except LookupError:
        return _refusal(request, signed, "There is no such officer.", status.HTTP_404_NOT_FOUND)
    return RedirectResponse(f"/console/officers?done={done}", status.HTTP_303_SEE_OTHER)


WAIT_BANDS = ((0, 2, "under 2 min"), (2, 5, "2 to 5 min"), (5, 10, "5 to 10 min"), (10, 30, "10 to 30 min"),
              (30, float("inf"), "30 min or more"))


def _wait_bands(waits: list[float]) -> list[tuple[str, float]]:
    if not waits:
        return []
    return [(label, sum(1 for w in waits if low <= w < high)) for low, high, label in WAIT_BANDS]


def install(app: FastAPI) -> None:
    """Add the console's routes and send officers who are not signed in to the sign-in page."""
    app.include_router(router)

    async def not_signed_in(request: Request, error: Exception) -> Response:
        if request.url.path.startswith("/console/api/") or _wants_json(request):
            return JSONResponse({"detail": "Sign in to the console first."}, status_code=status.HTTP_401_UNAUTHORIZED)
        if isinstance(error, NotSignedIn) and error.location:
            return RedirectResponse(error.location, status.HTTP_303_SEE_OTHER)
        expired = SESSION_COOKIE in request.cookies
        response = RedirectResponse(f"/console/sign-in{'?expired=true' if expired else ''}",
                                    status.HTTP_303_SEE_OTHER)
        if expired:
            response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    app.add_exception_handler(NotSignedIn, not_signed_in)
