"""Rasa's and the action server's logs hold no resident's text, slot value or tracker, even when an action fails.

Evidence (issue 10): an action that raises makes the action server log the exception's message and answer
Rasa with the whole request (the tracker) as the error body, which Rasa then logs inside its own exception.
Each test runs the real logging set-up in a separate process, once without the project's logging config
(showing the leak the test would catch) and once with it.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LOGGING_CONFIG = "bot/privacy/logging.yml"
PYTHON = sys.executable

# What `rasa run` does on start (rasa/__main__.py), then the log calls Rasa makes when a custom action fails
# (processor.py: logger.exception over RasaException from ClientResponseError with the action server's body)
# and when handling a message fails (channels/rest.py: a structlog line with the text), and a debug line.
RASA_LOGGING = """
import logging, sys, structlog
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.io import configure_colored_logging
from rasa.utils.log_utils import configure_structlog
from rasa.utils.endpoints import ClientResponseError
from rasa.shared.exceptions import RasaException
config, canary, body = sys.argv[1] or None, sys.argv[2], sys.argv[3]
configure_logging_and_warnings(None, config, warn_only_once=True, filter_repeated_logs=True)
configure_colored_logging(None)
configure_structlog(None)
try:
    try:
        raise ClientResponseError(500, "Internal Server Error", body)
    except ClientResponseError as error:
        raise RasaException("Failed to execute custom action 'action_check_identity'") from error
except RasaException:
    logging.getLogger("rasa.core.processor").exception("Encountered an exception while running action")
try:
    raise KeyError(canary)
except KeyError:
    structlog.get_logger().exception("rest.message.received.failure", text=canary)
logging.getLogger("rasa").setLevel(logging.DEBUG)
logging.getLogger("rasa.core.processor").debug(f"Received user message '{canary}'")
"""


def canary() -> str:
    return f"Quillon Zarathustra{secrets.token_hex(3)}"


def tracker_body(name: str) -> str:
    """The action server's 500 body: its error and the request it was given, i.e. the whole tracker."""
    return json.dumps(
        {
            "error": f"no elector called {name}",
            "request_body": {"tracker": {"slots": {"full_name": name}, "latest_message": {"text": name}}},
        }
    )


def rasa_log(config: str, name: str) -> str:
    run = subprocess.run(
        [PYTHON, "-c", RASA_LOGGING, config, name, tracker_body(name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="INFO"),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout + run.stderr


def test_rasa_logs_a_failing_action_without_the_tracker_or_the_resident_s_text() -> None:
    name = canary()
    assert name in rasa_log("", name)  # Rasa's own logging writes it out

    logged = rasa_log(LOGGING_CONFIG, name)

    assert name not in logged and name.split()[1] not in logged
    assert "Encountered an exception while running action" in logged and "ClientResponseError" in logged
    assert "rest.message.received.failure" in logged and "KeyError" in logged


JSON_CONFIG = "bot/privacy/logging-json.yml"
REQUEST_ID = "0123456789abcdef0123456789abcdef"


def test_the_production_json_logs_are_one_object_a_line_and_just_as_private() -> None:
    name = canary()

    logged = rasa_log(JSON_CONFIG, name)

    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    assert name not in logged and name.split()[1] not in logged
    assert any(
        line["message"] == "Encountered an exception while running action"
        and "ClientResponseError" in line["traceback"]
        for line in lines
    ), lines
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)


def test_rasas_rest_channel_tags_its_log_lines_with_the_hubs_request_id() -> None:
    script = """
import asyncio, logging, sys
from types import SimpleNamespace
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.io import configure_colored_logging
from bot.channels import TracedRestInput
configure_logging_and_warnings(None, sys.argv[1], warn_only_once=True, filter_repeated_logs=True)
configure_colored_logging(None)
for number, metadata in enumerate(({"channel": "web", "request_id": sys.argv[2]}, {"request_id": "Jane Smith"}, None)):
    async def handle():
        TracedRestInput().get_metadata(SimpleNamespace(json={"sender": "c", "message": "hi", "metadata": metadata}))
        logging.getLogger("rasa.core.processor").info("handled a message (%d)", number)  # Rasa drops repeats
    asyncio.run(handle())
"""
    run = subprocess.run(
        [PYTHON, "-c", script, JSON_CONFIG, REQUEST_ID],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert run.returncode == 0, run.stderr[-2000:]

    lines = [json.loads(line) for line in (run.stdout + run.stderr).splitlines() if "handled a message" in line]
    assert [line.get("request_id") for line in lines] == [REQUEST_ID, None, None]
    assert "Jane" not in run.stdout + run.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def action_server_log(tmp_path: Path, config: str | None, name: str) -> tuple[str, httpx.Response]:
    """Run the real action server with a failing action, ask it to run the action for ``name``; return its log."""
    port, log_path = free_port(), tmp_path / f"actions-{bool(config)}.log"
    command = [PYTHON, "-m", "rasa_sdk", "--actions", "tests.support.failing_actions", "--port", str(port)]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, *(["--logging-config_file", config] if config else [])],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=str(ROOT), SANIC_HOST="127.0.0.1"),
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, log_path.read_text()
                time.sleep(0.3)
        call = {
            "next_action": "action_that_fails",
            "sender_id": "conversation-1",
            "version": "3.6.2",
            "domain": {},
            "tracker": {
                "sender_id": "conversation-1",
                "slots": {"full_name": name},
                "events": [],
                "latest_message": {"text": f"my name is {name}", "intent": {}, "entities": []},
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": None,
            },
        }
        response = httpx.post(f"http://127.0.0.1:{port}/webhook", json=call, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return log_path.read_text(), response


def test_the_action_server_logs_a_failing_action_without_the_resident_s_details(tmp_path: Path) -> None:
    name = canary()
    unfiltered, _ = action_server_log(tmp_path, None, name)
    assert name in unfiltered  # rasa-sdk's own logging writes it out

    logged, response = action_server_log(tmp_path, LOGGING_CONFIG, name)

    assert response.status_code == 500
    assert name not in logged and name.split()[1] not in logged
    assert "Exception occurred during execution of request" in logged and "ValueError" in logged
