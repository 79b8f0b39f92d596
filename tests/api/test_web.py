"""The public page: it shows the council's own name and number, loads its widget, and locks itself down."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


def test_the_page_uses_the_councils_settings_and_serves_its_widget(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, environment="test", council_name="Testshire Council", council_phone="01632 960 777"
    )
    with TestClient(create_app(settings)) as client:
        page = client.get("/")
        script = client.get("/static/chat.js")

    assert page.status_code == 200
    assert "Testshire Council" in page.text and "01632 960 777" in page.text
    assert 'data-testid="chat-launcher"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
