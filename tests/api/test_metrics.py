"""Prometheus metrics at /metrics and readiness at /api/ready, on the hub with Rasa answered in-process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.db import Database
from api.main import create_app
from api.settings import Settings
from tests.support.hub import start
from tests.support.metrics import METRICS_TOKEN, SCRAPE, scrape, value
from tests.support.rasa_fakes import rasa_down, rasa_offering_a_person

MESSAGES_ROUTE = "/api/chat/conversations/{conversation_id}/messages"


@pytest.fixture
def scraped_client(make_client, monkeypatch):
    """make_client, with a metrics token set, so the test scrapes as the council's Prometheus would."""
    monkeypatch.setenv("CA_METRICS_TOKEN", METRICS_TOKEN)
    return make_client


def test_a_resident_message_moves_the_message_rasa_and_route_metrics(scraped_client) -> None:
    client = scraped_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    before = scrape(client)

    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}, headers=auth)

    assert response.status_code == 200
    after = scrape(client)
    assert (
        value(after, "ca_messages_total", sender="resident") - value(before, "ca_messages_total", sender="resident")
        == 1
    )
    assert value(after, "ca_messages_total", sender="bot") - value(before, "ca_messages_total", sender="bot") == 2
    assert (
        value(after, "ca_rasa_call_seconds_count", outcome="ok")
        - value(before, "ca_rasa_call_seconds_count", outcome="ok")
        == 1
    )
    assert (
        value(after, "ca_http_requests_total", method="POST", route=MESSAGES_ROUTE, status="2xx")
        - value(before, "ca_http_requests_total", method="POST", route=MESSAGES_ROUTE, status="2xx")
        == 1
    )
    assert (
        value(after, "ca_http_request_seconds_count", method="POST", route=MESSAGES_ROUTE)
        - value(before, "ca_http_request_seconds_count", method="POST", route=MESSAGES_ROUTE)
        == 1
    )


def test_rasa_down_counts_an_error_and_the_hubs_own_handoff(scraped_client) -> None:
    client = scraped_client(rasa_down)
    conversation_id, auth = start(client)
    before = scrape(client)

    client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}, headers=auth)
    client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": "/request_officer"}, headers=auth)

    after = scrape(client)
    assert (
        value(after, "ca_rasa_call_seconds_count", outcome="error")
        - value(before, "ca_rasa_call_seconds_count", outcome="error")
        == 2
    )
    assert (
        value(after, "ca_handoffs_total", reason="bot_unavailable")
        - value(before, "ca_handoffs_total", reason="bot_unavailable")
        == 1
    )


def test_metrics_hold_no_ids_tokens_or_words_from_the_chat(scraped_client) -> None:
    client = scraped_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    words = "Zebedee Quince born 03/04/1961 at TN41 2LB account CT12345678"
    client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": words}, headers=auth)
    client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth)
    client.get(f"/api/chat/conversations/{conversation_id}/events-typo?token={auth['Authorization'][7:]}")

    text = client.get("/metrics", headers=SCRAPE).text
    # Only names, label values and help text could carry a chat's words; a sample's value is a number, and a
    # timestamp like 1.7962904196e+09 (a *_created sample) may contain "1961" by chance.
    described = "\n".join(line.rsplit(" ", 1)[0] for line in text.splitlines())

    for secret in (
        conversation_id,
        auth["Authorization"][7:],
        "Zebedee",
        "Quince",
        "1961",
        "TN41",
        "CT12345678",
        METRICS_TOKEN,
    ):
        assert secret not in described
    assert 'route="unmatched"' in text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"X-Forwarded-For": "127.0.0.1"}])
def test_metrics_refuse_a_caller_without_the_token(scraped_client, headers) -> None:
    client = scraped_client(rasa_offering_a_person)
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert "ca_" not in response.text


@pytest.mark.parametrize("peer, expected", [("127.0.0.1", 200), ("203.0.113.9", 404)])
def test_without_a_token_only_the_same_machine_may_scrape(database_url, peer, expected) -> None:
    app = create_app(
        Settings(database_url=database_url, environment="test", document_retry_seconds=0, purge_interval_seconds=0)
    )
    with TestClient(app, client=(peer, 40000)) as client:
        response = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == expected


def test_ready_checks_the_database_while_health_only_says_alive(database_url) -> None:
    app = create_app(
        Settings(database_url=database_url, environment="test", document_retry_seconds=0, purge_interval_seconds=0)
    )
    with TestClient(app) as client:
        assert client.get("/api/ready").json() == {"status": "ready", "database": "ok"}
        working = app.state.database
        app.state.database = Database("postgresql+psycopg://postgres@127.0.0.1:1/council")  # nothing listens
        try:
            stopped = client.get("/api/ready")
            assert client.get("/api/health").status_code == 200
        finally:
            app.state.database.engine.dispose()
            app.state.database = working
    assert stopped.status_code == 503
    assert stopped.json() == {"status": "unavailable", "database": "unreachable"}
    assert "Traceback" not in stopped.text


def test_production_refuses_a_short_metrics_token() -> None:
    with pytest.raises(ValueError, match="CA_METRICS_TOKEN"):
        Settings(
            environment="production",
            metrics_token="short",
            secret_key="s" * 40,
            service_tokens="actions:" + "a" * 40 + ",telegram:" + "t" * 40,
        )
