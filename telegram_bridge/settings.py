"""The bridge's settings, read from the environment (prefix ``CA_``) and validated at start-up."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from council import council_facts

# The bridge's own development token (the API's DEV_TELEGRAM_TOKEN): it reaches only the Telegram endpoints.
DEV_SERVICE_TOKEN = "dev-telegram-token-change-me"  # noqa: S105  (development default)
# Telegram accepts 1-256 of these characters as a webhook's secret token; the bridge asks for 32 or more,
# since the secret is all that stands between the public webhook URL and a forged resident message.
MIN_WEBHOOK_SECRET = 32
SECRET_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{MIN_WEBHOOK_SECRET},256}}")


class BridgeSettings(BaseSettings):
    """Where the bot's Telegram Bot API and the hub are, and how updates arrive."""

    model_config = SettingsConfigDict(env_prefix="CA_", extra="ignore")

    # Only production changes anything here: it refuses the development token and a short one.
    environment: Literal["development", "test", "production"] | None = None
    telegram_bot_token: SecretStr
    # polling: the bridge asks Telegram for updates; webhook: Telegram posts them to the bridge's server.
    telegram_mode: Literal["polling", "webhook"] = "polling"
    # Telegram's by default; a Bot API emulated on loopback in tests and in the local demo.
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    # Webhook mode: the public https URL Telegram posts to (a reverse proxy forwards it to listen:port/path).
    telegram_webhook_url: str = ""
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_path: str = "telegram"
    telegram_webhook_secret: SecretStr = SecretStr("")

    hub_url: str = "http://127.0.0.1:8000"
    service_token: SecretStr = SecretStr(DEV_SERVICE_TOKEN)
    # A resident's message waits on the bot's answer: in a burst it waits its turn in the hub (up to the hub's
    # CA_RASA_BUSY_AFTER_SECONDS, 180 s by default) and then Rasa's answer (CA_RASA_TIMEOUT_SECONDS, 30 s), so
    # the bridge waits longer than both before it apologises and hands the message in again.
    hub_timeout_seconds: float = 240.0
    # How often the bridge asks the hub for messages to send, and the longest wait between retries.
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    hub_retry_max_seconds: float = Field(default=30.0, gt=0)

    council_phone: str = council_facts().phone

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> BridgeSettings:
        if self.telegram_mode == "webhook":
            if not self.telegram_webhook_url:
                raise ValueError("webhook mode needs CA_TELEGRAM_WEBHOOK_URL, the URL Telegram posts updates to")
            if not SECRET_TOKEN.fullmatch(self.telegram_webhook_secret.get_secret_value()):
                raise ValueError(
                    f"webhook mode needs CA_TELEGRAM_WEBHOOK_SECRET: {MIN_WEBHOOK_SECRET}-256 of A-Z, "
                    "a-z, 0-9, _ and - (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                )
        return self

    @model_validator(mode="after")
    def _production_needs_its_own_token(self) -> BridgeSettings:
        token = self.service_token.get_secret_value()
        if self.environment == "production" and (token == DEV_SERVICE_TOKEN or len(token) < MIN_WEBHOOK_SECRET):
            raise ValueError(
                "production refuses the development CA_SERVICE_TOKEN and any shorter than "
                f"{MIN_WEBHOOK_SECRET} characters: give the bridge its own telegram token"
            )
        return self


@lru_cache
def get_settings() -> BridgeSettings:
    """Return the process-wide settings, read once."""
    return BridgeSettings()
