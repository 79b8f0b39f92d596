"""Two real Rasa servers behind the hub (the production profile's layout): one is killed mid-conversation and the
resident's next message is answered by the other, carrying on the same form; and one message's request id is
in the JSON log lines of the hub, Rasa, the action server and the back office.

This is what makes several Rasa servers safe: both read and write one PostgreSQL tracker store (with one seal
key) under Redis's lock store, and the hub moves a conversation whose server refuses the connection to the next
server in its order (api/conversations/rasa_client.py). It starts its own stack with two Rasa servers (about
2-3 GB of memory), so it is kept to this one test.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from stack import (
    JSON_LOGGING_CONFIG,
    Stack,
    ensure_model,
    ensure_postgres_database,
)

from api.conversations.rasa_client import servers_in_order
from tests.support.chat import Resident, buttons, prove_identity, stack_residents, texts
from tests.support.network import free_port

pytestmark = [pytest.mark.stack, pytest.mark.postgres]

POSTGRES = "postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def two_rasa_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack with two Rasa servers, PostgreSQL (back office and tracker store) and Redis; dropped afterwards."""
    if os.environ.get("CA_TEST_POSTGRES") == "off" or os.environ.get("CA_TEST_REDIS") == "off":
        pytest.skip("needs PostgreSQL and Redis (CA_TEST_POSTGRES / CA_TEST_REDIS is off)")
    folder = tmp_path_factory.mktemp("failover")
    names = [f"ca_test_failover_{secrets.token_hex(4)}", f"ca_test_failover_tracker_{secrets.token_hex(4)}"]
    running = Stack(
        api_port=free_port(),
        rasa_ports=[free_port(), free_port()],
        rasa_servers=2,
        actions_port=free_port(),
        smtp_port=free_port(),
        database_url=f"postgresql+psycopg://{POSTGRES}/{names[0]}",
        tracker_url=f"postgresql://{POSTGRES}/{names[1]}",
        redis_url="redis://127.0.0.1:6379/0",
        tracker_db=Path(folder / "unused.db"),
        log_dir=folder / "log",
        mail_dir=folder / "mail",
        unthrottled=True,
        log_config=JSON_LOGGING_CONFIG,
    )
    try:
        for url in (running.database_url, running.tracker_url or ""):
            ensure_postgres_database(url)
        model = ensure_model(quiet=True)
        running.seed()
        running.start(model)
        yield running
    finally:
        running.stop()
        with psycopg.connect(f"postgresql://{POSTGRES}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_rasa_server_killed_mid_conversation_and_the_next_message_is_answered_by_the_other(
    two_rasa_servers: Stack,
) -> None:
    stack = two_rasa_servers
    person = next(r for r in stack_residents(stack.database_url) if r["registration_status"] == "registered")
    chat = Resident(stack.api_url)
    try:
        assert "full name" in texts(chat.say("hi, am I registered to vote?"))
        # The server this conversation sticks to is killed outright (no goodbye), the form half done.
        home = servers_in_order(chat.conversation_id, stack.rasa_urls)[0]
        process = stack.processes[stack.rasa_name(stack.rasa_urls.index(home))]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

        answer = texts(prove_identity(chat, person))

        assert "You're registered to vote" in answer, answer
        assert "trouble answering" not in texts(chat.transcript())
        said = [m["text"] for m in chat.transcript() if m["sender"] == "resident"]
        assert said[0] == "hi, am I registered to vote?" and said[1] == f"my name is {person['name']}"
    finally:
        chat.http.close()


def test_one_messages_request_id_runs_through_the_hub_rasa_the_actions_and_the_back_office(
    two_rasa_servers: Stack,
) -> None:
    stack = two_rasa_servers
    person = stack_residents(stack.database_url)[3]
    chat = Resident(stack.api_url)
    try:
        chat.say("where do I vote?")
        answered = chat.http.post(
            f"/api/chat/conversations/{chat.conversation_id}/messages", json={"text": person["postcode"]}
        )
        answered.raise_for_status()
    finally:
        chat.http.close()
    request_id = answered.headers["X-Request-ID"]

    tagged: dict[str, list[str]] = {}
    for log in sorted(stack.log_dir.glob("*.log")):
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        tagged[log.stem] = [line["message"] for line in lines if line.get("request_id") == request_id]
        assert person["postcode"] not in log.read_text() and person["name"] not in log.read_text()

    rasa = [message for name, messages in tagged.items() if name.startswith("rasa") for message in messages]
    assert any(m.startswith("rasa server") and "answered" in m for m in tagged["api"]), tagged
    assert any(m.startswith("GET /api/v1/addresses answered 200") for m in tagged["api"]), tagged
    assert f"message from the hub, request {request_id}" in rasa, tagged
    assert any(m.startswith("back office GET addresses: HTTP 200") for m in tagged["actions"]), tagged


APOLOGY = "trouble answering"


def _both_servers_up(stack: Stack) -> None:
    """Start again any Rasa server an earlier test killed, and wait until each has its model loaded."""
    model = ensure_model(quiet=True)
    for number in range(stack.rasa_servers):
        if stack.processes[stack.rasa_name(number)].poll() is not None:
            stack.start_rasa(model, number)
    stack.wait_until_ready()


class Journey:
    """One resident checking their registration, who tries a step again (as the apology invites) if it fails."""

    def __init__(self, stack: Stack, person: dict) -> None:
        self.chat = Resident(stack.api_url)
        self.person = person
        self.sent: list[str] = []
        self.apologies = 0
        self.outcome = ""

    def step(self, text: str, expected: str) -> list[dict]:
        """Say ``text`` until the reply is not the apology (at most four times); the reply must hold ``expected``."""
        for _attempt in range(4):
            self.sent.append(text)
            replies = self.chat.say(text)
            if APOLOGY not in texts(replies):
                assert expected in texts(replies), (text, texts(replies))
                return replies
            self.apologies += 1
            time.sleep(5)  # the resident reads the apology, then tries again
        raise AssertionError(f"{text!r} was never answered")

    def name_and_birth(self) -> None:
        self.step(f"my name is {self.person['name']}", "date of birth")

    def finish(self) -> None:
        day, month, year = self.person["date_of_birth"].split("-")[::-1]
        self.step(f"{day}/{month}/{year}", "postcode")
        replies = self.step(self.person["postcode"].lower(), "")
        choices = [b for b in buttons(replies) if b["title"].startswith(self.person["address"])]
        if choices:
            replies = self.step(choices[0]["payload"], "")
        self.outcome = texts(replies)


def test_a_rasa_server_killed_under_load_and_every_conversation_carries_on_with_nothing_lost(
    two_rasa_servers: Stack,
) -> None:
    """Several residents mid-form on both servers; one server is killed while their next answers are being
    handled. Every conversation finishes on the surviving server and every message sent is in the transcript."""
    stack = two_rasa_servers
    _both_servers_up(stack)
    people = [r for r in stack_residents(stack.database_url) if r["registration_status"] == "registered"]
    journeys: list[Journey] = []
    homes: Counter[str] = Counter()
    for person in people:  # three conversations on each server
        journey = Journey(stack, person)
        home = servers_in_order(journey.chat.conversation_id, stack.rasa_urls)[0]
        if homes[home] < 3:
            homes[home] += 1
            journeys.append(journey)
        else:
            journey.chat.http.close()
        if len(journeys) == 6:
            break
    victim = stack.rasa_urls[0]
    try:
        with ThreadPoolExecutor(max_workers=len(journeys)) as pool:
            list(pool.map(lambda j: j.step("hi, am I registered to vote?", "full name"), journeys))
            answering = [pool.submit(j.name_and_birth) for j in journeys]
            process = stack.processes[stack.rasa_name(stack.rasa_urls.index(victim))]
            os.killpg(process.pid, signal.SIGKILL)  # while the answers are being worked out
            process.wait()
            for future in answering:
                future.result()
            list(pool.map(Journey.finish, journeys))

        for journey in journeys:
            assert "You're registered to vote" in journey.outcome, journey.outcome
            said = [m["text"] for m in journey.chat.transcript() if m["sender"] == "resident"]
            assert said == journey.sent, "a message the resident sent is missing from the transcript"
            if servers_in_order(journey.chat.conversation_id, stack.rasa_urls)[0] != victim:
                assert journey.apologies == 0, "a conversation on the surviving server was disturbed"
    finally:
        for journey in journeys:
            journey.chat.http.close()
