"""The action server answers only Rasa and passes the hub's conversation grant on to the back office.

The real wrapper runs as its own process on a free port (as scripts/stack.py starts it), with a small
HTTP server on loopback standing in for the back office and recording what reaches it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.action_server import grant_of
from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-test-secret-for-the-action-server-0123456789"
CONVERSATION = "conversation-of-a-verified-resident"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BackOfficeRecorder(BaseHTTPRequestHandler):
    """Answer like the back office's DELETE of a verification, and keep each request's method, path and headers."""

    calls: list[dict[str, Any]] = []

    def do_DELETE(self) -> None:
        self.calls.append({"method": "DELETE", "path": self.path, "headers": dict(self.headers)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def backoffice() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BackOfficeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", BackOfficeRecorder.calls
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def action_server(backoffice, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("actions") / "actions.log").open("wb")
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CA_ENVIRONMENT="test",
        CA_ACTIONS_SECRET=SECRET,
        CA_BACKOFFICE_URL=backoffice[0],
        SANIC_HOST="127.0.0.1",
        PYTHONWARNINGS="ignore",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, f"the action server exited; see {log.name}"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the action server did not start"
        time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def session_start_call(*events: dict[str, Any]) -> dict[str, Any]:
    """Rasa's call to run action_session_start for a conversation whose resident had proved who they are."""
    return {
        "next_action": "action_session_start",
        "sender_id": CONVERSATION,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": CONVERSATION,
            "slots": {"identity_verified": True},
            "latest_message": {},
            "events": list(events),
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def user(text: str, grant: str | None) -> dict[str, Any]:
    return {"event": "user", "text": text, "metadata": {"channel": "web", **({"grant": grant} if grant else {})}}


def session_metadata(grant: str) -> dict[str, Any]:
    return {"event": "slot", "name": "session_started_metadata", "value": {"channel": "web", "grant": grant}}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET}, {"Authorization": f"Bearer {SECRET[:-1]}"}],
)
def test_without_the_shared_secret_no_action_runs(action_server, backoffice, headers) -> None:
    before = len(backoffice[1])
    webhook = httpx.post(f"{action_server}/webhook", json=session_start_call(user("hi", "a-grant")), headers=headers)
    listing = httpx.get(f"{action_server}/actions", headers=headers)

    assert webhook.status_code == listing.status_code == 401
    assert CONVERSATION not in webhook.text and "action_" not in listing.text
    assert len(backoffice[1]) == before


def test_health_needs_no_secret(action_server) -> None:
    assert httpx.get(f"{action_server}/health").json() == {"status": "ok"}


def test_rasa_with_the_secret_runs_the_action_and_the_message_grant_goes_to_the_back_office(
    action_server, backoffice
) -> None:
    call = session_start_call(user("hello", "old-grant"), session_metadata("grant-of-this-message"))

    answer = httpx.post(f"{action_server}/webhook", json=call, headers={"Authorization": f"Bearer {SECRET}"})

    assert answer.status_code == 200 and answer.json()["events"][0]["event"] == "session_started"
    last = backoffice[1][-1]
    assert last["path"] == f"/api/v1/electoral/verifications/{CONVERSATION}"
    assert last["headers"]["X-Conversation-Grant"] == "grant-of-this-message"
    assert last["headers"]["Authorization"] == "Bearer dev-service-token-change-me"


def test_the_messages_request_id_goes_to_the_back_office_and_a_malformed_one_does_not(
    action_server, backoffice
) -> None:
    request_id = "0123456789abcdef0123456789abcdef"
    for given, expected in ((request_id, request_id), ("Jane Smith 01/02/1980", None)):
        message = user("hello", "a-grant")
        message["metadata"]["request_id"] = given
        httpx.post(
            f"{action_server}/webhook", json=session_start_call(message), headers={"Authorization": f"Bearer {SECRET}"}
        )

        assert backoffice[1][-1]["headers"].get("X-Request-ID") == expected


def test_an_older_messages_grant_is_never_reused(action_server, backoffice) -> None:
    call = session_start_call(session_metadata("grant-of-an-earlier-message"), user("hello", None))

    httpx.post(f"{action_server}/webhook", json=call, headers={"Authorization": f"Bearer {SECRET}"})

    assert "X-Conversation-Grant" not in backoffice[1][-1]["headers"]


def test_the_grant_is_the_latest_messages() -> None:
    call = {
        "tracker": {
            "events": [
                user("one", "first"),
                {"event": "bot", "text": "ok"},
                user("two", "second"),
                {"event": "action", "name": "action_listen"},
            ]
        }
    }
    assert grant_of(call) == "second"
    assert grant_of({"tracker": {"events": [user("one", "first"), session_metadata("session")]}}) == "session"
    assert grant_of({"tracker": {"events": [user("one", None)]}}) is None
    assert grant_of({"tracker": {"events": [{"event": "user", "metadata": {"grant": 12}}]}}) is None
    assert grant_of(None) is None and grant_of({"tracker": None}) is None and grant_of([]) is None


def test_the_action_server_will_not_start_without_an_environment_or_with_weak_production_secrets() -> None:
    assert BotSettings(environment=None).unsafe() == ["CA_ENVIRONMENT must be development, test or production"]
    assert BotSettings(environment="development").unsafe() == []
    weak = BotSettings(environment="production").unsafe()
    assert "CA_ACTIONS_SECRET holds a development default" in weak
    assert "CA_SERVICE_TOKEN holds a development default" in weak
    assert BotSettings(environment="production", service_token="s" * 32, actions_secret="a" * 32).unsafe() == []
    assert BotSettings(environment="production", service_token="s" * 32, actions_secret="short").unsafe() == [
        "CA_ACTIONS_SECRET holds a secret shorter than 32 characters"
    ]


def test_the_command_refuses_to_start_without_an_environment() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CA_ENVIRONMENT"} | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "CA_ENVIRONMENT must be" in done.stderr
    assert json.dumps(done.stderr)  # a plain message, not a traceback
    assert "Traceback" not in done.stderr
