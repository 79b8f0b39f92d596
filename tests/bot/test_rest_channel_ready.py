"""Rasa's REST channel says it is ready only once it has a model to answer with.

The stack (scripts/stack.py), compose.yaml and the Kubernetes readiness probe wait on GET /webhooks/rest/. Rasa's
own health check there says "ok" as soon as Sanic listens, model or not: a Rasa server whose model failed to load
(found in a load run: the spaCy pipeline was missing) was taken as ready, and every message sent to it got an
empty answer ("Ignoring message as there is no agent to handle it"). This serves the project's REST channel
(bot/channels.py) on a real Sanic server with Rasa's Agent before a model is loaded, as `rasa run` has it then.
"""

from __future__ import annotations

import asyncio
import socket

import httpx
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels import TracedRestInput


async def health_of_a_rasa_server_with(agent: Agent) -> httpx.Response:
    app = Sanic(f"rasa_{id(agent)}")

    async def on_new_message(message: UserMessage) -> None:
        return None

    app.blueprint(TracedRestInput().blueprint(on_new_message), url_prefix="/webhooks/rest")
    app.ctx.agent = agent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            return await client.get("/webhooks/rest/")
    finally:
        server.close()
        await server.wait_closed()


def test_a_rasa_server_without_a_model_is_not_ready() -> None:
    answer = asyncio.run(health_of_a_rasa_server_with(Agent()))
    assert answer.status_code == 503
    assert answer.json() == {"status": "no model loaded"}
