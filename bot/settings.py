"""Settings of the action server, read from the environment (prefix ``CA_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings  # Rasa's environment pins pydantic 1

ROOT = Path(__file__).resolve().parent.parent


class BotSettings(BaseSettings):
    """Where the back office is and how the action server proves who it is."""

    backoffice_url: str = "http://127.0.0.1:8000"
    service_token: str = "dev-service-token-change-me"  # noqa: S105  (development default, as in api.settings)
    # One back-office call, and all of one action's calls: an action answers well inside the hub's 30 s wait
    # for Rasa (api.settings rasa_timeout_seconds), since one message runs at most two actions that reach the
    # back office (the form's checks, then the task) and one question with the addresses (2 x 8 + 4 < 30).
    backoffice_timeout_seconds: float = 4.0
    action_deadline_seconds: float = 8.0
    knowledge_dir: Path = ROOT / "knowledge"

    class Config:  # noqa: D106  (pydantic 1 configuration)
        env_prefix = "CA_"


@lru_cache
def get_settings() -> BotSettings:
    """Return the action server's settings, read once."""
    return BotSettings()
