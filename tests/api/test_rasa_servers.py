"""The hub over several Rasa servers: one conversation sticks to one server, and moves when that one is down.

Rasa's REST channel is answered in-process per server (by host name); "down" is a refused connection, as a
stopped server gives. The real thing, two Rasa servers and one killed mid-conversation, is
tests/e2e/test_rasa_failover.py.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conversations.rasa_client import BotReply, RasaClient, RasaUnavailable, parse_urls, servers_in_order
from api.main import create_app
from api.settings import Settings
from tests.support.hub import start
from tests.support.metrics import METRICS_TOKEN, scrape, value

SERVERS = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]


class Servers:
    """Three Rasa servers answered in-process; each records who it answered, and any can be stopped."""

    def __init__(self) -> None:
        self.answered: Counter[str] = Counter()
        self.senders: dict[str, set[str]] = {}
        self.down: set[str] = set()
        self.dropping: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        server = f"http://{request.url.host}:{request.url.port}"
        if server in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if server in self.dropping:
            raise httpx.RemoteProtocolError("server disconnected without sending a response", request=request)
        body = json.loads(request.content)
        self.answered[server] += 1
        self.senders.setdefault(body["sender"], set()).add(server)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"answered by {server}"}])


def send(rasa: RasaClient, **message: str) -> list[BotReply]:
    """Send one message as the hub does, in an event loop of its own."""
    return asyncio.run(rasa.send(**message))


def client_for(servers: Servers) -> RasaClient:
    return RasaClient(",".join(SERVERS), timeout=5, transport=httpx.MockTransport(servers))


def test_urls_come_as_one_or_a_comma_list() -> None:
    assert parse_urls("http://127.0.0.1:5005") == ["http://127.0.0.1:5005"]
    assert parse_urls(" http://a:5005/, http://b:5006 ,") == ["http://a:5005", "http://b:5006"]
    with pytest.raises(ValueError):
        parse_urls(" , ")


def test_each_conversation_sticks_to_one_server_and_conversations_spread_over_all() -> None:
    servers = Servers()
    rasa = client_for(servers)
    for number in range(60):
        for _ in range(3):
            send(rasa, conversation_id=f"conversation-{number}", text="hello")

    assert all(len(used) == 1 for used in servers.senders.values())
    assert set(servers.answered) == set(SERVERS)
    assert min(servers.answered.values()) >= 3 * 8  # no server left nearly idle (an even share is 60)


def test_losing_a_server_moves_only_its_conversations() -> None:
    ids = [f"conversation-{n}" for n in range(200)]
    before = {c: servers_in_order(c, SERVERS)[0] for c in ids}
    after = {c: servers_in_order(c, SERVERS[:2])[0] for c in ids}

    moved = [c for c in ids if before[c] != after[c]]
    assert moved and all(before[c] == SERVERS[2] for c in moved)


def test_a_refused_connection_sends_the_message_to_the_next_server_and_later_ones_follow_it() -> None:
    servers = Servers()
    rasa = client_for(servers)
    conversation = "conversation-7"
    first, second = servers_in_order(conversation, SERVERS)[:2]
    send(rasa, conversation_id=conversation, text="hello")
    servers.down.add(first)

    replies = send(rasa, conversation_id=conversation, text="still there?")
    replies += send(rasa, conversation_id=conversation, text="and now?")

    assert [reply.text for reply in replies] == [f"answered by {second}"] * 2
    assert servers.answered[first] == 1  # skipped while marked down, not asked again each time


def test_a_server_back_up_gets_its_conversations_back_after_the_retry_time() -> None:
    servers = Servers()
    rasa = RasaClient(SERVERS, timeout=5, transport=httpx.MockTransport(servers), retry_after=0)
    conversation = "conversation-3"
    first = servers_in_order(conversation, SERVERS)[0]
    servers.down.add(first)
    send(rasa, conversation_id=conversation, text="hello")
    servers.down.clear()

    assert send(rasa, conversation_id=conversation, text="hello again")[0].text == f"answered by {first}"


def test_every_server_down_is_rasa_unavailable() -> None:
    servers = Servers()
    servers.down.update(SERVERS)
    with pytest.raises(RasaUnavailable):
        send(client_for(servers), conversation_id="conversation-1", text="hello")


def test_a_dropped_connection_is_not_sent_again_but_the_server_is_skipped_next_time() -> None:
    # It may have handled the message already; sending it to another server could answer it twice.
    servers = Servers()
    rasa = client_for(servers)
    conversation = "conversation-9"
    first, second = servers_in_order(conversation, SERVERS)[:2]
    servers.dropping.add(first)

    with pytest.raises(RasaUnavailable):
        send(rasa, conversation_id=conversation, text="hello")
    assert servers.answered == Counter()
    assert send(rasa, conversation_id=conversation, text="hello?")[0].text == f"answered by {second}"


def test_the_hub_fails_over_and_counts_it_on_metrics(database_url, monkeypatch) -> None:
    monkeypatch.setenv("CA_METRICS_TOKEN", METRICS_TOKEN)
    servers = Servers()
    app = create_app(
        Settings(database_url=database_url, environment="test", document_retry_seconds=0, rasa_url=",".join(SERVERS))
    )
    app.state.rasa = client_for(servers)
    with TestClient(app) as client:
        conversation_id, auth = start(client)
        servers.down.add(servers_in_order(conversation_id, SERVERS)[0])
        before = scrape(client)

        response = client.post(
            f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}, headers=auth
        )

        assert response.status_code == 200
        assert response.json()["messages"][0]["text"].startswith("answered by")
        after = scrape(client)
    assert value(after, "ca_rasa_failovers_total") - value(before, "ca_rasa_failovers_total") == 1
    assert ("ca_hub_queue_length", frozenset()) in after
