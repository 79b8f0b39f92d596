"""The public web page with the chat widget, and the static files it loads."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from council import council_facts

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")

# The page loads only its own script and stylesheet and talks only to the hub on the same origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

router = APIRouter(tags=["web"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def contact_page(request: Request) -> HTMLResponse:
    """Render the council's "Contact us" page with the chat widget."""
    return _page(request, "index.html", page="contact")


@router.get("/accessibility", response_class=HTMLResponse, include_in_schema=False)
def accessibility_statement(request: Request) -> HTMLResponse:
    """Render the accessibility statement: what was tested, known limits and how to report a problem."""
    return _page(request, "accessibility.html", page="accessibility")


def _page(request: Request, template: str, *, page: str) -> HTMLResponse:
    settings = request.app.state.settings
    context = {
        "council_name": settings.council_name,
        "council_phone": settings.council_phone,
        "page": page,
        "council": council_facts(),
    }
    return templates.TemplateResponse(request, template, context, headers=SECURITY_HEADERS)


def mount_static(app: FastAPI) -> None:
    """Serve the widget's script, stylesheet and images at /static."""
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
