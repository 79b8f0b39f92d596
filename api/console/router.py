"""The officer console's protected pages (/console), and the live updates its pages get (/console/api).

The pages listen to server-sent event streams (``/console/api/queue/events``,
``/console/api/conversations/{id}/events``) and poll the JSON beside them only when a browser has no EventSource
or a stream is refused.

Everything here needs a signed-in officer with a full session: the router requires it once, router-wide
(``signed_in``), so a new route cannot forget it; routes still take ``Signed``/``Checked`` to know who is
asking (FastAPI solves the dependency once per request). The supervisors' privacy and knowledge-gap pages
are included under the same router. Pages answer an officer who is not signed in with a redirect to the
sign-in page, the JSON with 401; another team's conversations get 403. Sign-in itself is in ``public.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.console import gaps, officers, privacy, public, security, service
from api.console.dashboard import bar_chart, column_chart, day_figures
from api.console.pages import page, refusal
from api.console.sessions import (
    Checked,
    Signed,
    SignedIn,
    install_not_signed_in,
    signed_in,
    still_signed_in,
    wants_json,
)
from api.conversations.changes import HANDOFFS, officer_key
from api.conversations.models import Message
from api.conversations.schemas import MessageRead
from api.conversations.service import RATING_CHOICES
from api.conversations.streams import Batch, event_stream, resume_after, sse, take_slot
from api.db import as_utc, utcnow
from api.deps import DatabaseDep, SessionDep, SettingsDep
from api.privacy import audit
from api.settings import Settings

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(signed_in)])

NOT_YOUR_QUEUE = "This conversation is not in your team's queue."
# An officer or message id is a database row id (beyond 64 bits SQLite raised a 500).
ROW_ID_MAX = 2**63 - 1


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, signed: Signed, session: SessionDep) -> HTMLResponse:
    """Show the officer's queue; the page refreshes its rows itself."""
    items = service.queue_for_officer(session, signed.officer)
    queues = [service.QUEUE_NAMES[q] for q in service.QUEUES_OF_ROLE[signed.officer.role]]
    return page(request, "queue.html", {"items": items, "queues": queues}, signed=signed)


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
        return refusal(request, signed, NOT_YOUR_QUEUE, status.HTTP_403_FORBIDDEN)
    except service.AlreadyClaimed as taken:
        session.rollback()
        who = f"{taken.by} has already taken it" if taken.by else "It is no longer waiting"
        return refusal(request, signed, f"{who}.", status.HTTP_409_CONFLICT)
    target = f"/console/conversations/{handoff.conversation_id}"
    if wants_json(request):
        return JSONResponse({"conversation_url": target})
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def _view(session: Session, signed: SignedIn, settings: Settings, conversation_id: str) -> service.ConversationView:
    return service.view_conversation(
        session,
        signed.officer,
        conversation_id=conversation_id,
        closed_visible_for=timedelta(hours=settings.console_closed_visible_hours),
    )


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse, response_model=None)
def conversation_page(
    conversation_id: str, request: Request, signed: Signed, session: SessionDep, settings: SettingsDep
) -> Response:
    """Show the conversation: packet, verification, related records, transcript, notes and actions.

    Every view is written to the audit log (who, which conversation, when).
    """
    try:
        view = _view(session, signed, settings, conversation_id)
    except service.NotAllowed as refused:
        return refusal(request, signed, refused.reason or NOT_YOUR_QUEUE, status.HTTP_403_FORBIDDEN)
    audit.record(
        session,
        action="view",
        officer_id=signed.officer.id,
        conversation_id=conversation_id,
        detail=f"handoff {view.handoff.reference}",
    )
    zone = ZoneInfo(request.app.state.settings.timezone)
    messages = [
        _line(view, m) | {"local_time": f"{as_utc(m.created_at).astimezone(zone):%H:%M}"} for m in view.messages
    ]
    return page(
        request,
        "conversation.html",
        {"view": view, "messages": messages, "timezone": request.app.state.settings.timezone},
        signed=signed,
    )


def _message(message: Message) -> dict[str, Any]:
    return MessageRead.model_validate(message).model_dump(mode="json")


def _line(view: service.ConversationView, message: Message) -> dict[str, Any]:
    """Return a transcript line as this officer may see it (a date of birth their work does not need hidden)."""
    return _message(message) | {"text": view.text_of(message)}


@router.get("/api/conversations/{conversation_id}", response_model=None)
def conversation_json(
    conversation_id: str,
    signed: Signed,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response | dict[str, Any]:
    """Return new messages and the handoff's state, for the page's live refresh (audited as a view)."""
    try:
        view = _view(session, signed, settings, conversation_id)
    except service.NotAllowed as refused:
        return JSONResponse({"detail": refused.reason or NOT_YOUR_QUEUE}, status_code=status.HTTP_403_FORBIDDEN)
    audit.record_poll_view(
        session,
        officer_id=signed.officer.id,
        conversation_id=conversation_id,
        detail=f"handoff {view.handoff.reference}",
    )
    # Earlier messages the hub rewrote (a card number completed by a later message): the page replaces them.
    rewritten = [_line(view, m) for m in view.messages if m.id <= after and m.rewritten_at is not None]
    return {
        "status": view.handoff.status,
        "claimed_by": view.claimed_by,
        "mine": view.mine,
        "messages": [_line(view, m) for m in view.messages if m.id > after],
        "rewritten": rewritten,
    }


# ----- pushed to the pages (server-sent events), with the same access rules as the JSON above -----

SIGNED_OUT = "Your console session has ended: sign in again."
# Seconds a page is asked to wait when every stream slot of the officer is taken (it polls meanwhile).
OFFICER_STREAMS_RETRY_SECONDS = 30


async def _officer_slot(request: Request, signed: SignedIn, settings: Settings) -> tuple[str, str]:
    key = f"officer/{signed.officer.id}"
    slot = await take_slot(
        request,
        key,
        cap=settings.rate_limits.streams_per_officer,
        reason="officer_streams",
        retry_after=OFFICER_STREAMS_RETRY_SECONDS,
    )
    return key, slot


def _gone(detail: str) -> Batch:
    """End the stream with its reason: the page reloads, and is refused or sent to sign in as a page would be."""
    return Batch([sse("gone", {"detail": detail})], end=True)


@router.get("/api/queue/events", response_model=None)
async def queue_events(request: Request, signed: Signed, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Push the officer's queue (as ``/console/api/queue`` gives it) whenever a handoff changes: ``queue`` events.

    It is sent when the stream opens and again whenever it differs from the last one sent; the stream wakes on
    any handoff's change (api/conversations/changes.py) and reads the database every ``push_fallback`` seconds
    whatever (the minutes waited move on). It ends with a ``gone`` event once the officer's session ends.
    """
    slot_key, slot = await _officer_slot(request, signed, settings)
    sent: list[dict[str, Any]] | None = None

    def read() -> Batch:
        nonlocal sent
        with database.sessions.begin() as session:
            if not still_signed_in(session, signed, settings):
                return _gone(SIGNED_OUT)
            items = [asdict(item) for item in service.queue_for_officer(session, signed.officer)]
        if items == sent:
            return Batch()
        sent = items
        return Batch([sse("queue", {"items": items})])

    wake = (officer_key(signed.officer.id),)  # a sign-out ends the stream at once
    return event_stream(request, follow=HANDOFFS, read=read, slot_key=slot_key, slot=slot, wake=wake)


@router.get("/api/conversations/{conversation_id}/events", response_model=None)
async def conversation_events(
    conversation_id: str,
    request: Request,
    signed: Signed,
    database: DatabaseDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=ROW_ID_MAX)] = 0,
) -> Response:
    """Push what ``/console/api/conversations/{id}`` gives, as events, whenever the conversation changes.

    ``message`` (with the message's id, so a reconnecting browser resumes after its ``Last-Event-ID``) for each
    new message, ``rewritten`` for an earlier one the hub rewrote, ``status`` (the handoff's state) when the
    stream opens and whenever it changes. Each read is the JSON's: the same view of the conversation (a date of
    birth the officer's work does not need stays hidden), audited as the JSON's reads are. Another team's
    conversation gets 403; once the officer may no longer see it, or their session ends, a ``gone`` event ends
    the stream.
    """

    def check() -> str | None:
        with database.sessions() as session:
            try:
                service.check_visible(
                    session,
                    signed.officer,
                    conversation_id,
                    timedelta(hours=settings.console_closed_visible_hours),
                )
            except service.NotAllowed as refused:
                return refused.reason or NOT_YOUR_QUEUE
        return None

    refused = await run_in_threadpool(check)
    if refused is not None:
        return JSONResponse({"detail": refused}, status_code=status.HTTP_403_FORBIDDEN)
    slot_key, slot = await _officer_slot(request, signed, settings)
    last_id = resume_after(request, after)
    state: dict[str, Any] | None = None
    rewritten: dict[int, Any] = {}

    def read() -> Batch:
        nonlocal last_id, state
        with database.sessions.begin() as session:
            if not still_signed_in(session, signed, settings):
                return _gone(SIGNED_OUT)
            try:
                view = _view(session, signed, settings, conversation_id)
            except service.NotAllowed as lost:
                return _gone(lost.reason or NOT_YOUR_QUEUE)
            audit.record_poll_view(
                session,
                officer_id=signed.officer.id,
                conversation_id=conversation_id,
                detail=f"handoff {view.handoff.reference}",
            )
            events = []
            for message in view.messages:
                if message.id > last_id:
                    events.append(sse("message", _line(view, message), event_id=message.id))
                    last_id = message.id
                elif message.rewritten_at is not None and rewritten.get(message.id) != message.rewritten_at:
                    rewritten[message.id] = message.rewritten_at
                    events.append(sse("rewritten", _line(view, message)))
            now = {"status": view.handoff.status, "claimed_by": view.claimed_by, "mine": view.mine}
        if now != state:
            state = now
            events.append(sse("status", now))
        return Batch(events)

    wake = (officer_key(signed.officer.id),)  # a sign-out ends the stream at once
    return event_stream(request, follow=conversation_id, read=read, slot_key=slot_key, slot=slot, wake=wake)


def _act(request: Request, signed: SignedIn, conversation_id: str, action: Any) -> Response:
    try:
        result = action()
    except service.NotAllowed:
        return refusal(
            request, signed, "Only the officer who took this conversation can do that.", status.HTTP_403_FORBIDDEN
        )
    except service.NothingToDo:
        return refusal(
            request, signed, "This conversation is not being handled by an officer now.", status.HTTP_409_CONFLICT
        )
    if wants_json(request):
        return JSONResponse({"message": _message(result)} if isinstance(result, Message) else {"ok": True})
    return RedirectResponse(f"/console/conversations/{conversation_id}", status.HTTP_303_SEE_OTHER)


@router.post("/conversations/{conversation_id}/messages", response_model=None)
def send_reply(
    conversation_id: str,
    request: Request,
    signed: Checked,
    session: SessionDep,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Send a reply to the resident; it appears in their chat at once."""
    return _act(
        request,
        signed,
        conversation_id,
        lambda: service.reply(session, signed.officer, conversation_id=conversation_id, text=text.strip()),
    )


@router.post("/conversations/{conversation_id}/notes", response_model=None)
def add_note(
    conversation_id: str,
    request: Request,
    signed: Checked,
    session: SessionDep,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Add an internal note (never shown to the resident)."""
    return _act(
        request,
        signed,
        conversation_id,
        lambda: service.add_note(session, signed.officer, conversation_id=conversation_id, text=text.strip()),
    )


@router.post("/conversations/{conversation_id}/hand-back", response_model=None)
def hand_back(conversation_id: str, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Give the conversation back to the bot."""
    return _act(
        request,
        signed,
        conversation_id,
        lambda: service.hand_back(session, signed.officer, conversation_id=conversation_id),
    )


@router.post("/conversations/{conversation_id}/resolve", response_model=None)
def resolve(conversation_id: str, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Mark the enquiry resolved and ask the resident to rate the conversation."""
    return _act(
        request,
        signed,
        conversation_id,
        lambda: service.resolve(session, signed.officer, conversation_id=conversation_id),
    )


# The dashboard shows days the council could have figures for (9999-12-31 made "next day" overflow into a 500).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)
OfficerId = Annotated[int, PathParam(ge=1, le=ROW_ID_MAX)]


@router.get("/dashboard", response_class=HTMLResponse, response_model=None)
def dashboard(
    request: Request,
    signed: Signed,
    session: SessionDep,
    settings: SettingsDep,
    day: Annotated[date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
) -> Response:
    """Show the supervisor's figures for a day (today by default)."""
    if signed.officer.role != "supervisor":
        return refusal(request, signed, "The dashboard is for supervisors.", status.HTTP_403_FORBIDDEN)
    now = utcnow()
    day = day or now.astimezone(ZoneInfo(settings.timezone)).date()
    figures = day_figures(session, day, timezone=settings.timezone, now=now)
    charts = {
        "reasons": bar_chart("Handoffs by reason", [(name, n) for name, n in figures.handoffs_by_reason]),
        "ratings": bar_chart(
            "Satisfaction ratings", [(f"{score} {label}", figures.ratings[score]) for score, label in RATING_CHOICES]
        ),
        "hours": column_chart("Conversations by hour", [(f"{h:02d}:00", n) for h, n in enumerate(figures.by_hour)]),
        "waits": bar_chart("Waits before an officer joined", _wait_bands(figures.waits_minutes)),
    }
    return page(
        request,
        "dashboard.html",
        {
            "f": figures,
            "charts": charts,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "today": now.astimezone(ZoneInfo(settings.timezone)).date(),
        },
        signed=signed,
    )


@router.get("/officers", response_class=HTMLResponse, response_model=None)
def officers_page(
    request: Request, signed: Signed, session: SessionDep, settings: SettingsDep, done: str | None = None
) -> Response:
    """Show the supervisor every officer account: who is locked out of sign-in, and who has a second factor."""
    try:
        statuses = officers.officer_statuses(session, signed.officer, now=utcnow())
    except service.NotAllowed:
        return refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    notice = OFFICER_NOTICES.get(done or "")
    return page(
        request,
        "officers.html",
        {"officers": statuses, "zone": ZoneInfo(settings.timezone), "notice": notice},
        signed=signed,
    )


SUPERVISORS_ONLY = "Only supervisors can manage officer accounts."
OFFICER_NOTICES = {
    "unlocked": "The officer can sign in again.",
    "reset": "Two-step sign-in is reset: the officer sets it up again when they next sign in.",
}


@router.post("/officers/{officer_id}/unlock", response_model=None)
def unlock_officer(officer_id: OfficerId, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Clear an officer's sign-in lockouts."""
    return _officer_action(
        request, signed, lambda: officers.unlock(session, signed.officer, officer_id=officer_id), done="unlocked"
    )


@router.post("/officers/{officer_id}/reset-second-factor", response_model=None)
def reset_second_factor(officer_id: OfficerId, request: Request, signed: Checked, session: SessionDep) -> Response:
    """Remove an officer's second factor (a lost phone) and end their sessions; they set up a new one."""
    return _officer_action(
        request,
        signed,
        lambda: officers.reset_second_factor(session, signed.officer, officer_id=officer_id),
        done="reset",
    )


def _officer_action(request: Request, signed: SignedIn, act: Callable[[], object], *, done: str) -> Response:
    """Do a supervisor's action on an officer's account and go back to the list, or refuse it kindly."""
    try:
        act()
    except service.NotAllowed:
        return refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    except LookupError:
        return refusal(request, signed, "There is no such officer.", status.HTTP_404_NOT_FOUND)
    return RedirectResponse(f"/console/officers?done={done}", status.HTTP_303_SEE_OTHER)


WAIT_BANDS = (
    (0, 2, "under 2 min"),
    (2, 5, "2 to 5 min"),
    (5, 10, "5 to 10 min"),
    (10, 30, "10 to 30 min"),
    (30, float("inf"), "30 min or more"),
)


def _wait_bands(waits: list[float]) -> list[tuple[str, float]]:
    if not waits:
        return []
    return [(label, sum(1 for w in waits if low <= w < high)) for low, high, label in WAIT_BANDS]


router.include_router(privacy.router)
router.include_router(gaps.router)


def install(app: FastAPI) -> None:
    """Add the console: its public routes, the second-factor set-up, and the protected pages."""
    app.include_router(public.router)
    app.include_router(security.router)
    app.include_router(router)
    install_not_signed_in(app)
