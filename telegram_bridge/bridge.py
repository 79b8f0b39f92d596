"""Carry Telegram chats to the hub and the hub's messages back: handlers, reply keyboards and the outbox loop.

Residents' messages go to the hub, which routes them exactly as web chat messages (bot, or an officer).
Whatever the resident should see (bot replies, system messages, officer replies) comes back through
one path: the hub's outbox, which the bridge reads every fraction of a second and marks as it sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict, defaultdict
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest

from council import council_facts
from telegram_bridge.hub import Accepted, HubClient, HubRefused, HubThrottled, HubUnavailable, OutgoingMessage
from telegram_bridge.settings import BridgeSettings

log = logging.getLogger(__name__)

# /start (the first thing a new Telegram user sends) goes to the hub as it is; the hub makes it a greeting.
GREETING = "/start"
# Messages, and taps on the inline Helpful / Not helpful buttons; edits, reactions and the like are not
# part of a conversation here.
ALLOWED_UPDATES = ["message", "callback_query"]
# An inline rating button's data: the hub's id of the answer and 1 (helpful) or 0 (not helpful).
RATING_DATA = re.compile(r"^rate:(\d{1,10}):([01])$")
RATING_TITLES = {True: "👍 Helpful", False: "👎 Not helpful"}
RATING_FAILED = "Sorry, we couldn't save that. Please try again."
# How many of a chat's latest messages (the resident's and the bot's) the bridge can still delete when a
# later one completes a card number: the hub looks back over the resident's last eight (api/conversations/card_guard.py
# EARLIER_MESSAGES), with the bot's replies to each (often two or three).
RECENT_MESSAGES = 60
T = TypeVar("T")
# Seconds between "typing..." actions while a message waits on the hub (Telegram shows one for about five).
TYPING_REFRESH_SECONDS = 4.0

Markup = ReplyKeyboardMarkup | ReplyKeyboardRemove | InlineKeyboardMarkup | None
BridgeApplication = Application[Any, Any, Any, Any, Any, Any]


class Bridge:
    """Forwards residents' messages to the hub and sends the hub's outbox to their chats."""

    def __init__(self, settings: BridgeSettings, hub: HubClient) -> None:
        self.settings = settings
        self.hub = hub
        # One message at a time per chat, so the hub sees a chat's messages in the order they were written.
        self._chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # Chats showing a reply keyboard -> whether the resident has written since it was shown.
        self._keyboards: dict[int, bool] = {}
        # Chat -> the hub's id -> Telegram's id of the chat's latest messages (both ways), oldest first.
        self._recent: defaultdict[int, OrderedDict[int, int]] = defaultdict(OrderedDict)
        self._outbox_task: asyncio.Task[None] | None = None
        # Messages on their way to the hub: they run apart from PTB's handlers so that a retry while the
        # hub is down never holds up stopping the bridge (they are cancelled then).
        self._forwarding: set[asyncio.Task[None]] = set()

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet a resident who starts the bot (or sends /start again)."""
        if update.effective_chat:
            self._in_background(self.forward(update.update_id, update.effective_chat.id, GREETING, context))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send a resident's text message to the hub."""
        if update.effective_chat and update.effective_message and update.effective_message.text:
            self._in_background(
                self.forward(
                    update.update_id,
                    update.effective_chat.id,
                    update.effective_message.text,
                    context,
                    message_id=update.effective_message.message_id,
                )
            )

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say kindly that only typed messages can be read (photos, stickers and voice notes are not kept)."""
        if update.effective_chat:
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, I can only read typed messages. Please tell me in words how I can help.",
            )

    async def on_rating(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send a tap on Helpful or Not helpful to the hub, thank the resident and show which they chose.

        The hub checks the answer is in this chat's conversation; the buttons stay, so the resident can
        change their mind (the hub keeps one rating per answer).
        """
        query = update.callback_query
        match = RATING_DATA.match(query.data or "") if query else None
        if query is None or match is None or update.effective_chat is None:
            if query is not None:
                await query.answer()
            return
        message_id, helpful = int(match.group(1)), match.group(2) == "1"
        try:
            thanks = await self.hub.rate_answer(
                chat_id=update.effective_chat.id, message_id=message_id, helpful=helpful
            )
        except (HubUnavailable, HubRefused, HubThrottled) as error:
            log.warning("could not record a rating: %s", error)
            await query.answer(RATING_FAILED)
            return
        await query.answer(thanks)
        with contextlib.suppress(TelegramError):  # the same choice again leaves the message unchanged
            await query.edit_message_reply_markup(rating_markup(message_id, chosen=helpful))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a handler's error by its class only: the default handler logs details that may hold a message."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("handling update %s failed: %s", update_id, type(context.error).__name__)

    async def settle(self) -> None:
        """Wait until every message on its way to the hub has been taken (or given up on)."""
        while self._forwarding:
            await asyncio.gather(*self._forwarding, return_exceptions=True)

    def _in_background(self, forwarding: Coroutine[Any, Any, None]) -> None:
        # Handlers run one update at a time and return at once, so these tasks start in the order the
        # messages came, and each chat's lock is taken in that order; other chats never wait on this one.
        task = asyncio.create_task(forwarding)
        self._forwarding.add(task)
        task.add_done_callback(self._forwarding.discard)

    async def forward(
        self,
        update_id: int,
        chat_id: int,
        text: str,
        context: ContextTypes.DEFAULT_TYPE,
        *,
        message_id: int | None = None,
    ) -> None:
        """Hand the message to the hub, retrying until it is taken; the resident hears once if it is down.

        When the hub found a card number in it, the resident's message is deleted from the chat (a bot may
        delete incoming messages in a private chat), so the number does not stay in the chat's history.
        """
        async with self._chat_locks[chat_id]:
            if chat_id in self._keyboards:
                self._keyboards[chat_id] = True
            delay, apologised, told_to_wait = 1.0, False, False
            while True:
                try:
                    handing_in = self.hub.send_resident_message(update_id=update_id, chat_id=chat_id, text=text)
                    accepted = await self._typing_while(context, chat_id, handing_in)
                    await self._delete_hidden(context, chat_id, message_id, accepted)
                    return
                except HubThrottled as throttled:  # sent too much too fast: say so once, then hand it in again
                    log.info(
                        "chat over the hub's message limit; update %s handed in again in %.0f s",
                        update_id,
                        throttled.retry_after,
                    )
                    if not told_to_wait:
                        told_to_wait = await self._say(context, chat_id, self._wait_text())
                    await asyncio.sleep(throttled.retry_after)
                    continue
                except HubRefused as error:
                    log.error("the hub refused update %s (%s); check the bridge's service token", update_id, error)
                    await self._apologise(context, chat_id, kept=False)
                    return
                except HubUnavailable as error:
                    log.warning("hub unavailable (%s); update %s retried in %.0f s", error, update_id, delay)
                    if not apologised:
                        apologised = await self._apologise(context, chat_id, kept=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.hub_retry_max_seconds)

    @staticmethod
    async def _typing_while(context: ContextTypes.DEFAULT_TYPE, chat_id: int, waiting: Coroutine[Any, Any, T]) -> T:
        """Show "typing..." until ``waiting`` is done: in a burst the hub holds a message until the bot's turn.

        Telegram shows the action for about five seconds, so it is sent again every ``TYPING_REFRESH_SECONDS``.
        """

        async def keep_typing() -> None:
            while True:
                with contextlib.suppress(TelegramError):
                    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(TYPING_REFRESH_SECONDS)

        typing = asyncio.create_task(keep_typing())
        try:
            return await waiting
        finally:
            typing.cancel()
            await asyncio.gather(typing, return_exceptions=True)

    async def _delete_hidden(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int | None, accepted: Accepted
    ) -> None:
        """Delete the message if the hub hid anything in it, and earlier ones it rewrote because of it.

        The hub names earlier messages by its own ids (the resident's, and the bot's replies that repeated
        them), so the bridge remembers which Telegram message each of a chat's recent messages became (in
        memory: a number is split over minutes, not restarts). Bots may delete their own messages too.
        """
        recent = self._recent[chat_id]
        for hub_id in accepted.earlier_hidden:
            earlier = recent.pop(hub_id, None)
            if earlier is None:
                log.warning("an earlier message holding part of a card number is not known to this bridge")
            else:
                await self._delete(context, chat_id, earlier)
        if message_id is None:
            return
        if accepted.card_number_hidden:
            await self._delete(context, chat_id, message_id)
        elif accepted.message_id is not None:
            self._remember(chat_id, accepted.message_id, message_id)

    def _remember(self, chat_id: int, hub_id: int, telegram_id: int) -> None:
        recent = self._recent[chat_id]
        recent[hub_id] = telegram_id
        while len(recent) > RECENT_MESSAGES:
            recent.popitem(last=False)

    async def _delete(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> None:
        try:
            await context.bot.delete_message(chat_id, message_id)
        except TelegramError as error:
            # Too old to delete, or already gone: the hub has still stored only the hidden form.
            log.warning("could not delete a message holding a card number: %s", type(error).__name__)

    def _wait_text(self) -> str:
        return (
            "You've sent a lot of messages in a short time, so I need to pause for a moment. I'll answer "
            f"in a minute; if it's urgent, please call us on {self.settings.council_phone}."
        )

    async def _say(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> bool:
        try:
            await context.bot.send_message(chat_id, text)
        except TelegramError as error:
            log.warning("could not tell the resident to wait: %s", type(error).__name__)
            return False
        return True

    async def _apologise(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, *, kept: bool) -> bool:
        kept_text = "I've kept your message and will answer here as soon as I can. " if kept else ""
        try:
            await context.bot.send_message(
                chat_id,
                f"Sorry, I'm having trouble answering right now. {kept_text}If it's urgent, please call "
                f"us on {self.settings.council_phone} ({council_facts().phone_hours}).",
            )
        except TelegramError as error:
            log.warning("could not send the apology: %s", type(error).__name__)
            return False
        return True

    async def deliver_outbox_forever(self, application: BridgeApplication) -> None:
        """Send the hub's outbox to Telegram every poll interval, backing off while the hub is down."""
        delay = self.settings.outbox_poll_seconds
        while True:
            try:
                sent = await self.deliver_pending(application)
                delay = self.settings.outbox_poll_seconds
            except (HubUnavailable, HubRefused) as error:
                log.warning("could not read or update the outbox (%s); retrying in %.1f s", error, delay)
                sent = 0
                delay = min(max(delay * 2, 1.0), self.settings.hub_retry_max_seconds)
            if not sent:
                await asyncio.sleep(delay)

    async def deliver_pending(self, application: BridgeApplication) -> int:
        """Send the waiting messages in order and mark each one; stop at a failure that may pass."""
        sent = 0
        for message in await self.hub.pending_messages():
            markup = self._markup(message)
            try:
                sent_message = await application.bot.send_message(
                    message.chat_id, _as_seen(message), reply_markup=markup
                )
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                return sent
            except (Forbidden, BadRequest) as error:
                # The resident blocked the bot or the chat is gone: sending again would fail the same way.
                log.warning("Telegram refused message %s: %s", message.message_id, type(error).__name__)
                await self.hub.record_delivery(message_id=message.message_id, sent=False)
                continue
            except NetworkError as error:
                log.warning(
                    "could not reach Telegram (%s); message %s retried", type(error).__name__, message.message_id
                )
                return sent
            self._keyboard_sent(message.chat_id, markup)
            self._remember(message.chat_id, message.message_id, sent_message.message_id)
            await self.hub.record_delivery(message_id=message.message_id, sent=True)
            sent += 1
        return sent

    def _markup(self, message: OutgoingMessage) -> Markup:
        """Show the message's buttons as a reply keyboard; take away one already answered.

        A knowledge answer gets the inline Helpful / Not helpful buttons instead (a message has one markup;
        a reply keyboard still shown is one-time, and the next message takes it away).
        """
        if message.buttons:
            return ReplyKeyboardMarkup(
                [[KeyboardButton(button.title)] for button in message.buttons],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
        if message.rateable:
            return rating_markup(message.message_id)
        if self._keyboards.get(message.chat_id):
            return ReplyKeyboardRemove()
        # A keyboard the resident has not answered yet stays, even if more messages follow it.
        return None

    def _keyboard_sent(self, chat_id: int, markup: Markup) -> None:
        if isinstance(markup, ReplyKeyboardMarkup):
            self._keyboards[chat_id] = False
        elif isinstance(markup, ReplyKeyboardRemove):
            self._keyboards.pop(chat_id, None)

    async def start_outbox(self, application: BridgeApplication) -> None:
        """Start sending the outbox once the application is up."""
        self._outbox_task = asyncio.create_task(self.deliver_outbox_forever(application))

    async def stop_outbox(self, application: BridgeApplication) -> None:
        """Stop sending the outbox (a message half-sent is offered again next time) and forwarding messages."""
        tasks = [*self._forwarding, *([self._outbox_task] if self._outbox_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self, application: BridgeApplication) -> None:
        """Close the hub client."""
        await self.hub.aclose()


def rating_markup(message_id: int, *, chosen: bool | None = None) -> InlineKeyboardMarkup:
    """Return the Helpful / Not helpful buttons for the hub's answer ``message_id``, ticking the one chosen."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{title} ✓" if helpful is chosen else title, callback_data=f"rate:{message_id}:{int(helpful)}"
                )
                for helpful, title in RATING_TITLES.items()
            ]
        ]
    )


def _as_seen(message: OutgoingMessage) -> str:
    """Return the text as the resident sees it; every message comes from the bot's account, so an officer signs."""
    if message.sender != "officer":
        return message.text
    return f"{message.author or 'Council officer'}: {message.text}"


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def build_application(
    settings: BridgeSettings, hub: HubClient | None = None, bot_api: BaseRequest | None = None
) -> BridgeApplication:
    """Build the python-telegram-bot application with the bridge's handlers and outbox loop.

    ``bot_api`` replaces PTB's HTTP requests to the Bot API; the in-process tests give it one that never
    leaves the process, as python-telegram-bot's own tests do.
    """
    hub = hub or HubClient(
        settings.hub_url, service_token=settings.service_token.get_secret_value(), timeout=settings.hub_timeout_seconds
    )
    bridge = Bridge(settings, hub)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .post_init(bridge.start_outbox)
        .post_stop(bridge.stop_outbox)
        .post_shutdown(bridge.close)
    )
    if bot_api is not None:
        builder = builder.request(bot_api).get_updates_request(bot_api)
    application = builder.build()
    application.bot_data["bridge"] = bridge
    # Residents write to the bot in private chats; a group it was added to is not a resident's conversation.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", bridge.on_start, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT, bridge.on_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT, bridge.on_other))
    application.add_handler(CallbackQueryHandler(bridge.on_rating))
    application.add_error_handler(bridge.on_error)
    return application


def run(settings: BridgeSettings) -> None:
    """Run the bridge until it is stopped (SIGINT or SIGTERM): polling, or a webhook server."""
    application = build_application(settings)
    if settings.telegram_mode == "webhook":
        application.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
