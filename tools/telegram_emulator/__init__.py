"""A Telegram Bot API emulated on loopback, for the Telegram bridge's tests and `make run-telegram-demo`.

It lives outside ``telegram_bridge`` because the bridge is what runs in production and the emulator never is.
"""
