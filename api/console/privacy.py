"""Supervisors' privacy pages: subject access (find, export, erase) and the audit log.

A subject access request names a conversation by the resident's Telegram chat id, a handoff reference or
the conversation id. The export is a JSON file of everything held; the erasure deletes it from the hub
and from Rasa's tracker store. Both are written to the audit log, which supervisors read at /console/audit.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from api.console.pages import PAGE_HEADERS, page, refusal
from api.console.sessions import Checked, Signed, SignedIn
from api.deps import SessionDep
from api.privacy import audit, subject_access
from api.privacy.retention import describe
from api.privacy.tracker import TrackerStore

# Included in the protected console router (router.py), which requires a signed-in officer for every route.
router = APIRouter()
SUPERVISORS_ONLY = "Subject access requests and the audit log are for supervisors."
NOT_FOUND = "Nothing is held under that reference: no conversation, handoff or Telegram chat matches it."


def _tracker(request: Request) -> TrackerStore:
    tracker: TrackerStore = request.app.state.tracker
    return tracker


def _refuse_non_supervisor(request: Request, signed: SignedIn) -> Response | None:
    if signed.officer.role != "supervisor":
        return refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    return None


@router.get("/privacy", response_class=HTMLResponse, response_model=None)
def privacy_page(
    request: Request, signed: Signed, session: SessionDep, q: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """Find what is held for a conversation or Telegram chat: counts only, then export or erase it."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    found = subject_access.find_conversation(session, q) if q.strip() else None
    held = subject_access.summary(session, _tracker(request), found) if found else None
    return page(
        request,
        "privacy.html",
        {"q": q, "held": held, "not_found": bool(q.strip()) and not found},
        signed=signed,
        status_code=404 if q.strip() and not found else 200,
    )


@router.get("/privacy/conversations/{conversation_id}/export", response_model=None)
def export(conversation_id: str, request: Request, signed: Signed, session: SessionDep) -> Response:
    """Download everything held about the conversation as a JSON file (the export is audited)."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    if subject_access.find_conversation(session, conversation_id) != conversation_id:
        return refusal(request, signed, NOT_FOUND, status.HTTP_404_NOT_FOUND)
    document = subject_access.export(session, _tracker(request), conversation_id)
    audit.record(
        session,
        action="export",
        officer_id=signed.officer.id,
        conversation_id=conversation_id,
        detail=f"{len(document['messages'])} messages, {len(document['rasa_tracker_events'])} tracker events",
    )
    headers = {**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="subject-access-{conversation_id}.json"'}
    return Response(json.dumps(document, indent=2, ensure_ascii=False), media_type="application/json", headers=headers)


@router.post("/privacy/conversations/{conversation_id}/erase", response_model=None)
def erase(
    conversation_id: str, request: Request, signed: Checked, session: SessionDep, confirm: Annotated[str, Form()] = ""
) -> Response:
    """Erase the conversation from the hub and Rasa's tracker store, once the supervisor has confirmed."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    if subject_access.find_conversation(session, conversation_id) != conversation_id:
        return refusal(request, signed, NOT_FOUND, status.HTTP_404_NOT_FOUND)
    if confirm != "erase":
        held = subject_access.summary(session, _tracker(request), conversation_id)
        return page(
            request,
            "privacy.html",
            {"q": conversation_id, "held": held, "not_found": False, "error": "Tick the box to confirm the erasure."},
            signed=signed,
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    counts = subject_access.erase(session, _tracker(request), conversation_id)
    summary = describe(counts)
    audit.record(session, action="erase", officer_id=signed.officer.id, conversation_id=conversation_id, detail=summary)
    return page(
        request,
        "message.html",
        {"title": "Erased", "message": f"Conversation {conversation_id} is erased: {summary}."},
        signed=signed,
    )


@router.get("/audit", response_class=HTMLResponse, response_model=None)
def audit_page(
    request: Request,
    signed: Signed,
    session: SessionDep,
    conversation: Annotated[str, Query(max_length=48)] = "",
    officer: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Show who viewed, exported or erased which conversation and when, newest first."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    rows = audit.recent(session, conversation_id=conversation.strip() or None, officer_email=officer or None)
    context: dict[str, Any] = {"rows": rows, "conversation": conversation, "officer_filter": officer}
    return page(request, "audit.html", context, signed=signed)
