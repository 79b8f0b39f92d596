"""How every console page is drawn: the templates, the headers every page carries, and a kind refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api.console.service import TEAM_OF_ROLE
from api.console.sessions import SignedIn, wants_json
from api.settings import Settings
from api.web.router import SECURITY_HEADERS

PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def page(
    request: Request, name: str, context: dict[str, Any], *, signed: SignedIn | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a console template with the council's name, the officer, their team and the CSRF token."""
    settings: Settings = request.app.state.settings
    base = {
        "council_name": settings.council_name,
        "officer": signed.officer if signed else None,
        "team": TEAM_OF_ROLE.get(signed.officer.role) if signed else None,
        "csrf_token": signed.csrf_token if signed else None,
    }
    return templates.TemplateResponse(request, name, base | context, status_code=status_code, headers=PAGE_HEADERS)


def refusal(request: Request, signed: SignedIn, message: str, status_code: int) -> Response:
    """Say kindly why the officer may not do this: a page for the browser, JSON for a page's script."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return page(
        request, "message.html", {"title": "Not available", "message": message}, signed=signed, status_code=status_code
    )
