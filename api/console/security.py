"""The officer's two-step sign-in settings: set up an authenticator app, replace the recovery codes.

Its router requires a signed-in officer router-wide, as the protected router does, but also lets in a
session whose officer must set up a second factor before anything else (stage ``enrol``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from api.console.pages import page
from api.console.sessions import (
    SESSION_COOKIE,
    Checked,
    SettingUp,
    SettingUpChecked,
    SignedIn,
    policy,
    set_cookie,
    setting_up,
)
from api.db import utcnow
from api.deps import SessionDep, SettingsDep
from api.officers import second_factor
from api.officers.auth import promote, session_token_hash
from api.officers.models import Officer, OfficerSession
from api.settings import Settings

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(setting_up)])


@router.get("/security", response_class=HTMLResponse)
def security_page(request: Request, signed: SettingUp, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """Show the officer's two-step sign-in: set it up (QR code and key), or how many recovery codes are left."""
    return _security(request, signed, session, settings, error=None)


def _security(
    request: Request,
    signed: SignedIn,
    session: Session,
    settings: Settings,
    *,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    officer = session.get_one(Officer, signed.officer.id)
    context: dict[str, Any] = {
        "enrolled": officer.second_factor_enrolled,
        "error": error,
        "required": signed.stage == "enrol",
    }
    if officer.second_factor_enrolled:
        context["codes_left"] = second_factor.recovery_codes_left(session, officer)
    else:
        context["secret"] = second_factor.start_enrolment(session, officer, seal=settings.second_factor_seal())
        uri = second_factor.provisioning_uri(officer, context["secret"], issuer=settings.council_name)
        context["qr_code"] = Markup(second_factor.qr_code_svg(uri))  # noqa: S704  (segno's SVG of our own URI)
    return page(request, "security.html", context, signed=signed, status_code=status_code)


@router.post("/security/enrol", response_class=HTMLResponse)
def enrol(
    request: Request,
    signed: SettingUpChecked,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str, Form(max_length=20)],
) -> HTMLResponse:
    """Turn two-step sign-in on once the officer types a code their app made; show the recovery codes once."""
    officer = session.get_one(Officer, signed.officer.id)
    codes = second_factor.confirm_enrolment(
        session, officer, code=code, now=utcnow(), seal=settings.second_factor_seal()
    )
    if codes is None:
        return _security(
            request,
            signed,
            session,
            settings,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            error="That code is not right. Check the app shows the council's entry and type the 6 digits it shows now.",
        )
    return _recovery_codes(request, signed, session, settings, codes)


@router.post("/security/recovery-codes", response_class=HTMLResponse)
def replace_recovery_codes(
    request: Request, signed: Checked, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Make a new set of recovery codes (the old ones stop working)."""
    officer = session.get_one(Officer, signed.officer.id)
    if not officer.second_factor_enrolled:
        return _security(request, signed, session, settings, error=None)
    return _recovery_codes(request, signed, session, settings, second_factor.new_recovery_codes(session, officer))


def _recovery_codes(
    request: Request, signed: SignedIn, session: Session, settings: Settings, codes: list[str]
) -> HTMLResponse:
    """Show the recovery codes; a session that had to enrol becomes a full one, under a new cookie."""
    if signed.stage != "enrol":
        return page(request, "recovery_codes.html", {"codes": codes}, signed=signed)
    found = session.get_one(OfficerSession, session_token_hash(signed.token))
    promoted = promote(session, found, now=utcnow(), policy=policy(settings))
    full = SignedIn(officer=signed.officer, csrf_token=promoted.opened.csrf_token, token=promoted.token)
    response = page(request, "recovery_codes.html", {"codes": codes}, signed=full)
    set_cookie(response, request, SESSION_COOKIE, promoted.token)
    return response
