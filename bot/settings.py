"""Settings of the action server, read from the environment (prefix ``CA_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings  # Rasa's environment pins pydantic 1

ROOT = Path(__file__).resolve().parent.parent
DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105  (development default, as in api.settings)
# The secret Rasa sends the action server (endpoints.yml, CA_ACTIONS_SECRET); development default.
DEV_ACTIONS_SECRET = "dev-actions-secret-change-me"  # noqa: S105
MIN_SECRET_LENGTH = 32


class BotSettings(BaseSettings):
    """Where the back office is and how the action server proves who it is."""

    # development, test or production; the action server will not start without it (bot.action_server).
    environment: str | None = None
    backoffice_url: str = "http://127.0.0.1:8000"
    service_token: str = DEV_SERVICE_TOKEN
    # What Rasa must present (Authorization: Bearer …) for the action server to run an action.
    actions_secret: str = DEV_ACTIONS_SECRET
    # One back-office call, and all of one action's calls: an action answers well inside the hub's 30 s wait
    # for Rasa (api.settings rasa_timeout_seconds), since one message runs at most two actions that reach the
    # back office (the form's checks, then the task) and one question with the addresses (2 x 8 + 4 < 30).
    backoffice_timeout_seconds: float = 4.0
    action_deadline_seconds: float = 8.0
    knowledge_dir: Path = ROOT / "knowledge"

    class Config:  # noqa: D106  (pydantic 1 configuration)
        env_prefix = "CA_"

    def unsafe(self) -> list[str]:
        """Say what keeps the action server from starting: no environment, or production with weak secrets."""
        if self.environment not in ("development", "test", "production"):
            return ["CA_ENVIRONMENT must be development, test or production"]
        if self.environment != "production":
            return []
        held = {"CA_SERVICE_TOKEN": self.service_token, "CA_ACTIONS_SECRET": self.actions_secret}
        return [
            f"{name} holds a development default"
            for name, value in held.items()
            if value in (DEV_SERVICE_TOKEN, DEV_ACTIONS_SECRET)
        ] + [
            f"{name} holds a secret shorter than {MIN_SECRET_LENGTH} characters"
            for name, value in held.items()
            if len(value) < MIN_SECRET_LENGTH
        ]


@lru_cache
def get_settings() -> BotSettings:
    """Return the action server's settings, read once."""
    return BotSettings()
