"""Only a hopeless wait is refused: then the resident is told "busy" at once, and nothing is lost.

Rasa is answered in-process and held: its answers wait until the test lets them go, so the server stays "behind"
for as long as the test needs. The hub sends ``rasa_in_flight`` messages to a server at a time and keeps up to
``rasa_max_queued`` more waiting their turn; the next resident gets a 503 with ``Retry-After`` and a sentence with
the council's number and an officer offer, instead of waiting towards a hopeless turn.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conversations.backlog import Backlog, RasaBusy
from api.conversations.rasa_client import RasaClient
from api.main import create_app
from api.settings import DEV_TELEGRAM_TOKEN, Settings
from tests.support.hub import start

RASA = "http://rasa.invalid"
PHONE = "01632 960 123"


class HeldRasa:
    """A Rasa server whose answers wait until ``release`` is set (without blocking the hub's event loop)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.received: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append(body["message"])
        deadline = time.monotonic() + 30
        while not self.release.is_set():
            assert time.monotonic() < deadline, "the test never released Rasa"
            await asyncio.sleep(0.01)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}])


@pytest.fixture
def held() -> Iterator[HeldRasa]:
    rasa = HeldRasa()
    yield rasa
    rasa.release.set()


@pytest.fixture
def busy_hub(database_url: str, held: HeldRasa) -> Iterator[TestClient]:
    """A hub that sends its one Rasa server one message at a time and lets two more wait their turn."""
    app = create_app(
        Settings(
            database_url=database_url, environment="test", document_retry_seconds=0, rasa_in_flight=1, rasa_max_queued=2
        )
    )
    app.state.rasa = RasaClient(RASA, timeout=30, transport=httpx.MockTransport(held), in_flight=1, max_queued=2)
    with TestClient(app) as client:
        yield client


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait (up to 30 s) for what other threads are doing to reach a state; no timing is measured."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the state was never reached"
        time.sleep(0.02)


def fill_the_server(client: TestClient, pool: ThreadPoolExecutor) -> list:
    """Three residents: one message Rasa works on, two waiting their turn (the line is full)."""
    rasa: RasaClient = client.app.state.rasa  # type: ignore[attr-defined]
    waiting = []
    for n in range(3):
        conversation, auth = start(client)
        url = f"/api/chat/conversations/{conversation}/messages"
        waiting.append(pool.submit(client.post, url, json={"text": f"question {n}"}, headers=auth))
        wait_until(lambda n=n: rasa.backlog.sent(RASA) + rasa.backlog.waiting(RASA) == n + 1)  # in this order
    return waiting


def test_a_resident_gets_a_kind_busy_answer_at_once_and_the_message_is_kept(busy_hub, held) -> None:
    client = busy_hub
    with ThreadPoolExecutor(max_workers=3) as pool:
        waiting = fill_the_server(client, pool)
        conversation, auth = start(client)

        response = client.post(
            f"/api/chat/conversations/{conversation}/messages", json={"text": "when is bin day?"}, headers=auth
        )

        assert response.status_code == 503
        assert response.headers["Retry-After"] == "60"
        detail = response.json()["detail"]
        assert "try again in a minute" in detail and PHONE in detail and "officer" in detail
        assert "Traceback" not in response.text
        transcript = client.get(f"/api/chat/conversations/{conversation}/messages", headers=auth).json()["messages"]
        assert [(m["sender"], m["text"]) for m in transcript] == [("resident", "when is bin day?")]
        assert "when is bin day?" not in held.received  # it was not sent, nor left waiting behind the others

        held.release.set()
        answered = [future.result() for future in waiting]
    assert [r.status_code for r in answered] == [200, 200, 200]
    assert [r.json()["messages"][0]["text"] for r in answered] == [f"You said: question {n}" for n in range(3)]
    # Once the server has room again, the same resident is answered.
    again = client.post(f"/api/chat/conversations/{conversation}/messages", json={"text": "hello"}, headers=auth)
    assert again.status_code == 200 and again.json()["messages"][0]["text"] == "You said: hello"


def test_asking_for_an_officer_while_the_bot_is_busy_is_taken_by_the_hub(busy_hub, held) -> None:
    client = busy_hub
    with ThreadPoolExecutor(max_workers=3) as pool:
        fill_the_server(client, pool)
        conversation, auth = start(client)

        response = client.post(
            f"/api/chat/conversations/{conversation}/messages", json={"text": "officer"}, headers=auth
        )
        held.release.set()

    assert response.status_code == 200
    [reply] = response.json()["messages"]
    assert reply["sender"] == "system" and "I've asked an officer to pick up this chat" in reply["text"]
    assert "officer" not in held.received


def test_a_busy_telegram_chat_hears_so_in_the_chat_and_the_update_is_taken_once(busy_hub, held) -> None:
    client = busy_hub
    telegram = {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"}
    with ThreadPoolExecutor(max_workers=3) as pool:
        fill_the_server(client, pool)
        update = {"update_id": 7, "chat_id": 4242, "text": "when is bin day?"}

        first = client.post("/api/v1/telegram/updates", json=update, headers=telegram)
        again = client.post("/api/v1/telegram/updates", json=update, headers=telegram)
        held.release.set()

    assert first.status_code == 200 and first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True
    outbox = client.get("/api/v1/telegram/outbox", headers=telegram).json()["messages"]
    [busy] = [m for m in outbox if m["chat_id"] == 4242]
    assert "try again in a minute" in busy["text"] and PHONE in busy["text"]


def test_messages_waiting_their_turn_are_answered_and_a_residents_second_message_never_overtakes_the_first(
    busy_hub, held
) -> None:
    client = busy_hub
    rasa: RasaClient = client.app.state.rasa  # type: ignore[attr-defined]
    order = client.app.state.conversation_order  # type: ignore[attr-defined]
    with ThreadPoolExecutor(max_workers=3) as pool:
        other, other_auth = start(client)
        occupying = pool.submit(
            client.post, f"/api/chat/conversations/{other}/messages", json={"text": "occupy"}, headers=other_auth
        )
        wait_until(lambda: rasa.backlog.sent(RASA) == 1)
        conversation, auth = start(client)
        url = f"/api/chat/conversations/{conversation}/messages"
        first = pool.submit(client.post, url, json={"text": "first"}, headers=auth)
        wait_until(lambda: rasa.backlog.waiting(RASA) == 1)  # "first" waits its turn on the server
        second = pool.submit(client.post, url, json={"text": "second"}, headers=auth)
        wait_until(lambda: order.waiting(conversation) == 2)  # "second" waits behind "first"

        held.release.set()
        responses = [occupying.result(), first.result(), second.result()]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert held.received == ["occupy", "first", "second"]
    transcript = client.get(url, headers=auth).json()["messages"]
    assert [(m["sender"], m["text"]) for m in transcript] == [
        ("resident", "first"),
        ("bot", "You said: first"),
        ("resident", "second"),
        ("bot", "You said: second"),
    ]


class Clock:
    """A clock the test moves: a Rasa answer "takes" as long as the test says."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def answer_taking(backlog: Backlog, clock: Clock, seconds: float) -> None:
    """One message alone on the server, answered after ``seconds``."""
    async with backlog.turn(RASA):
        clock.now += seconds


class Line:
    """Messages of one test holding or waiting for their turn on the server; each leaves when the test says."""

    def __init__(self, backlog: Backlog) -> None:
        self.backlog = backlog
        self.tasks: list[asyncio.Task[None]] = []
        self.served: list[int] = []
        self.done: dict[int, asyncio.Event] = {}

    async def join(self, count: int = 1) -> None:
        """Add ``count`` messages and wait until each holds a turn or waits in line."""
        for _ in range(count):
            number = len(self.tasks)
            self.done[number] = asyncio.Event()
            self.tasks.append(asyncio.create_task(self._message(number)))
            while self.backlog.sent(RASA) + self.backlog.waiting(RASA) < len(self.tasks) - self._finished():
                await asyncio.sleep(0)

    async def _message(self, number: int) -> None:
        async with self.backlog.turn(RASA):
            self.served.append(number)
            await self.done[number].wait()

    def _finished(self) -> int:
        return sum(task.done() for task in self.tasks)

    async def finish(self, number: int) -> None:
        """Let message ``number`` be answered (it must hold a turn)."""
        self.done[number].set()
        await self.tasks[number]

    async def leave(self) -> None:
        """Cancel every message still holding or waiting."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def test_only_a_wait_past_the_limit_at_the_servers_measured_pace_is_refused() -> None:
    async def scenario() -> None:
        clock = Clock()
        backlog = Backlog(in_flight=2, max_queued=500, busy_after=180, clock=clock)
        await answer_taking(backlog, clock, 10.0)  # 10 s over a message, two at a time: a place costs 5 s
        line = Line(backlog)
        await line.join(2 + 35)  # two sent, 35 waiting
        assert backlog.expected_wait(RASA, 35) == pytest.approx(180.0)
        await line.join()  # 180 s is not past the limit: it waits its turn
        assert backlog.waiting(RASA) == 36
        with pytest.raises(RasaBusy):  # 185 s is: refused at once, nothing waits
            await answer_taking(backlog, clock, 0)
        assert backlog.waiting(RASA) == 36
        await line.leave()
        assert (backlog.sent(RASA), backlog.waiting(RASA)) == (0, 0)

    asyncio.run(scenario())


def test_before_any_answer_is_timed_only_the_cap_on_the_line_refuses() -> None:
    async def scenario() -> None:
        backlog = Backlog(in_flight=1, max_queued=50, busy_after=1, clock=Clock())
        line = Line(backlog)
        await line.join(1 + 50)  # nothing timed yet: a 1 s limit refuses nobody
        with pytest.raises(RasaBusy):
            await answer_taking(backlog, Clock(), 0)
        await line.leave()

    asyncio.run(scenario())


def test_turns_come_in_order_of_arrival_and_a_message_that_leaves_the_line_gives_up_its_place() -> None:
    async def scenario() -> None:
        backlog = Backlog(in_flight=1, max_queued=0, busy_after=0)
        line = Line(backlog)
        await line.join(4)
        assert (backlog.sent(RASA), backlog.waiting(RASA)) == (1, 3)
        line.tasks[1].cancel()  # the resident waiting first went away
        await asyncio.gather(line.tasks[1], return_exceptions=True)
        assert backlog.waiting(RASA) == 2
        await line.finish(0)
        await asyncio.sleep(0)
        assert line.served == [0, 2]
        await line.finish(2)
        await line.finish(3)
        assert line.served == [0, 2, 3]
        assert (backlog.sent(RASA), backlog.waiting(RASA)) == (0, 0)

    asyncio.run(scenario())


def test_a_timed_out_answer_teaches_the_pace_and_a_refused_connection_does_not() -> None:
    async def scenario() -> None:
        clock = Clock()
        backlog = Backlog(in_flight=1, max_queued=0, busy_after=180, clock=clock)
        with pytest.raises(httpx.ReadTimeout):
            async with backlog.turn(RASA):
                clock.now += 30
                raise httpx.ReadTimeout("no answer")
        assert backlog.expected_wait(RASA, 0) == pytest.approx(30.0)
        with pytest.raises(httpx.ConnectError):
            async with backlog.turn("http://other.invalid"):
                clock.now += 30
                raise httpx.ConnectError("refused")
        assert backlog.expected_wait("http://other.invalid", 0) is None
        assert backlog.sent("http://other.invalid") == 0

    asyncio.run(scenario())
