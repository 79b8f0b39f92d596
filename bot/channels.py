"""Rasa's REST channel, as the hub calls it, with the hub's request id set for every log line of the message.

The hub puts a request id in each message's metadata (api/observability/requests.py). Setting it here, in the
task that handles the message, gives Rasa's own log lines that id (bot/privacy/logs.py adds it to every record),
so one message can be followed through the hub, Rasa, the actions and the back office. The channel keeps the
name "rest", so its webhook stays /webhooks/rest/webhook; credentials.yml names this class instead of "rest".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels import rest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_speedups
from bot.privacy.logs import REQUEST_ID, valid_request_id

log = logging.getLogger(__name__)

# Rasa imports this module when it loads its channels (credentials.yml), before it answers anything.
rasa_speedups.install()


class NamedResponses(CollectingOutputChannel):
    """Collect the bot's messages as the REST channel does, each with the name of the domain response it came from.

    The hub needs it to tell one answer from another without matching its words: after its own card warning it
    leaves out the bot's (``utter_card_details``), so a resident who typed a card number is warned once.
    """

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Collect the message's items, naming the response (Rasa's ``utter_action``) in each."""
        name = message.get("utter_action")
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if isinstance(name, str):
            for item in self.messages[before:]:
                item["response"] = name


# RestInput's webhook builds its collector by this module-level name when a message comes in.
rest.CollectingOutputChannel = NamedResponses


class TracedRestInput(RestInput):
    """The REST channel; it also sets the log request id from the message's metadata.

    Its health check (GET /webhooks/rest/, the readiness check of the stack, compose and Kubernetes) says 503
    until the server has a model to answer with: Rasa's own says "ok" even when the model failed to load, and
    every message then gets an empty answer ("Ignoring message as there is no agent to handle it").
    """

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Return Rasa's REST blueprint, its health check answering 503 while no model is loaded."""
        webhook: Blueprint = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def ready_only_with_a_model(request: Request) -> HTTPResponse | None:
            if request.method == "GET" and request.path.rstrip("/").endswith("/webhooks/rest"):
                agent = getattr(request.app.ctx, "agent", None)
                if agent is None or not agent.is_ready():
                    return response.json({"status": "no model loaded"}, status=503)
            return None

        return webhook

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Return the message's metadata, after setting its request id (if it has a valid one) for the logs."""
        given = super().get_metadata(request)
        metadata: dict[str, Any] | None = given if isinstance(given, dict) else None
        request_id = valid_request_id(metadata.get("request_id") if metadata else None)
        REQUEST_ID.set(request_id)
        # The id in the text too: Rasa drops a log line that repeats the one before it word for word.
        log.info("message from the hub, request %s", request_id or "without an id")
        return metadata
