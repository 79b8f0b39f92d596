"""Run the Telegram bridge: ``python -m telegram_bridge`` (settings from the environment, see settings.py)."""

from __future__ import annotations

import logging

from telegram_bridge.bridge import run
from telegram_bridge.settings import get_settings


def main() -> None:
    """Configure logging and run the bridge until it is stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request's URL at INFO, and a Bot API URL holds the bot's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    run(get_settings())


if __name__ == "__main__":
    main()
