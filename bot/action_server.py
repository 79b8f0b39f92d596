"""The action server: rasa-sdk's app, answering only Rasa, and passing on the hub's conversation grant.

rasa-sdk's server runs any action for anyone who can reach it, with whatever tracker they send; one
unauthenticated POST to /webhook naming a verified conversation once returned that resident's record.
This wrapper (run as ``python -m bot.action_server``, with rasa-sdk's own command-line options) adds:

- a shared secret: every request but /health must carry ``Authorization: Bearer <CA_ACTIONS_SECRET>``,
  which Rasa sends from endpoints.yml; anything else gets 401 before an action runs;
- the conversation grant: the hub puts a short-lived signed grant in each message's metadata, and the
  grant of the message being answered is set for the action's back-office calls (bot.backoffice), which
  the back office checks against the conversation the call names (api.service_access.grants);
- the request id the hub put beside the grant, set for the action's log lines and back-office calls, so
  one resident message can be followed through every log (bot/privacy/logs.py).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import sys
import zlib
from typing import Any, cast

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.endpoint import create_argument_parser
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.backoffice import CONVERSATION_GRANT
from bot.privacy.logs import REQUEST_ID, valid_request_id
from bot.settings import get_settings

log = logging.getLogger(__name__)

OPEN_PATHS = ("/health",)
# Rasa keeps the metadata of the message that opened a session in this slot, for action_session_start.
SESSION_METADATA_SLOT = "session_started_metadata"


def message_metadata(action_call: Any) -> dict[str, Any]:
    """Return the metadata of the latest message in an action call's tracker (empty if none).

    The latest is whichever came last of the resident's message (its metadata) and a new session's
    metadata slot (set just before action_session_start runs, ahead of the message itself). An older
    message's metadata is never used: it is the message being answered that the call acts for.
    """
    tracker = action_call.get("tracker") if isinstance(action_call, dict) else None
    for event in reversed((tracker or {}).get("events") or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
        elif event.get("event") == "slot" and event.get("name") == SESSION_METADATA_SLOT:
            metadata = event.get("value")
        else:
            continue
        return metadata if isinstance(metadata, dict) else {}
    return {}


def grant_of(action_call: Any) -> str | None:
    """Return the grant of the latest message in an action call's tracker, or None."""
    grant = message_metadata(action_call).get("grant")
    return grant if isinstance(grant, str) and grant else None


def _action_call(request: Request) -> Any:
    """Read the action call as rasa-sdk does (Rasa may deflate it); None if it is not JSON."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            return json.loads(zlib.decompress(request.body))
        return json.loads(request.body or b"null")
    except (ValueError, zlib.error):
        return None


def create_app(actions: str, *, secret: str) -> Sanic:
    """Return rasa-sdk's app for ``actions`` that admits only callers holding ``secret``."""
    app = create_sdk_app(actions, cors_origins=None)  # rasa-sdk is untyped: Any until returned
    expected = f"Bearer {secret}".encode()

    @app.middleware("request")
    async def admit_only_rasa(request: Request) -> HTTPResponse | None:
        # A keep-alive connection serves several requests in one task: clear the previous call's grant and id.
        CONVERSATION_GRANT.set(None)
        REQUEST_ID.set(None)
        if request.path in OPEN_PATHS:
            return None
        presented = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(presented, expected):
            log.warning("action server: refused a request without the shared secret")
            return response.json({"error": "The action server answers Rasa only."}, status=401)
        if request.path == "/webhook":
            call = _action_call(request)
            CONVERSATION_GRANT.set(grant_of(call))
            REQUEST_ID.set(valid_request_id(message_metadata(call).get("request_id")))
        return None

    return cast(Sanic, app)


def main(argv: list[str] | None = None) -> None:
    """Start the action server with rasa-sdk's options, once its settings are safe."""
    args = create_argument_parser().parse_args(argv)
    settings = get_settings()
    problems = settings.unsafe()
    if problems:
        sys.exit("the action server will not start: " + "; ".join(problems))
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = create_app(args.actions or "bot.actions", secret=settings.actions_secret)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    app.run(host, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
