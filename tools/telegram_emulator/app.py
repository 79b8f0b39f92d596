"""A Telegram Bot API emulated on loopback, for the bridge's tests and for trying the bot locally.

It answers what python-telegram-bot calls (``/bot<token>/<method>``, form or JSON bodies, ``{"ok": ...}``
answers with realistic objects): getMe, getUpdates (long polling with offset and timeout), sendMessage,
sendChatAction, deleteMessage, answerCallbackQuery, editMessageReplyMarkup, setWebhook / deleteWebhook /
getWebhookInfo and the command-menu methods. With a webhook
set it posts each update to it, with the secret-token header, and retries until the webhook answers 2xx.

Around that, a small control API for tests (``/emulator/...``: a user writes in a chat or taps an inline
button, read a chat's messages and the bot's answers to taps) and a page at ``/`` that acts as a Telegram
client for a demo user.

Run it: ``python -m tools.telegram_emulator --port 8081 --token <token>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)

CLIENT = Path(__file__).resolve().parent / "client"
DEMO_TOKEN = "123456:demo-token-for-the-local-emulator"  # noqa: S105  (a made-up token for loopback only)
DEMO_CHAT_ID = 424242
# Parameters whose form values are plain strings; python-telegram-bot JSON-encodes every other one.
STRING_PARAMETERS = {"text", "url", "secret_token", "parse_mode", "action", "ip_address", "language_code"}
LONGEST_POLL_SECONDS = 50.0


class BotApiError(Exception):
    """A failed Bot API call, answered as Telegram does: ok false, an error code and a description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class ChatMessage:
    """A message in a chat, as the control API and the client page show it."""

    message_id: int
    sender: str  # "user" or "bot"
    text: str
    date: int
    reply_markup: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "text": self.text,
            "date": self.date,
            "reply_markup": self.reply_markup,
        }


@dataclass
class BotApi:
    """The state of one emulated bot: pending updates, chats, webhook."""

    token: str
    bot_id: int = field(init=False)
    pending: list[dict[str, Any]] = field(default_factory=list)
    chats: dict[int, list[ChatMessage]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    last_poll: float | None = None
    webhook_set_at: float | None = None
    webhook_failures: int = 0
    # One bot's update ids only grow, across restarts too (the hub remembers the ones it has taken in), so
    # an emulator started later carries on from the clock rather than from a fixed number.
    _next_update_id: int = field(default_factory=lambda: int(time.time() * 1000) % 2_000_000_000)
    _next_message_id: int = 1
    # Callback query id -> the text the bot answered it with ("" for an answer without text).
    callback_answers: dict[str, str] = field(default_factory=dict)
    _next_callback_id: int = 1

    def __post_init__(self) -> None:
        self.bot_id = int(self.token.split(":", 1)[0]) if self.token.split(":", 1)[0].isdigit() else 1

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Council Assistant",
            "username": "council_assistant_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    @staticmethod
    def user(chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Demo", "language_code": "en"}

    @staticmethod
    def chat(chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "Demo"}

    def user_writes(self, chat_id: int, text: str, *, copies: int = 1) -> int:
        """Record a user's message and queue its update (``copies`` times, as a repeated delivery would)."""
        message = self._add(chat_id, "user", text)
        self._next_update_id += 1
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.user(chat_id),
            "chat": self.chat(chat_id),
            "date": message.date,
            "text": text,
        }
        if text.startswith("/"):
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        update = {"update_id": self._next_update_id, "message": payload}
        self.pending.extend(dict(update) for _ in range(copies))
        return self._next_update_id

    def user_taps(self, chat_id: int, message_id: int, data: str) -> str:
        """Queue the update of a tap on a bot message's inline button; return the callback query's id."""
        message = next((m for m in self.chats.get(chat_id, []) if m.message_id == message_id), None)
        rows = ((message.reply_markup or {}).get("inline_keyboard") or []) if message else []
        if message is None or not any(button.get("callback_data") == data for row in rows for button in row):
            raise BotApiError(400, "Bad Request: no such inline button")
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._next_update_id += 1
        shown = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self.chat(chat_id),
            "date": message.date,
            "text": message.text,
            "reply_markup": message.reply_markup,
        }
        self.pending.append(
            {
                "update_id": self._next_update_id,
                "callback_query": {
                    "id": query_id,
                    "from": self.user(chat_id),
                    "message": shown,
                    "chat_instance": str(chat_id),
                    "data": data,
                },
            }
        )
        return query_id

    def _add(self, chat_id: int, sender: str, text: str, reply_markup: dict[str, Any] | None = None) -> ChatMessage:
        message = ChatMessage(
            message_id=self._next_message_id, sender=sender, text=text, date=int(time.time()), reply_markup=reply_markup
        )
        self._next_message_id += 1
        self.chats.setdefault(chat_id, []).append(message)
        return message

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one Bot API method."""
        handler = getattr(self, f"_method_{method.lower()}", None)
        if handler is None:
            raise BotApiError(404, "Not Found: method not found")
        return await handler(params)

    async def _method_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _method_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self.last_poll = time.monotonic()
        offset = int(params.get("offset") or 0)
        if offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONGEST_POLL_SECONDS)
        while not self.pending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            self.last_poll = time.monotonic()
        return self.pending[: int(params.get("limit") or 100)]

    async def _method_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = _chat_id(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        message = self._add(chat_id, "bot", text, markup if isinstance(markup, dict) else None)
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self.chat(chat_id),
            "date": message.date,
            "text": text,
        }
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    async def _method_deletemessage(self, params: dict[str, Any]) -> Any:
        chat_id = _chat_id(params)
        message_id = int(params.get("message_id") or 0)
        messages = self.chats.get(chat_id, [])
        kept = [message for message in messages if message.message_id != message_id]
        if len(kept) == len(messages):
            raise BotApiError(400, "Bad Request: message to delete not found")
        self.chats[chat_id] = kept
        return True

    async def _method_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.callback_answers[str(params.get("callback_query_id"))] = str(params.get("text") or "")
        return True

    async def _method_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        chat_id = _chat_id(params)
        message = next(
            (m for m in self.chats.get(chat_id, []) if m.message_id == int(params.get("message_id") or 0)), None
        )
        if message is None:
            raise BotApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup == message.reply_markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup if isinstance(markup, dict) else None
        return {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self.chat(chat_id),
            "date": message.date,
            "text": message.text,
            "reply_markup": message.reply_markup,
        }

    async def _method_sendchataction(self, params: dict[str, Any]) -> Any:
        _chat_id(params)
        return True

    async def _method_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = str(params.get("secret_token") or "")
        self.webhook_set_at = time.monotonic() if self.webhook_url else None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def _method_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = self.webhook_secret = ""
        self.webhook_set_at = None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def _method_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending) if self.webhook_url else 0,
        }

    async def _method_setmycommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _method_deletemycommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _method_getmycommands(self, params: dict[str, Any]) -> Any:
        return []

    async def _method_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _method_logout(self, params: dict[str, Any]) -> Any:
        return True

    async def push_to_webhook_forever(self, http: httpx.AsyncClient) -> None:
        """Post pending updates to the webhook, oldest first; one that fails is tried again a second later."""
        while True:
            if not (self.webhook_url and self.pending):
                await asyncio.sleep(0.05)
                continue
            update = self.pending[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
            try:
                response = await http.post(self.webhook_url, json=update, headers=headers)
                delivered = response.is_success
            except httpx.HTTPError:
                delivered = False
            if delivered:
                if self.pending and self.pending[0] is update:
                    self.pending.pop(0)
            else:
                self.webhook_failures += 1
                await asyncio.sleep(1.0)


def _chat_id(params: dict[str, Any]) -> int:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise BotApiError(400, "Bad Request: chat not found") from None


async def _parameters(request: Request) -> dict[str, Any]:
    """Read a method's parameters from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    for key, value in list(params.items()):
        if isinstance(value, str) and key not in STRING_PARAMETERS:
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def create_app(token: str = DEMO_TOKEN, *, demo_chat_id: int = DEMO_CHAT_ID) -> Starlette:
    """Build the emulator for the bot with ``token``."""
    api = BotApi(token=token)

    async def bot_method(request: Request) -> Response:
        if request.path_params["token"] != api.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        try:
            result = await api.call(request.path_params["method"], await _parameters(request))
        except BotApiError as error:
            return JSONResponse(
                {"ok": False, "error_code": error.code, "description": error.description}, status_code=error.code
            )
        return JSONResponse({"ok": True, "result": result})

    async def user_writes(request: Request) -> Response:
        body = await request.json()
        text = str(body.get("text") or "").strip()
        if not text:
            return JSONResponse({"detail": "the message is empty"}, status_code=422)
        update_id = api.user_writes(int(request.path_params["chat_id"]), text, copies=int(body.get("copies", 1)))
        return JSONResponse({"update_id": update_id}, status_code=201)

    async def user_taps(request: Request) -> Response:
        body = await request.json()
        try:
            query_id = api.user_taps(
                int(request.path_params["chat_id"]), int(body.get("message_id") or 0), str(body.get("data") or "")
            )
        except BotApiError as error:
            return JSONResponse({"detail": error.description}, status_code=error.code)
        return JSONResponse({"callback_query_id": query_id}, status_code=201)

    async def callback_answer(request: Request) -> Response:
        query_id = request.path_params["query_id"]
        if query_id not in api.callback_answers:
            return JSONResponse({"answered": False, "text": None})
        return JSONResponse({"answered": True, "text": api.callback_answers[query_id]})

    async def chat_messages(request: Request) -> Response:
        after = int(request.query_params.get("after", 0))
        messages = api.chats.get(int(request.path_params["chat_id"]), [])
        return JSONResponse({"messages": [m.as_json() for m in messages if m.message_id > after]})

    async def status(request: Request) -> Response:
        now = time.monotonic()
        return JSONResponse(
            {
                "polled_seconds_ago": None if api.last_poll is None else now - api.last_poll,
                "webhook_url": api.webhook_url,
                "pending_updates": len(api.pending),
                "webhook_failures": api.webhook_failures,
                "demo_chat_id": demo_chat_id,
            }
        )

    def page(name: str, media_type: str) -> Route:
        async def serve(request: Request) -> Response:
            return FileResponse(
                CLIENT / name,
                media_type=media_type,
                headers={
                    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'",
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        return Route("/" if name == "index.html" else f"/{name}", serve)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=10) as http:
            pushing = asyncio.create_task(api.push_to_webhook_forever(http))
            yield
            pushing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pushing

    app = Starlette(
        routes=[
            Route("/bot{token}/{method}", bot_method, methods=["GET", "POST"]),
            Route("/emulator/chats/{chat_id:int}/messages", user_writes, methods=["POST"]),
            Route("/emulator/chats/{chat_id:int}/messages", chat_messages, methods=["GET"]),
            Route("/emulator/chats/{chat_id:int}/taps", user_taps, methods=["POST"]),
            Route("/emulator/callbacks/{query_id}", callback_answer),
            Route("/emulator/status", status),
            page("index.html", "text/html"),
            page("client.js", "text/javascript"),
            page("client.css", "text/css"),
        ],
        lifespan=lifespan,
    )
    app.state.bot_api = api
    return app


def main() -> None:
    """Serve the emulator on loopback until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEMO_TOKEN)
    parser.add_argument("--demo-chat-id", type=int, default=DEMO_CHAT_ID)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(arguments.token, demo_chat_id=arguments.demo_chat_id),
        host="127.0.0.1",
        port=arguments.port,
        access_log=False,
    )


if __name__ == "__main__":
    main()
